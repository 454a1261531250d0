package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/platc-dev/platc/internal/cli"
	"github.com/platc-dev/platc/internal/synth"
)

// BenchmarkApply measures `platc apply --components-only` of generated
// organisations against a local file backend and a new GitOps
// repository: the first apply, which creates every stack's components and
// commits the whole tree, and a second with no change (render, previews
// and git status), beside a render of the same spec into a new directory.
// It reports first-s/op, noop-s/op, render-s/op, the no-op apply's cost
// over render per environment (bar: 3 s) and the first apply's resources
// per second.
func BenchmarkApply(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			b.Setenv("PULUMI_CONFIG_PASSPHRASE", "bench")
			// The pulumi CLI make tools builds.
			root, err := filepath.Abs("../..")
			if err != nil {
				b.Fatal(err)
			}
			b.Setenv("PATH", filepath.Join(root, ".tools", "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
			var first, noop, render time.Duration
			resources, n := 0, 0
			for b.Loop() {
				dir := b.TempDir()
				spec := filepath.Join(dir, "spec")
				if err := synth.Write(spec, synth.Config{Teams: teams}); err != nil {
					b.Fatal(err)
				}
				args := []string{"apply", "--yes", "--components-only", "--now", "2026-11-24T10:00:00Z",
					"--backend", "file://" + filepath.Join(dir, "state"), "--out", filepath.Join(dir, "gitops"), "-o", "json", spec}
				run := func() (time.Duration, string, string) {
					var stdout, stderr bytes.Buffer
					start := time.Now()
					if code := cli.Run(context.Background(), cli.Config{Stdout: &stdout, Stderr: &stderr}, args); code != cli.ExitOK {
						b.Fatalf("platc apply exited %d\n%s", code, stderr.String())
					}
					return time.Since(start), stdout.String(), stderr.String()
				}
				start := time.Now()
				d, out, _ := run()
				first += d
				resources += countCreated(b, out)
				d, _, log := run()
				noop += d
				// Where a no-op apply spends its time: the steps and each
				// stack's seconds (go test -v).
				for _, line := range strings.Split(log, "\n") {
					if strings.HasPrefix(line, "==> ") || strings.Contains(line, "unchanged (") {
						b.Logf("%s %s", time.Since(start).Round(time.Millisecond), line)
					}
				}
				// render alone, as apply renders: into a new directory.
				var stderr bytes.Buffer
				start = time.Now()
				if code := cli.Run(context.Background(), cli.Config{Stdout: io.Discard, Stderr: &stderr},
					[]string{"render", "--now", "2026-11-24T10:00:00Z", "--out", filepath.Join(dir, "rendered"), spec}); code != cli.ExitOK {
					b.Fatalf("platc render exited %d\n%s", code, stderr.String())
				}
				render += time.Since(start)
				n++
			}
			b.ReportMetric(first.Seconds()/float64(n), "first-s/op")
			b.ReportMetric(noop.Seconds()/float64(n), "noop-s/op")
			b.ReportMetric(render.Seconds()/float64(n), "render-s/op")
			b.ReportMetric((noop-render).Seconds()/float64(n)/float64(len(synth.Environments)), "noop-over-render-s/env")
			b.ReportMetric(float64(resources)/first.Seconds(), "resources/s")
		})
	}
}

// countCreated sums the resources apply -o json reports created.
func countCreated(b *testing.B, out string) int {
	var report struct {
		Stacks []struct {
			Changes map[string]int `json:"changes"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		b.Fatalf("apply -o json: %v\n%s", err, out)
	}
	n := 0
	for _, s := range report.Stacks {
		n += s.Changes["create"]
	}
	return n
}
