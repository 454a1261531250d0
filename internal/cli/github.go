package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/internal/planreport"
	"github.com/platc-dev/platc/providers/github"
)

const githubLong = `Commands that show platc's results on GitHub, and put its apply behind an approval there.`

const githubReportLong = `Report publishes a check's findings on a GitHub pull request:

  - a check run named platc (--name) on the pull request's head commit, with
    conclusion success (no findings), neutral (warnings only) or failure
    (errors, or warnings with --fail-on-warn), a summary, and an annotation
    at the file and line of each finding, sent 50 to a request and capped
    at --max-annotations (the summary says how many were left out);
  - one comment on the pull request with the findings and, with --plan, the
    changes per environment and per Pulumi stack. A hidden marker finds it
    again: later reports edit it in place and never add a second one. Long
    content is cut below GitHub's 65,536 characters, pointing to the check
    run.

The comment platc edits is the oldest one that carries the marker and was
written by the token's own login: anyone can copy the marker into a
comment of theirs, and platc never edits such a comment (it adds its own).
platc asks GitHub whose the token is (GET /user). GitHub does not say for
a workflow's GITHUB_TOKEN or a GitHub App's token; then the login is
--comment-author, else github-actions[bot] when GITHUB_ACTIONS is true
(the login GITHUB_TOKEN comments as), else the command stops before
writing anything. A GitHub App's token comments as APP-SLUG[bot]: pass
--comment-author APP-SLUG[bot], or each report adds a comment (platc warns
when the comment it created is by another login than it looked for).

A second report for the same commit updates the same check run and adds
only annotations it does not have yet. The findings come from --findings
FILE (the output of 'platc check -o json') or from checking DIR (default:
the current directory) with the same flags as platc check.

--check-run-only publishes the check run alone, on --sha or GITHUB_SHA,
for a job with no pull request: a scheduled drift check posts
'platc inventory reconcile -o json' findings (--findings) so.

The environment of a GitHub Actions job says where to report:

  GITHUB_TOKEN       the token (required; never printed)
  GITHUB_REPOSITORY  OWNER/NAME (or --repo)
  GITHUB_EVENT_PATH  the pull_request event: the PR number and head commit
                     (or --pr)
  GITHUB_SHA         the commit when the event has none (or --sha)
  GITHUB_API_URL     the API (default https://api.github.com; any other URL
                     is a GitHub Enterprise Server)
  GITHUB_ACTIONS     true in a workflow job: the comment author defaults to
                     github-actions[bot]

The token is sent to GITHUB_API_URL's scheme, host and port only. A
redirect to any other host is followed without it (and the error says
which host answered).

Requests that GitHub rate-limits or fails with a 5xx are retried with
back-off, honouring Retry-After.

Exit status: 0 when the report is published, whatever the findings (the
check run's conclusion is what blocks a merge); 2 for a missing variable,
an event that is not a pull request, an unreadable input, a check that
cannot run, or an error from GitHub (its status and message are shown).`

type githubReportOptions struct {
	check          checkOptions
	findingsFile   string
	planFile       string
	pr             int
	sha            string
	repo           string
	name           string
	maxAnnotations int
	commentAuthor  string
	// checkRunOnly publishes the check run on a commit and no comment:
	// a scheduled or push job has no pull request.
	checkRunOnly bool
}

// githubLogin is a GitHub login: a user's (letters, digits and single
// hyphens, at most 39 characters) or a bot's, which adds "[bot]".
var githubLogin = regexp.MustCompile(`^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?$`)

func (o *githubReportOptions) validate() error {
	if o.pr < 0 {
		return usageError("invalid --pr %d: want a pull request number", o.pr)
	}
	if o.name == "" || strings.ContainsAny(o.name, "\n\r<>") {
		return usageError("invalid --name %q: want a short name for the check run", o.name)
	}
	if o.maxAnnotations < 1 {
		return usageError("invalid --max-annotations %d: want at least 1", o.maxAnnotations)
	}
	if o.checkRunOnly && o.pr != 0 {
		return usageError("--check-run-only publishes no comment, so it takes no --pr")
	}
	if o.commentAuthor != "" && !githubLogin.MatchString(o.commentAuthor) {
		return usageError("invalid --comment-author %q: want a GitHub login such as github-actions[bot]", o.commentAuthor)
	}
	return nil
}

func newGitHubCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "github",
		Short: "Show results on GitHub: check runs and pull request comments",
		Long:  githubLong,
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newGitHubReportCmd(g), newGitHubEnvironmentsCmd(g))
	return cmd
}

func newGitHubReportCmd(g *globals) *cobra.Command {
	o := &githubReportOptions{}
	cmd := &cobra.Command{
		Use:   "report [DIR]",
		Short: "Publish a check run with annotations and a sticky pull request comment",
		Long:  githubReportLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.check.dir = specDir(args)
			if err := o.validate(); err != nil {
				return err
			}
			return runGitHubReport(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.findingsFile, "findings", "", "report the findings in `FILE` ('platc check -o json') instead of checking DIR")
	f.StringVar(&o.planFile, "plan", "", "add the summary of `FILE` ('platc plan -o json') to the comment")
	f.IntVar(&o.pr, "pr", 0, "pull request `NUMBER` (default: from GITHUB_EVENT_PATH)")
	f.StringVar(&o.sha, "sha", "", "commit `SHA` for the check run (default: the pull request's head, else GITHUB_SHA)")
	f.StringVar(&o.repo, "repo", "", "repository `OWNER/NAME` (default: GITHUB_REPOSITORY)")
	f.StringVar(&o.name, "name", github.DefaultName, "`NAME` of the check run, which also keys the comment")
	f.IntVar(&o.maxAnnotations, "max-annotations", 1000, "annotate at most `N` findings")
	f.BoolVar(&o.checkRunOnly, "check-run-only", false, "publish the check run on --sha or GITHUB_SHA and no comment (a scheduled or push job, such as 'inventory reconcile -o json' findings)")
	f.StringVar(&o.commentAuthor, "comment-author", "", "the `LOGIN` the token comments as, when GitHub will not say (default: github-actions[bot] when GITHUB_ACTIONS is true)")
	o.check.flags(cmd)
	return cmd
}

// githubTarget is where a report goes, from the environment and flags.
type githubTarget struct {
	token, apiURL, repo, sha string
	pr                       int
	detailsURL               string
	// commentAuthor is the login the token comments as when GitHub will
	// not say; "" when nothing says.
	commentAuthor string
}

// actionsBot is the login a workflow's GITHUB_TOKEN comments as.
const actionsBot = "github-actions[bot]"

// resolveGitHubTarget reads the environment a GitHub Actions job has,
// with the flags winning. Nothing is sent yet, so a job with a missing
// variable fails before the check runs.
func resolveGitHubTarget(g *globals, o *githubReportOptions) (*githubTarget, error) {
	env := g.cfg.Getenv
	t := &githubTarget{token: env("GITHUB_TOKEN"), apiURL: env("GITHUB_API_URL"), repo: o.repo, sha: o.sha, pr: o.pr}
	if t.token == "" {
		return nil, usageError("GITHUB_TOKEN is not set: pass the workflow's token to this step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})")
	}
	if t.repo == "" {
		t.repo = env("GITHUB_REPOSITORY")
	}
	if t.repo == "" {
		return nil, usageError("GITHUB_REPOSITORY is not set: run in GitHub Actions, set it to OWNER/NAME, or pass --repo OWNER/NAME")
	}
	if server, id := env("GITHUB_SERVER_URL"), env("GITHUB_RUN_ID"); server != "" && id != "" {
		t.detailsURL = fmt.Sprintf("%s/%s/actions/runs/%s", strings.TrimSuffix(server, "/"), t.repo, id)
	}
	if o.checkRunOnly {
		if t.sha == "" {
			t.sha = env("GITHUB_SHA")
		}
		if t.sha == "" {
			return nil, usageError("GITHUB_SHA is not set: run in GitHub Actions or pass --sha SHA")
		}
		return t, nil
	}
	var ev *prEvent
	if path := env("GITHUB_EVENT_PATH"); path != "" && (t.pr == 0 || t.sha == "") {
		var err error
		if ev, err = readPREvent(g.abs(path)); err != nil {
			if t.pr == 0 || !errors.Is(err, errNotPR) {
				return nil, fmt.Errorf("GITHUB_EVENT_PATH: %w", eventHint(err, env("GITHUB_EVENT_NAME")))
			}
			ev = nil
		}
	}
	if t.pr == 0 {
		if ev == nil {
			return nil, usageError("no pull request: GITHUB_EVENT_PATH is not set; run in a pull_request workflow or pass --pr NUMBER")
		}
		t.pr = ev.Number
	}
	if t.sha == "" && ev != nil {
		// A pull_request job's GITHUB_SHA is the merge commit GitHub made
		// for the run; a check run shows on the pull request only on its
		// head commit.
		t.sha = ev.HeadSHA
	}
	if t.sha == "" {
		t.sha = env("GITHUB_SHA")
	}
	if t.sha == "" {
		return nil, usageError("GITHUB_SHA is not set: run in GitHub Actions or pass --sha SHA")
	}
	t.commentAuthor = o.commentAuthor
	if t.commentAuthor == "" && env("GITHUB_ACTIONS") == "true" {
		t.commentAuthor = actionsBot
	}
	return t, nil
}

// errNotPR marks an event file that is not about a pull request.
var errNotPR = errors.New("not a pull request event")

// prEvent is what platc reads of a pull_request event's payload.
type prEvent struct {
	Number  int
	HeadSHA string
}

// readPREvent reads the event payload GitHub Actions writes to
// GITHUB_EVENT_PATH.
func readPREvent(path string) (*prEvent, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parsePREvent(b, path)
}

func parsePREvent(b []byte, name string) (*prEvent, error) {
	var ev struct {
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, fmt.Errorf("%s: not a JSON event payload: %v", name, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number <= 0 {
		return nil, fmt.Errorf("%s: %w (it has no pull_request.number)", name, errNotPR)
	}
	return &prEvent{Number: ev.PullRequest.Number, HeadSHA: ev.PullRequest.Head.SHA}, nil
}

func eventHint(err error, event string) error {
	if !errors.Is(err, errNotPR) {
		return err
	}
	if event != "" {
		err = fmt.Errorf("%w; GITHUB_EVENT_NAME is %s", err, event)
	}
	return fmt.Errorf("%w: run 'platc github report' in a job triggered by pull_request, or pass --pr NUMBER", err)
}

func runGitHubReport(ctx context.Context, g *globals, o *githubReportOptions, stdout, stderr io.Writer) error {
	t, err := resolveGitHubTarget(g, o)
	if err != nil {
		return err
	}
	redact := func(s string) string { return redactToken(s, t.token) }
	client, err := github.New(github.Config{
		Token:          t.token,
		APIURL:         t.apiURL,
		Repository:     t.repo,
		MaxAnnotations: o.maxAnnotations,
		CommentAuthor:  t.commentAuthor,
		UserAgent:      "platc/" + buildVersion().Version,
		Retry: github.Retry{Log: func(format string, args ...any) {
			fmt.Fprintln(stderr, redact(fmt.Sprintf(format, args...)))
		}},
	})
	if err != nil {
		return usageError("%s", redact(err.Error()))
	}

	var ds diag.Diagnostics
	subject := o.check.dir
	if o.findingsFile != "" {
		if ds, err = readFindings(g.abs(o.findingsFile)); err != nil {
			return fmt.Errorf("--findings: %w", err)
		}
		subject = o.findingsFile
	} else {
		if ds, _, err = evaluateCheck(ctx, g, &o.check); err != nil {
			return err
		}
		// The job's log shows the findings as platc check does.
		if err := writeText(stderr, ds.Rel(g.base()).Sorted(), true); err != nil {
			return err
		}
	}
	var plan *github.PlanSummary
	if o.planFile != "" {
		if plan, err = readPlanSummary(g.abs(o.planFile)); err != nil {
			return fmt.Errorf("--plan: %w", err)
		}
	}

	res, err := client.Publish(ctx, github.Report{
		Name:        o.name,
		SHA:         t.sha,
		PullRequest: t.pr,
		Findings:    repoRelative(ds, g.base(), repoRoot(g)),
		FailOnWarn:  o.check.failOnWarn,
		Plan:        plan,
		Subject:     subject,
		Version:     buildVersion().Version,
		DetailsURL:  t.detailsURL,
	})
	if res != nil {
		writeGitHubResult(stdout, o.name, t, res)
		if cm := res.Comment; cm != nil && cm.WrittenAs != "" {
			fmt.Fprintf(stderr, "platc: warning: GitHub wrote the comment as %s, but platc looks for %s's: pass --comment-author %s, or the next report adds another comment\n",
				cm.WrittenAs, cm.Author, cm.WrittenAs)
		}
	}
	if errors.Is(err, github.ErrCommentAuthorUnknown) {
		return usageError("%s: pass --comment-author LOGIN, the login the token comments as (%s for a workflow's GITHUB_TOKEN, APP-SLUG[bot] for a GitHub App's token)",
			redact(err.Error()), actionsBot)
	}
	if err != nil {
		return errors.New(redact(err.Error()))
	}
	return nil
}

func writeGitHubResult(w io.Writer, name string, t *githubTarget, res *github.Result) {
	run := res.CheckRun
	action := "updated"
	if run.Created {
		action = "created"
	}
	fmt.Fprintf(w, "check run %s on %.7s: %s, %s; %s (%d sent in %s)",
		name, t.sha, run.Conclusion, action, countOf(run.Annotations, "annotation"), run.Sent, countOf(run.Requests, "request"))
	if run.LeftOut > 0 {
		fmt.Fprintf(w, "; %d findings not annotated (--max-annotations)", run.LeftOut)
	}
	if run.Stale > 0 {
		verb := "apply"
		if run.Stale == 1 {
			verb = "applies"
		}
		fmt.Fprintf(w, "; %s from an earlier report no longer %s", countOf(run.Stale, "annotation"), verb)
	}
	fmt.Fprintf(w, "\n  %s\n", run.URL)
	if cm := res.Comment; cm != nil {
		fmt.Fprintf(w, "comment on #%d: %s", t.pr, cm.Action)
		if cm.Truncated {
			fmt.Fprint(w, " (cut to fit GitHub's limit)")
		}
		fmt.Fprintf(w, "\n  %s\n", cm.URL)
	}
}

func countOf(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// redactToken hides the token wherever it might appear.
func redactToken(s, token string) string {
	if len(token) < 4 {
		return s
	}
	return strings.ReplaceAll(s, token, "***")
}

// readFindings reads a 'platc check -o json' report.
func readFindings(path string) (diag.Diagnostics, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseFindings(b, path)
}

func parseFindings(b []byte, name string) (diag.Diagnostics, error) {
	var rep struct {
		Findings *diag.Diagnostics `json:"findings"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s is not a 'platc check -o json' report: %v", name, err)
	}
	if rep.Findings == nil {
		return nil, fmt.Errorf("%s is not a 'platc check -o json' report: it has no \"findings\"", name)
	}
	for i, d := range *rep.Findings {
		if d.Rule == "" || d.Message == "" {
			return nil, fmt.Errorf("%s: finding %d has no rule or message", name, i+1)
		}
		if d.Pos.Line < 0 || d.Pos.Column < 0 {
			return nil, fmt.Errorf("%s: finding %d has a negative position", name, i+1)
		}
	}
	return *rep.Findings, nil
}

// repoRoot is the repository's top directory, which annotation paths are
// relative to: GITHUB_WORKSPACE in Actions, else the nearest directory up
// from the working directory that holds .git, else the working directory.
func repoRoot(g *globals) string {
	base := g.base()
	if ws := g.cfg.Getenv("GITHUB_WORKSPACE"); ws != "" {
		if ws = g.abs(ws); within(ws, base) {
			return ws
		}
	}
	for d := base; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return base
		}
	}
}

func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// repoRelative gives the findings' files relative to root, slash-separated,
// as GitHub wants annotation paths. Files are relative to base when not
// absolute; a file that is not on disk (a position in the embedded schema)
// is left as it is.
func repoRelative(ds diag.Diagnostics, base, root string) diag.Diagnostics {
	rel := func(p diag.Pos) diag.Pos {
		if p.File == "" {
			return p
		}
		abs := p.File
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(base, abs)
		}
		if _, err := os.Stat(abs); err != nil || !within(root, abs) {
			return p
		}
		r, _ := filepath.Rel(root, abs)
		p.File = filepath.ToSlash(r)
		return p
	}
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		d.Pos = rel(d.Pos)
		if len(d.Related) > 0 {
			related := make([]diag.Pos, len(d.Related))
			for j, r := range d.Related {
				related[j] = rel(r)
			}
			d.Related = related
		}
		out[i] = d
	}
	return out
}

// readPlanSummary reads a 'platc plan -o json' document.
func readPlanSummary(path string) (*github.PlanSummary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parsePlanSummary(b, path)
}

// parsePlanSummary counts a plan report's changes per environment (its
// GitOps part) and per Pulumi stack.
func parsePlanSummary(b []byte, name string) (*github.PlanSummary, error) {
	r, err := planreport.Parse(b, name)
	if err != nil {
		return nil, err
	}
	s := &github.PlanSummary{}
	if r.GitOps != nil {
		for _, e := range slices.Sorted(maps.Keys(r.GitOps.Environments)) {
			es := r.GitOps.Environments[e]
			if es == nil {
				continue
			}
			var kinds []string
			for k, c := range es.Kinds {
				if c != nil {
					kinds = append(kinds, k+" "+counts(*c))
				}
			}
			slices.Sort(kinds)
			s.Environments = append(s.Environments, github.Changes{
				Name: e, Add: es.Add, Change: es.Change, Delete: es.Remove, Detail: strings.Join(kinds, ", "),
			})
		}
	}
	s.StacksSkipped = r.StacksSkipped
	for _, st := range r.Stacks {
		c := st.Changes
		s.Stacks = append(s.Stacks, github.Changes{Name: st.Stack, Add: c["create"], Change: c["update"] + c["replace"], Delete: c["delete"]})
	}
	if len(s.Environments) == 0 && len(s.Stacks) == 0 {
		out := r.Out
		if out == "" {
			out = "the output"
		}
		if r.Changed {
			s.Note = fmt.Sprintf("Files in %s change, but no Kubernetes object or stack does.", out)
		} else {
			s.Note = fmt.Sprintf("No changes: %s is up to date.", out)
		}
	}
	return s, nil
}
