package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"sigs.k8s.io/yaml"
)

// workflow is what the runner reads of a GitHub Actions workflow file.
type workflow struct {
	Env  map[string]string      `json:"env"`
	Jobs map[string]workflowJob `json:"jobs"`
}

type workflowJob struct {
	If          string            `json:"if"`
	Needs       string            `json:"needs"`
	Environment string            `json:"environment"`
	Env         map[string]string `json:"env"`
	Steps       []workflowStep    `json:"steps"`
}

type workflowStep struct {
	Name            string            `json:"name"`
	Uses            string            `json:"uses"`
	Run             string            `json:"run"`
	If              string            `json:"if"`
	With            map[string]string `json:"with"`
	Env             map[string]string `json:"env"`
	ContinueOnError bool              `json:"continue-on-error"`
}

// The actions the workflow uses, and what the runner does in their place:
//
//	actions/checkout (no repository)   nothing: the job runs in the spec's checkout, GITHUB_WORKSPACE
//	actions/checkout (repository: R)   git clone $GITHUB_SERVER_URL/R.git into with.path; with.ssh-key must be set,
//	                                   as the deploy key a private repository needs
//	actions/setup-go                   nothing: the test's Go toolchain
//	pulumi/actions                     checks that the pulumi CLI on PATH (.tools/bin) is with.pulumi-version
//	github/codeql-action/upload-sarif  checks that with.sarif_file is a SARIF 2.1.0 log
//
// and the run step that installs platc:
//
//	go install …/cmd/platc@$PLATC_VERSION  checks that PLATC_VERSION is the version the test's platc reports
//	                                       ("latest" for a build without one), whose platc is on PATH
var actionPrefixes = []string{"actions/checkout@", "actions/setup-go@", "pulumi/actions@", "github/codeql-action/upload-sarif@"}

// ghWorkflowCmd runs one job of a workflow file, step by step:
//
//	gh-workflow FILE JOB
//
// The job runs when its if: holds for GITHUB_EVENT_NAME. Run steps go to
// bash -eo pipefail in GITHUB_WORKSPACE with the workflow's, the job's and
// the step's env; ${{ secrets.NAME }} reads the script's SECRET_NAME. A
// failing step fails the job unless continue-on-error; later steps run
// only with if: always(). Each step is logged as it runs.
func ghWorkflowCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: gh-workflow FILE JOB")
	}
	var wf workflow
	if err := yaml.Unmarshal([]byte(ts.ReadFile(args[0])), &wf); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	job, ok := wf.Jobs[args[1]]
	if !ok {
		ts.Fatalf("%s has no job %s", args[0], args[1])
	}
	workspace := ts.Getenv("GITHUB_WORKSPACE")
	env := map[string]string{}
	expand := func(s string) string {
		return exprRE.ReplaceAllStringFunc(s, func(m string) string {
			e := strings.TrimSpace(m[3 : len(m)-2])
			switch {
			case strings.HasPrefix(e, "secrets."):
				return ts.Getenv("SECRET_" + strings.TrimPrefix(e, "secrets."))
			case strings.HasPrefix(e, "env."):
				return env[strings.TrimPrefix(e, "env.")]
			case e == "github.event_name":
				return ts.Getenv("GITHUB_EVENT_NAME")
			}
			ts.Fatalf("unsupported expression %s", m)
			return ""
		})
	}
	for _, scope := range []map[string]string{wf.Env, job.Env} {
		for k, v := range scope {
			env[k] = expand(v)
		}
	}
	if !evalIf(ts, job.If, env, workspace, false) {
		ts.Logf("job %s: skipped (if: %s)", args[1], job.If)
		if !neg {
			ts.Fatalf("job %s did not run", args[1])
		}
		return
	}
	// needs: a job runs only after the job it needs succeeded, in this
	// script (the jobs that did are listed in $WORK/.gh-workflow-done).
	done := filepath.Join(ts.Getenv("WORK"), ".gh-workflow-done")
	if job.Needs != "" {
		b, _ := os.ReadFile(done)
		if !slices.Contains(strings.Fields(string(b)), job.Needs) {
			ts.Fatalf("job %s needs %s, which has not succeeded", args[1], job.Needs)
		}
	}
	failed := false
	for i, st := range job.Steps {
		name := st.Name
		if name == "" {
			name = cmpOr(st.Uses, firstLine(st.Run))
		}
		if (failed && !strings.Contains(st.If, "always()")) || !evalIf(ts, st.If, env, workspace, failed) {
			ts.Logf("step %d %s: skipped", i+1, name)
			continue
		}
		stepEnv := map[string]string{}
		for k, v := range env {
			stepEnv[k] = v
		}
		for k, v := range st.Env {
			stepEnv[k] = expand(v)
		}
		with := map[string]string{}
		for k, v := range st.With {
			with[k] = expand(v)
		}
		var err error
		switch {
		case st.Uses != "":
			err = runAction(ts, st.Uses, with, workspace)
		case installsPlatc.MatchString(st.Run):
			err = checkPlatcPin(ts, stepEnv["PLATC_VERSION"])
		default:
			err = runStep(ts, st.Run, stepEnv, workspace)
		}
		if err != nil {
			ts.Logf("step %d %s: failed: %v", i+1, name, err)
			if !st.ContinueOnError {
				failed = true
			}
			continue
		}
		ts.Logf("step %d %s: ok", i+1, name)
	}
	if failed != neg {
		ts.Fatalf("job %s: failed %v, want %v", args[1], failed, neg)
	}
	if !failed {
		f, err := os.OpenFile(done, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		ts.Check(err)
		_, err = fmt.Fprintln(f, args[1])
		ts.Check(err)
		ts.Check(f.Close())
	}
}

var (
	exprRE        = regexp.MustCompile(`\$\{\{[^}]*\}\}`)
	installsPlatc = regexp.MustCompile(`^go install "?github\.com/platc-dev/platc/cmd/platc@\$\{PLATC_VERSION\}"?\s*$`)
	hashFilesRE   = regexp.MustCompile(`^hashFiles\('([^']+)'\) != ''$`)
	eventRE       = regexp.MustCompile(`^github\.event_name == '([^']+)'$`)
	envSetRE      = regexp.MustCompile(`^env\.([A-Z_]+) != ''$`)
)

// evalIf evaluates the if: expressions the workflow uses: terms joined by
// || or &&, each always(), github.event_name == '…', env.NAME != ” or
// hashFiles('…') != ”. An empty condition holds unless a step failed.
func evalIf(ts *testscript.TestScript, cond string, env map[string]string, workspace string, failed bool) bool {
	cond = strings.TrimSpace(cond)
	if cond == "" {
		return !failed
	}
	for _, or := range strings.Split(cond, "||") {
		all := true
		for _, term := range strings.Split(or, "&&") {
			term = strings.TrimSpace(term)
			var ok bool
			switch {
			case term == "always()":
				ok = true
			case eventRE.MatchString(term):
				ok = ts.Getenv("GITHUB_EVENT_NAME") == eventRE.FindStringSubmatch(term)[1]
			case envSetRE.MatchString(term):
				ok = env[envSetRE.FindStringSubmatch(term)[1]] != ""
			case hashFilesRE.MatchString(term):
				_, err := os.Stat(filepath.Join(workspace, hashFilesRE.FindStringSubmatch(term)[1]))
				ok = err == nil
			default:
				ts.Fatalf("unsupported if: %s", term)
			}
			all = all && ok
		}
		if all {
			return true
		}
	}
	return false
}

// runAction does, for a uses: step, what the table above says.
func runAction(ts *testscript.TestScript, uses string, with map[string]string, workspace string) error {
	switch {
	case strings.HasPrefix(uses, "actions/checkout@"):
		repo := with["repository"]
		if repo == "" {
			return nil
		}
		if with["ssh-key"] == "" {
			return fmt.Errorf("checkout of %s without an ssh-key: the deploy key secret is empty", repo)
		}
		dest := filepath.Join(workspace, with["path"])
		out, err := scriptCommand(ts, "git", "clone", "--quiet", ts.Getenv("GITHUB_SERVER_URL")+"/"+repo+".git", dest).CombinedOutput()
		if err != nil {
			return fmt.Errorf("git clone %s: %v: %s", repo, err, out)
		}
		return nil
	case strings.HasPrefix(uses, "actions/setup-go@"):
		return nil
	case strings.HasPrefix(uses, "pulumi/actions@"):
		out, err := scriptCommand(ts, "pulumi", "version").Output()
		if err != nil {
			return fmt.Errorf("pulumi version: %v", err)
		}
		if got, want := strings.TrimSpace(string(out)), "v"+strings.TrimPrefix(with["pulumi-version"], "v"); got != want {
			return fmt.Errorf("the pulumi CLI on PATH is %s, the workflow installs %s", got, want)
		}
		return nil
	case strings.HasPrefix(uses, "github/codeql-action/upload-sarif@"):
		b, err := os.ReadFile(filepath.Join(workspace, with["sarif_file"]))
		if err != nil {
			return err
		}
		var log struct {
			Version string `json:"version"`
			Runs    []any  `json:"runs"`
		}
		if err := json.Unmarshal(b, &log); err != nil || log.Version != "2.1.0" || len(log.Runs) == 0 {
			return fmt.Errorf("%s is not a SARIF 2.1.0 log (%v)", with["sarif_file"], err)
		}
		return nil
	}
	return fmt.Errorf("no local equivalent of %s (known: %s)", uses, strings.Join(actionPrefixes, ", "))
}

// checkPlatcPin checks the version the workflow installs against the
// test's platc, which is on PATH.
func checkPlatcPin(ts *testscript.TestScript, pin string) error {
	out, err := scriptCommand(ts, "platc", "version", "-o", "json").Output()
	if err != nil {
		return fmt.Errorf("platc version: %v", err)
	}
	var v struct{ Version string }
	if err := json.Unmarshal(out, &v); err != nil {
		return err
	}
	want := v.Version
	if !strings.HasPrefix(want, "v") {
		want = "latest"
	}
	if pin != want {
		return fmt.Errorf("the workflow installs platc %q, this platc is %s (want %q)", pin, v.Version, want)
	}
	return nil
}

// scriptCommand is a command found on the script's PATH, run with the
// script's environment as a runner would give it.
func scriptCommand(ts *testscript.TestScript, name string, args ...string) *exec.Cmd {
	path := name
	for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			path = filepath.Join(dir, name)
			break
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Env = os.Environ()
	for _, k := range []string{"PATH", "HOME", "GITHUB_WORKSPACE", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_API_URL", "GITHUB_ACTIONS", "GITHUB_SERVER_URL", "CUE_CACHE_DIR", "PULUMI_HOME"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	return cmd
}

// runStep runs a run: step as GitHub's bash shell does.
func runStep(ts *testscript.TestScript, script string, env map[string]string, workspace string) error {
	cmd := scriptCommand(ts, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
	cmd.Dir = workspace
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	ts.Logf("%s", out)
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
