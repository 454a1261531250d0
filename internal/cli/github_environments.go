package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/providers/github"
)

const githubEnvironmentsLong = `Environments puts the apply behind an approval on GitHub: it creates or
updates the deployment environment that the workflow's apply job runs in
(platform.ci.approval.environment, default "production"), so that the job
waits until one of its required reviewers approves, and only protected
branches may deploy.

The reviewers are the accountable party of the RACI task named by
platform.ci.approval.raci (default "release"): "@login" is a GitHub user,
"@org/team" a team, and the name of a team of the spec stands for its
owners. An e-mail address has no GitHub account and is refused. GitHub
allows at most 6 reviewers; name a team rather than its members.

Run it once, and again when the RACI changes, with a repository
administrator's token (fine-grained: Administration read and write) in
GITHUB_TOKEN: a workflow's GITHUB_TOKEN cannot be given that permission.
The repository is --repo or GITHUB_REPOSITORY, the API GITHUB_API_URL
(default https://api.github.com). --dry-run prints the reviewers and
sends nothing. Setting the environment again with the same reviewers
changes nothing.

Exit status: 0 when the environment is set; 1 when the spec has errors or
names reviewers GitHub cannot take; 2 for a missing variable or an error
from GitHub (its status and message are shown).`

type githubEnvironmentsOptions struct {
	dir    string
	repo   string
	dryRun bool
}

func newGitHubEnvironmentsCmd(g *globals) *cobra.Command {
	o := &githubEnvironmentsOptions{}
	cmd := &cobra.Command{
		Use:   "environments [DIR]",
		Short: "Make the RACI's accountable party the required reviewers of the apply's GitHub environment",
		Long:  githubEnvironmentsLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			return runGitHubEnvironments(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.repo, "repo", "", "repository `OWNER/NAME` (default: GITHUB_REPOSITORY)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the environment and its reviewers; send nothing")
	return cmd
}

func runGitHubEnvironments(ctx context.Context, g *globals, o *githubEnvironmentsOptions) error {
	env := g.cfg.Getenv
	token, repo := env("GITHUB_TOKEN"), o.repo
	if repo == "" {
		repo = env("GITHUB_REPOSITORY")
	}
	if !o.dryRun {
		if token == "" {
			return usageError("GITHUB_TOKEN is not set: set it to a token of a repository administrator (a workflow's GITHUB_TOKEN cannot set environments), or pass --dry-run")
		}
		if repo == "" {
			return usageError("GITHUB_REPOSITORY is not set: set it to OWNER/NAME, or pass --repo OWNER/NAME")
		}
	}
	res, ds, err := compiler.Vet(ctx, compiler.Config{Dir: g.abs(o.dir), DisplayDir: o.dir, Decode: true})
	if err != nil {
		return loadError(err)
	}
	if ds.HasErrors() || res == nil || res.Spec == nil {
		if err := report(g, ds, reportOptions{format: formatText, summary: true}); err != nil {
			fmt.Fprintln(g.cfg.Stderr, "platc: the spec has errors; no environment was set")
			return err
		}
	}
	target, err := approvalEnvironment(res.Spec)
	if err != nil {
		return &ExitErr{Code: ExitFindings, Err: err}
	}
	approval := res.Spec.Platform.CI.Approval
	from := fmt.Sprintf("the accountable of governance.raci.%s", approval.RACI)
	if o.dryRun {
		fmt.Fprintf(g.cfg.Stdout, "Would set environment %s: required reviewers %s (%s); deployments from protected branches only.\n", target.Name, github.JoinReviewers(target.Reviewers), from)
		return nil
	}
	redact := func(s string) string { return redactToken(s, token) }
	client, err := github.New(github.Config{
		Token:      token,
		APIURL:     env("GITHUB_API_URL"),
		Repository: repo,
		UserAgent:  "platc/" + buildVersion().Version,
		Retry: github.Retry{Log: func(format string, args ...any) {
			fmt.Fprintln(g.cfg.Stderr, redact(fmt.Sprintf(format, args...)))
		}},
	})
	if err != nil {
		return usageError("%s", redact(err.Error()))
	}
	if err := client.SetEnvironment(ctx, target); err != nil {
		var re *github.ReviewerError
		if errors.As(err, &re) {
			// A reviewer GitHub cannot take is the spec's to change.
			return &ExitErr{Code: ExitFindings, Err: fmt.Errorf("governance.raci.%s.accountable: %s", approval.RACI, redact(err.Error()))}
		}
		return errors.New(redact(err.Error()))
	}
	fmt.Fprintf(g.cfg.Stdout, "Set environment %s of %s: required reviewers %s (%s); deployments from protected branches only.\n", target.Name, repo, github.JoinReviewers(target.Reviewers), from)
	return nil
}

// approvalEnvironment is the GitHub environment the spec's approval
// describes, with its reviewers.
func approvalEnvironment(spec *model.Spec) (github.Environment, error) {
	a := spec.Platform.CI.Approval
	var task *model.RACITask
	if spec.Governance != nil {
		task = spec.Governance.RACI[a.RACI]
	}
	if task == nil {
		return github.Environment{}, fmt.Errorf("governance.raci has no task %s, which platform.ci.approval.raci names: add it, with the party who approves applies as its accountable, or name another task", a.RACI)
	}
	if len(task.Accountable) == 0 {
		return github.Environment{}, fmt.Errorf("governance.raci.%s names nobody accountable: name the party who approves applies", a.RACI)
	}
	reviewers, err := github.Reviewers(task.Accountable, func(name string) ([]string, bool) {
		t := spec.Teams[name]
		if t == nil {
			return nil, false
		}
		return t.Owners, true
	})
	if err != nil {
		return github.Environment{}, fmt.Errorf("governance.raci.%s.accountable: %w", a.RACI, err)
	}
	if len(reviewers) > github.MaxReviewers {
		return github.Environment{}, fmt.Errorf("governance.raci.%s.accountable stands for %d reviewers (%s), and GitHub allows at most %d: name a GitHub team (@org/team) instead", a.RACI, len(reviewers), github.JoinReviewers(reviewers), github.MaxReviewers)
	}
	return github.Environment{Name: a.Environment, Reviewers: reviewers}, nil
}
