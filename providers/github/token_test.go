package github

import (
	"net/http"
	"net/url"
	"testing"
)

func TestTheTokenGoesOnlyToTheAPIsOrigin(t *testing.T) {
	tests := map[string]struct {
		url  string
		want bool
	}{
		"the API itself":                       {"https://api.github.com/repos/a/b", true},
		"the API with its default port":        {"https://api.github.com:443/repos/a/b", true},
		"the API's host in capitals":           {"https://API.GitHub.com/user", true},
		"the API over plain HTTP":              {"http://api.github.com/repos/a/b", false},
		"another port of the API's host":       {"https://api.github.com:8443/repos/a/b", false},
		"a subdomain of the API's host":        {"https://evil.api.github.com/repos/a/b", false},
		"a host that merely ends like the API": {"https://notapi.github.com/repos/a/b", false},
		"another host":                         {"https://attacker.example/collect", false},
	}
	api, _ := url.Parse(PublicAPI)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got http.Header
			tt := &tokenTransport{token: "tok", origin: origin(api), base: roundTripper(func(r *http.Request) (*http.Response, error) {
				got = r.Header
				return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: r}, nil
			})}
			req, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			// A header set above the transport is dropped off the API too.
			req.Header.Set("Authorization", "Bearer stale")
			if _, err := tt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			want := ""
			if tc.want {
				want = "Bearer tok"
			}
			if a := got.Get("Authorization"); a != want {
				t.Errorf("Authorization %q, want %q", a, want)
			}
			if req.Header.Get("Authorization") != "Bearer stale" {
				t.Errorf("the caller's request was modified")
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
