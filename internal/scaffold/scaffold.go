// Package scaffold produces the files of a new spec repository: the CUE
// module with the platc schema vendored, a starter spec from a blueprint,
// a policies directory and a CI workflow.
package scaffold

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/platc-dev/platc/blueprints"
	"github.com/platc-dev/platc/schema"
)

// Options shape a new spec repository.
type Options struct {
	// Blueprint names the starter spec.
	Blueprint string
	// Package is the CUE package name of the spec.
	Package string
	// Module is the CUE module path.
	Module string
}

func (o *Options) defaults() {
	if o.Blueprint == "" {
		o.Blueprint = blueprints.Default
	}
	if o.Package == "" {
		o.Package = "platform"
	}
	if o.Module == "" {
		o.Module = "example.com/" + o.Package
	}
}

var (
	identRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	moduleRE  = regexp.MustCompile(`^[a-z0-9.-]+\.[a-z]+(/[A-Za-z0-9._-]+)*$`)
	packageRE = regexp.MustCompile(`(?m)^package [A-Za-z_][A-Za-z0-9_]*$`)
)

// Files returns the repository's files keyed by slash path.
func Files(o Options) (map[string][]byte, error) {
	o.defaults()
	if !identRE.MatchString(o.Package) {
		return nil, fmt.Errorf("invalid package name %q: use lower-case letters, digits and '_', starting with a letter", o.Package)
	}
	if !moduleRE.MatchString(o.Module) {
		return nil, fmt.Errorf("invalid module path %q: use a domain-style path such as example.com/platform", o.Module)
	}
	bp, err := blueprints.Files(o.Blueprint)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{
		"cue.mod/module.cue":            schema.ModuleFile(o.Module + "@v0"),
		"platc.cue":                     schema.Binding(o.Package),
		".gitignore":                    []byte(gitignore),
		"policies/README.md":            []byte(policiesReadme),
		"policies/team_slack.rego":      []byte(examplePolicy),
		"policies/team_slack_test.rego": []byte(examplePolicyTest),
		".github/workflows/platc.yml":   []byte(workflow),
	}
	for k, v := range schema.VendorFiles() {
		out[k] = v
	}
	for name, src := range bp {
		if strings.HasSuffix(name, ".cue") {
			src = packageRE.ReplaceAll(src, []byte("package "+o.Package))
		}
		if name == "README.md" {
			name = "SPEC.md"
		}
		out[name] = src
	}
	return out, nil
}

const gitignore = `# platc's local state: the Pulumi file backend, locks and caches.
.platc/
`

const policiesReadme = `# Policies

Rego policies that ` + "`platc check`" + ` evaluates beside its built-in rules.
Each file is a module in a package under ` + "`platc`" + `; ` + "`deny`" + ` rules are
errors and ` + "`warn`" + ` rules warnings, each producing ` + "`{msg, path}`" + ` where
` + "`path`" + ` is the spec path the finding is about ("teams.vision"), so platc can
point at the CUE line. ` + "`input`" + ` is the normalised spec (durations in seconds,
memory in bytes, CPU in cores) with ` + "`input.now`" + ` and ` + "`input.inventory`" + `.

Run the tests with ` + "`platc policy test`" + `.
`

const examplePolicy = `# Every team names a Slack channel, so incidents reach the right people.
package platc.custom.team_slack

import rego.v1

warn contains finding if {
	some name, team in input.teams
	not team.slack
	finding := {
		"msg": sprintf("team %s has no slack channel", [name]),
		"path": sprintf("teams.%s", [name]),
		"rule": "custom-team-slack",
	}
}
`

const examplePolicyTest = `package platc.custom.team_slack_test

import rego.v1

import data.platc.custom.team_slack

test_team_without_slack_warns if {
	count(team_slack.warn) == 1 with input as {"teams": {"search": {"name": "search"}}}
}

test_team_with_slack_passes if {
	count(team_slack.warn) == 0 with input as {"teams": {"search": {"name": "search", "slack": "#search"}}}
}
`

const workflow = `# platc: checks on pull requests, apply on the default branch.
#
# On a pull request: the findings go to code scanning (SARIF), to a check run
# named platc with an annotation on each finding's line, and to one comment
# on the pull request that also shows the plan. Make "platc" a required
# check in the branch protection rules so that a failing policy blocks the
# merge. On a push to the default branch: platc apply.
name: platc

on:
  pull_request:
  push:
    branches: [main] # your default branch

# Nothing by default; each job asks for what it needs.
permissions: {}

env:
  # The GitOps tree: plan compares the spec with it, apply commits to it.
  # Check out your GitOps repository here to plan against what is deployed.
  GITOPS_DIR: gitops

jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read # check out the spec
      checks: write # the platc check run and its annotations
      pull-requests: write # the platc comment
      security-events: write # upload the SARIF file to code scanning
      # actions: read # private repositories: upload-sarif reads the run
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install platc
        run: go install github.com/platc-dev/platc/cmd/platc@latest
      - name: Check
        # Exits 1 on findings; the steps below still run, and the platc
        # check run carries the verdict.
        continue-on-error: true
        run: platc check -o sarif > platc.sarif
      - name: Upload to code scanning
        if: always() && hashFiles('platc.sarif') != ''
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: platc.sarif
          category: platc
      - name: Plan
        # A spec with errors has no plan; the report goes without one.
        run: platc plan --out "$GITOPS_DIR" -o json > platc-plan.json || rm -f platc-plan.json
      - name: Report on the pull request
        if: always()
        env:
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          plan=()
          if [ -s platc-plan.json ]; then plan=(--plan platc-plan.json); fi
          platc github report "${plan[@]}"
      - name: Format
        run: platc fmt --check

  apply:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    # One apply at a time, in the order of the pushes.
    concurrency:
      group: platc-apply
      cancel-in-progress: false
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install platc
        run: go install github.com/platc-dev/platc/cmd/platc@latest
      # Give apply what it needs to reach your GitOps repository (a deploy
      # key, and --push) and your Pulumi backend (PULUMI_ACCESS_TOKEN or a
      # cloud bucket's credentials, PULUMI_CONFIG_PASSPHRASE), from secrets.
      - name: Apply
        run: platc apply --yes --out "$GITOPS_DIR"
`
