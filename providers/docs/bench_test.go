package docs_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/internal/outtree"
	"github.com/platc-dev/platc/internal/synth"
	"github.com/platc-dev/platc/providers/docs"
)

// BenchmarkDocsVsCheck measures what `platc docs` does (check, then the
// docs built and written atomically) against `platc check` alone, on
// generated organisations. The quality bar: docs in under 2× the time of
// check. It reports check-s/op, docs-s/op, render-s/op (the docs' own
// share: building the pages and writing them) and docs/check.
func BenchmarkDocsVsCheck(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			out := b.TempDir()
			cfg := compiler.CheckConfig{Config: compiler.Config{Dir: dir}, Now: exampleNow}
			check := func() *compiler.Result {
				res, ds, err := compiler.Check(context.Background(), cfg)
				if err != nil || ds.HasErrors() || res == nil || res.Spec == nil {
					b.Fatalf("check: %v %v", err, ds[:min(len(ds), 3)])
				}
				return res
			}
			check() // warm up: both sides then find the same caches
			var checkTime, docsTime, renderTime time.Duration
			n := 0
			b.ReportAllocs()
			checkSide := func() {
				runtime.GC()
				start := time.Now()
				check()
				checkTime += time.Since(start)
			}
			docsSide := func() {
				runtime.GC()
				start := time.Now()
				res := check()
				rendering := time.Now()
				files, err := docs.Build(docs.Input{Spec: res.Spec, Capabilities: res.Capabilities, Now: exampleNow})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := outtree.Write(context.Background(), out, files, outtree.Options{}); err != nil {
					b.Fatal(err)
				}
				renderTime += time.Since(rendering)
				docsTime += time.Since(start)
			}
			for b.Loop() {
				// Each side starts from a collected heap, and they take
				// turns going first, so neither pays for the other.
				if n%2 == 0 {
					checkSide()
					docsSide()
				} else {
					docsSide()
					checkSide()
				}
				n++
			}
			b.ReportMetric(checkTime.Seconds()/float64(n), "check-s/op")
			b.ReportMetric(docsTime.Seconds()/float64(n), "docs-s/op")
			b.ReportMetric(renderTime.Seconds()/float64(n), "render-s/op")
			b.ReportMetric(float64(docsTime)/float64(checkTime), "docs/check")
		})
	}
}
