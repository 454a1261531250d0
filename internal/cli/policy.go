package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/diag"
)

const policyTestLong = `Policy test runs the Rego unit tests (test_ rules in *_test.rego files) of
the built-in policies and of the user's policies in DIR/policies and each
--policy DIR, like 'opa test'. It prints a line per failing test (and per
test with -v) and a summary, and exits 1 when a test fails or errors. As in
check, the policies reach no host unless --policy-allow-net HOST names it.`

func newPolicyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with the Rego policies: test, list",
	}
	cmd.AddCommand(newPolicyTestCmd(g), newPolicyListCmd(g))
	return cmd
}

type policyTestOptions struct {
	dir        string
	policyDirs []string
	verbose    bool
	run        string
	timeout    time.Duration
	allowNet   []string
}

func newPolicyTestCmd(g *globals) *cobra.Command {
	o := &policyTestOptions{}
	cmd := &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run the policies' Rego unit tests, built-in and the user's",
		Long:  policyTestLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			return runPolicyTest(cmd.Context(), g, o, g.cfg.Stdout, g.cfg.Stderr)
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print every test, not just failures")
	f.StringArrayVar(&o.policyDirs, "policy", nil, "also test the policies in `DIR` (repeatable)")
	f.StringVarP(&o.run, "run", "r", "", "run only tests matching this `regex`")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "stop a test after this `duration`")
	policyAllowNetFlag(f, &o.allowNet)
	return cmd
}

func (o *policyTestOptions) config(g *globals) compiler.CheckConfig {
	cfg := compiler.CheckConfig{
		Config:         compiler.Config{Dir: g.abs(o.dir), DisplayDir: o.dir},
		Tests:          true,
		PolicyAllowNet: o.allowNet,
		ReservedRules:  reconcileRules(),
	}
	for _, d := range o.policyDirs {
		cfg.PolicyDirs = append(cfg.PolicyDirs, g.abs(d))
	}
	return cfg
}

func runPolicyTest(ctx context.Context, g *globals, o *policyTestOptions, stdout, stderr io.Writer) error {
	eng, err := compiler.Policies(ctx, o.config(g))
	if err != nil {
		return checkError(g, err)
	}
	runner := tester.NewRunner().
		SetCompiler(eng.Compiler()).
		SetModules(eng.Modules()).
		SetTimeout(o.timeout).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true)
	if o.run != "" {
		runner = runner.Filter(o.run)
	}
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return fmt.Errorf("run policy tests: %w", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Location.File+"\x00"+a.Package+"."+a.Name, b.Location.File+"\x00"+b.Package+"."+b.Name)
	})
	pass, fail, errs, skip := 0, 0, 0, 0
	file := ""
	for _, r := range results {
		status := "PASS"
		switch {
		case r.Error != nil:
			status, errs = "ERROR", errs+1
		case r.Fail:
			status, fail = "FAIL", fail+1
		case r.Skip:
			status, skip = "SKIPPED", skip+1
		default:
			pass++
		}
		if status == "PASS" && !o.verbose || status == "SKIPPED" && !o.verbose {
			continue
		}
		// What a test prints and its errors come from the policies, as
		// may the file's name: their control characters are escaped.
		name := diag.Printable(displayName(g, r.Location.File))
		if name != file {
			fmt.Fprintf(stdout, "%s:\n", name)
			file = name
		}
		fmt.Fprintf(stdout, "%s.%s: %s (%s)\n", strings.TrimPrefix(r.Package, "data."), diag.Printable(r.Name), status, r.Duration.Round(time.Microsecond))
		if r.Error != nil {
			fmt.Fprintf(stdout, "  %s\n", diag.Printable(r.Error.Error()))
		}
		if len(r.Output) > 0 && status != "PASS" {
			for _, l := range strings.Split(strings.TrimRight(string(r.Output), "\n"), "\n") {
				fmt.Fprintf(stdout, "  %s\n", diag.Printable(l))
			}
		}
	}
	total := len(results)
	if len(results) > 0 && (fail > 0 || errs > 0 || o.verbose) {
		fmt.Fprintln(stdout, strings.Repeat("-", 80))
	}
	switch {
	case total == 0:
		fmt.Fprintln(stdout, "no tests found")
	case fail == 0 && errs == 0:
		fmt.Fprintf(stdout, "PASS: %d/%d\n", pass, total)
	default:
		fmt.Fprintf(stdout, "PASS: %d/%d\n", pass, total)
		if fail > 0 {
			fmt.Fprintf(stdout, "FAIL: %d/%d\n", fail, total)
		}
		if errs > 0 {
			fmt.Fprintf(stdout, "ERROR: %d/%d\n", errs, total)
		}
		return findings()
	}
	return nil
}

// displayName shows a policy file relative to the working directory.
func displayName(g *globals, file string) string {
	return diagPosFile(g, file)
}

func newPolicyListCmd(g *globals) *cobra.Command {
	var dir string
	var policyDirs []string
	cmd := &cobra.Command{
		Use:   "list [DIR]",
		Short: "List the policy rules with their IDs and rationale",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir = "."
			if len(args) == 1 {
				dir = args[0]
			}
			o := &policyTestOptions{dir: dir, policyDirs: policyDirs}
			cfg := o.config(g)
			cfg.Tests = false
			eng, err := compiler.Policies(cmd.Context(), cfg)
			if err != nil {
				return checkError(g, err)
			}
			ids := make([]string, 0, len(eng.Rules))
			for id := range eng.Rules {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			for _, id := range ids {
				r := eng.Rules[id]
				origin := "user"
				if r.Builtin {
					origin = "built-in"
				}
				fmt.Fprintf(g.cfg.Stdout, "%s (%s, %s)\n", id, origin, r.Package)
				if r.Title != "" {
					fmt.Fprintf(g.cfg.Stdout, "  %s\n", r.Title)
				}
				if r.Description != "" {
					fmt.Fprintf(g.cfg.Stdout, "  %s\n", wrap(r.Description, 76, "  "))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&policyDirs, "policy", nil, "also list the policies in `DIR` (repeatable)")
	return cmd
}

func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteString("\n" + indent)
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
