package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSortedOrdersAndDeduplicates(t *testing.T) {
	a := Diagnostic{Severity: Error, Rule: "schema", Message: "a", Pos: Pos{File: "b.cue", Line: 2, Column: 1}}
	b := Diagnostic{Severity: Warning, Rule: "gpu-cost", Message: "b", Pos: Pos{File: "a.cue", Line: 9, Column: 3}}
	c := Diagnostic{Severity: Error, Rule: "schema", Message: "c", Pos: Pos{File: "b.cue", Line: 2, Column: 1}}
	got := Diagnostics{a, c, b, a}.Sorted()
	if diff := cmp.Diff(Diagnostics{b, a, c}, got); diff != "" {
		t.Errorf("Sorted (-want +got):\n%s", diff)
	}
	if errs, warns := got.Count(); errs != 2 || warns != 1 {
		t.Errorf("Count = %d, %d", errs, warns)
	}
	if !got.HasErrors() || (Diagnostics{b}).HasErrors() || Diagnostics(nil).HasErrors() {
		t.Error("HasErrors is wrong")
	}
}

func TestRel(t *testing.T) {
	d := Diagnostics{{Pos: Pos{File: "/repo/spec/a.cue", Line: 1, Column: 1}, Related: []Pos{{File: "/elsewhere/b.cue"}, {File: "platc.dev/schema/x.cue"}}}}
	got := d.Rel("/repo")
	if got[0].Pos.File != "spec/a.cue" || got[0].Related[0].File != "/elsewhere/b.cue" || got[0].Related[1].File != "platc.dev/schema/x.cue" {
		t.Errorf("Rel = %+v", got[0])
	}
	if d[0].Pos.File != "/repo/spec/a.cue" {
		t.Error("Rel changed its receiver")
	}
}

func TestGitHubEscapes(t *testing.T) {
	var b bytes.Buffer
	ds := Diagnostics{{Severity: Error, Rule: "r:1,2", Message: "50% of\nthings", Pos: Pos{File: "a,b.cue", Line: 3, Column: 4}}}
	if err := WriteGitHub(&b, ds); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "::error file=a%2Cb.cue,line=3,col=4,title=r%3A1%2C2::50%25 of%0Athings\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	ds := Diagnostics{
		{Severity: Error, Rule: "gpu-pool-fit", Message: "too many", Pos: Pos{File: "spec/env.cue", Line: 3, Column: 2}},
		{Severity: Warning, Rule: "custom", Message: "meh", Pos: Pos{File: "spec/t.cue", Line: 1, Column: 1}},
	}
	rules := []RuleInfo{{ID: "gpu-pool-fit", Title: "GPU pool fit", Description: "Reserved GPUs fit the pools."}}
	if err := WriteSARIF(&b, ds, rules, "v1"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
						Region           struct{ StartLine int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || len(run.Results) != 2 || len(run.Tool.Driver.Rules) != 2 {
		t.Fatalf("unexpected log: %s", b.String())
	}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
	}
	if r := run.Results[0]; r.Level != "error" || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "spec/env.cue" || r.Locations[0].PhysicalLocation.Region.StartLine != 3 {
		t.Errorf("first result = %+v", r)
	}
}

func TestJUnit(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, Diagnostics{{Severity: Warning, Rule: "w", Message: "m"}}, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `failures="0"`) || !strings.Contains(b.String(), "<system-out>") {
		t.Errorf("warning without --fail-on-warn is not a failure:\n%s", b.String())
	}
	b.Reset()
	WriteJUnit(&b, nil, false)
	if !strings.Contains(b.String(), `tests="1"`) {
		t.Errorf("an empty report has one passing case:\n%s", b.String())
	}
}

func TestPrintable(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"ordinary text is left as it is":        {"quota 80 > 64 for teams.vision (ünïcödé, 日本, \\d+, C:\\x)", "quota 80 > 64 for teams.vision (ünïcödé, 日本, \\d+, C:\\x)"},
		"a tab is left as it is":                {"a\tb", "a\tb"},
		"a newline cannot start a line":         {"x\n::warning file=x::pwned", `x\n::warning file=x::pwned`},
		"a carriage return cannot overwrite it": {"ok\rFAKE", `ok\rFAKE`},
		"terminal escapes are shown":            {"\x1b[2K\x1b[1Aclean", `\x1b[2K\x1b[1Aclean`},
		"other C0 controls and DEL are shown":   {"a\x00b\x07c\x7f", `a\x00b\x07c\x7f`},
		"C1 controls are shown":                 {"a\u0085b\u009bc", `a\u0085b\u009bc`},
		"Unicode line separators are shown":     {"a\u2028b\u2029c", `a\u2028b\u2029c`},
		"bidirectional overrides are shown":     {"ok\u202etxt.exe", `ok\u202etxt.exe`},
		"bytes that are not UTF-8 are shown":    {"a\xffb", `a\xffb`},
		"a replacement character is left as is": {"a\ufffdb", "a\ufffdb"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Printable(tt.in); got != tt.want {
				t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTextIsOneLinePerFinding: what a policy or a file name holds cannot
// forge a line of text output (a finding, a CI workflow command).
func TestTextIsOneLinePerFinding(t *testing.T) {
	ds := Diagnostics{{
		Severity: Error,
		Rule:     "r\n::error::rule",
		Message:  "m\n::warning file=x::pwned\r\x1b[2K",
		Path:     "teams.a\nb",
		Pos:      Pos{File: "spec/a\nb.cue", Line: 3, Column: 4},
		Related:  []Pos{{File: "spec/c\r.cue", Line: 1, Column: 1}},
		Hint:     "h\n::notice::x",
	}}
	var b bytes.Buffer
	if err := WriteText(&b, ds); err != nil {
		t.Fatal(err)
	}
	want := `spec/a\nb.cue:3:4: error r\n::error::rule: m\n::warning file=x::pwned\r\x1b[2K
    spec/c\r.cue:1:1
    hint: h\n::notice::x
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "::") {
			t.Errorf("a line of text output is a workflow command: %q", l)
		}
	}
}
