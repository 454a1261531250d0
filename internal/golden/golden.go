// Package golden compares what a test produced with the expected output
// kept under testdata, and rewrites that output when PLATC_UPDATE=1 is
// set (`make golden` checks that doing so changes nothing).
package golden

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Update reports whether expected output is to be rewritten: PLATC_UPDATE=1.
func Update() bool { return os.Getenv("PLATC_UPDATE") == "1" }

// File compares got with the file at path, or rewrites the file.
func File(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (PLATC_UPDATE=1 creates it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; PLATC_UPDATE=1 rewrites it):\n%s", path, diff)
	}
}

// Dir compares the files under dir with got, a set of files by slash path
// relative to dir, or replaces dir with them. A file missing on either
// side is a difference.
func Dir(t testing.TB, dir string, got map[string][]byte) {
	t.Helper()
	if Update() {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			f := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := map[string]string{}
	err := filepath.WalkDir(dir, func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, f)
		want[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatalf("%v (PLATC_UPDATE=1 creates it)", err)
	}
	have := make(map[string]string, len(got))
	for p, b := range got {
		have[p] = string(b)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("files differ from %s (-want +got; PLATC_UPDATE=1 rewrites them):\n%s", dir, diff)
	}
}
