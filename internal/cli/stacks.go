package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/providers/pulumi"
)

// stackOptions are the flags plan and apply share for Pulumi stacks.
type stackOptions struct {
	envs           []string
	tiers          []string
	backend        string
	secrets        string
	componentsOnly bool
	refresh        bool
}

func (o *stackOptions) stackFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&o.envs, "env", nil, "only this `ENV`ironment's stack (repeatable; default: all)")
	f.StringArrayVar(&o.tiers, "tier", nil, "only the stacks of the environments of this `TIER` (dev, test or prod; repeatable; default: all)")
	f.StringVar(&o.backend, "backend", "", "Pulumi state backend `URL` (default: platform.pulumi.backend, else file://DIR/.platc/state)")
	f.StringVar(&o.secrets, "secrets-provider", "", "secrets provider for new stacks: passphrase, awskms://…, … (default: platform.pulumi.secretsProvider)")
	f.BoolVar(&o.componentsOnly, "components-only", false, "leave the cloud provider resources out: the stacks hold platc's components and outputs only (no provider plugins or credentials needed)")
	f.BoolVar(&o.refresh, "refresh", false, "refresh each stack's state from the cloud first, and report how the cloud has drifted from it")
}

// envNames are the plan's environments: the stacks the spec declares.
func envNames(p *plan.Plan) []string {
	var out []string
	for _, env := range p.Environments {
		out = append(out, env.Name)
	}
	return out
}

// drift refreshes each stack's state in a preview, without writing it,
// and records on its result how the cloud has drifted.
func drift(ctx context.Context, engine *pulumi.Engine, stacks []*pulumi.Stack, results []*pulumi.Result, stderr io.Writer) error {
	for i, s := range stacks {
		fmt.Fprintf(stderr, "==> pulumi refresh --preview-only %s/%s\n", s.Project, s.Name)
		d, err := engine.Drift(ctx, s)
		if err != nil {
			return stackExitErr(err)
		}
		results[i].Drift = map[string]int{}
		for op, n := range d.Changes {
			if op != "same" && n > 0 {
				results[i].Drift[op] = n
			}
		}
	}
	return nil
}

// driftText is a result's drift in words, "" when there is none.
func driftText(r *pulumi.Result) string {
	if r.Drift == nil {
		return ""
	}
	if len(r.Drift) == 0 {
		return "no drift: the cloud matches the state"
	}
	return fmt.Sprintf("drift: %d changed and %d deleted outside Pulumi (%d in all)", r.Drift["update"], r.Drift["delete"], sum(r.Drift))
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// selection is the --env and --tier flags in words.
func (o *stackOptions) selection() string {
	var parts []string
	for _, e := range o.envs {
		parts = append(parts, "--env "+e)
	}
	for _, t := range o.tiers {
		parts = append(parts, "--tier "+t)
	}
	return strings.Join(parts, " ")
}

// selective reports whether --env or --tier narrows the environments.
func (o *stackOptions) selective() bool { return len(o.envs)+len(o.tiers) > 0 }

// selectStacks returns the stacks of the environments --env names and
// --tier selects, in the plan's order. An unknown environment or tier is a
// usage error that lists the known ones; a tier no environment has selects
// nothing.
func (o *stackOptions) selectStacks(p *plan.Plan) ([]*pulumi.Stack, error) {
	all := pulumi.Stacks(p)
	if !o.selective() {
		return all, nil
	}
	var known []string
	for _, s := range all {
		known = append(known, s.Environment)
	}
	for _, e := range o.envs {
		if !slices.Contains(known, e) {
			return nil, usageError("unknown --env %q: the spec's environments are %s", e, strings.Join(known, ", "))
		}
	}
	for _, t := range o.tiers {
		if !slices.Contains(model.Tiers, t) {
			return nil, usageError("unknown --tier %q: the tiers are %s", t, strings.Join(model.Tiers, ", "))
		}
	}
	out := []*pulumi.Stack{}
	for _, s := range all {
		if (len(o.envs) == 0 || slices.Contains(o.envs, s.Environment)) &&
			(len(o.tiers) == 0 || slices.Contains(o.tiers, s.Tier)) {
			out = append(out, s)
		}
	}
	return out, nil
}

// engine sets up the Pulumi engine for the spec in specDir: the CLI, the
// backend (made and checked writable when it is a local directory), the
// secrets provider and its passphrase.
func (o *stackOptions) engine(g *globals, p *plan.Plan, specDir string, progress io.Writer) (*pulumi.Engine, error) {
	backend := o.backend
	if backend == "" {
		backend = p.Platform.Pulumi.Backend
	}
	if backend == "" {
		backend = "file://" + filepath.ToSlash(filepath.Join(specDir, ".platc", "state"))
	}
	backend, err := checkBackend(backend, specDir)
	if err != nil {
		return nil, err
	}
	sp := p.Platform.Pulumi.SecretsProvider
	if o.secrets != "" {
		sp = o.secrets
	}
	if sp == "" || sp == "passphrase" {
		if g.cfg.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && g.cfg.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
			if _, set := os.LookupEnv("PULUMI_CONFIG_PASSPHRASE"); !set {
				return nil, usageError("the stacks' secrets are encrypted with a passphrase (platform.pulumi.secretsProvider) and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set: set one (an empty PULUMI_CONFIG_PASSPHRASE is allowed for local demos)")
			}
		}
	}
	if err := backendCredentials(g, backend); err != nil {
		return nil, err
	}
	cli, err := pulumi.FindCLI(g.cfg.Getenv)
	if err != nil {
		return nil, err
	}
	return &pulumi.Engine{
		CLI: cli, Backend: backend, SecretsProvider: sp,
		WorkRoot: filepath.Join(specDir, ".platc", "workspaces"),
		Progress: progress,
		Options:  pulumi.Options{ComponentsOnly: o.componentsOnly},
		Refresh:  o.refresh,
	}, nil
}

// backendCredentials refuses a Pulumi Cloud (or self-hosted Pulumi
// service) backend that nothing logs in to: no PULUMI_ACCESS_TOKEN and no
// `pulumi login` to it in PULUMI_HOME's credentials. Cloud buckets take
// their provider's credentials from too many places to check here.
func backendCredentials(g *globals, backend string) error {
	if !strings.HasPrefix(backend, "https://") && !strings.HasPrefix(backend, "http://") {
		return nil
	}
	if g.cfg.Getenv("PULUMI_ACCESS_TOKEN") != "" || os.Getenv("PULUMI_ACCESS_TOKEN") != "" {
		return nil
	}
	home := cmp.Or(g.cfg.Getenv("PULUMI_HOME"), os.Getenv("PULUMI_HOME"))
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".pulumi")
		}
	}
	if b, err := os.ReadFile(filepath.Join(home, "credentials.json")); err == nil {
		var creds struct {
			AccessTokens map[string]string `json:"accessTokens"`
		}
		if json.Unmarshal(b, &creds) == nil && creds.AccessTokens[strings.TrimSuffix(backend, "/")] != "" {
			return nil
		}
	}
	return usageError("the Pulumi backend %s needs an access token and PULUMI_ACCESS_TOKEN is not set (nor has `pulumi login %s` been run): set PULUMI_ACCESS_TOKEN, from a secret in CI", backend, backend)
}

// checkBackend makes a local backend's directory and proves it writable;
// other backends are checked by the CLI when it logs in. It returns the
// backend with a relative local directory made absolute against specDir,
// as the CLI would otherwise resolve it against the stack's workspace.
func checkBackend(backend, specDir string) (string, error) {
	if err := validBackend(backend); err != nil {
		return "", err
	}
	dir := backendDir(backend)
	if dir == "" {
		return backend, nil
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(specDir, dir)
		backend = "file://" + filepath.ToSlash(dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("backend %s cannot be written: %w", backend, err)
	}
	f, err := os.CreateTemp(dir, ".platc-probe-*")
	if err != nil {
		return "", fmt.Errorf("backend %s cannot be written: %w", backend, err)
	}
	f.Close()
	return backend, os.Remove(f.Name())
}

// backendSchemes are the state backends the pulumi CLI logs in to, and
// what the URL's host names in each.
var backendSchemes = map[string]string{
	"file":     "DIR",
	"s3":       "BUCKET",
	"gs":       "BUCKET",
	"azblob":   "CONTAINER",
	"postgres": "HOST",
	"https":    "HOST",
	"http":     "HOST",
}

const backendWant = "want file://DIR, s3://BUCKET, gs://BUCKET, azblob://CONTAINER, postgres://…, " +
	"or https://api.pulumi.com (Pulumi Cloud) or the https:// address of a self-hosted Pulumi service"

// validBackend checks a backend URL the way the pulumi CLI reads it, so
// that a mistyped one is named as such rather than taken for a Pulumi
// Cloud address (the CLI's reading of anything it does not know, which
// ends in "PULUMI_ACCESS_TOKEN must be set"). "" is the default backend.
func validBackend(backend string) error {
	if backend == "" {
		return nil
	}
	scheme, rest, ok := strings.Cut(backend, "://")
	if !ok {
		// s3//bucket, file:/tmp/state: a scheme with a mistyped separator.
		for s := range backendSchemes {
			if r, ok := strings.CutPrefix(backend, s); ok && r != "" && (r[0] == ':' || r[0] == '/') {
				r = strings.TrimPrefix(strings.TrimPrefix(r, ":"), "//")
				if s != "file" {
					r = strings.TrimLeft(r, "/")
				}
				return fmt.Errorf("backend %q is not a URL: did you mean %s://%s? (%s)", backend, s, r, backendWant)
			}
		}
		return fmt.Errorf("backend %q is not a URL: %s", backend, backendWant)
	}
	what, known := backendSchemes[scheme]
	if !known {
		if _, err := url.Parse(backend); err != nil || !validScheme(scheme) {
			return fmt.Errorf("backend %q is not a URL (%q is no URL scheme): %s", backend, scheme, backendWant)
		}
		return fmt.Errorf("backend %q: the pulumi CLI has no backend of the kind %s://: %s", backend, scheme, backendWant)
	}
	if scheme == "file" {
		if rest == "" {
			return fmt.Errorf("backend %q names no directory: want file://DIR (absolute, or relative to the spec's directory) or file://~", backend)
		}
		return nil
	}
	u, err := url.Parse(backend)
	if err != nil {
		return fmt.Errorf("backend %q is not a URL: %v", backend, errors.Unwrap(err))
	}
	if u.Host == "" {
		want := scheme + "://" + what
		if scheme == "postgres" {
			want = "postgres://USER:PASSWORD@HOST:PORT/DATABASE"
		}
		return fmt.Errorf("backend %q names no %s: want %s", backend, strings.ToLower(what), want)
	}
	return nil
}

// validScheme reports whether s is a URL scheme by RFC 3986's grammar.
func validScheme(s string) bool {
	for i, c := range s {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// backendDir is a local backend's directory, "" for other backends and
// for file://~ (the CLI's home directory).
func backendDir(backend string) string {
	dir, ok := strings.CutPrefix(backend, "file://")
	if !ok || dir == "~" {
		return ""
	}
	return dir
}

// stackExitErr maps an engine failure to an exit code: 2 for every kind,
// with the CLI's explanation. A stack another update holds may be held by
// an apply that was killed (SIGKILL leaves the backend's lock behind):
// the message says how to clear it with a command that works as pasted,
// from any directory.
func stackExitErr(err error) error {
	var ce *pulumi.CLIError
	if errors.As(err, &ce) && ce.Concurrent {
		return fmt.Errorf("%w\nanother update of the stack is running: wait for it; if none is (an update that was killed leaves its lock behind), clear the lock with\n    %s", err, cancelCommand(ce.Backend, ce.Stack))
	}
	return err
}

// cancelCommand is the shell command that clears the lock of the stack
// (fully qualified) on backend: pulumi cancel pointed at the backend by
// PULUMI_BACKEND_URL, as the CLI would otherwise use the one it is logged
// in to. A password in the URL is not printed.
func cancelCommand(backend, stack string) string {
	cmd := "pulumi cancel --stack " + shellQuote(stack)
	if backend == "" {
		return cmd
	}
	if u, err := url.Parse(backend); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			backend = u.Redacted()
		}
	}
	return "PULUMI_BACKEND_URL=" + shellQuote(backend) + " " + cmd
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// prefixWriter writes each line with a prefix, for streaming the progress
// of one stack among several.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	buf    bytes.Buffer
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf.Write(b)
	for {
		line, err := p.buf.ReadBytes('\n')
		if err != nil {
			// Keep the partial line for the next write.
			rest := slices.Clone(line)
			p.buf.Reset()
			p.buf.Write(rest)
			return len(b), nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if _, err := fmt.Fprintf(p.w, "%s%s", p.prefix, line); err != nil {
			return 0, err
		}
	}
}

// Flush writes a partial last line.
func (p *prefixWriter) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf.Len() > 0 {
		fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.buf.String())
		p.buf.Reset()
	}
}
