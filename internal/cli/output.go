package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/policy"
)

// outputFormat is the -o flag of commands that report findings.
type outputFormat string

const (
	formatText   outputFormat = "text"
	formatJSON   outputFormat = "json"
	formatSARIF  outputFormat = "sarif"
	formatGitHub outputFormat = "github"
	formatJUnit  outputFormat = "junit"
)

var (
	findingFormats = []outputFormat{formatText, formatJSON}
	checkFormats   = []outputFormat{formatText, formatJSON, formatSARIF, formatGitHub, formatJUnit}
)

func (f outputFormat) validate(allowed []outputFormat) error {
	if slices.Contains(allowed, f) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return usageError("unknown output format %q: want one of %s", f, strings.Join(names, ", "))
}

// reportOptions shape how findings are reported.
type reportOptions struct {
	format     outputFormat
	failOnWarn bool
	// summary prints the summary line after text output even when there
	// are no findings.
	summary bool
	// rules describe the policy rules for SARIF.
	rules map[string]*policy.Rule
}

// builtinRuleInfo describes the rules platc checks in Go.
var builtinRuleInfo = []diag.RuleInfo{
	{ID: "syntax", Title: "CUE syntax", Description: "The spec's files must parse as CUE."},
	{ID: "load", Title: "Spec package", Description: "A spec is one CUE package that imports only the CUE standard library and platc.dev/schema."},
	{ID: "schema", Title: "Schema", Description: "The spec must unify with the platc schema: known fields, the right types, values in range and in the documented formats, and no field set differently in two places."},
	{ID: "required", Title: "Required parts", Description: "Every spec declares its platform and at least one environment."},
	{ID: "reference", Title: "References", Description: "Every team, environment, service, dataset, topic, integration and pipeline a spec names is declared in it."},
	{ID: compiler.RuleNotRun, Title: "Policies not run", Description: "The policies are evaluated only on a spec that parses, matches the schema and decodes; this note says they were not, so a report without policy findings is not read as a clean one."},
	{ID: policy.RuleExceptionExpired, Title: "Expired exception", Description: "An exception silences one rule for one path until its expiry; after that it is an error until the problem is fixed or the exception renewed."},
	{ID: policy.RuleExceptionUnused, Title: "Unused exception", Description: "An exception that silences nothing is stale and should be removed."},
	{ID: policy.RulePolicyConfig, Title: "Policy settings", Description: "platform.policies.disabled names rules that exist."},
	{ID: policy.RuleRego, Title: "Policy modules", Description: "Policies must compile and live in packages under platc."},
}

// report writes the diagnostics in the chosen format: text goes to
// stderr (diagnostics), machine formats to stdout (data). It returns the
// error that sets the exit code.
func report(g *globals, ds diag.Diagnostics, o reportOptions) error {
	ds = ds.Rel(g.base()).Sorted()
	var err error
	w := g.cfg.Stdout
	switch o.format {
	case formatJSON:
		err = diag.WriteJSON(w, ds)
	case formatSARIF:
		err = diag.WriteSARIF(w, ds, ruleInfo(o.rules), buildVersion().Version)
	case formatGitHub:
		err = diag.WriteGitHub(w, ds)
	case formatJUnit:
		err = diag.WriteJUnit(w, ds, o.failOnWarn)
	default:
		err = writeText(g.cfg.Stderr, ds, o.summary)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	errs, warns := ds.Count()
	if errs > 0 || o.failOnWarn && warns > 0 {
		return findings()
	}
	return nil
}

func ruleInfo(rules map[string]*policy.Rule) []diag.RuleInfo {
	out := slices.Clone(builtinRuleInfo)
	for _, r := range rules {
		out = append(out, diag.RuleInfo{ID: r.ID, Title: r.Title, Description: r.Description})
	}
	return out
}

func writeText(w io.Writer, ds diag.Diagnostics, summary bool) error {
	if len(ds) == 0 && !summary {
		return nil
	}
	if err := diag.WriteText(w, ds); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, diag.SummaryLine(ds))
	return err
}

// diagPosFile shows a file path relative to the working directory.
func diagPosFile(g *globals, file string) string {
	return diag.Pos{File: file}.Rel(g.base()).File
}
