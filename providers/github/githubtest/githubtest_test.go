package githubtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/platc-dev/platc/providers/github/githubtest"
)

const sha = "0123456789abcdef0123456789abcdef01234567"

func send(t *testing.T, srv *githubtest.Server, method, path, token, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func annotations(n int, level string) string {
	var as []string
	for i := range n {
		as = append(as, fmt.Sprintf(`{"path":"a.cue","start_line":%d,"end_line":%d,"annotation_level":%q,"message":"m"}`, i+1, i+1, level))
	}
	return "[" + strings.Join(as, ",") + "]"
}

func TestValidation(t *testing.T) {
	tests := map[string]struct {
		method, path, body string
		status             int
		message            string
	}{
		"a complete check run is created": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","status":"completed","conclusion":"success","output":{"title":"t","summary":"s","annotations":` + annotations(50, "warning") + `}}`,
			201, ""},
		"51 annotations are too many": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"s","annotations":` + annotations(51, "warning") + `}}`,
			422, "only 50 annotations are allowed per request"},
		"error is no annotation level": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"s","annotations":` + annotations(1, "error") + `}}`,
			422, `annotation_level \"error\" is not one of notice, warning, failure`},
		"an annotation needs its fields": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"s","annotations":[{"path":"a.cue","start_line":1,"annotation_level":"notice"}]}}`,
			422, "end_line is required"},
		"columns only on one line": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"s","annotations":[{"path":"a.cue","start_line":1,"end_line":2,"start_column":3,"annotation_level":"notice","message":"m"}]}}`,
			422, "only allowed when start_line equals end_line"},
		"paths are relative to the repository": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"s","annotations":[{"path":"/abs/a.cue","start_line":1,"end_line":1,"annotation_level":"notice","message":"m"}]}}`,
			422, "must be relative to the repository root"},
		"completed needs a conclusion": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","status":"completed"}`,
			422, "conclusion is required when status is completed"},
		"a conclusion from the list": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","conclusion":"passed"}`,
			422, `conclusion \"passed\" is not one of`},
		"output needs a title and a summary": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"text":"x"}}`,
			422, "output.title is required"},
		"a summary of at most 65535 characters": {
			"POST", "/repos/o/r/check-runs",
			`{"name":"platc","head_sha":"` + sha + `","output":{"title":"t","summary":"` + strings.Repeat("é", 65536) + `"}}`,
			422, "output.summary is too long (65536 characters"},
		"a name and a commit": {
			"POST", "/repos/o/r/check-runs", `{"head_sha":"HEAD"}`,
			422, "name is required"},
		"JSON only": {
			"POST", "/repos/o/r/check-runs", `name=platc`,
			400, "Problems parsing JSON"},
		"a comment of 65536 characters is fine": {
			"POST", "/repos/o/r/issues/1/comments", `{"body":"` + strings.Repeat("é", 65536) + `"}`,
			201, ""},
		"one more is too long": {
			"POST", "/repos/o/r/issues/1/comments", `{"body":"` + strings.Repeat("é", 65537) + `"}`,
			422, "Body is too long (maximum is 65536 characters)"},
		"an empty comment is refused": {
			"POST", "/repos/o/r/issues/1/comments", `{"body":""}`,
			422, "Body can't be blank"},
		"another repository does not exist": {
			"POST", "/repos/o/other/issues/1/comments", `{"body":"x"}`,
			404, "Not Found"},
		"an unknown check run does not exist": {
			"PATCH", "/api/v3/repos/o/r/check-runs/99", `{"name":"platc"}`,
			404, "Not Found"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r"})
			defer srv.Close()
			status, body, _ := send(t, srv, tc.method, tc.path, "tok", tc.body)
			if status != tc.status || !strings.Contains(body, tc.message) {
				t.Errorf("got %d %s, want %d with %q", status, body, tc.status, tc.message)
			}
			if status >= 400 && (len(srv.CheckRuns()) != 0 || len(srv.Comments(1)) != 0) {
				t.Errorf("a refused request changed the state")
			}
		})
	}
}

func TestAuthAndFaults(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r"})
	defer srv.Close()
	if status, body, _ := send(t, srv, "GET", "/repos/o/r/issues/1/comments", "", ""); status != 401 || !strings.Contains(body, "Bad credentials") {
		t.Errorf("no token: %d %s", status, body)
	}
	srv.Fail(githubtest.RateLimited("GET", "/comments", 5))
	status, _, h := send(t, srv, "GET", "/repos/o/r/issues/1/comments", "tok", "")
	if status != 403 || h.Get("Retry-After") != "5" || h.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("rate limit: %d %v", status, h)
	}
	if status, _, _ := send(t, srv, "GET", "/repos/o/r/issues/1/comments", "tok", ""); status != 200 {
		t.Errorf("the fault outlived its one time: %d", status)
	}
}

func TestPaginationLinks(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r"})
	defer srv.Close()
	for i := range 65 {
		srv.AddComment(9, "someone", fmt.Sprint(i))
	}
	status, body, h := send(t, srv, "GET", "/api/v3/repos/o/r/issues/9/comments?per_page=30&page=2", "tok", "")
	var page []map[string]any
	if err := json.Unmarshal([]byte(body), &page); err != nil || status != 200 || len(page) != 30 || page[0]["body"] != "30" {
		t.Fatalf("page 2: %d %d items %v", status, len(page), err)
	}
	link := h.Get("Link")
	for _, want := range []string{
		`<` + srv.URL + `/api/v3/repos/o/r/issues/9/comments?page=3&per_page=30>; rel="next"`,
		`page=3&per_page=30>; rel="last"`,
		`page=1&per_page=30>; rel="first"`,
		`page=1&per_page=30>; rel="prev"`,
	} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %s lacks %s", link, want)
		}
	}
	_, body, h = send(t, srv, "GET", "/repos/o/r/issues/9/comments?per_page=30&page=3", "tok", "")
	if strings.Contains(h.Get("Link"), `rel="next"`) || strings.Count(body, `"id"`) != 5 {
		t.Errorf("last page: Link %s, body %s", h.Get("Link"), body)
	}
}

func TestUser(t *testing.T) {
	tests := map[string]struct {
		user    string
		status  int
		message string
	}{
		"a workflow's token cannot read its user": {"", 403, `"message":"Resource not accessible by integration"`},
		"nor can an app's":                        {"platc-reporter[bot]", 403, "Resource not accessible by integration"},
		"a person's token gets its login":         {"octocat", 200, `"login":"octocat","type":"User"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r", User: tc.user})
			defer srv.Close()
			for _, path := range []string{"/user", "/api/v3/user"} {
				if status, body, _ := send(t, srv, "GET", path, "tok", ""); status != tc.status || !strings.Contains(body, tc.message) {
					t.Errorf("%s: got %d %s, want %d with %s", path, status, body, tc.status, tc.message)
				}
			}
			if status, _, _ := send(t, srv, "GET", "/user", "", ""); status != 401 {
				t.Errorf("GET /user without a token: %d", status)
			}
			status, body, _ := send(t, srv, "POST", "/repos/o/r/issues/1/comments", "tok", `{"body":"x"}`)
			want := tc.user
			if want == "" {
				want = githubtest.Bot
			}
			if status != 201 || !strings.Contains(body, `"login":"`+want+`"`) || srv.Comments(1)[0].User != want {
				t.Errorf("comment: %d %s", status, body)
			}
		})
	}
}

func TestRedirectToTheOtherHost(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r"})
	defer srv.Close()
	other := srv.OtherHost()
	if other.URL == srv.URL || srv.OtherHost() != other {
		t.Fatalf("other host %s, API %s", other.URL, srv.URL)
	}
	srv.Fail(githubtest.Redirect("POST", "/check-runs", other.URL))
	// http.DefaultClient follows the redirect with the method and body.
	status, body, _ := send(t, srv, "POST", "/api/v3/repos/o/r/check-runs?x=1", "tok", `{"name":"n"}`)
	if status != 401 || !strings.Contains(body, "Requires authentication") {
		t.Errorf("got %d %s from the other host", status, body)
	}
	got := other.Requests()
	if len(got) != 1 || got[0].Method != "POST" || got[0].Path != "/api/v3/repos/o/r/check-runs?x=1" {
		t.Fatalf("the other host got %+v", got)
	}
	if log := srv.Requests(); len(log) != 1 || log[0].String() != "POST /repos/o/r/check-runs?x=1 307" {
		t.Errorf("the API logged %v", log)
	}
	if len(srv.CheckRuns()) != 0 {
		t.Errorf("a redirected request made a check run")
	}
}

func TestEnvironments(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r", User: "admin", Users: []string{"mei"}, Teams: []string{"o/release"}})
	defer srv.Close()
	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/users/mei", "", 200, `"id":1001,"login":"mei","type":"User"`},
		{"GET", "/users/o", "", 200, `"type":"Organization"`},
		{"GET", "/users/nobody", "", 404, "Not Found"},
		{"GET", "/orgs/o/teams/release", "", 200, `"id":2001`},
		{"GET", "/orgs/o/teams/ghosts", "", 404, "Not Found"},
		{"GET", "/repos/o/r/environments/production", "", 404, "Not Found"},
		{"PUT", "/repos/o/r/environments/production", `{"reviewers":[{"type":"User","id":1001},{"type":"Team","id":2001}],"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":false}}`, 200, `"type":"required_reviewers"`},
		{"GET", "/repos/o/r/environments/production", "", 200, `"deployment_branch_policy":{"custom_branch_policies":false,"protected_branches":true}`},
		{"PUT", "/repos/o/r/environments/production", `{"reviewers":[{"type":"User","id":42}]}`, 422, "reviewer not found"},
		{"PUT", "/repos/o/r/environments/production", `{"reviewers":[{"type":"User","id":1001},{"type":"User","id":1001}]}`, 422, "a reviewer is named twice"},
		{"PUT", "/repos/o/r/environments/production", `{"reviewers":[{"type":"Org","id":1001}]}`, 422, "each reviewer needs a type (User or Team) and an id"},
		{"PUT", "/repos/o/r/environments/production", `{"reviewers":[{},{},{},{},{},{},{}]}`, 422, "at most 6 required reviewers"},
		{"PUT", "/repos/o/r/environments/production", `{"deployment_branch_policy":{"protected_branches":true,"custom_branch_policies":true}}`, 422, "cannot both be true"},
		{"PUT", "/repos/o/r/environments/production", `{"deployment_branch_policy":{"protected_branches":true}}`, 422, "both required"},
		{"PUT", "/repos/o/r/environments/production", `{"wait_timer":50000}`, 422, "between 0 and 43200"},
		{"PUT", "/repos/o/other/environments/production", `{}`, 404, "Not Found"},
	} {
		if status, body, _ := send(t, srv, tc.method, tc.path, "tok", tc.body); status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %s: got %d %s, want %d with %s", tc.method, tc.path, tc.body, status, body, tc.status, tc.want)
		}
	}
	e, ok := srv.Environment("Production")
	if !ok || strings.Join(e.Reviewers, " ") != "@mei @o/release" || !e.ProtectedBranches || e.Writes != 1 {
		t.Errorf("environment after the refused updates: %+v %v", e, ok)
	}

	bot := githubtest.New(githubtest.Config{Token: "tok", Repository: "o/r"})
	defer bot.Close()
	if status, body, _ := send(t, bot, "PUT", "/repos/o/r/environments/production", "tok", `{}`); status != 403 || !strings.Contains(body, "Resource not accessible by integration") {
		t.Errorf("a workflow's token set an environment: %d %s", status, body)
	}
}
