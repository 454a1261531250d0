// Package scaffold produces the files of a new spec repository: the CUE
// module with the platc schema vendored, a starter spec from a blueprint,
// a policies directory and a CI workflow.
package scaffold

import (
	"cmp"
	"fmt"
	"regexp"
	"strings"
	"text/template"

	"github.com/platc-dev/platc/blueprints"
	"github.com/platc-dev/platc/compiler/hclspec"
	"github.com/platc-dev/platc/compiler/model"
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
	// Version is the platc writing the files; the CI workflow installs
	// that version ("latest" for a build without one).
	Version string
	// PulumiVersion is the pulumi CLI the workflow installs (required).
	PulumiVersion string
	// Format of the team files: "cue" (the default) or "hcl".
	Format string
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
	// semverRE is a version go install can pin: a release or a module
	// pseudo-version.
	semverRE = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`)
)

// Files returns the repository's files keyed by slash path.
func Files(o Options) (map[string][]byte, error) {
	o.defaults()
	switch o.Format {
	case "", "cue", "hcl":
	default:
		return nil, fmt.Errorf("invalid format %q: use cue or hcl", o.Format)
	}
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
	}
	var wf strings.Builder
	pin := o.Version
	if !semverRE.MatchString(pin) {
		pin = "latest"
	}
	// One apply job per tier, in model.Tiers' order; prod waits for its
	// approval.
	type tierJob struct{ Name, Needs, Environment string }
	var tiers []tierJob
	for i, t := range model.Tiers {
		j := tierJob{Name: t}
		if i > 0 {
			j.Needs = model.Tiers[i-1]
		}
		if t == "prod" {
			j.Environment = "production"
		}
		tiers = append(tiers, j)
	}
	if err := workflowTemplate.Execute(&wf, map[string]any{"Version": cmp.Or(o.Version, "(devel)"), "Pin": pin, "PulumiVersion": o.PulumiVersion, "Tiers": tiers}); err != nil {
		return nil, err
	}
	out[".github/workflows/platc.yml"] = []byte(wf.String())
	for k, v := range schema.VendorFiles() {
		out[k] = v
	}
	for name, src := range bp {
		if strings.HasSuffix(name, ".cue") {
			src = packageRE.ReplaceAll(src, []byte("package "+o.Package))
		}
		if name == "README.md" {
			name = "SPEC.md"
			if o.Format == "hcl" {
				src = teamFileRE.ReplaceAll(src, []byte("${1}.hcl"))
			}
		}
		if o.Format == "hcl" && strings.HasPrefix(name, "team") && strings.HasSuffix(name, ".cue") {
			hcl, err := teamsInHCL(name, src)
			if err != nil {
				return nil, err
			}
			name, src = strings.TrimSuffix(name, ".cue")+hclspec.Ext, hcl
		}
		out[name] = src
	}
	return out, nil
}

// teamFileRE matches the names of team files in the blueprint's text.
var teamFileRE = regexp.MustCompile(`\b(teams|team-[a-z<>-]+)\.cue\b`)

// teamsInHCL converts a blueprint's team file to HCL. Its comments come
// along; an example in a comment (lines indented by a tab) is CUE, and is
// converted too, so that the file shows one syntax.
func teamsInHCL(name string, src []byte) ([]byte, error) {
	out, ds := hclspec.ToHCL(name, src)
	if len(ds) > 0 {
		return nil, fmt.Errorf("blueprint %s does not convert to HCL: %s", name, ds[0].Message)
	}
	lines := strings.Split(string(out), "\n")
	var res []string
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "#\t") {
			res = append(res, teamFileRE.ReplaceAllString(lines[i], "${1}.hcl"))
			continue
		}
		j := i
		var code []string
		for ; j < len(lines) && strings.HasPrefix(lines[j], "#\t"); j++ {
			code = append(code, strings.TrimPrefix(lines[j], "#\t"))
		}
		example, ds := hclspec.ToHCL(name, []byte(strings.Join(code, "\n")+"\n"))
		if len(ds) > 0 {
			return nil, fmt.Errorf("the example in a comment of blueprint %s does not convert to HCL: %s", name, ds[0].Message)
		}
		for _, l := range strings.Split(strings.TrimRight(string(example), "\n"), "\n") {
			res = append(res, strings.TrimRight("#   "+l, " "))
		}
		i = j - 1
	}
	return []byte(strings.Join(res, "\n")), nil
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

// workflowTemplate is the CI workflow; [[.Pin]] is the platc version it
// installs.
var workflowTemplate = template.Must(template.New("platc.yml").Delims("[[", "]]").Parse(`# platc: checks on pull requests, apply on the default branch. Written by
# platc [[.Version]].
#
# On a pull request: the findings go to code scanning (SARIF), to a check run
# named platc with an annotation on each finding's line, and to one comment
# on the pull request that also shows the plan: the GitOps diff against the
# GitOps repository, and a pulumi preview of each stack when the job has the
# backend's credentials (reported as skipped when it has not). Make "platc"
# a required check in the branch protection rules so that a failing policy
# blocks the merge. On a push to the default branch: platc apply, one job
# per environment tier (dev, then test, then prod behind an approval), each
# updating its environments' stacks and pushing their rendered directories
# to the GitOps repository.
#
# Secrets: GITOPS_DEPLOY_KEY (a deploy key of the GitOps repository, with
# write access for apply), PULUMI_CONFIG_PASSPHRASE (or PULUMI_ACCESS_TOKEN
# for Pulumi Cloud, and your cloud's credentials for its bucket backend).
name: platc

on:
  pull_request:
  push:
    branches: [main] # your default branch

# Nothing by default; each job asks for what it needs.
permissions: {}

env:
  # The platc this workflow was written for: upgrade them together.
  PLATC_VERSION: [[.Pin]]
  # The Pulumi CLI apply and plan drive.
  PULUMI_VERSION: [[.PulumiVersion]]
  # The GitOps repository (owner/name) that plan compares with and apply
  # commits to, and where the jobs check it out.
  GITOPS_REPOSITORY: your-org/platform-gitops
  GITOPS_DIR: gitops-repo

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
    env:
      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}
      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}
    steps:
      - uses: actions/checkout@v4
      - name: Check out the GitOps repository
        uses: actions/checkout@v4
        with:
          repository: ${{ env.GITOPS_REPOSITORY }}
          path: ${{ env.GITOPS_DIR }}
          ssh-key: ${{ secrets.GITOPS_DEPLOY_KEY }}
          persist-credentials: false
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install platc
        run: go install "github.com/platc-dev/platc/cmd/platc@${PLATC_VERSION}"
      - name: Install the Pulumi CLI
        if: env.PULUMI_ACCESS_TOKEN != '' || env.PULUMI_CONFIG_PASSPHRASE != ''
        uses: pulumi/actions@v6
        with:
          pulumi-version: ${{ env.PULUMI_VERSION }}
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
        # Without the backend's credentials the stacks are not previewed,
        # and the report says so. A spec with errors has no plan (exit 1);
        # the report goes without one.
        run: |
          stacks=()
          if [ -z "${PULUMI_ACCESS_TOKEN}${PULUMI_CONFIG_PASSPHRASE}" ]; then
            stacks=(--gitops-only)
          fi
          platc plan --out "$GITOPS_DIR" -o json "${stacks[@]}" > platc-plan.json || rm -f platc-plan.json
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
[[- range .Tiers]]

  apply-[[.Name]]:
    if: github.event_name == 'push'
[[- if .Needs]]
    # The tiers go in order: this one only once [[.Needs]] has applied.
    needs: apply-[[.Needs]]
[[- end]]
    runs-on: ubuntu-latest
[[- if .Environment]]
    # The [[.Name]] apply waits in this GitHub environment for an approval
    # (platform.ci.approval.environment). Make the accountable of your
    # release RACI task (governance.raci.release) its required reviewers,
    # once, with a repository administrator's token:
    #   GITHUB_TOKEN=... GITHUB_REPOSITORY=owner/name platc github environments
    environment: [[.Environment]]
[[- end]]
    # One [[.Name]] apply at a time, in the order of the pushes. Each tier
    # commits only its own environments' directories (and the shared
    # files); an apply whose push loses a race with another tier's push
    # fails with git's message and is re-run.
    concurrency:
      group: platc-apply-[[.Name]]
      cancel-in-progress: false
    permissions:
      contents: read # the spec; the GitOps repository is written with its deploy key
    env:
      PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}
      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}
      GIT_AUTHOR_NAME: platc
      GIT_AUTHOR_EMAIL: platc@users.noreply.github.com
    steps:
      - uses: actions/checkout@v4
      - name: Check out the GitOps repository
        uses: actions/checkout@v4
        with:
          repository: ${{ env.GITOPS_REPOSITORY }}
          path: ${{ env.GITOPS_DIR }}
          ssh-key: ${{ secrets.GITOPS_DEPLOY_KEY }}
      - uses: actions/setup-go@v5
        with:
          go-version: "1.26"
      - name: Install platc
        run: go install "github.com/platc-dev/platc/cmd/platc@${PLATC_VERSION}"
      - name: Install the Pulumi CLI
        uses: pulumi/actions@v6
        with:
          pulumi-version: ${{ env.PULUMI_VERSION }}
      - name: Apply
        # Updates the stacks of the [[.Name]] environments, commits their
        # rendered directories and pushes them (nothing when the spec has
        # no [[.Name]] environment).
        run: platc apply --yes --push --tier [[.Name]] --out "$GITOPS_DIR"
[[- end]]
`))
