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

	"github.com/platc-dev/platc/compiler/diag"
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

// usageError reports a problem with the command line (exit 2, as every
// error but findings and changes).
func usageError(format string, args ...any) error {
	return fmt.Errorf(format, args...)
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
		return fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	root.AddCommand(
		newVersionCmd(g),
		newVetCmd(g),
		newCheckCmd(g),
		newRenderCmd(g),
		newPlanCmd(g),
		newApplyCmd(g),
		newDestroyCmd(g),
		newPolicyCmd(g),
		newFmtCmd(g),
		newConvertCmd(g),
		newInitCmd(g),
		newInventoryCmd(g),
		newGitHubCmd(g),
		newDocsCmd(g),
	)
	markArgErrors(root)
	return root
}

// argError is a command line with the wrong arguments (an unknown
// command, too many directories), as cobra's Find and the commands'
// argument checks find it: Run points the user to --help.
type argError struct{ error }

func (e argError) Unwrap() error { return e.error }

// markArgErrors makes the argument checks of c and its subcommands return
// an argError.
func markArgErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return argError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markArgErrors(sub)
	}
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
	if _, _, ferr := root.Find(args); ferr != nil {
		err = argError{ferr} // no such command: Find fails only then
	}
	if err == nil {
		return ExitOK
	}
	var ee *ExitErr
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(cfg.Stderr, "platc: %s\n", printableLines(ee.Err.Error()))
		}
		return ee.Code
	}
	fmt.Fprintf(cfg.Stderr, "platc: %s\n", printableLines(err.Error()))
	if errors.As(err, new(argError)) {
		fmt.Fprintf(cfg.Stderr, "Run 'platc --help' for usage.\n")
	}
	return ExitError
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

// printableLines escapes what a terminal or a CI log would not show as text
// in each line of an error message ([diag.Printable]): an error can embed
// a file name or a tool's output that carries escape sequences or carriage
// returns. The line breaks of a message written on several lines are kept.
func printableLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = diag.Printable(l)
	}
	return strings.Join(lines, "\n")
}
