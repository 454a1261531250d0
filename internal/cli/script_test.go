package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	cuecmd "cuelang.org/go/cmd/cue/cmd"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/platc-dev/platc/internal/cli"
	"github.com/platc-dev/platc/internal/golden"
	"github.com/platc-dev/platc/providers/github/githubtest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"platc": func() { os.Exit(cli.Run(context.Background(), cli.Config{}, os.Args[1:])) },
		"cue":   func() { os.Exit(cuecmd.Main()) },
		// platc-exit CODE ARGS... runs platc and succeeds only when it
		// exits with CODE, so scripts pin exit codes exactly.
		"platc-exit": func() {
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "platc-exit: first argument must be the expected exit code")
				os.Exit(2)
			}
			if got := cli.Run(context.Background(), cli.Config{}, os.Args[2:]); got != want {
				fmt.Fprintf(os.Stderr, "platc-exit: platc exited %d, want %d\n", got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each runs
// the real platc command line. PLATC_UPDATE=1 rewrites the expected output
// in the scripts from what platc prints.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

// TestAdversarial runs the adversarial corpus in testdata/adversarial: one
// script per class of hostile or broken input (symlinks out of the output
// directory, files platc does not own, redirects to another host, deep
// nesting, names Kubernetes refuses…), each pinning the exit code with
// platc-exit and the message with a pattern. make fuzz-adversarial runs
// it with the fuzz targets.
func TestAdversarial(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/adversarial"))
}

func scriptParams(t *testing.T, dir string) testscript.Params {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		UpdateScripts:       golden.Update(),
		Setup: func(env *testscript.Env) error {
			// Scripts can copy the project's examples and blueprints.
			env.Setenv("PLATC_ROOT", root)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("CUE_CACHE_DIR", filepath.Join(env.WorkDir, ".cache", "cue"))
			// apply and plan drive the pulumi CLI that make tools builds.
			env.Setenv("PATH", filepath.Join(root, ".tools", "bin")+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Values[githubAPIKey{}] = &githubAPI{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"github-api":  githubAPICmd,
			"gh-workflow": ghWorkflowCmd,
			"cmp-tree":    cmpTreeCmd,
		},
	}
}

type githubAPIKey struct{}

// githubAPI holds a script's fake GitHub API.
type githubAPI struct{ srv *githubtest.Server }

// githubAPICmd drives an in-process GitHub API (githubtest) from a script;
// it runs in the test process, so the platc commands a script execs reach
// it over loopback:
//
//	github-api start [-user LOGIN] [-users LOGIN,…] [-teams ORG/SLUG,…]   serve; GITHUB_API_URL points at it, GITHUB_TOKEN and GITHUB_REPOSITORY are what it accepts, GITHUB_ACTIONS is true; the token is LOGIN's (default github-actions[bot], whose GET /user is 403); the users and teams exist
//	github-api environment NAME      the deployment environment NAME: its reviewers and branch policy (stdout)
//	github-api ratelimit METHOD PATH SECONDS   answer the next matching request 403, rate limit spent, Retry-After SECONDS
//	github-api fail [-times N] METHOD PATH STATUS MESSAGE [Header=Value…]   answer matching requests with an error
//	github-api redirect METHOD PATH  answer the next matching request 307 to the same path on another host, which answers 401
//	github-api otherhost             the requests the other host got, with their Authorization header (stdout)
//	github-api seed ISSUE N          add N comments by someone else to an issue
//	github-api say ISSUE LOGIN BODY  add a comment by LOGIN to an issue
//	github-api state                 the check runs and comments (stdout)
//	github-api comment ISSUE [LOGIN] the bodies of LOGIN's comments on an issue (default: the token's), the server as https://github.test (stdout)
//	github-api checkrun              the title, summary and text of each check run (stdout)
//	github-api annotations           every annotation, one a line (stdout)
//	github-api log                   the requests answered, one a line (stdout)
func githubAPICmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("github-api does not fail")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: github-api start|ratelimit|fail|redirect|otherhost|seed|say|state|comment|environment|checkrun|annotations|log")
	}
	h := ts.Value(githubAPIKey{}).(*githubAPI)
	if args[0] != "start" && h.srv == nil {
		ts.Fatalf("github-api start first")
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		ts.Check(err)
		return n
	}
	switch args[0] {
	case "start":
		cfg := githubtest.Config{Token: ts.Getenv("GITHUB_TOKEN"), Repository: ts.Getenv("GITHUB_REPOSITORY")}
		for a := args[1:]; len(a) > 0; a = a[2:] {
			if len(a) < 2 {
				ts.Fatalf("usage: github-api start [-user LOGIN] [-users LOGIN,…] [-teams ORG/SLUG,…]")
			}
			switch a[0] {
			case "-user":
				cfg.User = a[1]
			case "-users":
				cfg.Users = strings.Split(a[1], ",")
			case "-teams":
				cfg.Teams = strings.Split(a[1], ",")
			default:
				ts.Fatalf("usage: github-api start [-user LOGIN] [-users LOGIN,…] [-teams ORG/SLUG,…]")
			}
		}
		h.srv = githubtest.New(cfg)
		ts.Defer(h.srv.Close)
		ts.Setenv("GITHUB_API_URL", h.srv.URL)
		ts.Setenv("GITHUB_ACTIONS", "true")
	case "ratelimit":
		if len(args) != 4 {
			ts.Fatalf("usage: github-api ratelimit METHOD PATH SECONDS")
		}
		h.srv.Fail(githubtest.RateLimited(args[1], args[2], atoi(args[3])))
	case "fail":
		f := githubtest.Fault{Header: http.Header{}}
		a := args[1:]
		if len(a) > 1 && a[0] == "-times" {
			f.Times, a = atoi(a[1]), a[2:]
		}
		if len(a) < 4 {
			ts.Fatalf("usage: github-api fail [-times N] METHOD PATH STATUS MESSAGE [Header=Value…]")
		}
		f.Method, f.Path, f.Status, f.Message = a[0], a[1], atoi(a[2]), a[3]
		for _, kv := range a[4:] {
			k, v, _ := strings.Cut(kv, "=")
			f.Header.Set(k, v)
		}
		h.srv.Fail(f)
	case "redirect":
		if len(args) != 3 {
			ts.Fatalf("usage: github-api redirect METHOD PATH")
		}
		h.srv.Fail(githubtest.Redirect(args[1], args[2], h.srv.OtherHost().URL))
	case "otherhost":
		for _, r := range h.srv.OtherHost().Requests() {
			fmt.Fprintf(ts.Stdout(), "%s %s authorization=%q\n", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	case "say":
		if len(args) != 4 {
			ts.Fatalf("usage: github-api say ISSUE LOGIN BODY")
		}
		h.srv.AddComment(atoi(args[1]), args[2], args[3])
	case "seed":
		if len(args) != 3 {
			ts.Fatalf("usage: github-api seed ISSUE N")
		}
		for i := range atoi(args[2]) {
			h.srv.AddComment(atoi(args[1]), "someone", fmt.Sprintf("comment %d", i+1))
		}
	case "state":
		h.srv.Dump(ts.Stdout())
	case "comment":
		if len(args) != 2 && len(args) != 3 {
			ts.Fatalf("usage: github-api comment ISSUE [LOGIN]")
		}
		user := h.srv.User()
		if len(args) == 3 {
			user = args[2]
		}
		for _, c := range h.srv.Comments(atoi(args[1])) {
			if c.User == user {
				// The server's port changes from run to run.
				fmt.Fprintln(ts.Stdout(), strings.ReplaceAll(c.Body, h.srv.URL, "https://github.test"))
			}
		}
	case "environment":
		if len(args) != 2 {
			ts.Fatalf("usage: github-api environment NAME")
		}
		e, ok := h.srv.Environment(args[1])
		if !ok {
			fmt.Fprintf(ts.Stdout(), "no environment %s\n", args[1])
			break
		}
		fmt.Fprintf(ts.Stdout(), "environment %s: reviewers %s; protected branches %v; writes %d\n", e.Name, strings.Join(e.Reviewers, " "), e.ProtectedBranches, e.Writes)
	case "checkrun":
		for _, r := range h.srv.CheckRuns() {
			fmt.Fprintf(ts.Stdout(), "title: %s\nsummary:\n%s\ntext:\n%s\n", r.Title, r.Summary, r.Text)
		}
	case "annotations":
		for _, r := range h.srv.CheckRuns() {
			for _, a := range r.Annotations {
				fmt.Fprintf(ts.Stdout(), "%s:%d-%d %s %s: %q\n", a.Path, a.StartLine, a.EndLine, a.Level, a.Title, a.Message)
			}
		}
	case "log":
		for _, r := range h.srv.Requests() {
			fmt.Fprintln(ts.Stdout(), r)
		}
	default:
		ts.Fatalf("unknown github-api command %q", args[0])
	}
}

// cmpTreeCmd is "cmp-tree DIR1 DIR2 [EXCEPT...]": it fails unless the two
// directories hold the same files with the same bytes, apart from the
// slash paths listed in EXCEPT.
func cmpTreeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: cmp-tree DIR1 DIR2 [EXCEPT...]")
	}
	skip := map[string]bool{}
	for _, a := range args[2:] {
		skip[a] = true
	}
	read := func(dir string) map[string][]byte {
		out := map[string][]byte{}
		root := ts.MkAbs(dir)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if skip[rel] {
				return nil
			}
			b, err := os.ReadFile(p)
			out[rel] = b
			return err
		})
		ts.Check(err)
		return out
	}
	a, b := read(args[0]), read(args[1])
	var diffs []string
	for name, x := range a {
		y, ok := b[name]
		switch {
		case !ok:
			diffs = append(diffs, name+" only in "+args[0])
		case !bytes.Equal(x, y):
			diffs = append(diffs, name+" differs")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			diffs = append(diffs, name+" only in "+args[1])
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		ts.Fatalf("%s and %s differ:\n%s", args[0], args[1], strings.Join(diffs, "\n"))
	}
	ts.Logf("%s and %s hold the same %d files", args[0], args[1], len(a))
}
