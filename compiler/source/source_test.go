package source

import (
	"slices"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

func TestPaths(t *testing.T) {
	tests := map[string]struct {
		labels []string
		cue    string
	}{
		"identifiers stay bare":         {[]string{"teams", "vision"}, "teams.vision"},
		"labels with dashes are quoted": {[]string{"services", "vision-api", "slos"}, `services."vision-api".slos`},
		"labels with dots are quoted":   {[]string{"events", "topics", "orders.created"}, `events.topics."orders.created"`},
		"list indexes":                  {[]string{"services", "api", "routes", "0"}, `services.api.routes."0"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := FormatPath(tt.labels); got != tt.cue {
				t.Errorf("FormatPath = %s, want %s", got, tt.cue)
			}
			if got := ParsePath(tt.cue); !slices.Equal(got, tt.labels) {
				t.Errorf("ParsePath(%s) = %q, want %q", tt.cue, got, tt.labels)
			}
		})
	}
	// Plain dotted and slashed paths, as policies write them.
	if got := ParsePath("services.vision-api.slos"); !slices.Equal(got, []string{"services", "vision-api", "slos"}) {
		t.Errorf("ParsePath plain = %q", got)
	}
	if got := ParsePath("teams/vision/quotas"); !slices.Equal(got, []string{"teams", "vision", "quotas"}) {
		t.Errorf("ParsePath slashed = %q", got)
	}
}

func TestIndexLookup(t *testing.T) {
	a, err := parser.ParseFile("/spec/a.cue", "package x\n\nteams: vision: {\n\towners: [\"@a\"]\n\tquotas: prod: cpu: 4\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parser.ParseFile("/spec/b.cue", "package x\n\nteams: vision: onCall: \"@a\"\nservices: \"vision-api\": routes: [{path: \"/\"}, {path: \"/v2\"}]\n")
	if err != nil {
		t.Fatal(err)
	}
	files := []*ast.File{a, b}
	ix := NewIndex(2, func(i int) *ast.File { return files[i] }, a.Pos())
	ix.AddFootprint(0, []string{"teams", "vision"})
	ix.AddFootprint(1, []string{"teams", "vision"})
	ix.AddFootprint(1, []string{"services", "vision-api"})

	tests := map[string]struct {
		path      string
		file      string
		line, col int
		exact     bool
	}{
		"a field in the first file":                {"teams.vision.quotas.prod.cpu", "/spec/a.cue", 5, 16, true},
		"a field in the second file":               {"teams.vision.onCall", "/spec/b.cue", 3, 16, true},
		"a missing field falls back to its parent": {"teams.vision.quotas.prod.memory", "/spec/a.cue", 5, 10, false},
		"list elements":                            {`services."vision-api".routes."1"`, "/spec/b.cue", 4, 47, true},
		"nothing declared: the first file":         {"models.x", "/spec/a.cue", 1, 1, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			pos, exact := ix.Lookup(ParsePath(tt.path))
			if pos.File != tt.file || pos.Line != tt.line || pos.Column != tt.col || exact != tt.exact {
				t.Errorf("Lookup(%s) = %v exact=%v, want %s:%d:%d exact=%v", tt.path, pos, exact, tt.file, tt.line, tt.col, tt.exact)
			}
		})
	}
	if got := ix.Children([]string{"teams", "vision"}); !slices.Equal(got, []string{"onCall", "owners", "quotas"}) {
		t.Errorf("Children = %q", got)
	}
	if got := ix.Positions([]string{"teams", "vision"}); len(got) != 2 {
		t.Errorf("Positions = %v, want one in each file", got)
	}
}

// TestIndexRootReadsNoFile guards memory on large specs: the root is
// declared nowhere, so looking it up must not parse every file again.
func TestIndexRootReadsNoFile(t *testing.T) {
	a, err := parser.ParseFile("/spec/a.cue", "package x\n\nplatform: name: \"p\"\n")
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	ix := NewIndex(3, func(int) *ast.File { read++; return nil }, a.Pos())
	pos, exact := ix.Lookup(nil)
	if pos.File != "/spec/a.cue" || pos.Line != 1 || exact {
		t.Errorf("Lookup(root) = %v exact=%v, want the fallback", pos, exact)
	}
	if got := ix.Positions(nil); got != nil {
		t.Errorf("Positions(root) = %v, want none", got)
	}
	if read != 0 {
		t.Errorf("looking up the root read %d files, want none", read)
	}
}

// TestIndexDeepPath guards against lookups that cost more the deeper the
// path: the error walk asks for the children of a value at every level it
// descends, and joining every prefix of the path each time made the walk
// down a value 2,000 levels deep take seconds.
func TestIndexDeepPath(t *testing.T) {
	a, err := parser.ParseFile("/spec/a.cue", "package x\n\nteams: vision: x: y: 1\n")
	if err != nil {
		t.Fatal(err)
	}
	b, err := parser.ParseFile("/spec/b.cue", "package x\n\nplatform: name: \"p\"\n")
	if err != nil {
		t.Fatal(err)
	}
	c, err := parser.ParseFile("/spec/c.cue", "package x\n\nteams: nlp: x: 1\n")
	if err != nil {
		t.Fatal(err)
	}
	files := []*ast.File{a, b, c}
	ix := NewIndex(3, func(i int) *ast.File { return files[i] }, a.Pos())
	ix.AddFootprint(0, []string{"teams", "vision"})
	ix.AddFootprint(1, []string{"platform"})
	ix.AddFootprint(2, []string{"teams", "nlp"})

	deep := []string{"teams", "vision", "x"}
	for range 2000 {
		deep = append(deep, "y")
	}
	if got := ix.candidates(deep); !slices.Equal(got, []int{0}) {
		t.Errorf("candidates(teams.vision.x.y…) = %v, want [0]", got)
	}
	if got := ix.candidates([]string{"platform", "name", "x"}); !slices.Equal(got, []int{1}) {
		t.Errorf("candidates(platform.name.x) = %v, want [1]", got)
	}
	if got := ix.candidates([]string{"teams", "nlp"}); !slices.Equal(got, []int{2}) {
		t.Errorf("candidates(teams.nlp) = %v, want [2]", got)
	}
	if pos, exact := ix.Lookup(deep); pos.Line != 3 || pos.Column != 19 || exact {
		t.Errorf("Lookup(teams.vision.x.y…) = %v exact=%v, want a.cue:3:19, not exact", pos, exact)
	}
	if allocs := testing.AllocsPerRun(10, func() { ix.Children(deep) }); allocs > 10 {
		t.Errorf("Children of a path 2,003 labels deep allocates %v times, want a few", allocs)
	}
}
