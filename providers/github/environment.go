package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v62/github"
)

// MaxReviewers is the most required reviewers GitHub lets a deployment
// environment have.
const MaxReviewers = 6

// Reviewer is a required reviewer of a deployment environment: a user
// ("@login") or a team ("@org/slug").
type Reviewer struct {
	// Org is the team's organisation; empty for a user.
	Org string
	// Name is the user's login or the team's slug.
	Name string
}

func (r Reviewer) String() string {
	if r.Org != "" {
		return "@" + r.Org + "/" + r.Name
	}
	return "@" + r.Name
}

// Team reports whether r is a team.
func (r Reviewer) Team() bool { return r.Org != "" }

// Reviewers turns a RACI's parties into GitHub reviewers: "@login" is a
// user, "@org/slug" a team, and the name of a spec team stands for its
// owners (found with owners, which says whether the team exists),
// followed as far as they go. An e-mail address has no GitHub account to
// ask, and is an error, as is a name that is no team. The reviewers come
// in the order the parties name them, each once.
func Reviewers(parties []string, owners func(team string) ([]string, bool)) ([]Reviewer, error) {
	var out []Reviewer
	seen := map[string]bool{}
	var walk func(parties []string, via string) error
	walk = func(parties []string, via string) error {
		for _, p := range parties {
			switch {
			case strings.HasPrefix(p, "@"):
				r := Reviewer{Name: p[1:]}
				if org, slug, ok := strings.Cut(p[1:], "/"); ok {
					r = Reviewer{Org: org, Name: slug}
				}
				if key := strings.ToLower(r.String()); !seen[key] {
					seen[key] = true
					out = append(out, r)
				}
			case strings.Contains(p, "@"):
				return fmt.Errorf("%s%s is an e-mail address, and GitHub takes users (@login) and teams (@org/team) as reviewers", p, via)
			default:
				if seen["team:"+p] {
					continue
				}
				seen["team:"+p] = true
				o, ok := owners(p)
				if !ok {
					return fmt.Errorf("%s%s is no team of the spec", p, via)
				}
				if err := walk(o, fmt.Sprintf(" (an owner of team %s)", p)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(parties, ""); err != nil {
		return nil, err
	}
	return out, nil
}

// Environment is a deployment environment's protection as platc sets it.
type Environment struct {
	Name string
	// Reviewers must approve each job that runs in the environment.
	Reviewers []Reviewer
}

// SetEnvironment creates the deployment environment, or updates it, so
// that jobs in it wait for one of its reviewers to approve and only
// protected branches (the default branch, with its rules) deploy to it.
// It looks each reviewer up first, so an unknown login or team is named
// before anything changes. Setting an environment needs a repository
// administrator's token: a workflow's GITHUB_TOKEN cannot have that
// permission.
func (c *Client) SetEnvironment(ctx context.Context, env Environment) error {
	if len(env.Reviewers) > MaxReviewers {
		return fmt.Errorf("environment %s: %d reviewers (%s), and GitHub allows at most %d: name a team instead of its members", env.Name, len(env.Reviewers), JoinReviewers(env.Reviewers), MaxReviewers)
	}
	body := &gh.CreateUpdateEnvironment{
		DeploymentBranchPolicy: &gh.BranchPolicy{ProtectedBranches: gh.Bool(true), CustomBranchPolicies: gh.Bool(false)},
		Reviewers:              []*gh.EnvReviewers{},
	}
	for _, r := range env.Reviewers {
		id, err := c.reviewerID(ctx, r)
		if err != nil {
			return err
		}
		kind := "User"
		if r.Team() {
			kind = "Team"
		}
		body.Reviewers = append(body.Reviewers, &gh.EnvReviewers{Type: gh.String(kind), ID: gh.Int64(id)})
	}
	_, _, err := c.api.Repositories.CreateUpdateEnvironment(ctx, c.owner, c.repo, env.Name, body)
	if err != nil {
		err = apiError("set environment "+env.Name, err)
		var ae *APIError
		if errors.As(err, &ae) && ae.RedirectedTo == "" {
			switch ae.Status {
			case http.StatusForbidden, http.StatusNotFound:
				ae.Hint = "setting an environment's reviewers needs a repository administrator's token (fine-grained: Administration read and write); a workflow's GITHUB_TOKEN cannot have it"
			case http.StatusUnprocessableEntity:
				ae.Hint = "required reviewers need a public repository, or GitHub Team or Enterprise for a private one"
			}
		}
		return err
	}
	return nil
}

// ReviewerError is a reviewer GitHub cannot take: no such user or team,
// or an organisation named as a user.
type ReviewerError struct {
	Reviewer Reviewer
	Reason   string
}

func (e *ReviewerError) Error() string { return fmt.Sprintf("reviewer %s: %s", e.Reviewer, e.Reason) }

// reviewerID asks GitHub for the id of a user or team.
func (c *Client) reviewerID(ctx context.Context, r Reviewer) (int64, error) {
	if r.Team() {
		t, _, err := c.api.Teams.GetTeamBySlug(ctx, r.Org, r.Name)
		if err != nil {
			return 0, notFound(apiError("look up team "+r.String(), err), r, "GitHub has no team "+r.String()+" that the token can see (it needs to read the organisation's teams)")
		}
		return t.GetID(), nil
	}
	u, _, err := c.api.Users.Get(ctx, r.Name)
	if err != nil {
		return 0, notFound(apiError("look up user "+r.String(), err), r, "GitHub has no user "+r.String())
	}
	if u.GetType() != "User" {
		return 0, &ReviewerError{Reviewer: r, Reason: fmt.Sprintf("a GitHub %s, not a user: name one of its teams as @%s/TEAM", strings.ToLower(u.GetType()), r.Name)}
	}
	return u.GetID(), nil
}

// notFound turns GitHub's 404 for a reviewer into a ReviewerError.
func notFound(err error, r Reviewer, reason string) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && ae.RedirectedTo == "" {
		return &ReviewerError{Reviewer: r, Reason: reason}
	}
	return err
}

// JoinReviewers writes reviewers as "@a, @org/team".
func JoinReviewers(rs []Reviewer) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}
