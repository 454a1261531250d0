package outtree

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeTree(t *testing.T, out string, tree map[string][]byte) Changes {
	t.Helper()
	c, err := Write(context.Background(), out, tree, Options{})
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
	s := Begin(context.Background(), out, Options{})
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
	s = Begin(context.Background(), out, Options{})
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
	s := Begin(context.Background(), t.TempDir(), Options{})
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

// jailCase breaks an output directory rendered once; the next write must
// refuse with an UnsafeError naming path and leave the directory outside
// untouched.
type jailCase struct {
	breakIt func(t *testing.T, out, outside string)
	path    string
}

func TestWriteNeverLeavesOut(t *testing.T) {
	tree := map[string][]byte{"gitops/dev/a.yaml": []byte("a: 1\n"), "CODEOWNERS": []byte("* @x\n")}
	cases := map[string]jailCase{
		"a .platc symlinked to another directory is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				must(t, os.Rename(filepath.Join(out, StateDir), filepath.Join(outside, "state")))
				must(t, os.Symlink(filepath.Join(outside, "state"), filepath.Join(out, StateDir)))
			},
			path: ".platc",
		},
		"a staging entry that is a symlink is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				must(t, os.Symlink(outside, filepath.Join(out, StateDir, "stage-123")))
			},
			path: ".platc/stage-123",
		},
		"a backup entry that is a symlink is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				must(t, os.Symlink(outside, filepath.Join(out, StateDir, "old-gitops")))
			},
			path: ".platc/old-gitops",
		},
		"a backup entry named to move OUT's parent is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				must(t, os.Mkdir(filepath.Join(out, StateDir, "old-.."), 0o755))
			},
			path: ".platc/old-..",
		},
		"a manifest entry leading out is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				writeManifest(t, out, `{"apiVersion":"platc.dev/manifest/v1","files":{"../x":"0","gitops/dev/a.yaml":"0"}}`)
			},
			path: manifestFile,
		},
		"an absolute manifest entry is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				writeManifest(t, out, `{"apiVersion":"platc.dev/manifest/v1","files":{"`+outside+`/x":"0"}}`)
			},
			path: manifestFile,
		},
		"an owned file replaced by a symlink is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				p := filepath.Join(out, "gitops", "dev", "a.yaml")
				must(t, os.Remove(p))
				must(t, os.Symlink(filepath.Join(outside, "victim"), p))
			},
			path: "gitops/dev/a.yaml",
		},
		"an owned directory replaced by a symlink is refused": {
			breakIt: func(t *testing.T, out, outside string) {
				must(t, os.RemoveAll(filepath.Join(out, "gitops")))
				must(t, os.Symlink(outside, filepath.Join(out, "gitops")))
			},
			path: "gitops",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, outside := t.TempDir(), t.TempDir()
			writeTree(t, out, tree)
			must(t, os.WriteFile(filepath.Join(outside, "victim"), []byte("keep"), 0o644))
			must(t, os.Mkdir(filepath.Join(outside, "stage-keep"), 0o755))
			must(t, os.Mkdir(filepath.Join(outside, "old-keep"), 0o755))
			c.breakIt(t, out, outside)
			before := listTree(t, outside)
			_, err := Write(context.Background(), out, map[string][]byte{"gitops/dev/a.yaml": []byte("a: 2\n")}, Options{Force: true})
			ue := (*UnsafeError)(nil)
			if !errors.As(err, &ue) || ue.Path != c.path {
				t.Fatalf("Write: %v, want an UnsafeError for %s", err, c.path)
			}
			if diff := cmp.Diff(before, listTree(t, outside)); diff != "" {
				t.Fatalf("the directory outside OUT changed (-before +after):\n%s", diff)
			}
			// plan and apply read the owned files: they refuse the same
			// manifests and links.
			if _, err := ReadOwned(out, nil); !strings.HasPrefix(c.path, StateDir+"/") && err == nil {
				t.Fatalf("ReadOwned read through the broken entry %s", c.path)
			}
		})
	}
}

func writeManifest(t *testing.T, out, body string) {
	t.Helper()
	must(t, os.WriteFile(filepath.Join(out, filepath.FromSlash(manifestFile)), []byte(body), 0o644))
}

// listTree lists every entry under dir with its contents (links as their
// targets).
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "-> " + target
		case d.IsDir():
			got[rel] = "dir"
		default:
			b, _ := os.ReadFile(p)
			got[rel] = string(b)
		}
		return nil
	})
	must(t, err)
	return got
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteConflicts: a file platc did not write, at a path it produces,
// is refused with every such path listed and nothing written, unless
// forced; Conflicts says the same beforehand.
func TestWriteConflicts(t *testing.T) {
	out := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(out, "gitops", "dev"), 0o755))
	must(t, os.WriteFile(filepath.Join(out, "gitops", "dev", "kustomization.yaml"), []byte("mine\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(out, "README.md"), []byte("mine\n"), 0o644))
	// A file where platc needs a directory.
	must(t, os.WriteFile(filepath.Join(out, "catalog"), []byte("mine\n"), 0o644))
	tree := map[string][]byte{
		"gitops/dev/kustomization.yaml": []byte("ours\n"),
		"gitops/dev/a.yaml":             []byte("ours\n"),
		"README.md":                     []byte("ours\n"),
		"catalog/x.yaml":                []byte("ours\n"),
	}
	want := []string{"README.md", "catalog", "gitops/dev/kustomization.yaml"}
	got, err := Conflicts(out, slices.Collect(maps.Keys(tree)))
	must(t, err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Conflicts (-want +got):\n%s", diff)
	}
	before := listTree(t, out)
	_, err = Write(context.Background(), out, tree, Options{})
	ce := (*ConflictError)(nil)
	if !errors.As(err, &ce) {
		t.Fatalf("Write: %v, want a ConflictError", err)
	}
	if diff := cmp.Diff(want, ce.Paths); diff != "" {
		t.Fatalf("conflicts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, listTree(t, out)); diff != "" {
		t.Fatalf("a refused write changed OUT (-before +after):\n%s", diff)
	}
	c, err := Write(context.Background(), out, tree, Options{Force: true})
	must(t, err)
	if len(c.Added) != 4 {
		t.Fatalf("forced write: %+v, want 4 files added", c)
	}
	for p, b := range tree {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		must(t, err)
		if string(got) != string(b) {
			t.Fatalf("%s = %q after a forced write, want %q", p, got, b)
		}
	}
	// Owned now: the next write needs no force.
	if _, err := Write(context.Background(), out, tree, Options{}); err != nil {
		t.Fatalf("write over its own files: %v", err)
	}
}

// TestConcurrentWrites: writers of one output directory take turns; each
// succeeds and the tree is one of theirs, whole.
func TestConcurrentWrites(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	trees := make([]map[string][]byte, 6)
	for i := range trees {
		trees[i] = map[string][]byte{}
		for j := range 40 {
			trees[i][fmt.Sprintf("gitops/d%d/f%d.yaml", j%4, j)] = []byte(fmt.Sprintf("writer: %d\n", i))
		}
		trees[i]["CODEOWNERS"] = []byte(fmt.Sprintf("* @w%d\n", i))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(trees))
	for i, tree := range trees {
		wg.Go(func() { _, errs[i] = Write(context.Background(), out, tree, Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	got, err := ReadOwned(out, nil)
	must(t, err)
	first := string(got["CODEOWNERS"])
	for p, b := range got {
		if p != "CODEOWNERS" && strings.TrimPrefix(first, "* @w") != strings.TrimPrefix(string(b), "writer: ") {
			t.Fatalf("%s = %q, but CODEOWNERS = %q: the tree mixes two writers", p, b, first)
		}
	}
}

// TestReadOwnedShares: files read back whose content is the new tree's
// share its bytes (one copy of an unchanged tree, not two); changed ones
// are read as they are.
func TestReadOwnedShares(t *testing.T) {
	out := t.TempDir()
	writeTree(t, out, map[string][]byte{"gitops/a.yaml": []byte("a: 1\n"), "gitops/b.yaml": []byte("b: 1\n")})
	like := map[string][]byte{"gitops/a.yaml": []byte("a: 1\n"), "gitops/b.yaml": []byte("b: 2\n")}
	got, err := ReadOwned(out, like)
	must(t, err)
	if string(got["gitops/a.yaml"]) != "a: 1\n" || string(got["gitops/b.yaml"]) != "b: 1\n" {
		t.Fatalf("read %q", got)
	}
	if &got["gitops/a.yaml"][0] != &like["gitops/a.yaml"][0] {
		t.Error("an unchanged file does not share the new tree's bytes")
	}
	if &got["gitops/b.yaml"][0] == &like["gitops/b.yaml"][0] {
		t.Error("a changed file shares the new tree's bytes")
	}
}
