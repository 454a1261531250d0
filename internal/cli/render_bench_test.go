package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/platc-dev/platc/internal/cli"
	"github.com/platc-dev/platc/internal/synth"
)

// BenchmarkRenderVsCheck measures `platc render` against `platc check`
// alone on generated organisations, run as users run them. The quality
// bar: rendering the 1,000-team organisation in at most 1.5× the time of
// check. "fresh" renders into a new OUT; "again" renders over the tree
// the previous run left (reading, comparing and replacing it). It reports
// check-s/op, render-s/op and render/check for each, and the tree's files
// and bytes.
func BenchmarkRenderVsCheck(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		for _, mode := range []string{"fresh", "again"} {
			b.Run(fmt.Sprintf("teams=%d/%s", teams, mode), func(b *testing.B) {
				if teams > 100 && testing.Short() {
					b.Skip("large organisations are skipped with -short")
				}
				dir := b.TempDir()
				spec := filepath.Join(dir, "spec")
				if err := synth.Write(spec, synth.Config{Teams: teams}); err != nil {
					b.Fatal(err)
				}
				out := filepath.Join(dir, "out")
				run := func(args ...string) {
					args = append([]string{args[0], "--now", "2026-11-24T10:00:00Z"}, append(args[1:], spec)...)
					var stderr bytes.Buffer
					if code := cli.Run(context.Background(), cli.Config{Stdout: &bytes.Buffer{}, Stderr: &stderr}, args); code != cli.ExitOK {
						b.Fatalf("%v exited %d\n%s", args, code, stderr.String())
					}
				}
				timed := func(total *time.Duration, args ...string) {
					runtime.GC()
					start := time.Now()
					run(args...)
					*total += time.Since(start)
				}
				run("render", "--out", out) // warm up, and the tree "again" renders over
				var checkTime, renderTime time.Duration
				n := 0
				for b.Loop() {
					target := out
					if mode == "fresh" {
						// A new OUT each time: deleting the last tree just
						// before would have ext4 skip the inodes it freed
						// when it allocates new ones (a cost of the rm, not
						// of render). The trees go with the temporary dir.
						target = fmt.Sprintf("%s-%d", out, n)
					}
					// They take turns going first, so neither pays for the other.
					if n%2 == 0 {
						timed(&checkTime, "check")
						timed(&renderTime, "render", "--out", target)
					} else {
						timed(&renderTime, "render", "--out", target)
						timed(&checkTime, "check")
					}
					n++
				}
				b.ReportMetric(checkTime.Seconds()/float64(n), "check-s/op")
				b.ReportMetric(renderTime.Seconds()/float64(n), "render-s/op")
				b.ReportMetric(float64(renderTime)/float64(checkTime), "render/check")
				files, size := treeSize(b, out)
				b.ReportMetric(float64(files), "files")
				b.ReportMetric(float64(size)/(1<<20), "MiB")
			})
		}
	}
}

func treeSize(b *testing.B, dir string) (files int, size int64) {
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return files, size
}
