package compiler

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/platc-dev/platc/compiler/diag"
)

func TestTry(t *testing.T) {
	dir := os.Getenv("TRYDIR")
	if dir == "" {
		t.Skip()
	}
	res, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: os.Getenv("DECODE") != ""})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	diag.WriteText(os.Stdout, ds.Rel(wd))
	if res != nil && res.Spec != nil && os.Getenv("DUMP") != "" {
		b, _ := json.MarshalIndent(res.Spec, "", " ")
		os.Stdout.Write(b)
	}
	if res != nil {
		t.Logf("units=%d", len(res.Package.Units))
	}
}
