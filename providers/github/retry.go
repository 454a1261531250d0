package github

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry is how requests that GitHub refuses for a while are repeated:
// rate-limited answers (403 or 429 with Retry-After or
// X-RateLimit-Remaining: 0, or a 403 about the secondary rate limit) and
// server errors (5xx), and requests that never got an answer.
type Retry struct {
	// Attempts is how many times a request is sent at most (default 5).
	Attempts int
	// Base is the first back-off after a server error; it doubles with
	// each attempt up to 30 s (default 1 s). Retry-After wins when given.
	Base time.Duration
	// MaxWait is the longest platc waits before one retry (default 2 min).
	// A rate limit that resets later is reported, not waited out: a CI job
	// should fail with the reason rather than hang for an hour.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; tests replace it so they do not
	// wait. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock X-RateLimit-Reset is read against (default time.Now).
	Now func() time.Time
	// Log, when set, is told about every retry (never the token: only the
	// method, the URL path and the status are given).
	Log func(format string, args ...any)
}

const maxBackoff = 30 * time.Second

// secondaryWait is how long GitHub asks clients to wait after hitting the
// secondary rate limit when it does not say.
const secondaryWait = time.Minute

func (r *Retry) defaults() {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Base <= 0 {
		r.Base = time.Second
	}
	if r.MaxWait <= 0 {
		r.MaxWait = 2 * time.Minute
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Log == nil {
		r.Log = func(string, ...any) {}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryTransport repeats requests as [Retry] says. It sits below
// go-github, so the client only ever sees the last answer.
type retryTransport struct {
	base  http.RoundTripper
	retry Retry
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		try := req
		if attempt > 1 {
			try = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				try.Body = body
			}
		}
		resp, err := t.base.RoundTrip(try)
		var wait time.Duration
		var why string
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			why, wait = "no answer", t.backoff(attempt)
		} else {
			why, wait = t.classify(resp, attempt)
			if why == "" {
				return resp, nil
			}
		}
		rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if attempt >= t.retry.Attempts || wait > t.retry.MaxWait || !rewindable {
			if err == nil && wait > t.retry.MaxWait {
				t.retry.Log("github: %s %s: %s; not waiting %s for it (more than %s)", req.Method, req.URL.Path, why, wait, t.retry.MaxWait)
			}
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		t.retry.Log("github: %s %s: %s; retrying in %s (attempt %d of %d)", req.Method, req.URL.Path, why, wait, attempt+1, t.retry.Attempts)
		if err := t.retry.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// classify says why resp should be retried and after how long; "" means
// it is the answer.
func (t *retryTransport) classify(resp *http.Response, attempt int) (string, time.Duration) {
	status := fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	retryAfter, hasRetryAfter := t.retryAfter(resp.Header)
	switch {
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		switch {
		case hasRetryAfter:
			return status + " (rate limited)", retryAfter
		case resp.Header.Get("X-RateLimit-Remaining") == "0":
			if reset, ok := t.resetIn(resp.Header); ok {
				return status + " (rate limit exhausted)", reset
			}
			return status + " (rate limit exhausted)", t.backoff(attempt)
		case resp.StatusCode == http.StatusTooManyRequests:
			return status, t.backoff(attempt)
		case mentionsSecondaryLimit(resp):
			return status + " (secondary rate limit)", secondaryWait
		}
		return "", 0
	case resp.StatusCode >= 500:
		if hasRetryAfter {
			return status, retryAfter
		}
		return status, t.backoff(attempt)
	}
	return "", 0
}

func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.retry.Base
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func (t *retryTransport) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(t.retry.Now()), 0), true
	}
	return 0, false
}

// resetIn reads X-RateLimit-Reset (epoch seconds) as a wait from now.
func (t *retryTransport) resetIn(h http.Header) (time.Duration, bool) {
	n, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err != nil {
		return 0, false
	}
	// A second more, as GitHub's clocks and ours differ by up to one.
	return max(time.Unix(n, 0).Sub(t.retry.Now()), 0) + time.Second, true
}

// mentionsSecondaryLimit peeks at a 403's message for the secondary rate
// limit, leaving the body readable for go-github.
func mentionsSecondaryLimit(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return false
	}
	return strings.Contains(strings.ToLower(string(b)), "secondary rate limit")
}
