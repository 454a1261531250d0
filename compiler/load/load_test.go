package load

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestReparsedBounded checks that a package whose syntax trees were
// dropped keeps only a bounded number of trees parsed again for lookups,
// and that each still answers with its own file's tree.
func TestReparsedBounded(t *testing.T) {
	n := 3 * reparsedCap
	pkg := &Package{}
	for i := range n {
		src := fmt.Sprintf("package x\n\nteams: t%d: onCall: \"@a\"\n", i)
		pkg.Files = append(pkg.Files, &File{Path: fmt.Sprintf("/spec/t%d.cue", i), Src: []byte(src)})
	}
	for range 2 {
		for i := range n {
			syn := pkg.syntax(i)
			if syn == nil || syn.Filename != pkg.Files[i].Path {
				t.Fatalf("syntax(%d) = %v, want the tree of %s", i, syn, pkg.Files[i].Path)
			}
			if len(pkg.reparsed) > reparsedCap || len(pkg.reparsedOrder) != len(pkg.reparsed) {
				t.Fatalf("after %d lookups %d trees are kept (%d in order), want at most %d", i+1, len(pkg.reparsed), len(pkg.reparsedOrder), reparsedCap)
			}
		}
	}
}

// TestLoadThroughSymlink checks that a spec directory reached through a
// symbolic link, or a chain of them, loads, and that its files are named
// under the link, as the user named the directory.
func TestLoadThroughSymlink(t *testing.T) {
	tmp := t.TempDir()
	target := filepath.Join(tmp, "realspec")
	if err := os.MkdirAll(filepath.Join(target, "teams"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{
		"platform.cue":     "package x\n\nplatform: name: \"p\"\n",
		"teams/vision.cue": "package x\n\nteams: vision: onCall: \"@a\"\n",
	} {
		if err := os.WriteFile(filepath.Join(target, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(tmp, "spec")
	if err := os.Symlink("realspec", link); err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(tmp, "current")
	if err := os.Symlink(link, chain); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{link, chain} {
		pkg, ds, err := Load(dir, "")
		if err != nil || len(ds) > 0 {
			t.Fatalf("Load(%s): %v %v", dir, err, ds)
		}
		var got []string
		for _, f := range pkg.Files {
			got = append(got, f.Path)
		}
		want := []string{filepath.Join(dir, "platform.cue"), filepath.Join(dir, "teams", "vision.cue")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Load(%s) files (-want +got):\n%s", dir, diff)
		}
	}
}
