package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/providers/github"
)

func TestParsePREvent(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    *prEvent
		wantErr string
	}{
		"a pull_request event gives the number and the head commit": {
			in:   `{"number": 7, "pull_request": {"number": 7, "head": {"sha": "abc"}}}`,
			want: &prEvent{Number: 7, HeadSHA: "abc"},
		},
		"a push event is not a pull request": {
			in:      `{"ref": "refs/heads/main"}`,
			wantErr: "e.json: not a pull request event (it has no pull_request.number)",
		},
		"an issue comment on an issue is not one either": {
			in:      `{"issue": {"number": 3}, "pull_request": null}`,
			wantErr: "not a pull request event",
		},
		"a file that is not JSON says so": {
			in:      `number: 7`,
			wantErr: "e.json: not a JSON event payload",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parsePREvent([]byte(tc.in), "e.json")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePlanSummary(t *testing.T) {
	const v = `"apiVersion": "platc.dev/plan-report/v1", `
	tests := map[string]struct {
		in      string
		want    *github.PlanSummary
		wantErr string
	}{
		"gitops environments with their kinds": {
			in: `{` + v + `"out": "gitops", "changed": true, "gitops": {"environments": {
				"prod": {"add": 1, "change": 2, "remove": 0, "kinds": {"Deployment": {"add": 1, "change": 0, "remove": 0}, "HTTPRoute": {"add": 0, "change": 2, "remove": 0}}},
				"dev": {"add": 0, "change": 0, "remove": 3, "kinds": {"Namespace": {"add": 0, "change": 0, "remove": 3}}}}}}`,
			want: &github.PlanSummary{Environments: []github.Changes{
				{Name: "dev", Delete: 3, Detail: "Namespace -3"},
				{Name: "prod", Add: 1, Change: 2, Detail: "Deployment +1, HTTPRoute ~2"},
			}},
		},
		"nothing changes": {
			in:   `{` + v + `"out": "gitops", "changed": false, "gitops": {"environments": {}}}`,
			want: &github.PlanSummary{Note: "No changes: gitops is up to date."},
		},
		"stacks with Pulumi's operations": {
			in:   `{` + v + `"gitops": {"environments": {}}, "stacks": [{"stack": "acme/prod", "environment": "prod", "changes": {"create": 2, "update": 1, "replace": 1, "delete": 1, "same": 9}, "seconds": 1, "preview": true}]}`,
			want: &github.PlanSummary{Stacks: []github.Changes{{Name: "acme/prod", Add: 2, Change: 2, Delete: 1}}},
		},
		"a stack without a name is refused": {
			in:      `{` + v + `"stacks": [{"changes": {"create": 1}}]}`,
			wantErr: "p.json: stacks[0] names no stack",
		},
		"keys platc never writes are refused": {
			in:      `{` + v + `"pulumi": {"stacks": {}}}`,
			wantErr: `p.json: json: unknown field "pulumi"`,
		},
		"another version is refused, naming the file": {
			in:      `{"apiVersion": "platc.dev/plan-report/v2", "stacks": []}`,
			wantErr: `p.json is a plan report of version "platc.dev/plan-report/v2"; this platc reads platc.dev/plan-report/v1`,
		},
		"a check report is not a plan": {
			in:      `{"findings": [], "summary": {"errors": 0, "warnings": 0}}`,
			wantErr: `p.json is not a 'platc plan -o json' document: it has no "apiVersion"`,
		},
		"nor is text": {
			in:      `Plan: 1 to add`,
			wantErr: "p.json is not a 'platc plan -o json' document",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parsePlanSummary([]byte(tc.in), "p.json")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFindings(t *testing.T) {
	ds, err := parseFindings([]byte(`{"findings":[{"severity":"warning","rule":"r","message":"m","path":"teams.a","pos":{"file":"a.cue","line":3,"column":2},"hint":"h"}],"summary":{"errors":0,"warnings":1}}`), "f.json")
	if err != nil {
		t.Fatal(err)
	}
	want := diag.Diagnostics{{Severity: diag.Warning, Rule: "r", Message: "m", Path: "teams.a", Pos: diag.Pos{File: "a.cue", Line: 3, Column: 2}, Hint: "h"}}
	if diff := cmp.Diff(want, ds); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for in, wantErr := range map[string]string{
		`{"summary": {}}`: `it has no "findings"`,
		`{"findings": [{"severity": "fatal", "rule": "r", "message": "m"}]}`:                      `unknown severity "fatal"`,
		`{"findings": [{"severity": "error", "message": "m"}]}`:                                   "finding 1 has no rule or message",
		`{"findings": [{"severity": "error", "rule": "r", "message": "m", "pos": {"line": -1}}]}`: "negative position",
	} {
		if _, err := parseFindings([]byte(in), "f.json"); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: error %v, want %q", in, err, wantErr)
		}
	}
}

func TestRepoRelative(t *testing.T) {
	root := t.TempDir()
	spec := filepath.Join(root, "platform", "spec")
	if err := os.MkdirAll(spec, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spec, "teams.cue"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ds := diag.Diagnostics{
		{Rule: "relative to the working directory", Pos: diag.Pos{File: "spec/teams.cue", Line: 1}},
		{Rule: "absolute", Pos: diag.Pos{File: filepath.Join(spec, "teams.cue"), Line: 2},
			Related: []diag.Pos{{File: "platc.dev/schema/teams.cue", Line: 3}}},
		{Rule: "no file", Path: "platform"},
	}
	got := repoRelative(ds, filepath.Join(root, "platform"), root)
	var files []string
	for _, d := range got {
		files = append(files, d.Pos.File)
	}
	if diff := cmp.Diff([]string{"platform/spec/teams.cue", "platform/spec/teams.cue", ""}, files); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got[1].Related[0].File != "platc.dev/schema/teams.cue" {
		t.Errorf("a schema position was rewritten: %s", got[1].Related[0].File)
	}
	if ds[0].Pos.File != "spec/teams.cue" {
		t.Errorf("the input was modified")
	}
}

func TestCommentAuthorFallback(t *testing.T) {
	tests := map[string]struct {
		flag    string
		actions string
		want    string
		wantErr string
	}{
		"a workflow job comments as github-actions[bot]": {actions: "true", want: "github-actions[bot]"},
		"--comment-author wins in a workflow job":        {flag: "platc-reporter[bot]", actions: "true", want: "platc-reporter[bot]"},
		"--comment-author names it outside one":          {flag: "octocat", want: "octocat"},
		"nothing names it outside a workflow job":        {actions: "", want: ""},
		"only GITHUB_ACTIONS=true is a workflow job":     {actions: "1", want: ""},
		"a login with a space is refused":                {flag: "octo cat", wantErr: `invalid --comment-author "octo cat"`},
		"a login cannot start with a hyphen":             {flag: "-octocat", wantErr: "want a GitHub login such as github-actions[bot]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"GITHUB_TOKEN": "tok", "GITHUB_REPOSITORY": "acme/platform", "GITHUB_SHA": strings.Repeat("1", 40), "GITHUB_ACTIONS": tc.actions}
			g := &globals{cfg: &Config{Getenv: func(k string) string { return env[k] }}}
			o := &githubReportOptions{name: "platc", maxAnnotations: 1, findingsFile: "f.json", pr: 7, commentAuthor: tc.flag}
			err := o.validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			target, err := resolveGitHubTarget(g, o)
			if err != nil {
				t.Fatal(err)
			}
			if target.commentAuthor != tc.want {
				t.Errorf("comment author %q, want %q", target.commentAuthor, tc.want)
			}
		})
	}
}

func TestRedactToken(t *testing.T) {
	if got := redactToken("GET x: token ghs_abc123 refused", "ghs_abc123"); got != "GET x: token *** refused" {
		t.Errorf("got %q", got)
	}
}

// FuzzReportInputs feeds the readers of the files a GitHub job hands to
// platc github report: they must refuse bad input with an error, never
// panic.
func FuzzReportInputs(f *testing.F) {
	for _, s := range []string{
		`{"pull_request": {"number": 1, "head": {"sha": "abc"}}}`,
		`{"findings": [{"severity": "error", "rule": "r", "message": "m", "pos": {"file": "a.cue", "line": 1}}]}`,
		`{"apiVersion": "platc.dev/plan-report/v1", "gitops": {"environments": {"dev": {"add": 1, "kinds": {"X": {"add": 1}}}}}, "stacks": [{"stack": "s", "changes": {"create": 1}}]}`,
		`{"apiVersion": "platc.dev/plan-report/v1", "stacks": [null]}`,
		`{"apiVersion": "platc.dev/plan-report/v1", "gitops": {"environments": {"dev": null}}}`,
		`[]`, `null`, `{"stacks": 3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		parsePREvent(b, "event.json")
		parseFindings(b, "findings.json")
		parsePlanSummary(b, "plan.json")
	})
}
