package hclspec_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/internal/golden"
	"github.com/platc-dev/platc/internal/synth"
)

// convertTree copies the spec in src to dst, converting the files with
// extension from by conv and keeping the rest (the schema binding, the
// module) as they are.
func convertTree(t testing.TB, src, dst, from, to string, conv func(path string, b []byte) ([]byte, error)) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := filepath.Join(dst, rel)
		if strings.HasSuffix(p, from) && !strings.Contains(rel, "cue.mod") && !strings.Contains(string(b), "platc.dev/schema") {
			if b, err = conv(p, b); err != nil {
				return err
			}
			out = strings.TrimSuffix(out, from) + to
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

type diagsErr struct{ msg string }

func (e diagsErr) Error() string { return e.msg }

func toHCL(p string, b []byte) ([]byte, error) {
	out, ds := hclspec.ToHCL(p, b)
	if len(ds) > 0 {
		return nil, diagsErr{ds[0].Pos.String() + ": " + ds[0].Message}
	}
	return out, nil
}

func toCUE(pkg string) func(p string, b []byte) ([]byte, error) {
	return func(p string, b []byte) ([]byte, error) {
		out, ds := hclspec.ToCUE(p, b, pkg)
		if len(ds) > 0 {
			return nil, diagsErr{ds[0].Pos.String() + ": " + ds[0].Message}
		}
		return out, nil
	}
}

func decode(t testing.TB, dir string) *model.Spec {
	t.Helper()
	res, ds, err := compiler.Vet(context.Background(), compiler.Config{Dir: dir, Decode: true})
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() || res.Spec == nil {
		t.Fatalf("vet %s: %v", dir, ds[:min(len(ds), 5)])
	}
	return res.Spec
}

// TestRoundTrip converts whole specs CUE → HCL → CUE and checks that the
// three decode to the same model.
func TestRoundTrip(t *testing.T) {
	synthDir := t.TempDir()
	// 1,000 teams as the issue asks; under the race detector (make test)
	// 200, which takes a minute there, while make golden runs the 1,000
	// without it; -short 50.
	teams := 1000
	switch {
	case testing.Short():
		teams = 50
	case raceEnabled:
		teams = 200
	}
	if err := synth.Write(synthDir, synth.Config{Teams: teams}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir, pkg string }{
		{"acme-shop", "../../examples/acme-shop", "acmeshop"},
		{"minimal", "../../examples/minimal", "minimal"},
		{"synth", synthDir, "org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hclDir, cueDir := t.TempDir(), t.TempDir()
			convertTree(t, tc.dir, hclDir, ".cue", ".hcl", toHCL)
			convertTree(t, hclDir, cueDir, ".hcl", ".cue", toCUE(tc.pkg))
			n := 0
			filepath.WalkDir(hclDir, func(p string, d fs.DirEntry, err error) error {
				if strings.HasSuffix(p, ".hcl") {
					n++
				}
				return nil
			})
			if n == 0 {
				t.Fatal("nothing was converted")
			}
			want := decode(t, tc.dir)
			if d := cmp.Diff(want, decode(t, hclDir)); d != "" {
				t.Errorf("HCL spec differs from the CUE spec (-cue +hcl):\n%s", d)
			}
			if d := cmp.Diff(want, decode(t, cueDir)); d != "" {
				t.Errorf("CUE from HCL differs from the CUE spec (-cue +back):\n%s", d)
			}
		})
	}
}

// TestWriteRefuses: what is not data does not convert to HCL, and each
// offending expression is reported where it is.
func TestWriteRefuses(t *testing.T) {
	src := `package x

#T: {a: int}
teams: a: {
	onCall: teams.b.onCall
	owners: [for o in ["x"] {o}]
	slack?: "#a"
	costCentre: "a" | "b"
}
let x = 1
_hidden: 1
`
	out, ds := hclspec.ToHCL("/spec/x.cue", []byte(src))
	if out != nil {
		t.Errorf("ToHCL wrote output for a file that is not data:\n%s", out)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String()[len("/spec/x.cue:"):])
	}
	want := []string{"3:1", "5:10", "6:11", "7:2", "8:14", "10:1", "11:1"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("positions (-want +got):\n%s\n%v", d, ds)
	}
}

// TestGoldenAcmeShop keeps acme-shop converted to HCL under
// testdata/acme-shop (PLATC_UPDATE=1 rewrites it), so a change to the
// mapping shows as a diff of real files, comments included.
func TestGoldenAcmeShop(t *testing.T) {
	files, err := filepath.Glob("../../examples/acme-shop/*.cue")
	if err != nil || len(files) == 0 {
		t.Fatalf("no acme-shop files: %v", err)
	}
	got := map[string][]byte{}
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := toHCL(p, src)
		if err != nil {
			t.Fatal(err)
		}
		got[strings.TrimSuffix(filepath.Base(p), ".cue")+".hcl"] = out
	}
	golden.Dir(t, "testdata/acme-shop", got)
}
