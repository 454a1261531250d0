package docs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/providers/docs"
)

// fakePrometheus speaks the instant-query API of Prometheus
// (GET /api/v1/query?query=NAME) for the KPI recording rules: a vector
// of samples per rule, as Prometheus encodes them.
type fakePrometheus struct {
	mu      sync.Mutex
	series  map[string][]map[string]any
	queries []string
	token   string
	// fail answers the first n queries with 503.
	fail atomic.Int32
}

func (f *fakePrometheus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/query" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	if f.token != "" && r.Header.Get("Authorization") != "Bearer "+f.token {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"status": "error", "errorType": "unauthorized", "error": "missing token"})
		return
	}
	if f.fail.Add(-1) >= 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"status": "error", "errorType": "unavailable", "error": "starting up"})
		return
	}
	q := r.URL.Query().Get("query")
	f.mu.Lock()
	f.queries = append(f.queries, q)
	result := f.series[q]
	f.mu.Unlock()
	if strings.Contains(q, "(") {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"status": "error", "errorType": "bad_data", "error": "parse error"})
		return
	}
	if result == nil {
		result = []map[string]any{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
}

func sample(labels map[string]string, v string) map[string]any {
	return map[string]any{"metric": labels, "value": []any{1795000000.0, v}}
}

func TestPrometheusKPIs(t *testing.T) {
	rules := plan.KPISeriesNames.All()
	fake := &fakePrometheus{token: "s3cret", series: map[string][]map[string]any{
		// Lead time 6 h: within 24 h.
		rules[0]: {sample(map[string]string{"__name__": rules[0]}, "21600")},
		// Availability per environment: prod misses 99.9 %, test meets it.
		rules[1]: {
			sample(map[string]string{"__name__": rules[1], "environment": "test"}, "0.9995"),
			sample(map[string]string{"__name__": rules[1], "environment": "prod"}, "0.9971"),
		},
		// GPUs 62 % busy: under 70 %.
		rules[2]: {sample(nil, "0.62")},
		// MTTR: no data yet (empty vector).
		// Pipelines: NaN (no runs).
		rules[4]: {sample(nil, "NaN")},
	}}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL + "/", Token: "s3cret"}, rules)
	if live.Unreachable != "" || len(live.Errors) > 0 {
		t.Fatalf("unexpected errors: %q %v", live.Unreachable, live.Errors)
	}
	if got := len(fake.queries); got != len(rules) {
		t.Errorf("%d queries, want one per rule: %v", got, fake.queries)
	}
	files := build(t, "../../examples/acme-shop", exampleNow, func(in *docs.Input) { in.Live = live })
	kpis := string(files["kpis.html"])
	for _, want := range []string{
		"Current values from Prometheus at <code>" + srv.URL + "/</code>",
		`<li class="state-ok"><span class="value">6 h</span>  meets the target</li>`,
		`<li class="state-bad"><span class="value">99.71 %</span> <code>{environment=&#34;prod&#34;}</code> misses the target</li>`,
		`<li class="state-ok"><span class="value">99.95 %</span> <code>{environment=&#34;test&#34;}</code> meets the target</li>`,
		`<li class="state-bad"><span class="value">62 %</span>  misses the target</li>`,
		`no data: Prometheus has no series platc:kpi_mttr:seconds`,
		`<li class="state-none"><span class="value">NaN %</span>`,
	} {
		if !strings.Contains(kpis, want) {
			t.Errorf("kpis.html lacks %s", want)
		}
	}
	md := string(files["kpis.md"])
	for _, want := range []string{"🟢 6 h", "🔴 99.71 % `{environment=\"prod\"}`", "🔴 62 %"} {
		if !strings.Contains(md, want) {
			t.Errorf("kpis.md lacks %s", want)
		}
	}
}

func TestPrometheusRetriesAndFailures(t *testing.T) {
	rules := plan.KPISeriesNames.All()[:2]
	t.Run("a 503 is retried with back-off", func(t *testing.T) {
		fake := &fakePrometheus{series: map[string][]map[string]any{rules[0]: {sample(nil, "60")}, rules[1]: {sample(nil, "1")}}}
		fake.fail.Store(2)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL}, rules)
		if len(live.Errors) > 0 || len(live.Values) != 2 {
			t.Fatalf("errors %v, values %v", live.Errors, live.Values)
		}
	})
	t.Run("a 503 that lasts is reported per query", func(t *testing.T) {
		fake := &fakePrometheus{}
		fake.fail.Store(100)
		srv := httptest.NewServer(fake)
		defer srv.Close()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL, Attempts: 2}, rules)
		if live.Unreachable != "" || !strings.Contains(live.Errors[rules[0]], "503 Service Unavailable: starting up") {
			t.Fatalf("unreachable %q, errors %v", live.Unreachable, live.Errors)
		}
	})
	t.Run("a missing token is an error of Prometheus, not a network error", func(t *testing.T) {
		srv := httptest.NewServer(&fakePrometheus{token: "t"})
		defer srv.Close()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL}, rules)
		if live.Unreachable != "" || !strings.Contains(live.Errors[rules[0]], "unauthorized: missing token") {
			t.Fatalf("unreachable %q, errors %v", live.Unreachable, live.Errors)
		}
	})
	t.Run("something that is not Prometheus", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>hello</html>") }))
		defer srv.Close()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL}, rules)
		if !strings.Contains(live.Errors[rules[0]], "is not Prometheus's query API") {
			t.Fatalf("errors %v", live.Errors)
		}
	})
	t.Run("nothing listening: unreachable, with a clear message on the board", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close()
		start := time.Now()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: url}, plan.KPISeriesNames.All())
		if !strings.Contains(live.Unreachable, "Prometheus at "+url+" could not be reached (") || !strings.Contains(live.Unreachable, "connection refused") {
			t.Fatalf("unreachable = %q", live.Unreachable)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("giving up took %s", d)
		}
		files := build(t, "../../examples/minimal", exampleNow, func(in *docs.Input) { in.Live = live })
		kpis := string(files["kpis.html"])
		if !strings.Contains(kpis, `<p class="banner bad">Prometheus at `+url+` could not be reached`) || !strings.Contains(kpis, "not queried: Prometheus could not be reached") {
			t.Errorf("kpis.html does not say Prometheus was unreachable")
		}
	})
	t.Run("a server that does not answer in time", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(block)
		start := time.Now()
		live := docs.QueryKPIs(context.Background(), docs.PrometheusConfig{URL: srv.URL, Timeout: 300 * time.Millisecond}, rules)
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("the timeout of 300ms took %s", d)
		}
		if !strings.Contains(live.Unreachable, "no answer within 300ms") {
			t.Fatalf("unreachable = %q, errors %v", live.Unreachable, live.Errors)
		}
	})
}

func TestValidatePrometheusURL(t *testing.T) {
	tests := map[string]struct {
		url string
		ok  bool
	}{
		"http with a port":  {"http://prometheus.monitoring:9090", true},
		"https with a path": {"https://example.com/prometheus", true},
		"no scheme":         {"prometheus:9090", false},
		"another scheme":    {"ftp://prometheus", false},
		"no host":           {"http://", false},
		"a query":           {"http://p:9090/api/v1/query?query=up", false},
		"not a URL":         {"http://[::1", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := docs.ValidatePrometheusURL(tc.url)
			if (err == nil) != tc.ok {
				t.Errorf("ValidatePrometheusURL(%q) = %v, want ok=%v", tc.url, err, tc.ok)
			}
		})
	}
}
