package outtree

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeTree(t *testing.T, out string, tree map[string][]byte) Changes {
	t.Helper()
	c, err := Write(out, tree)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func inode(t *testing.T, name string) uint64 {
	t.Helper()
	info, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return info.Sys().(*syscall.Stat_t).Ino
}

// TestWrite: the changes are reported against the files as they are on
// disk; unchanged files are carried over (the same inode, linked), others
// written; files platc did not write survive; removed ones go.
func TestWrite(t *testing.T) {
	out := t.TempDir()
	first := map[string][]byte{
		"gitops/a.yaml":   []byte("a: 1\n"),
		"gitops/b.yaml":   []byte("b: 1\n"),
		"gitops/d/c.yaml": []byte("c: 1\n"),
		"CODEOWNERS":      []byte("* @x\n"),
	}
	c := writeTree(t, out, first)
	want := Changes{Added: []string{"CODEOWNERS", "gitops/a.yaml", "gitops/b.yaml", "gitops/d/c.yaml"}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Fatalf("first write (-want +got):\n%s", diff)
	}
	if err := os.WriteFile(filepath.Join(out, "gitops", "NOTES.md"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Someone edits an owned file by hand: platc restores it and says so.
	if err := os.WriteFile(filepath.Join(out, "gitops", "b.yaml"), []byte("b: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	aBefore := inode(t, filepath.Join(out, "gitops", "a.yaml"))

	second := map[string][]byte{
		"gitops/a.yaml": []byte("a: 1\n"), // unchanged
		"gitops/b.yaml": []byte("b: 1\n"), // as before, but edited on disk
		"gitops/e.yaml": []byte("e: 1\n"), // new
		"CODEOWNERS":    []byte("* @y\n"), // changed
	}
	c = writeTree(t, out, second)
	want = Changes{
		Added:   []string{"gitops/e.yaml"},
		Changed: []string{"CODEOWNERS", "gitops/b.yaml"},
		Removed: []string{"gitops/d/c.yaml"},
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("second write (-want +got):\n%s", diff)
	}
	for p, b := range second {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if err != nil || string(got) != string(b) {
			t.Errorf("%s = %q, %v; want %q", p, got, err, b)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "gitops", "d", "c.yaml")); !os.IsNotExist(err) {
		t.Errorf("removed file: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "gitops", "NOTES.md")); err != nil || string(b) != "mine" {
		t.Errorf("the user's file: %q, %v", b, err)
	}
	if got := inode(t, filepath.Join(out, "gitops", "a.yaml")); got != aBefore {
		t.Errorf("unchanged file was written again (inode %d, was %d)", got, aBefore)
	}
	if c := writeTree(t, out, second); !c.Empty() {
		t.Errorf("third write changed %+v", c)
	}
	entries, err := os.ReadDir(filepath.Join(out, StateDir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "manifest.json" {
			t.Errorf("left behind in %s: %s", StateDir, e.Name())
		}
	}
}

// TestWriteMissingOwnedFile: an owned file deleted by hand is added again.
func TestWriteMissingOwnedFile(t *testing.T) {
	out := t.TempDir()
	tree := map[string][]byte{"gitops/a.yaml": []byte("a: 1\n")}
	writeTree(t, out, tree)
	if err := os.Remove(filepath.Join(out, "gitops", "a.yaml")); err != nil {
		t.Fatal(err)
	}
	if c := writeTree(t, out, tree); !cmp.Equal(c.Added, []string{"gitops/a.yaml"}) || len(c.Changed)+len(c.Removed) > 0 {
		t.Errorf("changes %+v", c)
	}
}

// TestStageAbort: an aborted stage leaves no trace, also of the output
// directory it created, and an existing tree untouched.
func TestStageAbort(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	s := Begin(out)
	if err := s.Put("gitops/a.yaml", []byte("a")); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("after abort: %v", err)
	}
	if err := s.Put("gitops/b.yaml", []byte("b")); err == nil {
		t.Error("Put after Abort: no error")
	}
	if _, err := s.Commit(); err == nil {
		t.Error("Commit after Abort: no error")
	}

	writeTree(t, out, map[string][]byte{"gitops/a.yaml": []byte("a")})
	s = Begin(out)
	if err := s.Put("gitops/a.yaml", []byte("changed")); err != nil {
		t.Fatal(err)
	}
	s.Abort()
	if b, err := os.ReadFile(filepath.Join(out, "gitops", "a.yaml")); err != nil || string(b) != "a" {
		t.Errorf("after abort the tree holds %q, %v", b, err)
	}
}

// TestStagePutRefuses: paths outside the output directory or platc's
// state, and a file produced twice.
func TestStagePutRefuses(t *testing.T) {
	s := Begin(t.TempDir())
	defer s.Abort()
	for _, p := range []string{"", "/abs", "../up", "a/../../up", ".platc/manifest.json", ".platc", "a//b"} {
		if err := s.Put(p, nil); err == nil {
			t.Errorf("Put(%q): no error", p)
		}
	}
	if err := s.Put("a/b", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Put("a/b", nil); err == nil {
		t.Error("a file put twice: no error")
	}
}
