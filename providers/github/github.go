// Package github reports platc's results on a pull request: one check run
// with an annotation at the CUE line of each finding, and one sticky
// comment with the findings and the plan summary, edited in place on every
// push. It speaks GitHub's REST API (github.com or GitHub Enterprise
// Server) through go-github, retrying rate-limited and failed requests.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v62/github"
)

// PublicAPI is github.com's API; any other API URL is a GitHub Enterprise
// Server.
const PublicAPI = "https://api.github.com"

// Config says which repository to report to, and how.
type Config struct {
	// Token authenticates every request to the API (GITHUB_TOKEN). It is
	// sent only in the Authorization header, only to the API URL's scheme,
	// host and port (a redirect elsewhere is followed without it), and
	// never appears in errors or logs.
	Token string
	// APIURL is the REST API's root (GITHUB_API_URL); default [PublicAPI].
	APIURL string
	// Repository is "owner/name" (GITHUB_REPOSITORY).
	Repository string
	// HTTPClient sends the requests; nil means a client whose transport
	// waits at most a minute for an answer. Its transport is wrapped for
	// retries and authentication.
	HTTPClient *http.Client
	// CommentAuthor is the login the token writes comments as, for when
	// GitHub will not say: GET /user answers 403 for a workflow's
	// GITHUB_TOKEN ("github-actions[bot]") and a GitHub App's installation
	// token ("APP-SLUG[bot]"). GitHub's answer wins when it gives one. The
	// sticky comment is the oldest one by this login that carries the
	// report's marker; a marked comment by anyone else is never edited.
	CommentAuthor string
	// Retry says how refused requests are repeated.
	Retry Retry
	// MaxAnnotations caps the annotations on the check run (default 1000);
	// the summary says how many findings were left out.
	MaxAnnotations int
	// CommentLimit is the most characters the PR comment may hold
	// (default GitHub's 65,536); longer content is cut, with a pointer to
	// the check run.
	CommentLimit int
	// UserAgent names the client to GitHub (default "platc").
	UserAgent string
}

// GitHub's limits.
const (
	// annotationsPerRequest is the most annotations one create or update of
	// a check run may carry.
	annotationsPerRequest = 50
	// maxOutputChars bounds a check run's output.summary and output.text.
	maxOutputChars = 65535
	// maxCommentChars bounds an issue comment's body.
	maxCommentChars = 65536
	// maxAnnotationMessage bounds an annotation's message and raw_details
	// (64 KB), maxAnnotationTitle its title.
	maxAnnotationMessage = 64 << 10
	maxAnnotationTitle   = 255
)

func (c *Config) defaults() {
	if c.APIURL == "" {
		c.APIURL = PublicAPI
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.MaxAnnotations <= 0 {
		c.MaxAnnotations = 1000
	}
	if c.CommentLimit <= 0 || c.CommentLimit > maxCommentChars {
		c.CommentLimit = maxCommentChars
	}
	if c.UserAgent == "" {
		c.UserAgent = "platc"
	}
	c.Retry.defaults()
}

// Client reports to one repository.
type Client struct {
	cfg         Config
	owner, repo string
	api         *gh.Client
}

// New checks cfg and builds a client for it. An API URL other than
// [PublicAPI] gets go-github's enterprise client (GitHub Enterprise Server
// serves the API under /api/v3).
func New(cfg Config) (*Client, error) {
	cfg.defaults()
	if cfg.Token == "" {
		return nil, errors.New("no token")
	}
	owner, repo, ok := strings.Cut(cfg.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("invalid repository %q: want OWNER/NAME", cfg.Repository)
	}
	u, err := url.Parse(cfg.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: want an http(s) URL such as %s", cfg.APIURL, PublicAPI)
	}
	hc := *cfg.HTTPClient
	base := hc.Transport
	if base == nil {
		// A GitHub that accepts the connection and never answers would
		// hold a CI job until its own timeout: give up on the attempt
		// (and retry) after a minute without response headers.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		base = t
	}
	hc.Transport = &tokenTransport{
		base:   &retryTransport{base: base, retry: cfg.Retry},
		token:  cfg.Token,
		origin: origin(u),
	}
	api := gh.NewClient(&hc)
	if strings.TrimSuffix(cfg.APIURL, "/") != PublicAPI {
		api, err = api.WithEnterpriseURLs(cfg.APIURL, cfg.APIURL)
		if err != nil {
			return nil, fmt.Errorf("invalid API URL %q: %v", cfg.APIURL, err)
		}
	}
	api.UserAgent = cfg.UserAgent
	return &Client{cfg: cfg, owner: owner, repo: repo, api: api}, nil
}

// BaseURL is the API root requests go to.
func (c *Client) BaseURL() string { return c.api.BaseURL.String() }

// APIError is an answer from GitHub that refused a request: its status and
// GitHub's own message.
type APIError struct {
	// Op is what platc was doing ("create check run").
	Op string
	// Status is the HTTP status code.
	Status int
	// Message is GitHub's message, with the details of a validation
	// failure.
	Message string
	// Hint says what usually causes this answer, when platc knows.
	Hint string
	// RedirectedTo is the host that answered when GitHub redirected the
	// request to another host (which platc does not send the token to);
	// empty when GitHub answered.
	RedirectedTo string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: GitHub answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.RedirectedTo != "" {
		s = fmt.Sprintf("%s: GitHub redirected to %s, which answered %d %s", e.Op, e.RedirectedTo, e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// apiError classifies what go-github returned for op.
func apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		er  *gh.ErrorResponse
		rl  *gh.RateLimitError
		arl *gh.AbuseRateLimitError
	)
	ae := &APIError{Op: op}
	switch {
	case errors.As(err, &rl):
		ae.Status, ae.Message = rl.Response.StatusCode, rl.Message
		ae.Hint = fmt.Sprintf("the rate limit of %d requests resets at %s", rl.Rate.Limit, rl.Rate.Reset.UTC().Format("15:04:05 UTC"))
	case errors.As(err, &arl):
		ae.Status, ae.Message = arl.Response.StatusCode, arl.Message
		ae.Hint = "secondary rate limit"
	case errors.As(err, &er) && er.Response != nil:
		ae.Status, ae.Message = er.Response.StatusCode, er.Message
		var details []string
		for _, d := range er.Errors {
			switch {
			case d.Message != "":
				details = append(details, d.Message)
			case d.Field != "":
				details = append(details, fmt.Sprintf("%s %s %s", d.Resource, d.Field, d.Code))
			}
		}
		if len(details) > 0 {
			ae.Message += ": " + strings.Join(details, "; ")
		}
		switch {
		case ae.Status == http.StatusUnauthorized:
			ae.Hint = "check GITHUB_TOKEN"
		case ae.Status == http.StatusForbidden && strings.Contains(er.Message, "not accessible by integration"):
			ae.Hint = "the token lacks a permission: the workflow needs checks: write and pull-requests: write; pull requests from forks get a read-only token"
		case ae.Status == http.StatusNotFound:
			ae.Hint = "check GITHUB_REPOSITORY and that the token can see it"
		}
		if ae.RedirectedTo = redirectedTo(er.Response); ae.RedirectedTo != "" {
			ae.Hint = "platc sends the token only to the API's host: check GITHUB_API_URL"
		}
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
	if ae.Status == 0 {
		return fmt.Errorf("%s: %w", op, err)
	}
	return ae
}

// forEachPage calls list for page 1, 2, … until GitHub's Link header has no
// next page.
func forEachPage(ctx context.Context, list func(opts gh.ListOptions) (*gh.Response, error)) error {
	opts := gh.ListOptions{PerPage: 100}
	for {
		resp, err := list(opts)
		if err != nil {
			return err
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		if resp.NextPage <= opts.Page {
			return fmt.Errorf("pagination went backwards: page %d after %d", resp.NextPage, opts.Page)
		}
		opts.Page = resp.NextPage
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
