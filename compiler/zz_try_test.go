package compiler

import (
	"context"
	"os"
	"testing"

	"github.com/platc-dev/platc/compiler/diag"
)

// TestTry is a temporary helper for authoring examples (not committed).
func TestTry(t *testing.T) {
	dir := os.Getenv("TRYDIR")
	if dir == "" {
		t.Skip()
	}
	_, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: os.Getenv("DECODE") != ""})
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	diag.WriteText(os.Stdout, ds.Rel(wd))
}
