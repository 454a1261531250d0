package github_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/providers/github"
	"github.com/platc-dev/platc/providers/github/githubtest"
)

const (
	token = "ghs_secretTOKENvalue0123456789"
	repo  = "acme/platform"
	sha   = "0123456789abcdef0123456789abcdef01234567"
)

// sleeps records the waits of the retry policy instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func newServer(t *testing.T) *githubtest.Server {
	t.Helper()
	srv := githubtest.New(githubtest.Config{Token: token, Repository: repo})
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, srv *githubtest.Server, mod func(*github.Config)) (*github.Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	// The fake's token is a workflow's, which cannot read its own user.
	cfg := github.Config{Token: token, APIURL: srv.URL, Repository: repo, CommentAuthor: githubtest.Bot}
	cfg.Retry.Sleep = sl.sleep
	if mod != nil {
		mod(&cfg)
	}
	c, err := github.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

// findings makes n findings of severity sev in one file, one per line.
func findings(n int, sev diag.Severity) diag.Diagnostics {
	var ds diag.Diagnostics
	for i := range n {
		ds = append(ds, diag.Diagnostic{
			Severity: sev, Rule: "gpu-pool-fit", Path: fmt.Sprintf("teams.t%d", i),
			Message: fmt.Sprintf("team t%d reserves more GPUs than the pool has", i),
			Pos:     diag.Pos{File: "spec/teams.cue", Line: i + 1, Column: 2},
		})
	}
	return ds
}

func TestPublishCreatesThenUpdatesTheSameCheckRunAndComment(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	ctx := context.Background()
	r := github.Report{SHA: sha, PullRequest: 42, Findings: findings(3, diag.Error), Subject: "spec"}

	first, err := c.Publish(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !first.CheckRun.Created || first.CheckRun.Conclusion != github.Failure || first.CheckRun.Sent != 3 || first.Comment.Action != "created" {
		t.Fatalf("first publish: %+v %+v", first.CheckRun, first.Comment)
	}

	r.Findings = append(r.Findings, findings(4, diag.Error)[3])
	second, err := c.Publish(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if second.CheckRun.Created || second.CheckRun.ID != first.CheckRun.ID || second.Comment.ID != first.Comment.ID {
		t.Fatalf("second publish made new objects: %+v %+v", second.CheckRun, second.Comment)
	}
	if second.CheckRun.Sent != 1 || second.CheckRun.Annotations != 4 || second.Comment.Action != "updated" {
		t.Fatalf("second publish: %+v %+v", second.CheckRun, second.Comment)
	}

	runs := srv.CheckRuns()
	if len(runs) != 1 || len(runs[0].Annotations) != 4 || runs[0].Title != "4 errors, 0 warnings" {
		t.Fatalf("check runs: %+v", runs)
	}
	comments := srv.Comments(42)
	if len(comments) != 1 || comments[0].Edits != 1 || !strings.HasPrefix(comments[0].Body, github.Marker("platc")) {
		t.Fatalf("comments: %+v", comments)
	}

	// The same report again changes nothing: no annotation, no edit.
	third, err := c.Publish(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if third.CheckRun.Sent != 0 || third.Comment.Action != "unchanged" || len(srv.CheckRuns()[0].Annotations) != 4 {
		t.Fatalf("third publish: %+v %+v", third.CheckRun, third.Comment)
	}
}

func TestAnnotationsGoInBatchesOfFifty(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, Findings: findings(120, diag.Warning)})
	if err != nil {
		t.Fatal(err)
	}
	runs := srv.CheckRuns()
	if diff := cmp.Diff([]int{50, 50, 20}, runs[0].Batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if res.CheckRun.Requests != 3 || res.Comment != nil || runs[0].Conclusion != "neutral" {
		t.Errorf("result %+v, run %+v", res.CheckRun, runs[0])
	}
	var methods []string
	for _, rq := range srv.Requests() {
		if strings.HasSuffix(rq.Path, "/check-runs") || strings.Contains(rq.Path, "/check-runs/") {
			methods = append(methods, rq.Method)
		}
	}
	if diff := cmp.Diff([]string{"GET", "POST", "PATCH", "PATCH"}, methods); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	a := runs[0].Annotations[0]
	if a.Path != "spec/teams.cue" || a.StartLine != 1 || a.EndLine != 1 || a.Level != "warning" || a.Title != "gpu-pool-fit" {
		t.Errorf("first annotation: %+v", a)
	}
}

func TestConclusion(t *testing.T) {
	info := diag.Diagnostic{Severity: diag.Info, Rule: "r", Message: "m", Pos: diag.Pos{File: "a.cue", Line: 3}}
	tests := map[string]struct {
		ds         diag.Diagnostics
		failOnWarn bool
		want       github.Conclusion
	}{
		"no findings succeed":                      {want: github.Success},
		"notes alone succeed":                      {ds: diag.Diagnostics{info}, want: github.Success},
		"warnings alone are neutral":               {ds: findings(2, diag.Warning), want: github.Neutral},
		"warnings fail with fail-on-warn":          {ds: findings(2, diag.Warning), failOnWarn: true, want: github.Failure},
		"an error fails":                           {ds: append(findings(1, diag.Error), info), want: github.Failure},
		"an error fails whatever the warnings say": {ds: append(findings(1, diag.Error), findings(3, diag.Warning)...), want: github.Failure},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := github.ConclusionOf(tc.ds, tc.failOnWarn); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			srv := newServer(t)
			c, _ := newClient(t, srv, nil)
			if _, err := c.Publish(context.Background(), github.Report{SHA: sha, Findings: tc.ds, FailOnWarn: tc.failOnWarn}); err != nil {
				t.Fatal(err)
			}
			if got := srv.CheckRuns()[0].Conclusion; got != string(tc.want) {
				t.Errorf("server has %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAnnotationLevels(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	ds := diag.Diagnostics{
		{Severity: diag.Error, Rule: "e", Message: "bad", Hint: "fix it", Path: "teams.a", Pos: diag.Pos{File: "a.cue", Line: 4, Column: 2},
			Related: []diag.Pos{{File: "b.cue", Line: 9, Column: 1}}},
		{Severity: diag.Warning, Rule: "w", Message: "meh", Pos: diag.Pos{File: "a.cue", Line: 7}},
		{Severity: diag.Info, Rule: "i", Message: "fyi", Pos: diag.Pos{File: "a.cue"}},
		{Severity: diag.Error, Rule: "required", Message: "no platform"},
	}
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, Findings: ds})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.CheckRuns()[0]
	want := []githubtest.Annotation{
		{Path: "a.cue", StartLine: 4, EndLine: 4, Level: "failure", Message: "bad\nhint: fix it", Title: "e", RawDetails: "spec path: teams.a\nsee also: b.cue:9:1"},
		{Path: "a.cue", StartLine: 7, EndLine: 7, Level: "warning", Message: "meh", Title: "w"},
		{Path: "a.cue", StartLine: 1, EndLine: 1, Level: "notice", Message: "fyi", Title: "i"},
	}
	if diff := cmp.Diff(want, got.Annotations); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
	if res.CheckRun.Annotations != 3 || !strings.Contains(got.Summary, "1 finding has no position in a file") ||
		!strings.Contains(got.Text, "`required` at `-`: no platform") {
		t.Errorf("summary %q\ntext %q", got.Summary, got.Text)
	}
}

func TestAnnotationsAreCapped(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, func(cfg *github.Config) { cfg.MaxAnnotations = 60 })
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, Findings: findings(100, diag.Error)})
	if err != nil {
		t.Fatal(err)
	}
	run := srv.CheckRuns()[0]
	if len(run.Annotations) != 60 || res.CheckRun.LeftOut != 40 {
		t.Fatalf("%d annotations, %d left out", len(run.Annotations), res.CheckRun.LeftOut)
	}
	if !strings.Contains(run.Summary, "Annotations stop at 60: 40 more findings are not annotated") {
		t.Errorf("summary does not say it capped:\n%s", run.Summary)
	}
}

func TestStaleAnnotationsAreCounted(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Publish(ctx, github.Report{SHA: sha, Findings: findings(3, diag.Error)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, github.Report{SHA: sha, Findings: findings(1, diag.Error)}); err != nil {
		t.Fatal(err)
	}
	run := srv.CheckRuns()[0]
	if len(run.Annotations) != 3 || !strings.Contains(run.Summary, "2 annotations from an earlier report on this commit no longer apply") {
		t.Errorf("%d annotations, summary:\n%s", len(run.Annotations), run.Summary)
	}
}

func TestRateLimitIsRetriedAfterRetryAfter(t *testing.T) {
	srv := newServer(t)
	srv.Fail(githubtest.RateLimited("POST", "/check-runs", 7))
	var logged []string
	c, sl := newClient(t, srv, func(cfg *github.Config) {
		cfg.Retry.Log = func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
	})
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha, Findings: findings(1, diag.Error)}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second}, sl.got()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if len(srv.CheckRuns()) != 1 {
		t.Errorf("%d check runs after the retry", len(srv.CheckRuns()))
	}
	if len(logged) != 1 || !strings.Contains(logged[0], "403 Forbidden (rate limited); retrying in 7s (attempt 2 of 5)") {
		t.Errorf("log: %q", logged)
	}
	for _, l := range logged {
		if strings.Contains(l, token) {
			t.Errorf("the log shows the token: %s", l)
		}
	}
}

func TestRetryWaits(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	header := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := map[string]struct {
		faults []githubtest.Fault
		want   []time.Duration
		status int // of the error, 0 when the publish succeeds
	}{
		"a spent rate limit waits until its reset, and a second more": {
			faults: []githubtest.Fault{{Status: 403, Message: "API rate limit exceeded",
				Header: header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(now.Unix()+30))}},
			want: []time.Duration{31 * time.Second},
		},
		"429 without headers backs off": {
			faults: []githubtest.Fault{{Status: 429, Message: "Too Many Requests"}},
			want:   []time.Duration{time.Second},
		},
		"the secondary rate limit waits a minute": {
			faults: []githubtest.Fault{{Status: 403, Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}},
			want:   []time.Duration{time.Minute},
		},
		"server errors back off exponentially": {
			faults: []githubtest.Fault{{Status: 502, Times: 3, Message: "Server Error"}},
			want:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		"a server error's Retry-After wins": {
			faults: []githubtest.Fault{{Status: 503, Message: "Unavailable", Header: header("Retry-After", "3")}},
			want:   []time.Duration{3 * time.Second},
		},
		"server errors give up after five attempts": {
			faults: []githubtest.Fault{{Status: 500, Times: 9, Message: "Server Error"}},
			want:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			status: 500,
		},
		"a rate limit longer than MaxWait is reported, not waited out": {
			faults: []githubtest.Fault{{Status: 403, Message: "API rate limit exceeded",
				Header: header("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", fmt.Sprint(now.Unix()+3600))}},
			status: 403,
		},
		"a 403 that is no rate limit is not retried": {
			faults: []githubtest.Fault{{Status: 403, Message: "Resource not accessible by integration"}},
			status: 403,
		},
		"a validation failure is not retried": {
			faults: []githubtest.Fault{{Status: 422, Message: "Validation Failed"}},
			status: 422,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			for _, f := range tc.faults {
				f.Method, f.Path = "POST", "/check-runs"
				srv.Fail(f)
			}
			c, sl := newClient(t, srv, func(cfg *github.Config) { cfg.Retry.Now = func() time.Time { return now } })
			_, err := c.Publish(context.Background(), github.Report{SHA: sha})
			if diff := cmp.Diff(tc.want, sl.got()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			var ae *github.APIError
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("publish: %v", err)
			case tc.status != 0 && !errors.As(err, &ae):
				t.Fatalf("want an API error %d, got %v", tc.status, err)
			case tc.status != 0 && ae.Status != tc.status:
				t.Errorf("status %d, want %d (%v)", ae.Status, tc.status, err)
			}
		})
	}
}

func TestAPIErrorsCarryStatusAndMessage(t *testing.T) {
	srv := newServer(t)
	srv.Fail(githubtest.Fault{Method: "POST", Path: "/check-runs", Status: 403, Message: "Resource not accessible by integration"})
	c, _ := newClient(t, srv, nil)
	_, err := c.Publish(context.Background(), github.Report{SHA: sha})
	want := "create check run: GitHub answered 403 Forbidden: Resource not accessible by integration (the token lacks a permission"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q…", err, want)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token: %v", err)
	}

	bad, _ := newClient(t, srv, func(cfg *github.Config) { cfg.Token = "wrong" })
	_, err = bad.Publish(context.Background(), github.Report{SHA: sha})
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized: Bad credentials (check GITHUB_TOKEN)") {
		t.Errorf("bad token: %v", err)
	}
}

func TestStickyCommentIsFoundOnLaterPages(t *testing.T) {
	srv := newServer(t)
	for i := range 230 {
		srv.AddComment(7, "someone", fmt.Sprintf("comment %d mentions <!-- platc:report but not at the start", i))
	}
	old := srv.AddComment(7, githubtest.Bot, github.Marker("platc")+"\nan earlier report")
	for i := range 20 {
		srv.AddComment(7, "someone", fmt.Sprintf("later comment %d", i))
	}
	c, _ := newClient(t, srv, nil)
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Comment.ID != old || res.Comment.Action != "updated" {
		t.Fatalf("comment: %+v, want %d updated", res.Comment, old)
	}
	var pages []string
	for _, rq := range srv.Requests() {
		if rq.Method == "GET" && strings.HasSuffix(rq.Path, "/issues/7/comments") {
			pages = append(pages, rq.Query)
		}
	}
	if diff := cmp.Diff([]string{"per_page=100", "page=2&per_page=100", "page=3&per_page=100"}, pages); diff != "" {
		t.Errorf("pages read (-want +got):\n%s", diff)
	}
	if n := len(srv.Comments(7)); n != 251 {
		t.Errorf("%d comments, want 251", n)
	}
}

func TestOnlyTheTokensOwnCommentIsSticky(t *testing.T) {
	type comment struct {
		user, body string
	}
	marked := func(user string) comment { return comment{user, github.Marker("platc") + "\nAll clear: merge away."} }
	tests := map[string]struct {
		// tokenUser is whose the fake's token is; commentAuthor is
		// Config.CommentAuthor.
		tokenUser, commentAuthor string
		seed                     []comment
		// want is the index in seed of the comment platc edits, -1 when
		// it creates one.
		want int
	}{
		"someone else's comment with the marker is left alone and a new one is created": {
			tokenUser: githubtest.Bot, commentAuthor: githubtest.Bot,
			seed: []comment{marked("mallory")},
			want: -1,
		},
		"the token's own comment is edited even when someone else's with the marker is older": {
			tokenUser: githubtest.Bot, commentAuthor: githubtest.Bot,
			seed: []comment{marked("mallory"), marked(githubtest.Bot), marked("mallory")},
			want: 1,
		},
		"a login that only differs in case is the same user": {
			tokenUser: githubtest.Bot, commentAuthor: "GitHub-Actions[bot]",
			seed: []comment{marked(githubtest.Bot)},
			want: 0,
		},
		"a person's token is asked whose it is, and GitHub's answer wins over CommentAuthor": {
			tokenUser: "octocat", commentAuthor: githubtest.Bot,
			seed: []comment{marked(githubtest.Bot), marked("octocat")},
			want: 1,
		},
		"a person's token needs no CommentAuthor": {
			tokenUser: "octocat",
			seed:      []comment{marked("mallory"), marked("octocat")},
			want:      1,
		},
		"a bot that is not the token's is someone else": {
			tokenUser: "platc-reporter[bot]", commentAuthor: "platc-reporter[bot]",
			seed: []comment{marked(githubtest.Bot)},
			want: -1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := githubtest.New(githubtest.Config{Token: token, Repository: repo, User: tc.tokenUser})
			t.Cleanup(srv.Close)
			var ids []int64
			for _, cm := range tc.seed {
				ids = append(ids, srv.AddComment(4, cm.user, cm.body))
			}
			before := srv.Comments(4)
			c, _ := newClient(t, srv, func(cfg *github.Config) { cfg.CommentAuthor = tc.commentAuthor })
			res, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 4})
			if err != nil {
				t.Fatal(err)
			}
			after := srv.Comments(4)
			for i, cm := range before {
				if i == tc.want {
					continue
				}
				if diff := cmp.Diff(cm, after[i]); diff != "" {
					t.Errorf("comment %d by %s changed (-before +after):\n%s", cm.ID, cm.User, diff)
				}
			}
			if tc.want < 0 {
				if res.Comment.Action != "created" || len(after) != len(before)+1 || after[len(before)].User != tc.tokenUser {
					t.Errorf("want a new comment by %s, got %+v and comments %+v", tc.tokenUser, res.Comment, after)
				}
				return
			}
			if res.Comment.ID != ids[tc.want] || res.Comment.Action != "updated" || after[tc.want].Edits != 1 || len(after) != len(before) {
				t.Errorf("want comment %d updated, got %+v and comments %+v", ids[tc.want], res.Comment, after)
			}
		})
	}
}

func TestABotTokenWithoutCommentAuthorIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	srv := newServer(t)
	srv.AddComment(4, "mallory", github.Marker("platc")+"\nAll clear: merge away.")
	c, _ := newClient(t, srv, func(cfg *github.Config) { cfg.CommentAuthor = "" })
	_, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 4})
	if !errors.Is(err, github.ErrCommentAuthorUnknown) {
		t.Fatalf("got %v, want %v", err, github.ErrCommentAuthorUnknown)
	}
	want := "cannot tell which login the token comments as: GitHub answered 403 to GET /user (Resource not accessible by integration), as it does for a workflow's GITHUB_TOKEN and a GitHub App's token"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}
	var got []string
	for _, rq := range srv.Requests() {
		got = append(got, rq.String())
	}
	if diff := cmp.Diff([]string{"GET /user 403"}, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if cm := srv.Comments(4); len(cm) != 1 || cm[0].Edits != 0 {
		t.Errorf("comments: %+v", cm)
	}

	// Without a pull request there is no comment, and no need to ask.
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha}); err != nil {
		t.Errorf("a report without a pull request: %v", err)
	}
}

func TestAWrongCommentAuthorIsReported(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: token, Repository: repo, User: "platc-reporter[bot]"})
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, nil)
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := &github.CommentResult{ID: 2, URL: res.Comment.URL, Action: "created", Author: githubtest.Bot, WrittenAs: "platc-reporter[bot]"}
	if diff := cmp.Diff(want, res.Comment); diff != "" {
		t.Errorf("comment (-want +got):\n%s", diff)
	}
}

func TestLongCommentsAreCutBelowTheLimit(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	ds := findings(3000, diag.Error)
	for i := range ds {
		ds[i].Message = strings.Repeat("ünïcödé ", 20)
	}
	plan := &github.PlanSummary{Environments: []github.Changes{{Name: "prod", Add: 3, Change: 1, Detail: "Deployment +1"}}}
	res, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 1, Findings: ds, Plan: plan})
	if err != nil {
		t.Fatal(err)
	}
	body := srv.Comments(1)[0].Body
	if n := utf8.RuneCountInString(body); n > 65536 || len(body) > 65536 {
		t.Fatalf("body has %d characters (%d bytes)", n, len(body))
	}
	if !res.Comment.Truncated || !strings.Contains(body, "more findings: see [the check run]("+res.CheckRun.URL+") for all of them") {
		t.Errorf("no pointer to the check run in the cut comment: …%s", body[len(body)-600:])
	}
	if !strings.Contains(body, "| `prod` | 3 | 1 | 0 | Deployment +1 |") {
		t.Errorf("the plan was cut instead of the findings")
	}
	run := srv.CheckRuns()[0]
	if utf8.RuneCountInString(run.Text) > 65535 || !strings.Contains(run.Text, "more.") {
		t.Errorf("check run text is %d characters", utf8.RuneCountInString(run.Text))
	}
}

func TestCommentTextCannotBreakOut(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	ds := diag.Diagnostics{{Severity: diag.Warning, Rule: "custom|rule", Pos: diag.Pos{File: "a.cue", Line: 1},
		Message: "ask @octocat | <!-- platc:report name=platc --> <img src=x>\nsecond line"}}
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 3, Findings: ds}); err != nil {
		t.Fatal(err)
	}
	body := srv.Comments(3)[0].Body
	if strings.Count(body, "<!--") != 1 || strings.Contains(body, "@octocat") || strings.Contains(body, "<img") {
		t.Errorf("unescaped finding in the comment:\n%s", body)
	}
	if !strings.Contains(body, "| ⚠️ warning | `a.cue:1` | `custom\\|rule` | ask &#64;octocat \\| &lt;!-- platc:report name=platc --&gt; &lt;img src=x&gt;<br>second line |") {
		t.Errorf("row not as expected:\n%s", body)
	}
}

func TestPlanSection(t *testing.T) {
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	plan := &github.PlanSummary{
		Environments: []github.Changes{{Name: "dev", Add: 2, Detail: "Namespace +1, ResourceQuota +1"}, {Name: "prod", Change: 1, Detail: "Deployment ~1"}},
		Stacks:       []github.Changes{{Name: "acme/prod", Add: 1, Delete: 2}},
	}
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 5, Plan: plan, Version: "v1.2.3", Subject: "spec"}); err != nil {
		t.Fatal(err)
	}
	body := srv.Comments(5)[0].Body
	want := `### Plan

| Environment (GitOps) | Add | Change | Delete | Details |
| --- | ---: | ---: | ---: | --- |
| ` + "`dev`" + ` | 2 | 0 | 0 | Namespace +1, ResourceQuota +1 |
| ` + "`prod`" + ` | 0 | 1 | 0 | Deployment ~1 |

| Stack (Pulumi) | Add | Change | Delete | Details |
| --- | ---: | ---: | ---: | --- |
| ` + "`acme/prod`" + ` | 1 | 0 | 2 |  |
`
	if !strings.Contains(body, want) {
		t.Errorf("plan section missing; body:\n%s", body)
	}
	if !strings.Contains(body, "## ✅ platc: no findings") || !strings.Contains(body, "platc v1.2.3 checked `spec`") {
		t.Errorf("header or footer:\n%s", body)
	}
}

func TestEnterpriseAndPublicURLs(t *testing.T) {
	tests := map[string]struct{ api, want string }{
		"github.com":                  {"", "https://api.github.com/"},
		"github.com spelt out":        {"https://api.github.com", "https://api.github.com/"},
		"an enterprise server":        {"https://ghe.example.com/api/v3", "https://ghe.example.com/api/v3/"},
		"an enterprise server's host": {"https://ghe.example.com", "https://ghe.example.com/api/v3/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := github.New(github.Config{Token: token, APIURL: tc.api, Repository: repo})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(); got != tc.want {
				t.Errorf("base URL %s, want %s", got, tc.want)
			}
		})
	}
	// The fake server is reached through the enterprise client, under /api/v3.
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.BaseURL(), "/api/v3/") {
		t.Errorf("base URL %s", c.BaseURL())
	}
}

func TestBadConfigAndReports(t *testing.T) {
	for name, cfg := range map[string]github.Config{
		"no token":          {Repository: repo},
		"a bare repository": {Token: token, Repository: "platform"},
		"a nested one":      {Token: token, Repository: "a/b/c"},
		"a bad API URL":     {Token: token, Repository: repo, APIURL: "ftp://x"},
	} {
		if _, err := github.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	srv := newServer(t)
	c, _ := newClient(t, srv, nil)
	if _, err := c.Publish(context.Background(), github.Report{SHA: "HEAD"}); err == nil || !strings.Contains(err.Error(), "invalid commit SHA") {
		t.Errorf("bad SHA: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for a bad report", n)
	}
}

func TestNoAnswerIsRetried(t *testing.T) {
	srv := newServer(t)
	failing := &flakyTransport{fails: 2}
	c, sl := newClient(t, srv, func(cfg *github.Config) { cfg.HTTPClient = &http.Client{Transport: failing} })
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second}, sl.got()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if len(srv.CheckRuns()) != 1 {
		t.Errorf("%d check runs", len(srv.CheckRuns()))
	}
}

// flakyTransport drops the first requests as a broken network would.
type flakyTransport struct {
	mu    sync.Mutex
	fails int
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.fails > 0
	f.fails--
	f.mu.Unlock()
	if fail {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestRedirectsNeverCarryTheTokenToAnotherHost(t *testing.T) {
	tests := map[string]struct {
		method, path string
	}{
		"a redirected list goes to the other host without the token":      {"GET", "/check-runs"},
		"a redirected create goes to the other host without the token":    {"POST", "/check-runs"},
		"a redirected comment list goes to the other host without it too": {"GET", "/issues/9/comments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t)
			other := srv.OtherHost()
			srv.Fail(githubtest.Redirect(tc.method, tc.path, other.URL))
			c, _ := newClient(t, srv, nil)
			_, err := c.Publish(context.Background(), github.Report{SHA: sha, PullRequest: 9})
			got := other.Requests()
			if len(got) != 1 {
				t.Fatalf("the other host got %d requests, want 1 (publish: %v)", len(got), err)
			}
			if got[0].Method != tc.method || !strings.Contains(got[0].Path, tc.path) {
				t.Errorf("the other host got %s %s", got[0].Method, got[0].Path)
			}
			for k, v := range got[0].Header {
				if strings.Contains(strings.Join(v, " "), token) || strings.EqualFold(k, "Authorization") {
					t.Errorf("the other host got %s: %q", k, v)
				}
			}
			want := "GitHub redirected to " + strings.TrimPrefix(other.URL, "http://") + ", which answered 401 Unauthorized: Requires authentication (platc sends the token only to the API's host"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("publish: %v\nwant an error with %q", err, want)
			}
		})
	}
}

func TestRedirectsWithinTheAPIHostKeepTheToken(t *testing.T) {
	srv := newServer(t)
	srv.Fail(githubtest.Redirect("POST", "/check-runs", srv.URL))
	c, _ := newClient(t, srv, nil)
	if _, err := c.Publish(context.Background(), github.Report{SHA: sha}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rq := range srv.Requests() {
		got = append(got, rq.String())
	}
	want := []string{
		"GET /repos/acme/platform/commits/" + sha + "/check-runs?check_name=platc&filter=latest&per_page=100 200",
		"POST /repos/acme/platform/check-runs 307",
		"POST /repos/acme/platform/check-runs 201",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}
