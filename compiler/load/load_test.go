package load

import (
	"fmt"
	"testing"
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
