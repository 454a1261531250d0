package github_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/providers/github"
	"github.com/platc-dev/platc/providers/github/githubtest"
)

func TestReviewers(t *testing.T) {
	teams := map[string][]string{
		"platform": {"@alice", "@acme/sre"},
		"data":     {"platform", "@bob"},
		"loop":     {"loop2", "@carol"},
		"loop2":    {"loop"},
		"mailers":  {"ops@acme.example"},
	}
	owners := func(name string) ([]string, bool) {
		o, ok := teams[name]
		return o, ok
	}
	for _, tc := range []struct {
		name    string
		parties []string
		want    []string
		err     string
	}{
		{name: "a user", parties: []string{"@mei-chen"}, want: []string{"@mei-chen"}},
		{name: "a GitHub team", parties: []string{"@acme/release-managers"}, want: []string{"@acme/release-managers"}},
		{name: "a spec team is its owners", parties: []string{"platform"}, want: []string{"@alice", "@acme/sre"}},
		{name: "owners that are teams are followed", parties: []string{"data"}, want: []string{"@alice", "@acme/sre", "@bob"}},
		{name: "each reviewer once, logins without regard to case", parties: []string{"@Alice", "platform", "@alice"}, want: []string{"@Alice", "@acme/sre"}},
		{name: "a cycle of teams ends", parties: []string{"loop"}, want: []string{"@carol"}},
		{name: "an e-mail address", parties: []string{"ops@acme.example"}, err: "ops@acme.example is an e-mail address, and GitHub takes users (@login) and teams (@org/team) as reviewers"},
		{name: "an e-mail address among a team's owners", parties: []string{"mailers"}, err: "ops@acme.example (an owner of team mailers) is an e-mail address"},
		{name: "no such team", parties: []string{"ghosts"}, err: "ghosts is no team of the spec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := github.Reviewers(tc.parties, owners)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			names := make([]string, len(got))
			for i, r := range got {
				names[i] = r.String()
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("reviewers (-want +got):\n%s", diff)
			}
		})
	}
}

func reviewers(names ...string) []github.Reviewer {
	rs, err := github.Reviewers(names, func(string) ([]string, bool) { return nil, false })
	if err != nil {
		panic(err)
	}
	return rs
}

// An administrator's token sets the environment: its reviewers by id,
// deployments from protected branches only; setting it again is the same.
func TestSetEnvironment(t *testing.T) {
	srv := githubtest.New(githubtest.Config{Token: token, Repository: repo, User: "admin",
		Users: []string{"mei-chen", "lars"}, Teams: []string{"acme/release-managers"}})
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, nil)
	env := github.Environment{Name: "production", Reviewers: reviewers("@mei-chen", "@acme/release-managers")}
	for range 2 {
		if err := c.SetEnvironment(context.Background(), env); err != nil {
			t.Fatal(err)
		}
	}
	got, ok := srv.Environment("production")
	if !ok {
		t.Fatal("no environment production")
	}
	want := githubtest.Environment{Name: "production", Reviewers: []string{"@mei-chen", "@acme/release-managers"}, ProtectedBranches: true, Writes: 2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}

	// New reviewers replace the old ones.
	if err := c.SetEnvironment(context.Background(), github.Environment{Name: "production", Reviewers: reviewers("@lars")}); err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Environment("production"); !cmp.Equal(got.Reviewers, []string{"@lars"}) {
		t.Errorf("reviewers after the change: %v, want [@lars]", got.Reviewers)
	}
}

func TestSetEnvironmentRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		user      string
		reviewers []string
		reviewer  bool // a ReviewerError, the spec's to fix
		err       string
	}{
		{name: "an unknown user", user: "admin", reviewers: []string{"@mei-chen", "@nobody"}, reviewer: true, err: "reviewer @nobody: GitHub has no user @nobody"},
		{name: "an unknown team", user: "admin", reviewers: []string{"@acme/ghosts"}, reviewer: true, err: "reviewer @acme/ghosts: GitHub has no team @acme/ghosts"},
		{name: "an organisation named as a user", user: "admin", reviewers: []string{"@acme"}, reviewer: true, err: "reviewer @acme: a GitHub organization, not a user: name one of its teams as @acme/TEAM"},
		{name: "too many reviewers", user: "admin", reviewers: []string{"@a", "@b", "@c", "@d", "@e", "@f", "@g"}, err: "7 reviewers (@a, @b, @c, @d, @e, @f, @g), and GitHub allows at most 6"},
		{name: "a workflow's token", user: githubtest.Bot, reviewers: []string{"@mei-chen"}, err: "set environment production: GitHub answered 403 Forbidden: Resource not accessible by integration (setting an environment's reviewers needs a repository administrator's token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := githubtest.New(githubtest.Config{Token: token, Repository: repo, User: tc.user, Users: []string{"mei-chen"}, Teams: []string{"acme/release-managers"}})
			t.Cleanup(srv.Close)
			c, _ := newClient(t, srv, nil)
			err := c.SetEnvironment(context.Background(), github.Environment{Name: "production", Reviewers: reviewers(tc.reviewers...)})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			}
			var re *github.ReviewerError
			if errors.As(err, &re) != tc.reviewer {
				t.Errorf("a ReviewerError: %v, want %v", !tc.reviewer, tc.reviewer)
			}
			if _, ok := srv.Environment("production"); ok {
				t.Error("the environment was set despite the refusal")
			}
			for _, r := range srv.Requests() {
				if r.Method == http.MethodPut && r.Status == http.StatusOK {
					t.Errorf("a PUT was accepted: %v", r)
				}
			}
		})
	}
}
