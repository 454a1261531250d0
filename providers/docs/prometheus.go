package docs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PrometheusConfig says where the KPI board reads current values.
type PrometheusConfig struct {
	// URL is Prometheus's base URL; queries go to URL/api/v1/query.
	URL string
	// Timeout bounds all the queries together; zero means 10 seconds.
	Timeout time.Duration
	// Token, when set, is sent as a bearer token.
	Token string
	// Client is the HTTP client; nil means a client of its own.
	Client *http.Client
	// Attempts is how often a query is tried on network errors and
	// 5xx/429 answers; zero means 3.
	Attempts int
}

func (c *PrometheusConfig) defaults() {
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
}

// ValidatePrometheusURL checks a --prometheus URL: http or https with a host.
func ValidatePrometheusURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid Prometheus URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("invalid Prometheus URL %q: want http:// or https:// and a host, such as http://prometheus.monitoring:9090", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("invalid Prometheus URL %q: give the base URL without a query", raw)
	}
	return nil
}

// Sample is one series of an instant query's result.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// LiveKPIs are the current values of the KPI recording rules.
type LiveKPIs struct {
	// Source is the Prometheus URL they came from.
	Source string
	// Values are the samples of each recording rule, by rule name.
	Values map[string][]Sample
	// Errors are the queries that failed, by rule name.
	Errors map[string]string
	// Unreachable is set when no query reached Prometheus at all.
	Unreachable string
}

// QueryKPIs asks Prometheus for the current value of each of rules with
// instant queries (GET /api/v1/query), concurrently and within the
// configured timeout, retrying network errors and 5xx answers with
// back-off. It never fails: what went wrong is in the result, so that the
// KPI board can say so.
func QueryKPIs(ctx context.Context, cfg PrometheusConfig, rules []string) *LiveKPIs {
	cfg.defaults()
	live := &LiveKPIs{Source: cfg.URL, Values: map[string][]Sample{}, Errors: map[string]string{}}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	netErrs := map[string]error{}
	for _, rule := range rules {
		wg.Go(func() {
			samples, err := queryWithRetry(ctx, cfg, rule)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				live.Errors[rule] = err.Error()
				var ne *networkError
				if errors.As(err, &ne) {
					netErrs[rule] = ne.err
				}
				return
			}
			live.Values[rule] = samples
		})
	}
	wg.Wait()
	if len(rules) > 0 && len(netErrs) == len(rules) {
		first := slices.Sorted(maps.Keys(netErrs))[0]
		live.Unreachable = fmt.Sprintf("Prometheus at %s could not be reached (%v); the board shows the targets only", cfg.URL, netErrs[first])
	}
	return live
}

// networkError is a query that did not get an answer.
type networkError struct{ err error }

func (e *networkError) Error() string { return e.err.Error() }

type retryable struct{ err error }

func (e *retryable) Error() string { return e.err.Error() }

func queryWithRetry(ctx context.Context, cfg PrometheusConfig, query string) ([]Sample, error) {
	backoff := 200 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		var samples []Sample
		samples, err = query1(ctx, cfg, query)
		if err == nil {
			return samples, nil
		}
		var ne *networkError
		var re *retryable
		if !errors.As(err, &ne) && !errors.As(err, &re) || attempt >= cfg.Attempts {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// queryResponse is Prometheus's answer to /api/v1/query.
type queryResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

func query1(ctx context.Context, cfg PrometheusConfig, query string) ([]Sample, error) {
	u := strings.TrimSuffix(cfg.URL, "/") + "/api/v1/query?" + url.Values{"query": {query}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	resp, err := cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", cfg.Timeout)
		}
		return nil, &networkError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, &networkError{err}
	}
	var qr queryResponse
	jerr := json.Unmarshal(body, &qr)
	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		msg := resp.Status
		if jerr == nil && qr.Error != "" {
			msg += ": " + qr.Error
		}
		return nil, &retryable{fmt.Errorf("query %s: %s", query, msg)}
	case jerr != nil:
		return nil, fmt.Errorf("query %s: %s is not Prometheus's query API (%s, not JSON)", query, cfg.URL, resp.Status)
	case qr.Status != "success":
		return nil, fmt.Errorf("query %s: %s: %s", query, cmpOr(qr.ErrorType, resp.Status), qr.Error)
	}
	switch qr.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(qr.Data.Result, &vec); err != nil {
			return nil, fmt.Errorf("query %s: malformed vector: %v", query, err)
		}
		out := make([]Sample, 0, len(vec))
		for _, s := range vec {
			v, err := sampleValue(s.Value)
			if err != nil {
				return nil, fmt.Errorf("query %s: %v", query, err)
			}
			delete(s.Metric, "__name__")
			out = append(out, Sample{Labels: s.Metric, Value: v})
		}
		slices.SortFunc(out, func(a, b Sample) int { return strings.Compare(labelString(a.Labels), labelString(b.Labels)) })
		return out, nil
	case "scalar":
		var sc [2]any
		if err := json.Unmarshal(qr.Data.Result, &sc); err != nil {
			return nil, fmt.Errorf("query %s: malformed scalar: %v", query, err)
		}
		v, err := sampleValue(sc)
		if err != nil {
			return nil, fmt.Errorf("query %s: %v", query, err)
		}
		return []Sample{{Value: v}}, nil
	}
	return nil, fmt.Errorf("query %s: unexpected result type %q", query, qr.Data.ResultType)
}

func sampleValue(v [2]any) (float64, error) {
	s, ok := v[1].(string)
	if !ok {
		return 0, fmt.Errorf("sample value %v is not a string", v[1])
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("sample value %q is not a number", s)
	}
	return f, nil
}

// labelString writes labels as {a="1", b="2"}, or "" for none.
func labelString(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, l[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
