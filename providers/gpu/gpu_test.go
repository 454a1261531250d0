package gpu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
)

var testNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func TestDiscoverShapes(t *testing.T) {
	tests := []struct {
		name       string
		lib        func() nvml.Interface
		count      int
		models     map[string]int
		migGPUs    int
		profiles   map[string]int
		labels     map[string]string
		driver     string
		cuda       string
		unmapped   int
		withUtil   int
		memoryByte uint64
	}{
		{
			name: "dgxa100", lib: DGXA100, count: 8,
			models: map[string]int{"a100": 8},
			driver: "550.54.15", cuda: "12.4",
			labels: map[string]string{
				LabelProduct: "NVIDIA-A100-SXM4-40GB", LabelCount: "8", LabelMemory: "40960", LabelMIGStrategy: "none",
			},
			withUtil: 8, memoryByte: 40960 << 20,
		},
		{
			name: "h100x8", lib: H100x8, count: 8,
			models:   map[string]int{"h100": 8},
			migGPUs:  2,
			profiles: map[string]int{"1g.10gb": 7, "3g.40gb": 1, "2g.20gb": 2},
			driver:   "570.124.06", cuda: "12.8",
			labels: map[string]string{
				LabelProduct: "NVIDIA-H100-80GB-HBM3", LabelCount: "8", LabelMemory: "81920", LabelMIGStrategy: "mixed",
			},
			withUtil: 6, memoryByte: 81920 << 20,
		},
		{
			name: "mixed", lib: Mixed, count: 7,
			models:   map[string]int{"h100": 2, "l4": 4},
			unmapped: 1,
			driver:   "570.124.06", cuda: "12.8",
			labels: map[string]string{
				LabelProduct: "NVIDIA-H100-80GB-HBM3", LabelCount: "7", LabelMemory: "81920", LabelMIGStrategy: "none",
			},
			withUtil: 7, memoryByte: 81920 << 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Discover(tt.lib(), Options{Host: "node-1", Environment: "prod", Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Devices) != tt.count {
				t.Fatalf("%d devices, want %d", len(doc.Devices), tt.count)
			}
			models := map[string]int{}
			profiles := map[string]int{}
			mig, unmapped, withUtil := 0, 0, 0
			for i, d := range doc.Devices {
				if d.Index != i {
					t.Errorf("device %d has index %d", i, d.Index)
				}
				if d.Model == "" {
					unmapped++
				} else {
					models[d.Model]++
				}
				if d.MIGMode {
					mig++
					if d.UtilisationPercent != nil {
						t.Errorf("device %d: utilisation reported in MIG mode", i)
					}
				}
				if d.UtilisationPercent != nil {
					withUtil++
				}
				for _, m := range d.MIGDevices {
					profiles[m.Profile]++
				}
				if d.MemoryUsedBytes > d.MemoryBytes {
					t.Errorf("device %d uses more memory than it has", i)
				}
			}
			if len(profiles) == 0 {
				profiles = nil
			}
			for _, c := range []struct {
				what      string
				got, want any
			}{
				{"models", models, tt.models},
				{"MIG GPUs", mig, tt.migGPUs},
				{"MIG profiles", profiles, tt.profiles},
				{"labels", doc.Host.Labels, tt.labels},
				{"driver", doc.DriverVersion, tt.driver},
				{"cuda", doc.CUDAVersion, tt.cuda},
				{"unmapped", unmapped, tt.unmapped},
				{"with utilisation", withUtil, tt.withUtil},
				{"memory", doc.Devices[0].MemoryBytes, tt.memoryByte},
			} {
				if diff := cmp.Diff(c.want, c.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", c.what, diff)
				}
			}
			// The document survives its own reader unchanged.
			data, err := doc.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ReadDocument(data)
			if err != nil {
				t.Fatalf("reading back: %v", err)
			}
			if diff := cmp.Diff(doc, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			// Deterministic: a second discovery gives the same UUIDs.
			again, _ := Discover(tt.lib(), Options{Host: "node-1", Environment: "prod", Now: testNow})
			if diff := cmp.Diff(doc, again); diff != "" {
				t.Errorf("second discovery differs:\n%s", diff)
			}
		})
	}
}

func TestDiscoverSpecTable(t *testing.T) {
	spec := &model.Spec{Platform: &model.Platform{GPUModels: map[string]string{"NVIDIA A30-PCIE-24GB": "a30"}}}
	doc, err := Discover(Mixed(), Options{Host: "h", Now: testNow, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Devices[6].Model; got != "a30" {
		t.Errorf("A30 model = %q, want a30 from platform.gpuModels", got)
	}
}

func TestDiscoverNVMLUnavailable(t *testing.T) {
	for _, tt := range []struct {
		name string
		lib  nvml.Interface
		want string
	}{
		{"missing library", nvml.New(nvml.WithLibraryPath(filepath.Join(t.TempDir(), "libnvidia-ml.so.1"))), "libnvidia-ml.so.1) was not found"},
		{"no driver", &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_DRIVER_NOT_LOADED }}, "driver is not loaded"},
		{"nil", nil, "not found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Discover(tt.lib, Options{Host: "h"})
			if doc != nil || !IsUnavailable(err) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Discover = %v, %v; want an NVMLError containing %q", doc, err, tt.want)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	// A device that stops answering is an error, not a shorter list.
	lib := &mock.Interface{
		InitFunc:                       func() nvml.Return { return nvml.SUCCESS },
		ShutdownFunc:                   func() nvml.Return { return nvml.SUCCESS },
		SystemGetDriverVersionFunc:     func() (string, nvml.Return) { return "1", nvml.SUCCESS },
		SystemGetCudaDriverVersionFunc: func() (int, nvml.Return) { return 12040, nvml.SUCCESS },
		DeviceGetCountFunc:             func() (int, nvml.Return) { return 1, nvml.SUCCESS },
		DeviceGetHandleByIndexFunc: func(int) (nvml.Device, nvml.Return) {
			return nil, nvml.ERROR_GPU_IS_LOST
		},
	}
	_, err := Discover(lib, Options{Host: "h"})
	var de *DeviceError
	if !errors.As(err, &de) || de.Index != 0 {
		t.Fatalf("err = %v, want a DeviceError for GPU 0", err)
	}
	// An incomplete device model is an error, not a panic.
	lib.DeviceGetHandleByIndexFunc = func(int) (nvml.Device, nvml.Return) { return &mock.Device{}, nvml.SUCCESS }
	if _, err := Discover(lib, Options{Host: "h"}); err == nil || !strings.Contains(err.Error(), "device model") {
		t.Fatalf("err = %v, want a device model error", err)
	}
	// A failing shutdown is reported.
	lib.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.SUCCESS }
	lib.ShutdownFunc = func() nvml.Return { return nvml.ERROR_UNKNOWN }
	if _, err := Discover(lib, Options{Host: "h"}); !IsUnavailable(err) {
		t.Fatalf("err = %v, want an NVMLError from Shutdown", err)
	}
}

func TestMIGProfileName(t *testing.T) {
	for _, tt := range []struct {
		slices         uint32
		migMB, totalMB uint64
		want           string
	}{
		{1, 4864, 40960, "1g.5gb"},
		{2, 9984, 40960, "2g.10gb"},
		{3, 19968, 40960, "3g.20gb"},
		{7, 40192, 40960, "7g.40gb"},
		{1, 9856, 81559, "1g.10gb"},
		{3, 40192, 81559, "3g.40gb"},
		{7, 80896, 81559, "7g.80gb"},
		{1, 500, 0, "1g.1gb"},
	} {
		if got := MIGProfileName(tt.slices, tt.migMB, tt.totalMB); got != tt.want {
			t.Errorf("MIGProfileName(%d, %d, %d) = %q, want %q", tt.slices, tt.migMB, tt.totalMB, got, tt.want)
		}
	}
}

func TestReadDocumentErrors(t *testing.T) {
	good, err := Discover(DGXA100(), Options{Host: "a", Environment: "prod", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := good.Marshal()
	s := string(data)
	for _, tt := range []struct {
		name, data, want string
	}{
		{"truncated", s[:len(s)/2], "truncated"},
		{"empty", "", "truncated"},
		{"not JSON", "hello", "invalid JSON"},
		{"version", strings.Replace(s, APIVersion, "platc.dev/inventory/v9", 1), `unknown apiVersion "platc.dev/inventory/v9"`},
		{"no version", `{"host": {"name": "a"}}`, "no apiVersion"},
		{"unknown field", strings.Replace(s, `"driverVersion"`, `"driverVersoin"`, 1), "unknown field"},
		{"wrong type", strings.Replace(s, `"index": 0`, `"index": "zero"`, 1), "wrong type"},
		{"trailing", s + "{}", "after top-level value"},
		{"no host", strings.Replace(s, `"name": "a"`, `"name": ""`, 1), "host.name is empty"},
		{"dup uuid", strings.Replace(s, "GPU-61313030-0001", "GPU-61313030-0000", 1), "listed twice"},
		{"no time", strings.Replace(s, `"time": "2026-11-24T09:00:00Z",`, "", 1), "no time"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadDocument([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzReadDocument(f *testing.F) {
	for _, lib := range []func() nvml.Interface{DGXA100, H100x8, Mixed} {
		doc, err := Discover(lib(), Options{Host: "h", Environment: "prod", Now: testNow})
		if err != nil {
			f.Fatal(err)
		}
		data, _ := doc.Marshal()
		f.Add(data)
		f.Add(data[:len(data)/3])
	}
	f.Add([]byte(`{"apiVersion":"platc.dev/inventory/v1","host":{"name":"x"},"time":"2026-01-01T00:00:00Z","devices":[]}`))
	f.Add([]byte(`{"apiVersion":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ReadDocument(data)
		if err != nil {
			if doc != nil {
				t.Fatal("a document and an error")
			}
			return
		}
		// What is accepted is valid and survives a round trip.
		if err := doc.Validate(); err != nil {
			t.Fatalf("accepted an invalid document: %v", err)
		}
		out, err := doc.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadDocument(out)
		if err != nil {
			t.Fatalf("re-reading %s: %v", out, err)
		}
		if !cmp.Equal(doc, back) {
			t.Fatalf("round trip changed the document:\n%s", cmp.Diff(doc, back))
		}
	})
}

func BenchmarkDiscoverDGXA100(b *testing.B) {
	lib := DGXA100()
	opts := Options{Host: "dgx", Environment: "prod", Now: testNow}
	for b.Loop() {
		if _, err := Discover(lib, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiscoverH100x8(b *testing.B) {
	lib := H100x8()
	opts := Options{Host: "h100", Environment: "prod", Now: testNow}
	for b.Loop() {
		if _, err := Discover(lib, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// writeDoc discovers lib and writes the document into dir.
func writeDoc(t *testing.T, dir, name string, lib nvml.Interface, host, env string, at time.Time) string {
	t.Helper()
	doc, err := Discover(lib, Options{Host: host, Environment: env, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := doc.Marshal()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeDoc(t, dir, "a.json", DGXA100(), "dgx-1", "prod", testNow)
	writeDoc(t, dir, "b.json", H100x8(), "h100-1", "prod", testNow)
	other := t.TempDir()
	mixed := writeDoc(t, other, "m.json", Mixed(), "mixed-1", "dev", testNow.Add(-time.Hour))
	inv, err := Load([]string{dir, mixed}, LoadOptions{MaxAge: 2 * time.Hour, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := inv.EnvironmentNames(); !cmp.Equal(got, []string{"dev", "prod"}) {
		t.Fatalf("environments %v", got)
	}
	if n := len(inv.Environments["prod"].Hosts); n != 2 {
		t.Fatalf("prod has %d hosts, want 2", n)
	}

	bad := func(name string, setup func(dir string) []string, want string) {
		t.Run(name, func(t *testing.T) {
			d := t.TempDir()
			_, err := Load(setup(d), LoadOptions{MaxAge: 2 * time.Hour, Now: testNow})
			var fe *FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v, want a FileError containing %q", err, want)
			}
		})
	}
	bad("duplicate GPU", func(d string) []string {
		writeDoc(t, d, "a.json", DGXA100(), "dgx-1", "prod", testNow)
		writeDoc(t, d, "b.json", DGXA100(), "dgx-2", "prod", testNow)
		return []string{d}
	}, "b.json: GPU GPU-61313030-0000-4000-8000-000000000000 is also claimed by")
	bad("duplicate host", func(d string) []string {
		writeDoc(t, d, "a.json", DGXA100(), "dgx-1", "prod", testNow)
		writeDoc(t, d, "b.json", Mixed(), "dgx-1", "prod", testNow)
		return []string{d}
	}, "host dgx-1 is also inventoried")
	bad("no environment", func(d string) []string {
		return []string{writeDoc(t, d, "a.json", DGXA100(), "dgx-1", "", testNow)}
	}, "has no environment")
	bad("stale", func(d string) []string {
		return []string{writeDoc(t, d, "a.json", DGXA100(), "dgx-1", "prod", testNow.Add(-3*time.Hour))}
	}, "stale")
	bad("truncated", func(d string) []string {
		p := writeDoc(t, d, "a.json", DGXA100(), "dgx-1", "prod", testNow)
		data, _ := os.ReadFile(p)
		os.WriteFile(p, data[:100], 0o644)
		return []string{p}
	}, "a.json: invalid JSON: truncated")
	bad("missing", func(d string) []string { return []string{filepath.Join(d, "nope.json")} }, "no such file")
	bad("empty dir", func(d string) []string { return []string{d} }, "no inventory files")

	// The environment may come from the label instead of the field.
	d := t.TempDir()
	doc, _ := Discover(DGXA100(), Options{Host: "x", Now: testNow})
	doc.Host.Labels[LabelEnvironment] = "staging"
	data, _ := doc.Marshal()
	os.WriteFile(filepath.Join(d, "x.json"), data, 0o644)
	inv, err = Load([]string{d}, LoadOptions{})
	if err != nil || inv.Environments["staging"] == nil {
		t.Fatalf("label environment: %v, %v", inv, err)
	}
}

// testSpec declares prod with 8 H100s in a MIG pool and 8 A100s, and dev
// with 2 H100 and 4 L4.
func testSpec(reserveH100 int) *model.Spec {
	return &model.Spec{
		Environments: map[string]*model.Environment{
			"prod": {Name: "prod", Pools: map[string]*model.Pool{
				"train": {Name: "train", GPUs: map[string]*model.GPUPool{
					"h100": {Model: "h100", Count: 8, MIG: map[string]int{"1g.10gb": 7, "4g.40gb": 1}},
				}},
				"legacy": {Name: "legacy", GPUs: map[string]*model.GPUPool{
					"a100": {Model: "a100", Count: 8},
				}},
			}},
			"dev": {Name: "dev", Pools: map[string]*model.Pool{
				"gpu": {Name: "gpu", GPUs: map[string]*model.GPUPool{
					"h100": {Model: "h100", Count: 2},
					"l4":   {Model: "l4", Count: 6},
				}},
			}},
		},
		Teams: map[string]*model.Team{
			"vision": {Name: "vision", Quotas: map[string]*model.Quota{
				"prod": {Environment: "prod", GPUs: map[string]*model.GPUQuota{
					"h100": {Model: "h100", Reserved: reserveH100},
					"a100": {Model: "a100", Reserved: 2},
				}},
				"dev": {Environment: "dev", GPUs: map[string]*model.GPUQuota{
					"h100": {Model: "h100", Reserved: 2},
					"l4":   {Model: "l4", Reserved: 4},
				}},
			}},
			"search": {Name: "search", Quotas: map[string]*model.Quota{
				"prod": {Environment: "prod", GPUs: map[string]*model.GPUQuota{
					"h100": {Model: "h100", Reserved: 2},
					"a100": {Model: "a100", Reserved: 4},
				}},
			}},
		},
		KPIs: func() model.KPIs { var k model.KPIs; k.Cost.GPUUtilisation = 70; return k }(),
	}
}

func TestReconcile(t *testing.T) {
	dir := t.TempDir()
	writeDoc(t, dir, "a.json", DGXA100(), "dgx-1", "prod", testNow)
	writeDoc(t, dir, "b.json", H100x8(), "h100-1", "prod", testNow)
	writeDoc(t, dir, "m.json", Mixed(), "mixed-1", "dev", testNow)
	inv, err := Load([]string{dir}, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type finding struct{ sev, rule, path string }
	for _, tt := range []struct {
		name    string
		reserve int
		rows    []Row
		want    []finding
	}{
		{
			name: "fits", reserve: 6,
			rows: []Row{
				{Environment: "dev", Model: "h100", Declared: 2, Reserved: 2, Discovered: 2, Status: "ok"},
				{Environment: "dev", Model: "l4", Declared: 6, Reserved: 4, Discovered: 4, Status: "unbacked"},
				{Environment: "prod", Model: "a100", Declared: 8, Reserved: 6, Discovered: 8, Idle: 2, IdlePercent: 25, Status: "ok"},
				{Environment: "prod", Model: "h100", Declared: 8, Reserved: 8, Discovered: 8, Status: "mig-missing"},
			},
			want: []finding{
				{"error", RulePoolUnbacked, "environments.dev.pools.gpu.gpus.l4"},
				{"warning", RuleMIGMissing, "environments.prod.pools.train.gpus.h100.mig.4g.40gb"},
				{"warning", RuleModelMismatch, "environments.dev"},
			},
		},
		{
			name: "overcommitted", reserve: 10,
			rows: []Row{
				{Environment: "dev", Model: "h100", Declared: 2, Reserved: 2, Discovered: 2, Status: "ok"},
				{Environment: "dev", Model: "l4", Declared: 6, Reserved: 4, Discovered: 4, Status: "unbacked"},
				{Environment: "prod", Model: "a100", Declared: 8, Reserved: 6, Discovered: 8, Idle: 2, IdlePercent: 25, Status: "ok"},
				{Environment: "prod", Model: "h100", Declared: 8, Reserved: 12, Discovered: 8, Status: "overcommitted,mig-missing"},
			},
			want: []finding{
				{"error", RuleOvercommit, "teams.search.quotas.prod.gpus.h100"},
				{"error", RuleOvercommit, "teams.vision.quotas.prod.gpus.h100"},
				{"error", RulePoolUnbacked, "environments.dev.pools.gpu.gpus.l4"},
				{"warning", RuleMIGMissing, "environments.prod.pools.train.gpus.h100.mig.4g.40gb"},
				{"warning", RuleModelMismatch, "environments.dev"},
			},
		},
		{
			name: "idle", reserve: 0,
			rows: []Row{
				{Environment: "dev", Model: "h100", Declared: 2, Reserved: 2, Discovered: 2, Status: "ok"},
				{Environment: "dev", Model: "l4", Declared: 6, Reserved: 4, Discovered: 4, Status: "unbacked"},
				{Environment: "prod", Model: "a100", Declared: 8, Reserved: 6, Discovered: 8, Idle: 2, IdlePercent: 25, Status: "ok"},
				{Environment: "prod", Model: "h100", Declared: 8, Reserved: 2, Discovered: 8, Idle: 6, IdlePercent: 75, Status: "idle,mig-missing"},
			},
			want: []finding{
				{"error", RulePoolUnbacked, "environments.dev.pools.gpu.gpus.l4"},
				{"warning", RuleIdle, "environments.prod.pools.train.gpus.h100"},
				{"warning", RuleMIGMissing, "environments.prod.pools.train.gpus.h100.mig.4g.40gb"},
				{"warning", RuleModelMismatch, "environments.dev"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Reconcile(testSpec(tt.reserve), inv, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.rows, rep.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			var got []finding
			for _, d := range rep.Diagnostics.Sorted() {
				got = append(got, finding{d.Severity.String(), d.Rule, d.Path})
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(finding{}), cmpopts.SortSlices(func(a, b finding) bool { return a.rule+a.path < b.rule+b.path })); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}

	// An undeclared product in an environment: a mismatch at its pools.
	spec := testSpec(6)
	delete(spec.Environments["prod"].Pools, "legacy")
	rep, _ := Reconcile(spec, inv, func(labels []string) diag.Pos { return diag.Pos{File: strings.Join(labels, "/")} })
	found := false
	for _, d := range rep.Diagnostics {
		if d.Rule == RuleModelMismatch && d.Path == "environments.prod.pools" && d.Pos.File == "environments/prod/pools" {
			found = true
		}
	}
	if !found {
		t.Errorf("no model mismatch for the undeclared a100s: %v", rep.Diagnostics)
	}

	// An environment the spec lacks is an error.
	delete(spec.Environments, "dev")
	var ee *EnvironmentError
	if _, err := Reconcile(spec, inv, nil); !errors.As(err, &ee) || ee.Environment != "dev" {
		t.Fatalf("err = %v, want an EnvironmentError for dev", err)
	}
}

// BenchmarkLoadReconcile1000Hosts reads 1,000 host documents (8 GPUs
// each) and reconciles them with a 1,000-team spec: what reconciliation
// adds to a check of the generated spec.
func BenchmarkLoadReconcile1000Hosts(b *testing.B) {
	dir := b.TempDir()
	base, err := Discover(DGXA100(), Options{Host: "h", Environment: "prod", Now: testNow})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		doc := *base
		doc.Host.Name = fmt.Sprintf("node-%04d", i)
		doc.Devices = slices.Clone(base.Devices)
		for j := range doc.Devices {
			doc.Devices[j].UUID = fmt.Sprintf("GPU-%08d-%04d", i, j)
		}
		data, _ := doc.Marshal()
		if err := os.WriteFile(filepath.Join(dir, doc.Host.Name+".json"), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	spec := testSpec(0)
	spec.Environments["prod"].Pools["legacy"].GPUs["a100"].Count = 8000
	for i := range 1000 {
		name := fmt.Sprintf("team-%04d", i)
		spec.Teams[name] = &model.Team{Name: name, Quotas: map[string]*model.Quota{
			"prod": {Environment: "prod", GPUs: map[string]*model.GPUQuota{"a100": {Model: "a100", Reserved: 7}}},
		}}
	}
	b.ResetTimer()
	for b.Loop() {
		inv, err := Load([]string{dir}, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Reconcile(spec, inv, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func TestProductLabels(t *testing.T) {
	host := func(lib nvml.Interface, name, env string) *HostInventory {
		doc, err := Discover(lib, Options{Host: name, Environment: env, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		return &HostInventory{File: name + ".json", Document: doc}
	}
	// Four A100 80GB boards, time-sliced: GFD's label has a suffix, and
	// the host's own label is what its node carries.
	shared := host(DGXA100(), "a100-80", "prod")
	shared.Devices = shared.Devices[:4]
	for i := range shared.Devices {
		shared.Devices[i].Product = "NVIDIA A100-SXM4-80GB"
		shared.Devices[i].UUID = fmt.Sprintf("GPU-shared-%d", i)
	}
	shared.Host.Labels[LabelProduct] = "NVIDIA-A100-SXM4-80GB-SHARED"
	inv := &Inventory{Environments: map[string]*EnvironmentInventory{
		"prod": {Hosts: []*HostInventory{host(DGXA100(), "dgx-1", "prod"), shared}},
		// Mixed: H100, L4 and an A30 no table maps; a mixed host's
		// label names its first GPU only, so each GPU counts as its own
		// product.
		"dev": {Hosts: []*HostInventory{host(Mixed(), "mixed-1", "dev")}},
	}}
	got := inv.ProductLabels(&model.Spec{})
	want := map[string]map[string]map[string]int{
		"prod": {"a100": {"NVIDIA-A100-SXM4-40GB": 8}, "a100-80gb": {"NVIDIA-A100-SXM4-80GB-SHARED": 4}},
		"dev":  {"h100": {"NVIDIA-H100-80GB-HBM3": 2}, "l4": {"NVIDIA-L4": 4}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ProductLabels (-want +got):\n%s", d)
	}

	// The spec's own table maps products to its models: both A100s as one
	// model, and the A30.
	spec := &model.Spec{Platform: &model.Platform{GPUModels: map[string]string{
		"NVIDIA A100-SXM4-80GB": "a100", "NVIDIA A30-PCIE-24GB": "a30",
	}}}
	got = inv.ProductLabels(spec)
	want["prod"] = map[string]map[string]int{"a100": {"NVIDIA-A100-SXM4-40GB": 8, "NVIDIA-A100-SXM4-80GB-SHARED": 4}}
	want["dev"]["a30"] = map[string]int{"NVIDIA-A30-PCIE-24GB": 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ProductLabels with the spec's table (-want +got):\n%s", d)
	}
}
