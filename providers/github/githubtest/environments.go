package githubtest

import (
	"net/http"
	"slices"
	"strings"
)

// Environment is a repository's deployment environment as the server
// holds it.
type Environment struct {
	Name string
	// Reviewers are the required reviewers, as "@login" for a user and
	// "@org/slug" for a team, in the order they were given.
	Reviewers []string
	// ProtectedBranches: only branches with protection rules may deploy.
	ProtectedBranches    bool
	CustomBranchPolicies bool
	WaitTimer            int
	// Writes counts the accepted create-or-update requests.
	Writes int
}

// maxReviewers is the most required reviewers GitHub lets an environment
// have.
const maxReviewers = 6

func (s *Server) environmentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /users/{login}", s.getUserByLogin)
	mux.HandleFunc("GET /orgs/{org}/teams/{slug}", s.getTeam)
	mux.HandleFunc("GET /repos/{owner}/{repo}/environments/{name}", s.getEnvironment)
	mux.HandleFunc("PUT /repos/{owner}/{repo}/environments/{name}", s.putEnvironment)
}

// Environment is the deployment environment called name, if it exists.
func (s *Server) Environment(name string) (Environment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.environments {
		if strings.EqualFold(e.Name, name) {
			c := *e
			c.Reviewers = slices.Clone(e.Reviewers)
			return c, true
		}
	}
	return Environment{}, false
}

// accountID is the id of a user in Config.Users (ids from 1001) or of a
// team in Config.Teams (ids from 2001); 0 when there is none.
func (s *Server) accountID(team bool, name string) int64 {
	if team {
		if i := slices.IndexFunc(s.cfg.Teams, func(t string) bool { return strings.EqualFold(t, name) }); i >= 0 {
			return int64(2001 + i)
		}
		return 0
	}
	if i := slices.IndexFunc(s.cfg.Users, func(u string) bool { return strings.EqualFold(u, name) }); i >= 0 {
		return int64(1001 + i)
	}
	return 0
}

// accountName is the "@login" or "@org/slug" of an id, "" for none.
func (s *Server) accountName(team bool, id int64) string {
	switch {
	case team && id > 2000 && int(id-2001) < len(s.cfg.Teams):
		return "@" + s.cfg.Teams[id-2001]
	case !team && id > 1000 && id < 2000 && int(id-1001) < len(s.cfg.Users):
		return "@" + s.cfg.Users[id-1001]
	}
	return ""
}

// getUserByLogin answers GET /users/{login}: a user of Config.Users, an
// organisation (the owner of Config.Repository, and of each team), or 404.
func (s *Server) getUserByLogin(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	if id := s.accountID(false, login); id != 0 {
		writeJSON(w, http.StatusOK, map[string]any{"login": s.cfg.Users[id-1001], "id": id, "type": "User"})
		return
	}
	if s.isOrg(login) {
		writeJSON(w, http.StatusOK, map[string]any{"login": login, "id": 3001, "type": "Organization"})
		return
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

func (s *Server) isOrg(login string) bool {
	owner, _, _ := strings.Cut(s.cfg.Repository, "/")
	if strings.EqualFold(owner, login) {
		return true
	}
	for _, t := range s.cfg.Teams {
		if org, _, _ := strings.Cut(t, "/"); strings.EqualFold(org, login) {
			return true
		}
	}
	return false
}

// getTeam answers GET /orgs/{org}/teams/{slug}.
func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) {
	org, slug := r.PathValue("org"), r.PathValue("slug")
	id := s.accountID(true, org+"/"+slug)
	if id == 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "slug": slug, "name": slug, "organization": map[string]any{"login": org}})
}

// environmentBody is a create-or-update request. GitHub takes null for
// each field as "leave the default".
type environmentBody struct {
	WaitTimer *int `json:"wait_timer"`
	Reviewers []struct {
		Type *string `json:"type"`
		ID   *int64  `json:"id"`
	} `json:"reviewers"`
	DeploymentBranchPolicy *struct {
		ProtectedBranches    *bool `json:"protected_branches"`
		CustomBranchPolicies *bool `json:"custom_branch_policies"`
	} `json:"deployment_branch_policy"`
}

// putEnvironment answers PUT /repos/{owner}/{repo}/environments/{name}.
// Only a repository administrator's token may: a bot's (a workflow's
// GITHUB_TOKEN, which cannot be given the administration permission) is
// refused as GitHub refuses it.
func (s *Server) putEnvironment(w http.ResponseWriter, r *http.Request) {
	if isBot(s.cfg.User) {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	var b environmentBody
	if !decode(w, r, &b) {
		return
	}
	e := &Environment{Name: r.PathValue("name")}
	var v validation
	if b.WaitTimer != nil {
		if *b.WaitTimer < 0 || *b.WaitTimer > 43200 {
			v.add("Environment", "wait_timer", "invalid", "wait_timer must be between 0 and 43200 minutes")
		}
		e.WaitTimer = *b.WaitTimer
	}
	if len(b.Reviewers) > maxReviewers {
		v.add("Environment", "reviewers", "invalid", "an environment can have at most 6 required reviewers")
	}
	for _, rv := range b.Reviewers {
		if rv.Type == nil || (*rv.Type != "User" && *rv.Type != "Team") || rv.ID == nil {
			v.add("Environment", "reviewers", "invalid", "each reviewer needs a type (User or Team) and an id")
			continue
		}
		name := s.accountName(*rv.Type == "Team", *rv.ID)
		if name == "" {
			v.add("Environment", "reviewers", "invalid", "reviewer not found")
			continue
		}
		if slices.Contains(e.Reviewers, name) {
			v.add("Environment", "reviewers", "invalid", "a reviewer is named twice")
			continue
		}
		e.Reviewers = append(e.Reviewers, name)
	}
	if p := b.DeploymentBranchPolicy; p != nil {
		if p.ProtectedBranches == nil || p.CustomBranchPolicies == nil {
			v.add("Environment", "deployment_branch_policy", "missing_field", "protected_branches and custom_branch_policies are both required")
		} else if *p.ProtectedBranches && *p.CustomBranchPolicies {
			v.add("Environment", "deployment_branch_policy", "invalid", "protected_branches and custom_branch_policies cannot both be true")
		} else {
			e.ProtectedBranches, e.CustomBranchPolicies = *p.ProtectedBranches, *p.CustomBranchPolicies
		}
	}
	if v.write(w) {
		return
	}
	s.mu.Lock()
	i := slices.IndexFunc(s.environments, func(x *Environment) bool { return strings.EqualFold(x.Name, e.Name) })
	if i >= 0 {
		e.Name = s.environments[i].Name
		e.Writes = s.environments[i].Writes
		s.environments[i] = e
	} else {
		s.environments = append(s.environments, e)
	}
	e.Writes++
	out := s.environmentJSON(e)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// getEnvironment answers GET /repos/{owner}/{repo}/environments/{name}.
func (s *Server) getEnvironment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.PathValue("name")
	for _, e := range s.environments {
		if strings.EqualFold(e.Name, name) {
			writeJSON(w, http.StatusOK, s.environmentJSON(e))
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// environmentJSON writes an environment as GitHub does: its protection
// rules (required reviewers, wait timer, branch policy) and its branch
// policy.
func (s *Server) environmentJSON(e *Environment) map[string]any {
	rules := []any{}
	if len(e.Reviewers) > 0 {
		var rs []any
		for _, name := range e.Reviewers {
			login := strings.TrimPrefix(name, "@")
			if org, slug, team := strings.Cut(login, "/"); team {
				rs = append(rs, map[string]any{"type": "Team", "reviewer": map[string]any{"id": s.accountID(true, login), "slug": slug, "organization": map[string]any{"login": org}}})
			} else {
				rs = append(rs, map[string]any{"type": "User", "reviewer": map[string]any{"id": s.accountID(false, login), "login": login, "type": "User"}})
			}
		}
		rules = append(rules, map[string]any{"id": 1, "type": "required_reviewers", "reviewers": rs})
	}
	if e.WaitTimer > 0 {
		rules = append(rules, map[string]any{"id": 2, "type": "wait_timer", "wait_timer": e.WaitTimer})
	}
	var policy any
	if e.ProtectedBranches || e.CustomBranchPolicies {
		rules = append(rules, map[string]any{"id": 3, "type": "branch_policy"})
		policy = map[string]any{"protected_branches": e.ProtectedBranches, "custom_branch_policies": e.CustomBranchPolicies}
	}
	return map[string]any{"name": e.Name, "protection_rules": rules, "deployment_branch_policy": policy}
}
