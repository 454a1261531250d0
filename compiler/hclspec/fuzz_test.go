package hclspec

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/format"
)

// FuzzRead feeds arbitrary bytes to the HCL reader. It must never panic;
// what it accepts must format as CUE and write back as HCL, and writing
// what it reads back again must change nothing (the mapping is a fixed
// point after one round).
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("../../examples/acme-shop/*.cue")
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out, ds := ToHCL(p, src)
		if len(ds) > 0 {
			f.Fatalf("%s: %v", p, ds)
		}
		f.Add(out)
	}
	for _, s := range []string{
		"teams \"a\" {\n  quotas \"dev\" { cpu = 1 }\n}\n",
		"services \"a\" {\n  routes { path = \"/a\" }\n  routes { path = \"/b\" }\n}\n",
		"platform {\n  gpuModels = { \"x y\" = \"h100\" }\n  a = [1, -2.5, null, true]\n}\n",
		"teams {\n}\n", "x = a.b\n", "a = \"${b}\"\n", "a = <<EOT\nx\nEOT\n", "# c\n/* d */\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, ds := Read("/spec/f.hcl", src, Options{Comments: true})
		if file == nil {
			if len(ds) == 0 {
				t.Fatal("no tree and no diagnostics")
			}
			return
		}
		if _, err := format.Node(file); err != nil {
			t.Fatalf("accepted input does not format as CUE: %v", err)
		}
		once, ds := Write(file)
		if len(ds) > 0 {
			t.Fatalf("accepted input does not write back as HCL: %v", ds)
		}
		again, ds := Read("/spec/g.hcl", once, Options{Comments: true})
		if len(ds) > 0 {
			t.Fatalf("HCL written from accepted input does not read: %v\n%s", ds, once)
		}
		twice, ds := Write(again)
		if len(ds) > 0 {
			t.Fatalf("second write: %v", ds)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("not a fixed point:\n--- once\n%s\n--- twice\n%s", once, twice)
		}
	})
}
