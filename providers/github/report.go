package github

import (
	"context"
	"fmt"
	"slices"

	"github.com/platc-dev/platc/compiler/diag"
)

// DefaultName names the check run and keys the PR comment.
const DefaultName = "platc"

// Report is what to publish for one commit.
type Report struct {
	// Name is the check run's name and the key of the sticky comment
	// (default [DefaultName]); two specs in one repository report under
	// two names.
	Name string
	// SHA is the commit the check run is attached to: a pull request's
	// head commit, so that it shows on the pull request.
	SHA string
	// PullRequest is the number of the pull request to comment on; 0
	// means no comment.
	PullRequest int
	// Findings are the check's diagnostics, with files relative to the
	// repository root (slash-separated), so they can be annotated.
	Findings diag.Diagnostics
	// FailOnWarn makes warnings fail the check run, as --fail-on-warn
	// makes them fail platc check.
	FailOnWarn bool
	// Plan is the plan's summary; nil when there is none.
	Plan *PlanSummary
	// Subject says what was checked ("examples/acme-shop"), for the summary.
	Subject string
	// Version is platc's version, for the footer.
	Version string
	// DetailsURL links the check run to more (the workflow run's page).
	DetailsURL string
}

// PlanSummary is what a plan would change, counted per environment (the
// GitOps tree) and per Pulumi stack.
type PlanSummary struct {
	Environments []Changes
	Stacks       []Changes
	// Note is shown instead of the tables when there is nothing to count
	// ("No changes: gitops is up to date.").
	Note string
	// StacksSkipped says why no stack was previewed, if none was.
	StacksSkipped string
}

// Changes counts one environment's or stack's changes.
type Changes struct {
	Name   string
	Add    int
	Change int
	Delete int
	// Detail breaks the counts down ("Deployment +1, HTTPRoute ~2").
	Detail string
}

// Conclusion is the check run's verdict.
type Conclusion string

const (
	Success Conclusion = "success"
	Neutral Conclusion = "neutral"
	Failure Conclusion = "failure"
)

// ConclusionOf is failure when there are errors (or warnings with
// failOnWarn), neutral when there are only warnings, success otherwise.
func ConclusionOf(ds diag.Diagnostics, failOnWarn bool) Conclusion {
	errs, warns := ds.Count()
	switch {
	case errs > 0 || failOnWarn && warns > 0:
		return Failure
	case warns > 0:
		return Neutral
	}
	return Success
}

// Result says what Publish did.
type Result struct {
	CheckRun CheckRunResult
	// Comment is nil when the report had no pull request.
	Comment *CommentResult
}

// CheckRunResult says what happened to the check run.
type CheckRunResult struct {
	ID         int64
	URL        string
	Created    bool
	Conclusion Conclusion
	// Annotations is how many of the findings are annotated on the run
	// now, Sent how many annotations this report added, in Requests
	// requests.
	Annotations int
	Sent        int
	Requests    int
	// Stale counts annotations an earlier report of the same commit left
	// that no finding has now: GitHub cannot remove them.
	Stale int
	// LeftOut is how many findings with a file were not annotated because
	// of [Config.MaxAnnotations].
	LeftOut int
}

// CommentResult says what happened to the PR comment.
type CommentResult struct {
	ID  int64
	URL string
	// Action is "created", "updated" or "unchanged".
	Action string
	// Author is the login whose comment carrying the marker is platc's:
	// the token's user, or [Config.CommentAuthor].
	Author string
	// WrittenAs is the login GitHub says wrote a created comment when it
	// is not Author: CommentAuthor is wrong, and the next report will not
	// find this comment but add another.
	WrittenAs string
	// Truncated is true when findings or plan rows were left out to stay
	// within GitHub's limit.
	Truncated bool
}

func (r *Report) defaults() {
	if r.Name == "" {
		r.Name = DefaultName
	}
	if r.Version == "" {
		r.Version = "dev"
	}
	if r.Subject == "" {
		r.Subject = "."
	}
	// Errors first, then warnings and notes, each by position: the order
	// people read a truncated list in.
	r.Findings = slices.Clone(r.Findings)
	slices.SortStableFunc(r.Findings, func(a, b diag.Diagnostic) int {
		if a.Severity != b.Severity {
			return int(a.Severity) - int(b.Severity)
		}
		return diag.Compare(a, b)
	})
}

// Publish creates or updates the check run for the commit and, for a pull
// request, the sticky comment: the oldest comment with the report's marker
// written by the token's own login (see [Config.CommentAuthor]). Running
// it again for the same commit and findings changes nothing on GitHub but
// the texts: the check run and the comment are found again and edited,
// never duplicated.
func (c *Client) Publish(ctx context.Context, r Report) (*Result, error) {
	r.defaults()
	if !validSHA(r.SHA) {
		return nil, fmt.Errorf("invalid commit SHA %q: want 40 hexadecimal digits", r.SHA)
	}
	if r.PullRequest < 0 {
		return nil, fmt.Errorf("invalid pull request number %d", r.PullRequest)
	}
	// Whose comment is platc's is settled before anything is written, so
	// that a job that cannot tell fails without a check run.
	var author string
	if r.PullRequest > 0 {
		var err error
		if author, err = c.commentAuthor(ctx); err != nil {
			return nil, err
		}
	}
	run, err := c.publishCheckRun(ctx, &r)
	if err != nil {
		return nil, err
	}
	res := &Result{CheckRun: *run}
	if r.PullRequest > 0 {
		cm, err := c.publishComment(ctx, &r, run, author)
		if err != nil {
			return res, err
		}
		res.Comment = cm
	}
	return res, nil
}

func validSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
