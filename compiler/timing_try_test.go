package compiler

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/validate"
)

func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc >> 20
}

func TestTiming(t *testing.T) {
	dir := os.Getenv("TRYDIR")
	if dir == "" {
		t.Skip()
	}
	t0 := time.Now()
	pkg, _, err := load.Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	t.Logf("after load heap %d MiB", heap())
	spec, ds, err := validate.Validate(context.Background(), pkg, validate.Options{Decode: os.Getenv("DECODE") != ""})
	t2 := time.Now()
	t.Logf("load %v validate %v units %d diags %d err %v", t1.Sub(t0), t2.Sub(t1), len(pkg.Units), len(ds), err)
	t.Logf("after validate heap %d MiB", heap())
	pkg = nil
	_ = spec
}
