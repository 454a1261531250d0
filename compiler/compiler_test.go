package compiler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/compiler/validate"
	"github.com/platc-dev/platc/internal/golden"
	"github.com/platc-dev/platc/internal/synth"
)

// specDirs lists the examples and blueprints shipped with platc.
func specDirs(t testing.TB) []string {
	t.Helper()
	var dirs []string
	for _, pattern := range []string{"../examples/*", "../blueprints/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range m {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				dirs = append(dirs, d)
			}
		}
	}
	if len(dirs) < 3 {
		t.Fatalf("found only %v: the examples and blueprints are missing", dirs)
	}
	return dirs
}

// checkNow is the time shipped specs are checked at.
var checkNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// TestShippedSpecsAreValid: every example and blueprint passes the schema,
// the reference checks and every built-in policy, without a warning other
// than not-delivered.
func TestShippedSpecsAreValid(t *testing.T) {
	for _, dir := range specDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, ds, err := Check(context.Background(), CheckConfig{Config: Config{Dir: dir}, Now: checkNow})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				// The examples declare the whole target platform, and
				// platc says which parts it does not deliver yet.
				if d.Rule == "not-delivered" && d.Severity == diag.Warning {
					continue
				}
				t.Errorf("%s: %s %s: %s", d.Pos, d.Severity, d.Rule, d.Message)
			}
			if res == nil || res.Spec == nil || res.Spec.Platform == nil {
				t.Fatal("no spec decoded")
			}
		})
	}
}

// TestUnitsMatchWholePackage: evaluating a spec unit by unit gives the
// same model as evaluating all its files together, as CUE would.
func TestUnitsMatchWholePackage(t *testing.T) {
	dirs := specDirs(t)
	synthDir := t.TempDir()
	if err := synth.Write(synthDir, synth.Config{Teams: 5}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, synthDir)
	for _, dir := range dirs {
		pkg, ds, err := load.Load(dir, "")
		if err != nil || len(ds) > 0 {
			t.Fatalf("load %s: %v %v", dir, err, ds)
		}
		if len(pkg.Units) < 2 {
			continue // one unit: the two evaluations are the same
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			split, ds, err := validate.Validate(context.Background(), pkg, validate.Options{Decode: true})
			if err != nil || ds.HasErrors() {
				t.Fatalf("validate: %v %v", err, ds)
			}
			var all []int
			for i, f := range pkg.Files {
				if !f.Binding {
					all = append(all, i)
				}
			}
			pkg.Units = [][]int{all}
			whole, ds, err := validate.Validate(context.Background(), pkg, validate.Options{Decode: true})
			if err != nil || ds.HasErrors() {
				t.Fatalf("validate whole: %v %v", err, ds)
			}
			if diff := cmp.Diff(whole, split); diff != "" {
				t.Errorf("model differs (-whole +units):\n%s", diff)
			}
		})
	}
}

// FuzzVet feeds arbitrary CUE to the loader and validator: they report
// problems, never panic, and fail only with load errors. The corpus in
// testdata/fuzz/FuzzVet, which plain go test runs too, holds inputs that
// once ran for minutes: values nested 5,000 levels deep and long chains of
// operators, now refused by the loader's depth bounds.
func FuzzVet(f *testing.F) {
	for _, dir := range specDirs(f) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("package x\n\nteams: [string]: onCall: \"@a\"\n"))
	f.Add([]byte("package x\n\nfor n in [1, 2] { teams: \"t\\(n)\": owners: [] }\n"))
	f.Add([]byte("package x\nimport \"platc.dev/schema\"\nteams: schema.#Teams\nx: teams.a.b.c\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.cue"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: true})
		var le *load.Error
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("unexpected error kind %T: %v", err, err)
		}
		for _, d := range ds {
			if d.Message == "" || d.Rule == "" {
				t.Fatalf("diagnostic without message or rule: %+v", d)
			}
		}
	})
}

// BenchmarkVet measures `platc vet` (load and schema validation, no
// decoding) of generated organisations.
func BenchmarkVet(b *testing.B) {
	for _, teams := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, ds, err := Vet(context.Background(), Config{Dir: dir})
				if err != nil || len(ds) > 0 {
					b.Fatalf("vet: %v %v", err, ds[:min(len(ds), 3)])
				}
			}
		})
	}
}

// BenchmarkVetHCL measures `platc vet` of the generated 1,000-team
// organisation with its team files in CUE and in HCL (converted from the
// same CUE), side by side: each iteration vets both, so the two figures
// come from the same minutes. The bar is HCL within 1.2x of CUE
// (make bench-hcl); hcl/cue is the ratio of the totals.
func BenchmarkVetHCL(b *testing.B) {
	teams := 1000
	if testing.Short() {
		teams = 100
	}
	dirs := map[string]string{}
	for _, format := range []string{"cue", "hcl"} {
		dirs[format] = b.TempDir()
		if err := synth.Write(dirs[format], synth.Config{Teams: teams, HCL: format == "hcl"}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
		var took = map[string]time.Duration{}
		n := 0
		for b.Loop() {
			for _, format := range []string{"cue", "hcl"} {
				start := time.Now()
				_, ds, err := Vet(context.Background(), Config{Dir: dirs[format]})
				if err != nil || len(ds) > 0 {
					b.Fatalf("vet %s: %v %v", format, err, ds[:min(len(ds), 3)])
				}
				took[format] += time.Since(start)
			}
			n++
		}
		b.ReportMetric(took["cue"].Seconds()/float64(n), "cue-s/op")
		b.ReportMetric(took["hcl"].Seconds()/float64(n), "hcl-s/op")
		b.ReportMetric(took["hcl"].Seconds()/took["cue"].Seconds(), "hcl/cue")
	})
}

// BenchmarkLoadAndDecode measures validation with decoding into the model
// and reference checks, which `platc check` and `render` start with.
func BenchmarkLoadAndDecode(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, ds, err := Vet(context.Background(), Config{Dir: dir, Decode: true})
				if err != nil || len(ds) > 0 || res.Spec == nil {
					b.Fatalf("vet: %v %v", err, ds[:min(len(ds), 3)])
				}
				if got := len(res.Spec.Teams); got != teams {
					b.Fatalf("decoded %d teams, want %d", got, teams)
				}
			}
		})
	}
}

// violatingSpec is a copy of examples/acme-shop with
// testdata/violations/violations.cue added: it passes the schema and
// breaks built-in policies.
func violatingSpec(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../examples/acme-shop")); err != nil {
		t.Fatal(err)
	}
	add, err := os.ReadFile("testdata/violations/violations.cue")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "violations.cue"), add, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEveryRuleFires checks a copy of examples/acme-shop with one
// deliberate violation of each built-in rule and compares the findings,
// text and positions, with testdata/violations/want.txt
// (PLATC_UPDATE=1 rewrites it).
func TestEveryRuleFires(t *testing.T) {
	dir := violatingSpec(t)
	// Edits for rules that no addition can break: removing a CI gate.
	edits := []struct{ file, old, new string }{
		{"platform.cue", "\t\t\t\"image-signing\",\n", ""},
	}
	for _, e := range edits {
		p := filepath.Join(dir, e.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), e.old) {
			t.Fatalf("%s no longer contains %q: update the edit", e.file, e.old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), e.old, e.new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, ds, err := Check(context.Background(), CheckConfig{Config: Config{Dir: dir}, Now: checkNow})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := diag.WriteText(&got, ds.Rel(dir)); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(&got, diag.SummaryLine(ds))
	golden.File(t, "testdata/violations/want.txt", []byte(got.String()))

	fired := map[string]bool{}
	for _, d := range ds {
		fired[d.Rule] = true
	}
	for id, r := range res.Rules {
		if r.Builtin && strings.HasPrefix(r.Package, "platc.builtin.") && !fired[id] {
			t.Errorf("built-in rule %s did not fire", id)
		}
	}
}

// BenchmarkCheck measures `platc check`: schema, references and every
// built-in policy, on generated organisations.
func BenchmarkCheck(b *testing.B) {
	for _, teams := range []int{100, 1000} {
		b.Run(fmt.Sprintf("teams=%d", teams), func(b *testing.B) {
			if teams > 100 && testing.Short() {
				b.Skip("large organisations are skipped with -short")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Config{Teams: teams}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, ds, err := Check(context.Background(), CheckConfig{Config: Config{Dir: dir}, Now: checkNow})
				if err != nil || ds.HasErrors() {
					b.Fatalf("check: %v %v", err, ds[:min(len(ds), 3)])
				}
			}
		})
	}
}

// TestCheckReportsCapabilities: Check exposes the blueprint capabilities
// the built-in library judges the spec to have, the same set the
// blueprint-schedule rule marks milestones done by.
func TestCheckReportsCapabilities(t *testing.T) {
	res, _, err := Check(context.Background(), CheckConfig{Config: Config{Dir: "../examples/acme-shop"}, Now: checkNow})
	if err != nil {
		t.Fatal(err)
	}
	has := map[string]bool{}
	for _, c := range res.Capabilities {
		has[c] = true
	}
	// Every capability the example's milestones name is there, except
	// those platc does not deliver yet (policies/lib/delivery.rego): the
	// example declares them, and its milestones are not done until
	// something renders them.
	undelivered := map[string]bool{"event-bus": true, "unified-observability": true, "auto-retraining": true}
	for _, ph := range res.Spec.Blueprint.Phases {
		for _, ms := range ph.Milestones {
			for _, c := range ms.Capabilities {
				if has[c] == undelivered[c] {
					t.Errorf("capability %s of milestone %s: had %v, delivered %v (%v)", c, ms.Name, has[c], !undelivered[c], res.Capabilities)
				}
			}
		}
	}
	if !slices.IsSorted(res.Capabilities) {
		t.Errorf("capabilities are not sorted: %v", res.Capabilities)
	}

	res, _, err = Check(context.Background(), CheckConfig{Config: Config{Dir: "../examples/minimal"}, Now: checkNow})
	if err != nil {
		t.Fatal(err)
	}
	// A spec that declares no logs or traces has no unified
	// observability, whatever its services.
	if diff := cmp.Diff([]string{}, res.Capabilities); diff != "" {
		t.Errorf("minimal spec capabilities (-want +got):\n%s", diff)
	}
}

// TestCompileEmitStopsWhenCheckFails: emit runs while the policies are
// evaluated; when they find errors, its context ends so it can stop, and
// CompileEmit returns the findings without a plan. When the check passes,
// emit's context is live throughout and its result is returned.
func TestCompileEmitStopsWhenCheckFails(t *testing.T) {
	failing := violatingSpec(t)
	type outcome struct {
		p       bool
		out     string
		errors  bool
		started bool
		err     error
	}
	run := func(dir string, emit func(context.Context) (string, error)) outcome {
		t.Helper()
		started := make(chan struct{}, 1)
		done := make(chan outcome, 1)
		go func() {
			_, p, out, ds, err := CompileEmit(context.Background(), CheckConfig{Config: Config{Dir: dir}, Now: checkNow},
				func(ctx context.Context, p *plan.Plan) (string, error) {
					started <- struct{}{}
					return emit(ctx)
				})
			o := outcome{p: p != nil, out: out, errors: ds.HasErrors(), err: err}
			select {
			case <-started:
				o.started = true
			default:
			}
			done <- o
		}()
		select {
		case o := <-done:
			return o
		case <-time.After(2 * time.Minute):
			t.Fatal("CompileEmit did not return: emit was not told to stop")
		}
		return outcome{}
	}

	got := run(failing, func(ctx context.Context) (string, error) {
		<-ctx.Done() // as long as the check lets it
		return "", ctx.Err()
	})
	if want := (outcome{errors: true, started: true}); got != want {
		t.Errorf("failing check: got %+v, want %+v", got, want)
	}

	got = run("../examples/minimal", func(ctx context.Context) (string, error) {
		return "emitted", ctx.Err()
	})
	if want := (outcome{p: true, out: "emitted", started: true}); got != want {
		t.Errorf("passing check: got %+v, want %+v", got, want)
	}
}

// image is a valid image reference for services.
const image = `"registry.example.com/api@sha256:` + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" + `"`

// TestCheckReportsEveryFindingAtOnce: a reference to a name the spec lacks
// does not hide the policies' findings, nor the exceptions' expiry, and a
// policy's restatement of it is not reported twice; an error that keeps
// the policies from running says so. Each case adds b.cue to
// examples/minimal and lists every diagnostic of the check.
func TestCheckReportsEveryFindingAtOnce(t *testing.T) {
	tests := map[string]struct {
		spec string
		want []string
	}{
		"An unknown team in a pipeline's owner is reported with the policies' findings": {
			spec: `data: pipelines: ingest: {owner: "nobody", mode: "stream", objective: 99}`,
			want: []string{
				`-: warning reconcile: reconciled`,
				`b.cue:3:18: error data-quality: stream pipeline ingest has no latency target`,
				`b.cue:3:27: error reference: data.pipelines.ingest.owner: unknown team "nobody"`,
			},
		},
		"An expired exception is reported with a reference error": {
			spec: `services: api: {team: "platfrom", kind: "worker", image: ` + image + `, signed: true, slos: a: {kind: "availability", objective: 99.9}}
exceptions: old: {rule: "slo-availability", path: "services.api", reason: "r", expires: "2026-01-01"}`,
			want: []string{
				`-: warning reconcile: reconciled`,
				`b.cue:3:17: error reference: services.api.team: unknown team "platfrom"`,
				`b.cue:4:80: error exception-expired: exception old for rule slo-availability at services.api expired on 2026-01-01`,
			},
		},
		"A policy's restatement of a reference error is not reported twice": {
			spec: `services: api: {team: "nobody", kind: "worker", image: ` + image + `, signed: true}
teams: platform: quotas: prodd: {cpu: 1}`,
			want: []string{
				`-: warning reconcile: reconciled`,
				`b.cue:3:11: error slo-availability: service api has no SLO; without one it gets no burn-rate alerts and no rollout analysis`,
				`b.cue:3:17: error reference: services.api.team: unknown team "nobody"`,
				`b.cue:4:26: error reference: teams.platform.quotas.prodd: unknown environment "prodd"`,
			},
		},
		"An exception does not silence a reference error, nor is it reported as silencing nothing": {
			spec: `services: api: {team: "nobody", kind: "worker", image: ` + image + `, signed: true, slos: a: {kind: "availability", objective: 99.9}}
exceptions: ref: {rule: "reference", path: "services.api", reason: "r", expires: "2099-01-01"}`,
			want: []string{
				`-: warning reconcile: reconciled`,
				`b.cue:3:17: error reference: services.api.team: unknown team "nobody"`,
			},
		},
		"Disabling the reference rule does not silence a reference error": {
			spec: `services: api: {team: "nobody", kind: "worker", image: ` + image + `, signed: true, slos: a: {kind: "availability", objective: 99.9}}
platform: policies: disabled: ["reference"]`,
			want: []string{
				`-: warning reconcile: reconciled`,
				`b.cue:3:17: error reference: services.api.team: unknown team "nobody"`,
			},
		},
		"A schema error keeps the policies from running, and says so": {
			spec: `data: pipelines: ingest: {owner: "platform", mode: "stream", objective: 99}
teams: platform: onCal: "@alice"`,
			want: []string{
				`-: info policies-not-run: the policies were not evaluated: the spec has 1 error to fix first`,
				`b.cue:4:18: error schema: teams.platform.onCal: field not allowed`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS("../examples/minimal")); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "b.cue"), []byte("package minimal\n\n"+tc.spec+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg := CheckConfig{Config: Config{Dir: dir}, Now: checkNow}
			// The reconciliation with an inventory runs where the policies do.
			cfg.Reconcile = func(*model.Spec, func([]string) diag.Pos) (diag.Diagnostics, error) {
				return diag.Diagnostics{{Severity: diag.Warning, Rule: "reconcile", Message: "reconciled"}}, nil
			}
			_, ds, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range ds.Rel(dir) {
				got = append(got, fmt.Sprintf("%s: %s %s: %s", d.Pos, d.Severity, d.Rule, d.Message))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("diagnostics differ (-want +got):\n%s", diff)
			}

			// Nothing is planned or emitted from a spec with errors, a
			// reference to a name it lacks included.
			_, p, _, _, err := CompileEmit(context.Background(), cfg, func(context.Context, *plan.Plan) (bool, error) {
				t.Error("emit ran on a spec with errors")
				return true, nil
			})
			if err != nil || p != nil {
				t.Errorf("CompileEmit: plan %v, error %v; want neither", p != nil, err)
			}
		})
	}
}
