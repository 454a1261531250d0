package load

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// units loads files and returns its units as lists of file names.
func units(t *testing.T, files map[string]string) [][]string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("package x\n\n"+src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkg, ds, err := Load(dir, "")
	if err != nil || len(ds) > 0 {
		t.Fatalf("Load: %v %v", err, ds)
	}
	var out [][]string
	for _, u := range pkg.Units {
		var names []string
		for _, i := range u {
			rel, _ := filepath.Rel(dir, pkg.Files[i].Path)
			names = append(names, filepath.ToSlash(rel))
		}
		slices.Sort(names)
		out = append(out, names)
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func TestPartition(t *testing.T) {
	tests := map[string]struct {
		files map[string]string
		want  [][]string
	}{
		"one file per team: independent units": {
			files: map[string]string{
				"platform.cue": `platform: {name: "p", owner: "a"}`,
				"a.cue":        `teams: a: {onCall: "@a"}` + "\n" + `services: "a-api": {team: "a"}`,
				"b.cue":        `teams: b: {onCall: "@b"}`,
			},
			want: [][]string{{"a.cue"}, {"b.cue"}, {"platform.cue"}},
		},
		"two files writing one team share a unit": {
			files: map[string]string{
				"a.cue":  `teams: a: onCall: "@a"`,
				"a2.cue": `teams: a: owners: ["@a"]`,
				"b.cue":  `teams: b: onCall: "@b"`,
			},
			want: [][]string{{"a.cue", "a2.cue"}, {"b.cue"}},
		},
		"a file writing a whole collection joins every file in it": {
			files: map[string]string{
				"all.cue": `teams: [string]: costCentre: "cc"`,
				"a.cue":   `teams: a: onCall: "@a"`,
				"b.cue":   `teams: b: onCall: "@b"`,
				"p.cue":   `platform: name: "p"`,
			},
			want: [][]string{{"a.cue", "all.cue", "b.cue"}, {"p.cue"}},
		},
		"reading another team's value joins its unit": {
			files: map[string]string{
				"a.cue": `teams: a: onCall: teams.b.onCall`,
				"b.cue": `teams: b: onCall: "@b"`,
				"c.cue": `teams: c: onCall: "@c"`,
			},
			want: [][]string{{"a.cue", "b.cue"}, {"c.cue"}},
		},
		"a reference resolved in the same file still reads the package": {
			files: map[string]string{
				"a.cue": "teams: a: onCall: \"@a\"\nservices: s: owner: teams.b.onCall",
				"b.cue": `teams: b: onCall: "@b"`,
			},
			want: [][]string{{"a.cue", "b.cue"}},
		},
		"a library of definitions is copied into each unit that uses it": {
			files: map[string]string{
				"defs.cue": `#Std: {onCall: "@oncall"}`,
				"a.cue":    `teams: a: #Std`,
				"b.cue":    `teams: b: #Std`,
				"c.cue":    `teams: c: onCall: "@c"`,
			},
			want: [][]string{{"a.cue", "defs.cue"}, {"b.cue", "defs.cue"}, {"c.cue"}},
		},
		"a top-level comprehension may write anywhere": {
			files: map[string]string{
				"gen.cue": `for n in ["x", "y"] { teams: (n): onCall: "@" + n }`,
				"a.cue":   `teams: a: onCall: "@a"`,
				"p.cue":   `platform: name: "p"`,
			},
			want: [][]string{{"a.cue", "gen.cue", "p.cue"}},
		},
		"the schema binding file is left to platc": {
			files: map[string]string{
				"platc.cue": "import \"platc.dev/schema\"\n\nteams: schema.#Teams\nplatform: schema.#Platform",
				"a.cue":     `teams: a: onCall: "@a"`,
			},
			want: [][]string{{"a.cue"}},
		},
		"nested directories are part of the spec": {
			files: map[string]string{
				"teams/a.cue": `teams: a: onCall: "@a"`,
				"p.cue":       `platform: name: "p"`,
			},
			want: [][]string{{"p.cue"}, {"teams/a.cue"}},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, units(t, tt.files)); diff != "" {
				t.Errorf("units (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadSkips(t *testing.T) {
	got := units(t, map[string]string{
		"a.cue":               `teams: a: onCall: "@a"`,
		"_scratch.cue":        `teams: z: onCall: "@z"`,
		".hidden/b.cue":       `teams: b: onCall: "@b"`,
		"testdata/c.cue":      `teams: c: onCall: "@c"`,
		"cue.mod/pkg/x/x.cue": `x: 1`,
		"run_tool.cue":        `command: x: {}`,
	})
	if diff := cmp.Diff([][]string{{"a.cue"}}, got); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
}
