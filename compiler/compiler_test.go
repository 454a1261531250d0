package compiler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/validate"
	"github.com/platc-dev/platc/internal/synth"
)

// specDirs lists the examples and blueprints shipped with platc.
func specDirs(t testing.TB) []string {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"../examples/*", "../blueprints/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range m {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				dirs = append(dirs, d)
			}
		}
	}
	if len(dirs) < 3 {
		t.Fatalf("found only %v: the examples and blueprints are missing", dirs)
	}
	return dirs
}

// TestShippedSpecsAreValid: every example and blueprint passes the schema
// and the reference checks.
func TestShippedSpecsAreValid(t *testing.T) {
	for _, dir := range specDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				t.Errorf("%s: %s %s: %s", d.Pos, d.Severity, d.Rule, d.Message)
			}
			if res == nil || res.Spec == nil || res.Spec.Platform == nil {
				t.Fatal("no spec decoded")
			}
		})
	}
}

// TestUnitsMatchWholePackage: evaluating a spec unit by unit gives the
// same model as evaluating all its files together, as CUE would.
func TestUnitsMatchWholePackage(t *testing.T) {
	dirs := specDirs(t)
	synthDir := t.TempDir()
	if err := synth.Write(synthDir, synth.Config{Teams: 5}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, synthDir)
	for _, dir := range dirs {
		pkg, ds, err := load.Load(dir, "")
		if err != nil || len(ds) > 0 {
			t.Fatalf("load %s: %v %v", dir, err, ds)
		}
		if len(pkg.Units) < 2 {
			continue // one unit: the two evaluations are the same
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			split, ds, err := validate.Validate(context.Background(), pkg, validate.Options{Decode: true})
			if err != nil || ds.HasErrors() {
				t.Fatalf("validate: %v %v", err, ds)
			}
			var all []int
			for i, f := range pkg.Files {
				if !f.Binding {
					all = append(all, i)
				}
			}
			pkg.Units = [][]int{all}
			whole, ds, err := validate.Validate(context.Background(), pkg, validate.Options{Decode: true})
			if err != nil || ds.HasErrors() {
				t.Fatalf("validate whole: %v %v", err, ds)
			}
			if diff := cmp.Diff(whole, split); diff != "" {
				t.Errorf("model differs (-whole +units):\n%s", diff)
			}
		})
	}
}

// FuzzVet feeds arbitrary CUE to the loader and validator: they report
// problems, never panic, and fail only with load errors.
func FuzzVet(f *testing.F) {
	for _, dir := range specDirs(f) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("package x\n\nteams: [string]: onCall: \"@a\"\n"))
	f.Add([]byte("package x\n\nfor n in [1, 2] { teams: \"t\\(n)\": owners: [] }\n"))
	f.Add([]byte("package x\nimport \"platc.dev/schema\"\nteams: schema.#Teams\nx: teams.a.b.c\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.cue"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: true})
		var le *load.Error
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("unexpected error kind %T: %v", err, err)
		}
		for _, d := range ds {
			if d.Message == "" || d.Rule == "" {
				t.Fatalf("diagnostic without message or rule: %+v", d)
			}
		}
	})
}

// BenchmarkVet measures `platc vet` (load and schema validation, no
// decoding) of generated organisations.
func BenchmarkVet(b *testing.B) {
	for _, teams := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, ds, err := Vet(context.Background(), Config{Dir: dir})
				if err != nil || len(ds) > 0 {
					b.Fatalf("vet: %v %v", err, ds[:min(len(ds), 3)])
				}
			}
		})
	}
}

// BenchmarkLoadAndDecode measures validation with decoding into the model
// and reference checks, which `platc check` and `render` start with.
func BenchmarkLoadAndDecode(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: true})
				if err != nil || len(ds) > 0 || res.Spec == nil {
					b.Fatalf("vet: %v %v", err, ds[:min(len(ds), 3)])
				}
				if got := len(res.Spec.Teams); got != teams {
					b.Fatalf("decoded %d teams, want %d", got, teams)
				}
			}
		})
	}
}
