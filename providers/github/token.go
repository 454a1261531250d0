package github

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// tokenTransport authenticates the requests that go to the API's origin
// (scheme, host and port) and no others: a redirect to another origin is
// followed without the token, as net/http does with an Authorization
// header set on the first request. go-github's WithAuthToken is not used
// because it sets the header in its transport, below the redirect logic
// of net/http, so every redirect would carry the token wherever it leads.
type tokenTransport struct {
	base   http.RoundTripper
	token  string
	origin string
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if origin(req.URL) == t.origin {
		req.Header.Set("Authorization", "Bearer "+t.token)
	} else {
		// Only the token is a credential here; drop an Authorization
		// header that anything above put on the request too.
		req.Header.Del("Authorization")
	}
	return t.base.RoundTrip(req)
}

// origin is u's scheme, host and port, in lower case and with the
// scheme's default port spelt out, so that two spellings of one origin
// compare equal.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// redirectedTo is the host that answered resp when redirects took the
// request away from the origin it was first sent to, and "" when they did
// not.
func redirectedTo(resp *http.Response) string {
	last := resp.Request
	if last == nil {
		return ""
	}
	first := last
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	if origin(first.URL) == origin(last.URL) {
		return ""
	}
	return last.URL.Host
}
