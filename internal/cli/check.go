package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/policy"
	"github.com/platc-dev/platc/providers/gpu"
)

const checkLong = `Check vets the spec in DIR (default: the current directory) and then
evaluates the policies against it: the references between its parts, platc's
built-in Rego policies (GPU pools and quotas, SLOs and the reliability KPI,
rollback for MTTR, GitOps and CI gates, supply chain, rate limits and budget
guardrails, data quality, model drift and retraining, governance, the 90-day
blueprint), and the user's policies in DIR/policies and each --policy DIR.

Findings are printed as FILE:LINE:COL: SEVERITY RULE: message, sorted, with a
summary line. -o json, sarif (SARIF 2.1.0 for code scanning), github
(workflow-command annotations) and junit write machine-readable reports to
stdout instead.

A built-in rule is disabled for a spec by its ID in platform.policies.disabled;
one finding is silenced by an exception (exceptions: NAME: {rule, path,
reason, expires}) until it expires. The user's policies may not report under
the rule IDs of platc's own checks or built-in policies.

Policies are hermetic: http.send, net.lookup_ip_addr and JSON schemas' remote
$refs reach no host unless --policy-allow-net HOST names it.

Exit status: 0 no errors (warnings allowed, unless --fail-on-warn), 1
findings, 2 a spec that cannot be read, a policy with a Rego error, one that
fails as it is evaluated (a host it may not reach) or claims a rule ID of
platc's, or a policy evaluation that runs past --policy-timeout.`

type checkOptions struct {
	dir        string
	output     formatFlag
	failOnWarn bool
	checkFlags
}

func newCheckCmd(g *globals) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Vet the spec and evaluate the built-in and user policies",
		Long:  checkLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			return runCheck(cmd.Context(), g, o)
		},
	}
	o.output.register(cmd.Flags(), "", checkFormats...)
	o.flags(cmd)
	return cmd
}

// flags registers what decides a check's findings, for check and for the
// commands that run a check themselves (github report).
func (o *checkOptions) flags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&o.failOnWarn, "fail-on-warn", false, "exit 1 on warnings too")
	o.checkFlags.register(cmd, checkHelp{now: "the time policies see as input.now", inventory: "input.inventory, and reconciliation findings"})
}

// policyTimeoutFlag registers --policy-timeout, two minutes by default,
// for every command that evaluates policies. A duration that is not
// positive is refused when the flag is parsed (exit 2): policies always
// run under a limit.
func policyTimeoutFlag(f *pflag.FlagSet, p *time.Duration) {
	*p = 2 * time.Minute
	f.Var((*policyTimeout)(p), "policy-timeout", "stop policy evaluation after this `duration`")
}

// policyTimeout is a duration flag that is positive.
type policyTimeout time.Duration

func (t *policyTimeout) Type() string   { return "duration" }
func (t *policyTimeout) String() string { return time.Duration(*t).String() }

func (t *policyTimeout) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("%s is not positive: give the longest time policy evaluation may take, such as 30s or 5m", s)
	}
	*t = policyTimeout(d)
	return nil
}

// policyAllowNetFlag registers --policy-allow-net, for every command that
// evaluates policies: the hosts that http.send, net.lookup_ip_addr and
// JSON schemas' remote $refs may reach (OPA's allow_net capability). With
// none, the policies reach no host: they are hermetic.
func policyAllowNetFlag(f *pflag.FlagSet, p *[]string) {
	f.Var((*allowedHosts)(p), "policy-allow-net", "let policies reach `HOST` with http.send and net.lookup_ip_addr (repeatable; default: no host)")
}

// allowedHosts is a repeatable flag of host names, as OPA's allow_net
// compares them: no scheme, port or path, which would never match.
type allowedHosts []string

func (h *allowedHosts) Type() string { return "stringArray" }
func (h *allowedHosts) String() string {
	if len(*h) == 0 {
		return "" // no host; help text leaves out an empty default
	}
	return "[" + strings.Join(*h, ",") + "]"
}

func (h *allowedHosts) Set(s string) error {
	if s == "" || strings.ContainsAny(s, ":/@?#[] \t\r\n") {
		return fmt.Errorf("%q is not a host name: give a host such as api.example.com or 127.0.0.1, without scheme, port or path", s)
	}
	*h = append(*h, s)
	return nil
}

// reconcileRules are the rule IDs of the inventory reconciliation, whose
// findings a check reports beside the policies': the user's policies may
// not claim them ([compiler.CheckConfig.ReservedRules]).
func reconcileRules() []string {
	return []string{gpu.RuleOvercommit, gpu.RulePoolUnbacked, gpu.RuleIdle, gpu.RuleMIGMissing, gpu.RuleModelMismatch, gpu.RuleNodeMissing}
}

func runCheck(ctx context.Context, g *globals, o *checkOptions) error {
	ds, rules, err := evaluateCheck(ctx, g, o)
	if err != nil {
		return err
	}
	return report(g, ds, reportOptions{format: o.output.value, failOnWarn: o.failOnWarn, summary: true, rules: rules})
}

// evaluateCheck runs the check o describes and returns its findings, with
// the files as the loader saw them, and the rules that were evaluated.
func evaluateCheck(ctx context.Context, g *globals, o *checkOptions) (diag.Diagnostics, map[string]*policy.Rule, error) {
	cfg, err := o.config(g, o.dir)
	if err != nil {
		return nil, nil, err
	}
	res, ds, err := compiler.Check(ctx, cfg)
	if err != nil {
		return nil, nil, checkError(g, err)
	}
	var rules map[string]*policy.Rule
	if res != nil {
		rules = res.Rules
	}
	return ds, rules, nil
}

// checkError reports a check that could not run: broken policies are
// listed at their positions (exit 2), other failures are exit 2 too.
func checkError(g *globals, err error) error {
	var pe *compiler.PolicyError
	if errors.As(err, &pe) {
		writeText(g.cfg.Stderr, pe.Diags.Rel(g.base()).Sorted(), false)
		return fmt.Errorf("%v", pe)
	}
	return loadError(err)
}
