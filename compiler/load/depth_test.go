package load

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
)

// TestNestingBounded checks that values nested past [MaxNesting] and
// expressions past [MaxExprDepth] are refused while loading, at the first
// node past the bound, and that input at the bounds loads.
func TestNestingBounded(t *testing.T) {
	const (
		nestingMsg = "value nested more than 100 levels deep: each struct, list and comprehension clause opens a level, and a platc spec needs fewer than 10; flatten the value into sibling fields or a list of structs"
		exprMsg    = "expression nested more than 1000 levels deep: each operator, operand, parenthesis, call and selector opens a level; split the expression into fields or let clauses of a few terms each"
	)
	braces := func(n int) string { return "a: " + strings.Repeat("{b: ", n) + "1" + strings.Repeat("}", n) }
	labels := func(n int) string { return "a: " + strings.Repeat("b: ", n) + "1" }
	lists := func(n int) string { return "a: " + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }
	clauses := func(n int) string { return strings.Repeat("if true ", n) + "{a: 1}" }
	operands := func(n int) string { return "a: " + strings.Repeat("1 + ", n-1) + "1" }
	parens := func(n int) string { return "a: " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) }
	tests := map[string]struct {
		src  string
		want diag.Diagnostics // nil: loads without a problem
	}{
		"Structs in braces nested 100 levels deep load.": {src: braces(100)},
		"A struct in braces nested 101 levels deep is refused at its brace.": {
			src:  braces(101),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 3 + 4*100 + 1}, Message: nestingMsg}},
		},
		"Structs implied by 100 chained labels load.": {src: labels(100)},
		"A struct implied by the 101st chained label is refused at that label.": {
			src:  labels(101),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 3 + 3*100 + 1}, Message: nestingMsg}},
		},
		"Lists nested 100 levels deep load.": {src: lists(100)},
		"A list nested 5,000 levels deep is refused at its 101st bracket.": {
			src:  lists(5000),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 3 + 100 + 1}, Message: nestingMsg}},
		},
		"A struct nested 5,000 levels deep is refused at its 101st brace.": {
			src:  braces(5000),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 3 + 4*100 + 1}, Message: nestingMsg}},
		},
		"A comprehension of 99 clauses around a struct loads.": {src: clauses(99)},
		"A comprehension of 200 clauses is refused at its 101st clause.": {
			src:  clauses(200),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 1 + 8*100}, Message: nestingMsg}},
		},
		"A sum of 900 terms loads.": {src: operands(900)},
		"A sum of 5,000 terms is refused.": {
			src:  operands(5000),
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 4}, Message: exprMsg}},
		},
		"Parentheses nested 5,000 deep are refused at the first past the bound.": {
			src: parens(5000),
			// The field a takes the first level, so the 1000th parenthesis is past the bound.
			want: diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{Line: 3, Column: 3 + MaxExprDepth}, Message: exprMsg}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a.cue")
			if err := os.WriteFile(path, []byte("package x\n\n"+tc.src+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			pkg, ds, err := Load(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].Pos.File = path
			}
			if diff := cmp.Diff(tc.want, ds); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if (pkg == nil) != (tc.want != nil) {
				t.Errorf("package loaded: %v, want %v", pkg != nil, tc.want == nil)
			}
		})
	}
}

// TestNumberRange checks that number literals CUE cannot hold exactly are
// refused at their position while loading, and that large and small ones
// a float holds load.
func TestNumberRange(t *testing.T) {
	msg := func(lit string) string {
		return "number " + lit + " is out of range: a platc number must fit a 64-bit float (a magnitude below about 1.8e308, and not so small that it rounds to 0); write the value in the unit the field documents"
	}
	tests := map[string]struct {
		lit string
		bad bool
	}{
		"A huge exponent is refused.":                 {lit: "1e999999999", bad: true},
		"A huge negative number is refused.":          {lit: "-1e999999999", bad: true},
		"A tiny exponent is refused.":                 {lit: "1e-999999999", bad: true},
		"Just past float64 is refused.":               {lit: "1.8e308", bad: true},
		"A 400-digit hexadecimal integer is refused.": {lit: "0x" + strings.Repeat("f", 400), bad: true},
		"The float64 maximum loads.":                  {lit: "1.7e308"},
		"A small float loads.":                        {lit: "2.5e-300"},
		"Zero with an exponent loads.":                {lit: "0e-999999999"},
		"A multiplier suffix loads.":                  {lit: "64Gi"},
		"Separators load.":                            {lit: "1_000_000"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "a.cue")
			if err := os.WriteFile(path, []byte("package x\n\na: "+tc.lit+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, ds, err := Load(dir, "")
			if err != nil {
				t.Fatal(err)
			}
			var want diag.Diagnostics
			if tc.bad {
				lit := strings.TrimPrefix(tc.lit, "-")
				col := 4 + len(tc.lit) - len(lit)
				want = diag.Diagnostics{{Severity: diag.Error, Rule: RuleSyntax, Pos: diag.Pos{File: path, Line: 3, Column: col}, Message: msg(lit)}}
			}
			if diff := cmp.Diff(want, ds); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
