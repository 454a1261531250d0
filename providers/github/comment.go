package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	gh "github.com/google/go-github/v62/github"

	"github.com/platc-dev/platc/compiler/diag"
)

// Marker is the hidden line that identifies the comment a report with
// the given name owns, so that the next report edits it.
func Marker(name string) string {
	return fmt.Sprintf("<!-- platc:report name=%s -->", name)
}

// ErrCommentAuthorUnknown is returned when GitHub will not say whose the
// token is and [Config.CommentAuthor] does not say either, so platc cannot
// tell its own comment from a copy of its marker by someone else.
var ErrCommentAuthorUnknown = errors.New("cannot tell which login the token comments as")

// commentAuthor is the login the token writes comments as: GET /user's
// answer, or [Config.CommentAuthor] when GitHub refuses to describe the
// token (403, as for GITHUB_TOKEN and GitHub App installation tokens).
func (c *Client) commentAuthor(ctx context.Context) (string, error) {
	u, _, err := c.api.Users.Get(ctx, "")
	var er *gh.ErrorResponse
	switch {
	case err == nil && u.GetLogin() != "":
		return u.GetLogin(), nil
	case err == nil:
		return "", errors.New("get the token's user: GitHub answered without a login")
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden && redirectedTo(er.Response) == "":
		if c.cfg.CommentAuthor != "" {
			return c.cfg.CommentAuthor, nil
		}
		return "", fmt.Errorf("%w: GitHub answered 403 to GET /user (%s), as it does for a workflow's GITHUB_TOKEN and a GitHub App's token", ErrCommentAuthorUnknown, er.Message)
	}
	return "", apiError("get the token's user", err)
}

// publishComment edits the pull request's comment that carries the
// report's marker and was written by author, or creates it when there is
// none.
func (c *Client) publishComment(ctx context.Context, r *Report, run *CheckRunResult, author string) (*CommentResult, error) {
	body, truncated := commentBody(r, run, c.cfg.CommentLimit)
	found, err := c.findComment(ctx, r.PullRequest, Marker(r.Name), author)
	if err != nil {
		return nil, err
	}
	res := &CommentResult{Author: author, Truncated: truncated}
	switch {
	case found == nil:
		cm, _, err := c.api.Issues.CreateComment(ctx, c.owner, c.repo, r.PullRequest, &gh.IssueComment{Body: &body})
		if err != nil {
			return nil, apiError(fmt.Sprintf("comment on pull request #%d", r.PullRequest), err)
		}
		res.ID, res.URL, res.Action = cm.GetID(), cm.GetHTMLURL(), "created"
		if login := cm.GetUser().GetLogin(); login != "" && !strings.EqualFold(login, author) {
			res.WrittenAs = login
		}
	case found.GetBody() == body:
		res.ID, res.URL, res.Action = found.GetID(), found.GetHTMLURL(), "unchanged"
	default:
		cm, _, err := c.api.Issues.EditComment(ctx, c.owner, c.repo, found.GetID(), &gh.IssueComment{Body: &body})
		if err != nil {
			return nil, apiError(fmt.Sprintf("edit comment %d on pull request #%d", found.GetID(), r.PullRequest), err)
		}
		res.ID, res.URL, res.Action = cm.GetID(), cm.GetHTMLURL(), "updated"
	}
	return res, nil
}

// findComment returns the oldest comment on the pull request that starts
// with marker and was written by author, reading every page of comments.
// Anyone who can comment can copy the marker; only the author's comment is
// platc's to edit. Logins are compared without case, as GitHub does.
func (c *Client) findComment(ctx context.Context, pr int, marker, author string) (*gh.IssueComment, error) {
	var found *gh.IssueComment
	err := forEachPage(ctx, func(lo gh.ListOptions) (*gh.Response, error) {
		list, resp, err := c.api.Issues.ListComments(ctx, c.owner, c.repo, pr, &gh.IssueListCommentsOptions{ListOptions: lo})
		if err != nil {
			return resp, apiError(fmt.Sprintf("list comments of pull request #%d", pr), err)
		}
		for _, cm := range list {
			mine := strings.EqualFold(cm.GetUser().GetLogin(), author)
			if mine && strings.HasPrefix(cm.GetBody(), marker) && (found == nil || cm.GetID() < found.GetID()) {
				found = cm
			}
		}
		return resp, nil
	})
	return found, err
}

// commentBody renders the comment: the verdict, the findings table and the
// plan, within limit bytes (so within as many characters). What does not
// fit is counted and pointed to the check run, which has it all.
func commentBody(r *Report, run *CheckRunResult, limit int) (string, bool) {
	var head strings.Builder
	title := "no findings"
	if len(r.Findings) > 0 {
		title = diag.SummaryLine(r.Findings)
	}
	icon := map[Conclusion]string{Success: "✅", Neutral: "⚠️", Failure: "❌"}[run.Conclusion]
	fmt.Fprintf(&head, "%s\n## %s %s: %s\n\n", Marker(r.Name), icon, r.Name, title)
	checkLink := fmt.Sprintf("check run `%s`", codeText(r.Name))
	if run.URL != "" {
		checkLink = fmt.Sprintf("[%s](%s)", checkLink, run.URL)
	}
	fmt.Fprintf(&head, "The %s concluded **%s** for commit `%s`", checkLink, run.Conclusion, shortSHA(r.SHA))
	if run.Annotations > 0 {
		fmt.Fprintf(&head, ", with %s at the lines they are about", plural(run.Annotations, "annotation", "annotations"))
	}
	head.WriteString(".\n\n")

	foot := fmt.Sprintf("\n<sub>platc %s checked `%s`. This comment is edited in place on every push.</sub>\n", r.Version, codeText(r.Subject))
	pointer := "the check run"
	if run.URL != "" {
		pointer = fmt.Sprintf("[the check run](%s)", run.URL)
	}
	const reserve = 512 // the "… and N more" lines
	room := limit - head.Len() - len(foot) - reserve
	plan, planCut := planSection(r.Plan, room/4)
	findings, findingsCut := findingsSection(r.Findings, room-len(plan), pointer)
	body := head.String() + findings + plan + foot
	if len(body) > limit {
		// Only a tiny limit gets here; cut at a character boundary.
		body = cut(body, limit)
		return body, true
	}
	return body, planCut || findingsCut
}

func findingsSection(ds diag.Diagnostics, room int, pointer string) (string, bool) {
	if len(ds) == 0 {
		return "No findings: the spec passes the schema and every policy.\n", false
	}
	var sb strings.Builder
	sb.WriteString("| | Where | Rule | Finding |\n| --- | --- | --- | --- |\n")
	for i, d := range ds {
		msg := cell(d.Message)
		if d.Hint != "" {
			msg += "<br>hint: " + cell(d.Hint)
		}
		row := fmt.Sprintf("| %s | `%s` | `%s` | %s |\n", severityLabel(d.Severity), codeText(where(d)), codeText(d.Rule), msg)
		if sb.Len()+len(row) > room {
			fmt.Fprintf(&sb, "\n_… and %s: see %s for all of them._\n", plural(len(ds)-i, "more finding", "more findings"), pointer)
			return sb.String(), true
		}
		sb.WriteString(row)
	}
	return sb.String(), false
}

func severityLabel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "❌ error"
	case diag.Warning:
		return "⚠️ warning"
	}
	return "ℹ️ note"
}

func planSection(p *PlanSummary, room int) (string, bool) {
	if p == nil {
		return "", false
	}
	var sb strings.Builder
	sb.WriteString("\n### Plan\n\n")
	if p.StacksSkipped != "" {
		sb.WriteString("_Stack previews skipped: " + cell(p.StacksSkipped) + "._\n\n")
	}
	if len(p.Environments) == 0 && len(p.Stacks) == 0 {
		note := p.Note
		if note == "" {
			note = "No changes."
		}
		sb.WriteString(cell(note) + "\n")
		return sb.String(), false
	}
	truncated := false
	table := func(heading string, rows []Changes) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&sb, "| %s | Add | Change | Delete | Details |\n| --- | ---: | ---: | ---: | --- |\n", heading)
		for i, c := range rows {
			row := fmt.Sprintf("| `%s` | %d | %d | %d | %s |\n", codeText(c.Name), c.Add, c.Change, c.Delete, cell(c.Detail))
			if sb.Len()+len(row) > room {
				fmt.Fprintf(&sb, "\n_… and %d more: see `platc plan`._\n", len(rows)-i)
				truncated = true
				break
			}
			sb.WriteString(row)
		}
		sb.WriteString("\n")
	}
	table("Environment (GitOps)", p.Environments)
	table("Stack (Pulumi)", p.Stacks)
	if p.Note != "" {
		sb.WriteString(cell(p.Note) + "\n")
	}
	return sb.String(), truncated
}

// cell makes text safe in a Markdown table cell: no column breaks, no
// line breaks, no HTML (a finding cannot hide the rest of the comment),
// and no @-mentions that would notify people.
func cell(s string) string {
	return strings.NewReplacer(
		"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", "\\|",
		"\r\n", "<br>", "\n", "<br>", "\r", "<br>",
		"@", "&#64;",
	).Replace(s)
}

// codeText makes text safe inside a `code span` in a table cell.
func codeText(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "\r", " ", "\n", " ").Replace(s)
}

// inline is text for a list item: one line, no HTML.
func inline(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "\r\n", " ", "\n", " ", "\r", " ", "@", "&#64;").Replace(s)
}

func shortSHA(s string) string {
	if len(s) > 7 {
		return s[:7]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

func sortStrings(s []string) { slices.Sort(s) }

// cut shortens s to at most n bytes at a character boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// cutLines shortens s to at most n bytes at a line boundary, ending with
// tail.
func cutLines(s string, n int, tail string) string {
	if len(s) <= n {
		return s
	}
	s = cut(s, n-len(tail))
	if i := strings.LastIndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	return s + tail
}
