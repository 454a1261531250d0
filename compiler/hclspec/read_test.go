package hclspec

import (
	"fmt"
	"strings"
	"testing"

	"cuelang.org/go/cue/format"
	"github.com/google/go-cmp/cmp"
)

// cueOf reads src and returns the CUE it maps to, formatted.
func cueOf(t *testing.T, src string) string {
	t.Helper()
	f, ds := Read("/spec/t.hcl", []byte(src), Options{Comments: true})
	if len(ds) > 0 {
		t.Fatalf("Read: %v", ds)
	}
	b, err := format.Node(f)
	if err != nil {
		t.Fatalf("format: %v", err)
	}
	return string(b)
}

func TestReadMapping(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{{
		name: "attributes, a labelled block, nested labels",
		src: `teams "search" {
  displayName = "Search"
  owners = ["@a", "@b"]
  quotas "prod" {
    cpu = 4
    gpus "h100" { reserved = 4 }
  }
}
`,
		want: `teams: search: {
	displayName: "Search"
	owners: ["@a", "@b"]
	quotas: prod: {
		cpu: 4
		gpus: h100: {
			reserved: 4
		}
	}
}
`,
	}, {
		name: "repeated blocks of a list of structs are the list, in order",
		src: `services "api" {
  routes { path = "/v1/a" }
  kind = "api"
  routes { path = "/v1/b" }
}
`,
		want: `services: api: {
	routes: [{
		path: "/v1/a"
	}, {
		path: "/v1/b"
	}]
	kind: "api"
}
`,
	}, {
		name: "values: numbers as written, negatives, null, heredocs, objects with quoted keys, templates without interpolation",
		src: `platform {
  a = 1.0
  b = -3
  c = 0.1
  d = null
  e = <<-EOT
    two
    lines
  EOT
  f = { "1g.10gb" = 7, plain = true }
  g = "100%% ${"x"}"
  h = (2)
  i = 1e3
}
`,
		want: `platform: {
	a: 1.0
	b: -3
	c: 0.1
	d: null
	e: "two\nlines\n"
	f: {
		"1g.10gb": 7
		plain:     true
	}
	g: "100%% x"
	h: 2
	i: 1e3
}
`,
	}, {
		name: "names that are not CUE identifiers are quoted",
		src:  "services \"search-api\" {\n  _x = 1\n  if = 2\n}\n",
		want: "services: \"search-api\": {\n\t\"_x\": 1\n\t\"if\": 2\n}\n",
	}, {
		name: "comments: doc, trailing and free",
		src: `# The search team.
teams "search" {
  # Who answers pages.
  onCall = "@oncall" # a rotation
}
/* the end */
`,
		want: `// The search team.
teams: search: {
	// Who answers pages.
	onCall: "@oncall" // a rotation
}
// the end
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, cueOf(t, tt.src)); d != "" {
				t.Errorf("CUE (-want +got):\n%s", d)
			}
		})
	}
}

// TestReadRefuses covers every kind of input the mapping refuses: each
// is reported at its HCL position, with the related position where there
// is one, and the file yields no syntax tree.
func TestReadRefuses(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "LINE:COL RULE message fragment"
	}{{
		name: "HCL syntax error, with the line as hint",
		src:  "teams \"a\" {\n  onCall = \n}\n",
		want: []string{"2:12 syntax Invalid expression"},
	}, {
		name: "unclosed block",
		src:  "teams \"a\" {\n",
		want: []string{"1:11 syntax Unclosed configuration block"},
	}, {
		name: "a block where the schema wants a scalar",
		src:  "teams \"a\" {\n  onCall {\n  }\n}\n",
		want: []string{"2:3 hcl onCall is a value (string), not a block"},
	}, {
		name: "a scalar where the schema wants a struct",
		src:  "services \"a\" {\n  resources = \"big\"\n}\n",
		want: []string{"2:3 hcl resources is a struct, not a value"},
	}, {
		name: "a scalar where the schema wants a map",
		src:  "teams \"a\" {\n  quotas = 3\n}\n",
		want: []string{"2:3 hcl quotas is a map keyed by name, not a value"},
	}, {
		name: "a label on a struct block",
		src:  "platform \"main\" {\n}\n",
		want: []string{`1:10 hcl label "main" is not allowed: the block is a struct`},
	}, {
		name: "a second label below a struct entry",
		src:  "services \"api\" \"extra\" {\n}\n",
		want: []string{`1:16 hcl label "extra" is not allowed: the block services "api" is a struct`},
	}, {
		name: "a missing label on a map block",
		src:  "teams {\n}\n",
		want: []string{"1:1 hcl teams is a map keyed by name: the block needs a label"},
	}, {
		name: "duplicate blocks for one map key",
		src:  "teams \"a\" {\n}\nteams \"a\" {\n}\n",
		want: []string{`3:1 hcl block teams "a" is given twice [1:1]`},
	}, {
		name: "duplicate struct blocks",
		src:  "platform {\n}\nplatform {\n}\n",
		want: []string{"3:1 hcl block platform is given twice [1:1]"},
	}, {
		name: "an attribute and a block of one name",
		src:  "teams \"a\" {\n  slack = \"#a\"\n  slack {\n  }\n}\n",
		want: []string{"3:3 hcl slack is set both as an attribute and as a block [2:3]"},
	}, {
		name: "a reference",
		src:  "services \"a\" {\n  team = teams.search.name\n}\n",
		want: []string{"2:10 hcl teams.search.name is a reference"},
	}, {
		name: "an interpolation",
		src:  "services \"a\" {\n  image = \"r/x:${version}\"\n}\n",
		want: []string{"2:18 hcl version is a reference"},
	}, {
		name: "a function call",
		src:  "services \"a\" {\n  team = upper(\"x\")\n}\n",
		want: []string{"2:10 syntax Function calls not allowed"},
	}, {
		name: "a duplicate object key",
		src:  "platform {\n  gpuModels = { a = \"x\", a = \"y\" }\n}\n",
		want: []string{`2:26 hcl key "a" is given twice [2:17]`},
	}, {
		name: "a key that is not a string",
		src:  "platform {\n  gpuModels = { (1) = \"x\" }\n}\n",
		want: []string{"2:17 hcl an object key must be a string"},
	}, {
		name: "nesting deeper than the parser's recursion can take",
		src:  "platform {\n  x = " + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + "\n}\n",
		want: []string{"2:1006 syntax nested more than 1000 levels deep"},
	}, {
		name: "a long chain of unary operators",
		src:  "platform {\n  x = " + strings.Repeat("- ", 200000) + "1\n}\n",
		want: []string{"2:2007 syntax nested more than 1000 levels deep"},
	}, {
		name: "an infinite number",
		src:  "platform {\n  x = 6 / 0\n}\n",
		want: []string{"2:7 hcl the number is infinite"},
	}, {
		name: "a number out of range",
		src:  "platform {\n  x = 1e99999\n}\n",
		want: []string{"2:7 hcl the number is out of range"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ds := Read("/spec/t.hcl", []byte(tt.src), Options{})
			if f != nil {
				t.Errorf("Read returned a tree with diagnostics")
			}
			var got []string
			for _, d := range ds {
				if d.Pos.File != "/spec/t.hcl" {
					t.Errorf("diagnostic in %q, want /spec/t.hcl", d.Pos.File)
				}
				s := fmt.Sprintf("%d:%d %s %s", d.Pos.Line, d.Pos.Column, d.Rule, d.Message)
				for _, r := range d.Related {
					s += fmt.Sprintf(" [%d:%d]", r.Line, r.Column)
				}
				got = append(got, s)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				pos, frag, _ := strings.Cut(w, " ")
				rule, frag, _ := strings.Cut(frag, " ")
				related := ""
				if i := strings.Index(frag, " ["); i >= 0 {
					frag, related = frag[:i], frag[i:]
				}
				g := got[i]
				if !strings.HasPrefix(g, pos+" "+rule+" ") || !strings.Contains(g, frag) || !strings.HasSuffix(g, related) {
					t.Errorf("diagnostic %d = %q, want %q", i, g, w)
				}
			}
		})
	}
}
