package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	cuecmd "cuelang.org/go/cmd/cue/cmd"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/platc-dev/platc/internal/cli"
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
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("PLATC_UPDATE") == "1",
		Setup: func(env *testscript.Env) error {
			// Scripts can copy the project's examples and blueprints.
			env.Setenv("PLATC_ROOT", root)
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("CUE_CACHE_DIR", filepath.Join(env.WorkDir, ".cache", "cue"))
			// apply and plan drive the pulumi CLI that make tools builds.
			env.Setenv("PATH", filepath.Join(root, ".tools", "bin")+string(os.PathListSeparator)+env.Getenv("PATH"))
			return nil
		},
	})
}
