// Package cli is platc's command line: a cobra command tree built without
// globals, with standard streams injected so tests run it in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, as the command-line contract defines them.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitError    = 2
	ExitChanges  = 3
)

// ExitError carries the exit code of a failed command. Err may be nil when
// the command already reported what went wrong (findings).
type ExitErr struct {
	Code int
	Err  error
}

func (e *ExitErr) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitErr) Unwrap() error { return e.Err }

// findings returns the error for a run that reported findings.
func findings() error { return &ExitErr{Code: ExitFindings} }

// usageError wraps a problem with the command line (exit 2).
func usageError(format string, args ...any) error {
	return &ExitErr{Code: ExitError, Err: fmt.Errorf(format, args...)}
}

// Config is what the command tree runs with.
type Config struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

func (c *Config) defaults() {
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
}

// globals are the flags every command shares.
type globals struct {
	cfg *Config
	// dir is -C: where to run.
	dir string
}

// abs resolves p against -C.
func (g *globals) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	base := g.dir
	if base == "" {
		base = "."
	}
	if !filepath.IsAbs(base) {
		if wd, err := os.Getwd(); err == nil {
			base = filepath.Join(wd, base)
		}
	}
	return filepath.Join(base, p)
}

// checkDir refuses a -C directory that does not exist or is not a
// directory, naming it as the user wrote it; without this check every
// command would resolve its paths against it and report them instead
// ("spec directory . does not exist").
func (g *globals) checkDir() error {
	if g.dir == "" {
		return nil
	}
	st, err := os.Stat(g.dir)
	switch {
	case os.IsNotExist(err):
		return usageError("-C %s: directory does not exist: pass -C a directory that exists, or leave -C out to run in the current directory", g.dir)
	case err != nil:
		return usageError("-C %s: %w", g.dir, err)
	case !st.IsDir():
		return usageError("-C %s is not a directory: pass -C the directory to run in", g.dir)
	}
	return nil
}

// base is the directory diagnostics are shown relative to.
func (g *globals) base() string { return g.abs(".") }

const rootLong = `platc compiles a company's AI platform, described in CUE, into Pulumi
stacks and GitOps manifests, after checking it against the platc schema and
Rego policies.

Exit codes: 0 success (warnings allowed), 1 findings, 2 usage, I/O or
internal errors, 3 changes (plan --detailed-exitcode).`

// New builds the command tree.
func New(cfg Config) *cobra.Command {
	cfg.defaults()
	g := &globals{cfg: &cfg}
	root := &cobra.Command{
		Use:           "platc",
		Short:         "Compile a platform spec into Pulumi stacks and GitOps manifests",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(cfg.Stdin)
	root.SetOut(cfg.Stdout)
	root.SetErr(cfg.Stderr)
	root.PersistentFlags().StringVarP(&g.dir, "chdir", "C", "", "run as if platc was started in `DIR`")
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return g.checkDir() }
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitErr{Code: ExitError, Err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	root.AddCommand(
		newVersionCmd(g),
		newVetCmd(g),
		newCheckCmd(g),
		newRenderCmd(g),
		newPlanCmd(g),
		newApplyCmd(g),
		newPolicyCmd(g),
		newFmtCmd(g),
		newInitCmd(g),
		newInventoryCmd(g),
		newGitHubCmd(g),
		newDocsCmd(g),
	)
	return root
}

// Main runs platc with the process's arguments and streams and returns
// the exit code. It is the only place errors are printed.
func Main() int {
	tuneRuntime()
	if f := os.Getenv("PLATC_CPUPROFILE"); f != "" {
		// A debugging aid: PLATC_CPUPROFILE=cpu.pprof platc render …
		if out, err := os.Create(f); err == nil {
			defer out.Close()
			if pprof.StartCPUProfile(out) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	if f := os.Getenv("PLATC_MEMPROFILE"); f != "" {
		// A debugging aid: PLATC_MEMPROFILE=mem.pprof platc vet … writes the
		// allocations of the whole run (go tool pprof -sample_index=alloc_space).
		defer writeHeapProfile(f)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, Config{}, os.Args[1:])
}

// writeHeapProfile writes the allocation profile to file f, best effort.
func writeHeapProfile(f string) {
	out, err := os.Create(f)
	if err != nil {
		return
	}
	defer out.Close()
	_ = pprof.Lookup("allocs").WriteTo(out, 0)
}

// Run executes one command line and returns its exit code.
func Run(ctx context.Context, cfg Config, args []string) int {
	cfg.defaults()
	root := New(cfg)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitErr
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(cfg.Stderr, "platc: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(cfg.Stderr, "platc: %v\n", err)
	if isUsage(err) {
		fmt.Fprintf(cfg.Stderr, "Run 'platc --help' for usage.\n")
		return ExitError
	}
	if false {
		fmt.Fprintf(cfg.Stderr, "Run 'platc --help' for usage.\n")
	}
	return ExitError
}

// isUsage reports cobra's own errors about the command line.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires ", "unknown flag", "unknown shorthand", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// tuneRuntime trades memory the machine has for time: CUE evaluation
// allocates heavily, so the collector runs half as often, within a soft
// limit that keeps even very large specs under 1 GiB. The environment's
// GOGC and GOMEMLIMIT win when set.
func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(900 << 20)
	}
}

// holdsTree raises the soft memory limit for commands that keep a
// rendered tree in memory (hundreds of MiB for a thousand teams), so the
// collector does not run continuously near the limit. Render streams its
// files to disk and keeps the default limit.
func holdsTree() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(4 << 30)
	}
}
