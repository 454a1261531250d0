package scaffold_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/internal/scaffold"
)

// workflowFile is what platc reads of a GitHub Actions workflow.
type workflowFile struct {
	Name string `json:"name"`
	// On is the triggers; YAML 1.1 reads the key "on" as true.
	On          map[string]any    `json:"true"`
	Permissions map[string]string `json:"permissions"`
	Jobs        map[string]struct {
		If          string `json:"if"`
		Needs       string `json:"needs"`
		Environment string `json:"environment"`
		Concurrency struct {
			Group            string `json:"group"`
			CancelInProgress bool   `json:"cancel-in-progress"`
		} `json:"concurrency"`
		Permissions map[string]string `json:"permissions"`
		Steps       []struct {
			Name string            `json:"name"`
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			If   string            `json:"if"`
			With map[string]string `json:"with"`
			Env  map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"jobs"`
}

func TestWorkflow(t *testing.T) {
	files, err := scaffold.Files(scaffold.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wf workflowFile
	if err := yaml.Unmarshal(files[".github/workflows/platc.yml"], &wf); err != nil {
		t.Fatal(err)
	}
	if _, ok := wf.On["pull_request"]; !ok {
		t.Errorf("no pull_request trigger: %v", wf.On)
	}
	if _, ok := wf.On["push"]; !ok {
		t.Errorf("no push trigger: %v", wf.On)
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("the workflow grants %v to every job", wf.Permissions)
	}

	check := wf.Jobs["check"]
	if !strings.Contains(check.If, "pull_request") {
		t.Errorf("check runs on %q", check.If)
	}
	want := map[string]string{"contents": "read", "checks": "write", "pull-requests": "write", "security-events": "write"}
	if diff := cmp.Diff(want, check.Permissions); diff != "" {
		t.Errorf("check job permissions (-want +got):\n%s", diff)
	}
	var runs []string
	var uploads, reports int
	for _, s := range check.Steps {
		runs = append(runs, s.Run)
		if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") && s.With["sarif_file"] == "platc.sarif" {
			uploads++
		}
		if strings.Contains(s.Run, "platc github report") {
			reports++
			if s.Env["GITHUB_TOKEN"] != "${{ secrets.GITHUB_TOKEN }}" || s.If != "always()" {
				t.Errorf("the report step has env %v and if %q", s.Env, s.If)
			}
		}
	}
	all := strings.Join(runs, "\n")
	for _, cmd := range []string{"platc check -o sarif > platc.sarif", "platc plan --out", "--plan platc-plan.json"} {
		if !strings.Contains(all, cmd) {
			t.Errorf("the check job does not run %q", cmd)
		}
	}
	if uploads != 1 || reports != 1 {
		t.Errorf("%d SARIF uploads and %d reports, want one of each", uploads, reports)
	}

	// One apply job per tier, in order; prod waits for its approval.
	if len(wf.Jobs) != 1+len(model.Tiers) {
		t.Errorf("%d jobs, want check and one apply per tier", len(wf.Jobs))
	}
	for i, tier := range model.Tiers {
		name := "apply-" + tier
		apply, ok := wf.Jobs[name]
		if !ok {
			t.Errorf("no job %s", name)
			continue
		}
		if !strings.Contains(apply.If, "push") {
			t.Errorf("%s runs on %q", name, apply.If)
		}
		wantNeeds := ""
		if i > 0 {
			wantNeeds = "apply-" + model.Tiers[i-1]
		}
		if apply.Needs != wantNeeds {
			t.Errorf("%s needs %q, want %q", name, apply.Needs, wantNeeds)
		}
		if apply.Concurrency.Group != "platc-apply-"+tier || apply.Concurrency.CancelInProgress {
			t.Errorf("%s concurrency %+v, want its own group, never cancelled", name, apply.Concurrency)
		}
		if diff := cmp.Diff(map[string]string{"contents": "read"}, apply.Permissions); diff != "" {
			t.Errorf("%s job permissions (-want +got):\n%s", name, diff)
		}
		last := apply.Steps[len(apply.Steps)-1]
		if !strings.HasPrefix(last.Run, "platc apply --yes --push --tier "+tier+" --out ") {
			t.Errorf("%s's last step runs %q", name, last.Run)
		}
		wantEnv := ""
		if tier == "prod" {
			wantEnv = "production"
		}
		if apply.Environment != wantEnv {
			t.Errorf("%s runs in environment %q, want %q (the required reviewers guard prod)", name, apply.Environment, wantEnv)
		}
	}
}

// TestWorkflowPinsPlatc: the workflow installs the platc that wrote it,
// or the latest release when that one has no version.
func TestWorkflowPinsPlatc(t *testing.T) {
	for version, want := range map[string]string{
		"v1.4.2":                             "v1.4.2",
		"v0.0.0-20261203061500-0123456789ab": "v0.0.0-20261203061500-0123456789ab",
		"(devel)":                            "latest",
		"":                                   "latest",
	} {
		files, err := scaffold.Files(scaffold.Options{Version: version, PulumiVersion: "3.259.0"})
		if err != nil {
			t.Fatal(err)
		}
		var wf struct {
			Env map[string]string `json:"env"`
		}
		if err := yaml.Unmarshal(files[".github/workflows/platc.yml"], &wf); err != nil {
			t.Fatal(err)
		}
		if wf.Env["PLATC_VERSION"] != want || wf.Env["PULUMI_VERSION"] != "3.259.0" {
			t.Errorf("version %q: the workflow pins platc %q and pulumi %q, want %q and 3.259.0", version, wf.Env["PLATC_VERSION"], wf.Env["PULUMI_VERSION"], want)
		}
	}
}
