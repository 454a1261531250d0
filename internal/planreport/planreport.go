// Package planreport is the document `platc plan -o json` writes and
// `platc github report --plan` reads, one Go type for both:
// platc.dev/plan-report/v1.
package planreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/platc-dev/platc/internal/treediff"
	"github.com/platc-dev/platc/providers/pulumi"
)

// Version is the apiVersion of the reports this platc writes and reads.
const Version = "platc.dev/plan-report/v1"

// Report is what a plan would change.
type Report struct {
	APIVersion string `json:"apiVersion"`
	// Out is the GitOps directory the plan compared with (--out).
	Out string `json:"out"`
	// Changed is set when anything would change: a file, a conflict, a
	// stack.
	Changed bool `json:"changed"`
	// GitOps is the difference between Out and the rendered tree.
	GitOps *treediff.Result `json:"gitops"`
	// Conflicts are files in Out that platc did not write, at paths it
	// produces: render and apply refuse to replace them without --force.
	Conflicts []string `json:"conflicts"`
	// Stacks are the pulumi previews, one per environment; empty with
	// --gitops-only.
	Stacks []*pulumi.Result `json:"stacks"`
	// StacksSkipped says why the stacks were not previewed (--gitops-only);
	// empty when they were.
	StacksSkipped string `json:"stacksSkipped,omitempty"`
}

// New returns a report of this version.
func New() *Report {
	return &Report{APIVersion: Version, Conflicts: []string{}, Stacks: []*pulumi.Result{}}
}

// Parse reads a report; name is the file it came from, for errors. A
// document of another version, or one that is not a plan report, is
// refused with an error that names the file.
func Parse(b []byte, name string) (*Report, error) {
	notPlan := func(why string) error {
		return fmt.Errorf("%s is not a 'platc plan -o json' document: %s", name, why)
	}
	var head struct {
		APIVersion *string `json:"apiVersion"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, notPlan(err.Error())
	}
	switch {
	case head.APIVersion == nil:
		return nil, notPlan(`it has no "apiVersion"`)
	case *head.APIVersion != Version:
		return nil, fmt.Errorf("%s is a plan report of version %q; this platc reads %s: run 'platc plan -o json' with this platc", name, *head.APIVersion, Version)
	}
	var r Report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one JSON document", name)
	}
	for i, s := range r.Stacks {
		if s == nil || s.Stack == "" {
			return nil, fmt.Errorf("%s: stacks[%d] names no stack", name, i)
		}
	}
	return &r, nil
}
