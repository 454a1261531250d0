// Package githubtest is an in-process GitHub REST API for tests: the parts
// platc uses (check runs with annotations, issue comments, the token's
// user, users and teams, deployment environments with required reviewers,
// pagination through Link headers), validating request bodies as
// GitHub does and keeping state, with faults (rate limits, server errors,
// refusals, redirects to another host) that a test queues up.
package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Bot is the login comments are created under by default, as GITHUB_TOKEN's
// are.
const Bot = "github-actions[bot]"

// Config shapes a server.
type Config struct {
	// Token is the only token accepted (Authorization: Bearer or token).
	Token string
	// Repository is the one "owner/name" that exists.
	Repository string
	// DefaultPerPage is the page size when a request names none (GitHub's
	// 30); at most 100 are ever returned.
	DefaultPerPage int
	// User is the login the token belongs to, which comments are created
	// under (default [Bot]). GET /user answers a person's token with its
	// login, and a bot's (a login ending in "[bot]": GITHUB_TOKEN, a
	// GitHub App's installation token) with 403 "Resource not accessible
	// by integration", as GitHub does.
	User string
	// Users are the logins of the users that exist (GET /users/{login}),
	// and Teams the "org/slug" of the teams (GET /orgs/{org}/teams/{slug}):
	// who may be made an environment's required reviewer.
	Users []string
	Teams []string
}

// Server is a fake GitHub API. Its URL serves the API both at the root
// (like api.github.com) and under /api/v3 (like GitHub Enterprise Server).
type Server struct {
	URL string
	cfg Config
	srv *httptest.Server

	mu        sync.Mutex
	nextID    int64
	checkRuns []*CheckRun
	comments  []*Comment
	// environments are the repository's deployment environments.
	environments []*Environment
	faults       []*Fault
	otherHost    *OtherHost

	// logMu guards requests apart from mu: a request is logged while a
	// handler holding mu writes its answer.
	logMu    sync.Mutex
	requests []Request
}

// CheckRun is a check run as the server holds it.
type CheckRun struct {
	ID         int64
	Name       string
	HeadSHA    string
	Status     string
	Conclusion string
	DetailsURL string
	Title      string
	Summary    string
	Text       string
	// Annotations accumulate over create and updates, as on GitHub.
	Annotations []Annotation
	// Batches is the number of annotations of each request that carried
	// any.
	Batches []int
	// Writes counts the create and update requests accepted.
	Writes int
}

// Annotation is one annotation of a check run.
type Annotation struct {
	Path        string `json:"path"`
	StartLine   int    `json:"start_line"`
	EndLine     int    `json:"end_line"`
	StartColumn *int   `json:"start_column,omitempty"`
	EndColumn   *int   `json:"end_column,omitempty"`
	Level       string `json:"annotation_level"`
	Message     string `json:"message"`
	Title       string `json:"title,omitempty"`
	RawDetails  string `json:"raw_details,omitempty"`
}

// Comment is an issue (pull request) comment.
type Comment struct {
	ID    int64
	Issue int
	User  string
	Body  string
	// Edits counts the accepted edits.
	Edits int
}

// Request is one request the server answered.
type Request struct {
	Method string
	// Path is without the /api/v3 prefix and the query.
	Path   string
	Query  string
	Status int
}

func (r Request) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return fmt.Sprintf("%s %d", s, r.Status)
}

// Fault is an answer the server gives instead of handling a request.
type Fault struct {
	// Method and Path select requests: the method, and a substring of the
	// path (without /api/v3 and the query).
	Method string
	Path   string
	// Times is how many matching requests get the fault (default 1).
	Times int
	// Status, Header and Message make the answer; Message becomes
	// {"message": …} as GitHub writes it.
	Status  int
	Header  http.Header
	Message string
	// RedirectTo, when set, makes the answer a redirect (Status, default
	// 307 Temporary Redirect) to this URL followed by the request's own
	// path and query, as a moved API or a hostile proxy would send.
	RedirectTo string
}

// RateLimited is the answer GitHub gives when the primary rate limit is
// spent, asking the client to come back after retryAfter seconds.
func RateLimited(method, path string, retryAfter int) Fault {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", "0")
	h.Set("Retry-After", strconv.Itoa(retryAfter))
	return Fault{Method: method, Path: path, Status: http.StatusForbidden, Header: h,
		Message: "API rate limit exceeded for installation ID 1."}
}

// Redirect is an answer that sends the client to the same path on the
// server at to, keeping the method and body (307 Temporary Redirect).
func Redirect(method, path, to string) Fault {
	return Fault{Method: method, Path: path, Status: http.StatusTemporaryRedirect, RedirectTo: to}
}

// New starts a server; Close stops it.
func New(cfg Config) *Server {
	if cfg.DefaultPerPage <= 0 {
		cfg.DefaultPerPage = 30
	}
	if cfg.User == "" {
		cfg.User = Bot
	}
	s := &Server{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /repos/{owner}/{repo}/check-runs", s.createCheckRun)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/check-runs/{id}", s.updateCheckRun)
	mux.HandleFunc("GET /repos/{owner}/{repo}/check-runs/{id}", s.getCheckRun)
	mux.HandleFunc("GET /repos/{owner}/{repo}/check-runs/{id}/annotations", s.listAnnotations)
	mux.HandleFunc("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", s.listCheckRuns)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.listComments)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.editComment)
	mux.HandleFunc("GET /user", s.getUser)
	s.environmentRoutes(mux)
	// The URL is set before the server starts: handlers read it, and the
	// race detector cannot see a request arriving over a socket as
	// ordered after an assignment made once the server was serving.
	s.srv = httptest.NewUnstartedServer(s.front(mux))
	s.URL = "http://" + s.srv.Listener.Addr().String()
	s.srv.Start()
	return s
}

// Close shuts the server down, and its [OtherHost] if it started one.
func (s *Server) Close() {
	s.srv.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.otherHost != nil {
		s.otherHost.srv.Close()
	}
}

// User is the login the token belongs to.
func (s *Server) User() string { return s.cfg.User }

// OtherHost returns a server on another host than s (another port of the
// loopback address: an origin of its own), started on first use and closed
// with s, for a [Redirect] to send clients to.
func (s *Server) OtherHost() *OtherHost {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.otherHost == nil {
		s.otherHost = newOtherHost()
	}
	return s.otherHost
}

// OtherHost is a host that is not the API. It answers every request 401,
// as a host wanting credentials of its own would, and records what it was
// sent, headers included, so that a test can tell whether a client handed
// it the API's token.
type OtherHost struct {
	URL string
	srv *httptest.Server

	mu       sync.Mutex
	requests []OtherRequest
}

// OtherRequest is one request an [OtherHost] received.
type OtherRequest struct {
	Method string
	// Path is the path and query as sent.
	Path   string
	Header http.Header
}

func newOtherHost() *OtherHost {
	h := &OtherHost{}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h.mu.Lock()
		h.requests = append(h.requests, OtherRequest{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone()})
		h.mu.Unlock()
		writeError(w, http.StatusUnauthorized, "Requires authentication")
	}))
	h.URL = "http://" + h.srv.Listener.Addr().String()
	h.srv.Start()
	return h
}

// Requests returns the requests received so far.
func (h *OtherHost) Requests() []OtherRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]OtherRequest, len(h.requests))
	for i, r := range h.requests {
		out[i] = r
		out[i].Header = r.Header.Clone()
	}
	return out
}

// Fail queues a fault; faults are matched in the order they were queued.
func (s *Server) Fail(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// AddComment adds a comment as someone else would, and returns its ID.
func (s *Server) AddComment(issue int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.comments = append(s.comments, &Comment{ID: s.nextID, Issue: issue, User: user, Body: body})
	return s.nextID
}

// CheckRuns returns copies of the check runs, oldest first.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CheckRun, len(s.checkRuns))
	for i, r := range s.checkRuns {
		out[i] = *r
		out[i].Annotations = slices.Clone(r.Annotations)
		out[i].Batches = slices.Clone(r.Batches)
	}
	return out
}

// Comments returns copies of an issue's comments, oldest first.
func (s *Server) Comments(issue int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Issue == issue {
			out = append(out, *c)
		}
	}
	return out
}

// Requests returns the requests answered so far.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return slices.Clone(s.requests)
}

// statusWriter remembers the status a handler wrote.
// statusWriter logs a request as its response starts, before the client
// can have read it: a test that looks at Requests after its call returns
// then sees every request the call made.
type statusWriter struct {
	http.ResponseWriter
	status int
	logged bool
	log    func(status int)
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.record()
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.record()
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) record() {
	if !w.logged {
		w.logged = true
		w.log(w.status)
	}
}

// front strips /api/v3, logs, authenticates, checks the repository and
// answers queued faults before the API proper.
func (s *Server) front(api http.Handler) http.Handler {
	repoPath := regexp.MustCompile(`^/repos/([^/]+)/([^/]+)(/|$)`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asSent := r.URL.RequestURI()
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/api/v3")
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK, log: func(status int) {
			s.logMu.Lock()
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status})
			s.logMu.Unlock()
		}}
		defer sw.record() // a handler that wrote nothing
		w = sw
		auth := r.Header.Get("Authorization")
		if s.cfg.Token == "" || (auth != "Bearer "+s.cfg.Token && auth != "token "+s.cfg.Token) {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		if f := s.fault(r); f != nil {
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			if f.RedirectTo != "" {
				status := f.Status
				if status == 0 {
					status = http.StatusTemporaryRedirect
				}
				w.Header().Set("Location", strings.TrimSuffix(f.RedirectTo, "/")+asSent)
				writeError(w, status, f.Message)
				return
			}
			writeError(w, f.Status, f.Message)
			return
		}
		if r.URL.Path == "/user" || strings.HasPrefix(r.URL.Path, "/users/") || strings.HasPrefix(r.URL.Path, "/orgs/") {
			api.ServeHTTP(w, r)
			return
		}
		m := repoPath.FindStringSubmatch(r.URL.Path)
		if m == nil || m[1]+"/"+m[2] != s.cfg.Repository {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		api.ServeHTTP(w, r)
	})
}

func (s *Server) fault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && strings.Contains(r.URL.Path, f.Path) {
			f.Times--
			if f.Times <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return f
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

// validation is a 422 Validation Failed answer.
type validation []map[string]string

func (v *validation) add(resource, field, code, msg string) {
	*v = append(*v, map[string]string{"resource": resource, "field": field, "code": code, "message": msg})
}

func (v validation) write(w http.ResponseWriter) bool {
	if len(v) == 0 {
		return false
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "errors": v, "documentation_url": "https://docs.github.com/rest",
	})
	return true
}

// decode reads a JSON body; a body that is not JSON is a 400, as on GitHub.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// checkRunBody is a create or update request.
type checkRunBody struct {
	Name        *string `json:"name"`
	HeadSHA     *string `json:"head_sha"`
	DetailsURL  *string `json:"details_url"`
	Status      *string `json:"status"`
	Conclusion  *string `json:"conclusion"`
	CompletedAt *string `json:"completed_at"`
	Output      *struct {
		Title       *string           `json:"title"`
		Summary     *string           `json:"summary"`
		Text        *string           `json:"text"`
		Annotations []json.RawMessage `json:"annotations"`
	} `json:"output"`
}

var (
	statuses    = []string{"queued", "in_progress", "completed"}
	conclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"}
	levels      = []string{"notice", "warning", "failure"}
	shaRE       = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// validate checks a check-run body as GitHub does and returns its
// annotations.
func (b *checkRunBody) validate(create bool, v *validation) []Annotation {
	const res = "CheckRun"
	if create {
		if b.Name == nil || *b.Name == "" {
			v.add(res, "name", "missing_field", "name is required")
		}
		if b.HeadSHA == nil || !shaRE.MatchString(*b.HeadSHA) {
			v.add(res, "head_sha", "invalid", "No commit found for SHA: "+deref(b.HeadSHA))
		}
	} else if b.Name != nil && *b.Name == "" {
		v.add(res, "name", "invalid", "name cannot be blank")
	}
	if b.Status != nil && !slices.Contains(statuses, *b.Status) {
		v.add(res, "status", "invalid", fmt.Sprintf("status %q is not one of %s", *b.Status, strings.Join(statuses, ", ")))
	}
	if b.Conclusion != nil && !slices.Contains(conclusions, *b.Conclusion) {
		v.add(res, "conclusion", "invalid", fmt.Sprintf("conclusion %q is not one of %s", *b.Conclusion, strings.Join(conclusions, ", ")))
	}
	if b.Status != nil && *b.Status == "completed" && b.Conclusion == nil {
		v.add(res, "conclusion", "missing_field", "conclusion is required when status is completed")
	}
	if b.Output == nil {
		return nil
	}
	o := b.Output
	if o.Title == nil {
		v.add(res, "output.title", "missing_field", "output.title is required")
	}
	if o.Summary == nil {
		v.add(res, "output.summary", "missing_field", "output.summary is required")
	} else if n := utf8.RuneCountInString(*o.Summary); n > 65535 {
		v.add(res, "output.summary", "too_long", fmt.Sprintf("output.summary is too long (%d characters; the maximum is 65535)", n))
	}
	if o.Text != nil && utf8.RuneCountInString(*o.Text) > 65535 {
		v.add(res, "output.text", "too_long", "output.text is too long (the maximum is 65535 characters)")
	}
	if len(o.Annotations) > 50 {
		v.add(res, "output.annotations", "too_many", fmt.Sprintf("only 50 annotations are allowed per request, got %d", len(o.Annotations)))
		return nil
	}
	var out []Annotation
	for i, raw := range o.Annotations {
		var fields map[string]json.RawMessage
		var a Annotation
		if json.Unmarshal(raw, &fields) != nil || json.Unmarshal(raw, &a) != nil {
			v.add(res, fmt.Sprintf("output.annotations[%d]", i), "invalid", "annotation is not an object of the documented fields")
			continue
		}
		field := func(name string) string { return fmt.Sprintf("output.annotations[%d].%s", i, name) }
		for _, req := range []string{"path", "start_line", "end_line", "annotation_level", "message"} {
			if _, ok := fields[req]; !ok {
				v.add(res, field(req), "missing_field", req+" is required")
			}
		}
		if !slices.Contains(levels, a.Level) {
			v.add(res, field("annotation_level"), "invalid", fmt.Sprintf("annotation_level %q is not one of notice, warning, failure", a.Level))
		}
		if a.StartLine < 1 || a.EndLine < a.StartLine {
			v.add(res, field("start_line"), "invalid", fmt.Sprintf("lines %d-%d are not a range of lines", a.StartLine, a.EndLine))
		}
		if (a.StartColumn != nil || a.EndColumn != nil) && a.StartLine != a.EndLine {
			v.add(res, field("start_column"), "invalid", "start_column and end_column are only allowed when start_line equals end_line")
		}
		if a.Path == "" || strings.HasPrefix(a.Path, "/") || strings.Contains(a.Path, "\\") {
			v.add(res, field("path"), "invalid", fmt.Sprintf("path %q must be relative to the repository root, with forward slashes", a.Path))
		}
		if len(a.Message) > 64<<10 || len(a.RawDetails) > 64<<10 {
			v.add(res, field("message"), "too_long", "message and raw_details are limited to 64 KB")
		}
		if utf8.RuneCountInString(a.Title) > 255 {
			v.add(res, field("title"), "too_long", "title is limited to 255 characters")
		}
		out = append(out, a)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// apply writes an accepted body into the run.
func (cr *CheckRun) apply(b *checkRunBody, anns []Annotation) {
	if b.Name != nil {
		cr.Name = *b.Name
	}
	if b.DetailsURL != nil {
		cr.DetailsURL = *b.DetailsURL
	}
	if b.Status != nil {
		cr.Status = *b.Status
	}
	if b.Conclusion != nil {
		cr.Conclusion = *b.Conclusion
		cr.Status = "completed"
	}
	if b.Output != nil {
		cr.Title = deref(b.Output.Title)
		cr.Summary = deref(b.Output.Summary)
		cr.Text = deref(b.Output.Text)
		if len(anns) > 0 {
			cr.Annotations = append(cr.Annotations, anns...)
			cr.Batches = append(cr.Batches, len(anns))
		}
	}
	cr.Writes++
}

func (s *Server) checkRunJSON(r *http.Request, cr *CheckRun) map[string]any {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	out := map[string]any{
		"id":         cr.ID,
		"name":       cr.Name,
		"head_sha":   cr.HeadSHA,
		"status":     cr.Status,
		"url":        fmt.Sprintf("%s/repos/%s/%s/check-runs/%d", s.URL, owner, repo, cr.ID),
		"html_url":   fmt.Sprintf("%s/%s/%s/runs/%d", s.URL, owner, repo, cr.ID),
		"conclusion": nil,
		"output": map[string]any{
			"title": cr.Title, "summary": cr.Summary, "text": cr.Text,
			"annotations_count": len(cr.Annotations),
			"annotations_url":   fmt.Sprintf("%s/repos/%s/%s/check-runs/%d/annotations", s.URL, owner, repo, cr.ID),
		},
	}
	if cr.Conclusion != "" {
		out["conclusion"] = cr.Conclusion
	}
	if cr.DetailsURL != "" {
		out["details_url"] = cr.DetailsURL
	}
	return out
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request) {
	var b checkRunBody
	if !decode(w, r, &b) {
		return
	}
	var v validation
	anns := b.validate(true, &v)
	if v.write(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	cr := &CheckRun{ID: s.nextID, HeadSHA: *b.HeadSHA, Status: "queued"}
	cr.apply(&b, anns)
	s.checkRuns = append(s.checkRuns, cr)
	writeJSON(w, http.StatusCreated, s.checkRunJSON(r, cr))
}

func (s *Server) findCheckRun(w http.ResponseWriter, r *http.Request) *CheckRun {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, cr := range s.checkRuns {
		if cr.ID == id {
			return cr
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return nil
}

func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request) {
	var b checkRunBody
	if !decode(w, r, &b) {
		return
	}
	var v validation
	anns := b.validate(false, &v)
	if v.write(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.findCheckRun(w, r)
	if cr == nil {
		return
	}
	cr.apply(&b, anns)
	writeJSON(w, http.StatusOK, s.checkRunJSON(r, cr))
}

func (s *Server) getCheckRun(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cr := s.findCheckRun(w, r); cr != nil {
		writeJSON(w, http.StatusOK, s.checkRunJSON(r, cr))
	}
}

func (s *Server) listCheckRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("filter"); f != "" && f != "latest" && f != "all" {
		var v validation
		v.add("CheckRun", "filter", "invalid", "filter must be latest or all")
		v.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var runs []*CheckRun
	for _, cr := range s.checkRuns {
		if cr.HeadSHA == r.PathValue("ref") && (q.Get("check_name") == "" || q.Get("check_name") == cr.Name) {
			runs = append(runs, cr)
		}
	}
	// Newest first, as GitHub lists them.
	slices.Reverse(runs)
	page, ok := s.paginate(w, r, len(runs))
	if !ok {
		return
	}
	items := []map[string]any{}
	for _, cr := range runs[page.from:page.to] {
		items = append(items, s.checkRunJSON(r, cr))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(runs), "check_runs": items})
}

func (s *Server) listAnnotations(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := s.findCheckRun(w, r)
	if cr == nil {
		return
	}
	page, ok := s.paginate(w, r, len(cr.Annotations))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, append([]Annotation{}, cr.Annotations[page.from:page.to]...))
}

type commentBody struct {
	Body *string `json:"body"`
}

func (b *commentBody) validate(v *validation) {
	switch {
	case b.Body == nil || *b.Body == "":
		v.add("IssueComment", "body", "missing_field", "Body can't be blank")
	case utf8.RuneCountInString(*b.Body) > 65536:
		v.add("IssueComment", "body", "custom", "Body is too long (maximum is 65536 characters)")
	}
}

func (s *Server) commentJSON(r *http.Request, c *Comment) map[string]any {
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	return map[string]any{
		"id":       c.ID,
		"body":     c.Body,
		"user":     userJSON(c.User),
		"url":      fmt.Sprintf("%s/repos/%s/%s/issues/comments/%d", s.URL, owner, repo, c.ID),
		"html_url": fmt.Sprintf("%s/%s/%s/pull/%d#issuecomment-%d", s.URL, owner, repo, c.Issue, c.ID),
	}
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || issue <= 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*Comment
	for _, c := range s.comments {
		if c.Issue == issue {
			list = append(list, c)
		}
	}
	page, ok := s.paginate(w, r, len(list))
	if !ok {
		return
	}
	items := []map[string]any{}
	for _, c := range list[page.from:page.to] {
		items = append(items, s.commentJSON(r, c))
	}
	writeJSON(w, http.StatusOK, items)
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	issue, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || issue <= 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	var b commentBody
	if !decode(w, r, &b) {
		return
	}
	var v validation
	if b.validate(&v); v.write(w) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := &Comment{ID: s.nextID, Issue: issue, User: s.cfg.User, Body: *b.Body}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusCreated, s.commentJSON(r, c))
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	var b commentBody
	if !decode(w, r, &b) {
		return
	}
	var v validation
	if b.validate(&v); v.write(w) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.comments {
		if c.ID == id {
			c.Body = *b.Body
			c.Edits++
			writeJSON(w, http.StatusOK, s.commentJSON(r, c))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// getUser answers GET /user: the token's user, unless the token is a
// bot's, which GitHub refuses to describe.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if isBot(s.cfg.User) {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
		})
		return
	}
	writeJSON(w, http.StatusOK, userJSON(s.cfg.User))
}

func isBot(login string) bool { return strings.HasSuffix(login, "[bot]") }

func userJSON(login string) map[string]any {
	kind := "User"
	if isBot(login) {
		kind = "Bot"
	}
	return map[string]any{"login": login, "type": kind}
}

type pageRange struct{ from, to int }

// paginate reads page and per_page and writes GitHub's Link header for a
// list of n items.
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n int) (pageRange, bool) {
	q := r.URL.Query()
	per := s.cfg.DefaultPerPage
	if v := q.Get("per_page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			writeError(w, http.StatusBadRequest, "per_page must be a positive number")
			return pageRange{}, false
		}
		per = min(p, 100)
	}
	page := 1
	if v := q.Get("page"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 {
			writeError(w, http.StatusBadRequest, "page must be a positive number")
			return pageRange{}, false
		}
		page = p
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		if strings.HasPrefix(r.RequestURI, "/api/v3") {
			u.Path = "/api/v3" + u.Path
		}
		lq := url.Values{}
		for k, v := range q {
			lq[k] = v
		}
		lq.Set("page", strconv.Itoa(p))
		lq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = lq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"), link(page-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from := min((page-1)*per, n)
	return pageRange{from: from, to: min(from+per, n)}, true
}

// Dump writes the state in a stable, readable form for test scripts: the
// check runs, and the comments by the token's user and any other comment
// that was edited.
func (s *Server) Dump(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "check runs: %d\n", len(s.checkRuns))
	for _, cr := range s.checkRuns {
		batches := make([]string, len(cr.Batches))
		for i, b := range cr.Batches {
			batches[i] = strconv.Itoa(b)
		}
		fmt.Fprintf(w, "check run %d %s sha=%s status=%s conclusion=%s writes=%d annotations=%d batches=%s\n",
			cr.ID, cr.Name, cr.HeadSHA, cr.Status, cr.Conclusion, cr.Writes, len(cr.Annotations), strings.Join(batches, ","))
		fmt.Fprintf(w, "  title: %s\n", cr.Title)
	}
	issues := map[int]int{}
	var order []int
	for _, c := range s.comments {
		if issues[c.Issue] == 0 {
			order = append(order, c.Issue)
		}
		issues[c.Issue]++
	}
	slices.Sort(order)
	for _, n := range order {
		fmt.Fprintf(w, "comments on #%d: %d\n", n, issues[n])
		for _, c := range s.comments {
			// Someone else's comment shows only when it was edited,
			// which the token's holder should never do.
			if c.Issue == n && (c.User == s.cfg.User || c.Edits > 0) {
				fmt.Fprintf(w, "comment %d by %s edits=%d\n", c.ID, c.User, c.Edits)
			}
		}
	}
}
