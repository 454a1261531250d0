package pulumi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	sdk "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/utils/ptr"
)

// MinCLIVersion is the oldest pulumi CLI platc drives.
const MinCLIVersion = "3.259.0"

// ProgramFromFile reads a stack plan file and returns its program, for
// the main package Emit writes beside it.
func ProgramFromFile(path string) (sdk.RunFunc, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Stack
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.APIVersion != StackAPIVersion {
		return nil, fmt.Errorf("%s: apiVersion %q, this program reads %q: render it again with this platc", path, s.APIVersion, StackAPIVersion)
	}
	return Program(&s, Options{}), nil
}

// ErrNoCLI is returned by FindCLI when no pulumi CLI is installed.
var ErrNoCLI = errors.New("the pulumi CLI is not installed")

// FindCLI finds the pulumi CLI: the binary PLATC_PULUMI names, or pulumi
// on PATH.
func FindCLI(getenv func(string) string) (auto.PulumiCommand, error) {
	bin := getenv("PLATC_PULUMI")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("pulumi"); err != nil {
			return nil, fmt.Errorf("%w (no pulumi on PATH): run `make tools` in platc's repository, which builds it into .tools/bin, or install Pulumi v%s or later and put it on PATH", ErrNoCLI, MinCLIVersion)
		}
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%w (%v): run `make tools` in platc's repository, which builds it into .tools/bin, or install Pulumi v%s or later", ErrNoCLI, err, MinCLIVersion)
	}
	// The Automation API takes the directory above bin/pulumi.
	root := filepath.Dir(filepath.Dir(bin))
	if filepath.Base(filepath.Dir(bin)) != "bin" || filepath.Base(bin) != "pulumi" {
		return nil, fmt.Errorf("pulumi CLI %s: the Automation API needs it at DIR/bin/pulumi", bin)
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, Version: semver.MustParse(MinCLIVersion)})
	if err != nil {
		return nil, fmt.Errorf("pulumi CLI %s: %w", bin, err)
	}
	return cmd, nil
}

// Engine runs stacks through the Automation API with inline programs.
type Engine struct {
	CLI auto.PulumiCommand
	// Backend is the state backend URL.
	Backend string
	// SecretsProvider encrypts the stacks' secrets ("passphrase" by default).
	SecretsProvider string
	// WorkRoot holds a workspace directory per stack (the project and
	// stack settings Pulumi keeps, such as the secrets salt).
	WorkRoot string
	// Env is added to the CLI's environment.
	Env map[string]string
	// Progress receives Pulumi's own progress, nil for none.
	Progress io.Writer
	Options  Options
	// Refresh makes Preview and Up refresh the state from the cloud
	// first.
	Refresh bool
}

// Result is what an update or preview did to a stack.
type Result struct {
	// Stack is project/env.
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	// Changes counts resources by operation: create, update, delete,
	// replace, same.
	Changes map[string]int `json:"changes"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Seconds float64        `json:"seconds"`
	// Preview is set for a preview's result: the changes are to come.
	Preview bool `json:"preview,omitempty"`
	// Orphan is set for a stack whose environment the spec no longer
	// declares: Changes counts its resources as deletions.
	Orphan bool `json:"orphan,omitempty"`
	// Drift counts, by operation, how the cloud differs from the state
	// (a refresh preview): "update" for a resource changed outside
	// Pulumi, "delete" for one gone. Nil without --refresh.
	Drift map[string]int `json:"drift,omitempty"`
}

// Changed reports whether anything but "same" happened, or is to.
func (r *Result) Changed() bool {
	if r.Orphan {
		return true
	}
	for op, n := range r.Changes {
		if op != "same" && n > 0 {
			return true
		}
	}
	return false
}

// Summary is the counts in words.
func (r *Result) Summary() string {
	c := r.Changes
	if r.Orphan {
		return fmt.Sprintf("environment no longer in the spec: the stack and its %d resources to destroy (apply --allow-destroy, or platc destroy --env %s)", c["delete"], r.Environment)
	}
	if r.Preview {
		return fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete, %d unchanged",
			c["create"], c["update"], c["replace"], c["delete"], c["same"])
	}
	return fmt.Sprintf("%d created, %d updated, %d replaced, %d deleted, %d unchanged",
		c["create"], c["update"], c["replace"], c["delete"], c["same"])
}

// workspaceOptions are the options of the workspace of project in dir:
// the backend, the secrets provider and the CLI's environment. plugins
// says whether the stacks need provider plugins, which the CLI may
// download then.
func (e *Engine) workspaceOptions(dir, project, platform string, plugins bool) []auto.LocalWorkspaceOption {
	env := map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"}
	if !plugins {
		// Nothing to download: keep the CLI from trying.
		env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
		// The stacks hold platc's components only, which are state and
		// nothing else: write the state once at the end of an update, not
		// after every step. Rewriting the whole checkpoint per step costs
		// the square of the resources (a first apply of 100 teams took
		// 121 s with checkpoints, 15 s without). An interrupted update
		// still saves its state when Pulumi cancels it; a killed one loses
		// only the record of components, which the next apply creates
		// again with no effect outside the state. Stacks with cloud
		// resources keep their checkpoints, so that no created cloud
		// resource is ever left out of the state.
		env["PULUMI_SKIP_CHECKPOINTS"] = "true"
	}
	maps.Copy(env, e.Env)
	proj := workspace.Project{
		Name:        tokens.PackageName(project),
		Runtime:     workspace.NewProjectRuntimeInfo("go", nil),
		Description: ptr.To("platc stacks of the " + platform + " platform"),
		Backend:     &workspace.ProjectBackend{URL: e.Backend},
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(dir), auto.Pulumi(e.CLI), auto.Project(proj), auto.EnvVars(env),
	}
	if e.SecretsProvider != "" {
		opts = append(opts, auto.SecretsProvider(e.SecretsProvider))
	}
	return opts
}

func (e *Engine) stack(ctx context.Context, s *Stack) (auto.Stack, error) {
	dir := filepath.Join(e.WorkRoot, s.Project, s.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return auto.Stack{}, err
	}
	opts := e.workspaceOptions(dir, s.Project, s.Platform, len(s.Plugins(e.Options)) > 0)
	st, err := auto.UpsertStackInlineSource(ctx, s.Name, s.Project, Program(s, e.Options), opts...)
	if err != nil {
		return auto.Stack{}, cliError(fmt.Sprintf("select stack %s/%s", s.Project, s.Name), err)
	}
	config := auto.ConfigMap{}
	for k, v := range stackConfig(s) {
		config[k] = auto.ConfigValue{Value: v}
	}
	if err := st.SetAllConfig(ctx, config); err != nil {
		return auto.Stack{}, cliError(fmt.Sprintf("configure stack %s/%s", s.Project, s.Name), err)
	}
	if err := e.plugins(ctx, st, s); err != nil {
		return auto.Stack{}, err
	}
	return st, nil
}

// plugins makes sure the provider plugins the stack needs are installed.
func (e *Engine) plugins(ctx context.Context, st auto.Stack, s *Stack) error {
	need := s.Plugins(e.Options)
	if len(need) == 0 {
		return nil
	}
	have, err := st.Workspace().ListPlugins(ctx)
	if err != nil {
		return cliError("list plugins", err)
	}
	for _, name := range slices.Sorted(maps.Keys(need)) {
		version := need[name]
		if slices.ContainsFunc(have, func(p workspace.PluginInfo) bool {
			return p.Name == name && p.Kind == "resource" && p.Version != nil && p.Version.String() == version
		}) {
			continue
		}
		if err := st.Workspace().InstallPlugin(ctx, name, "v"+version); err != nil {
			return fmt.Errorf("stack %s/%s needs the pulumi resource plugin %s v%s, which is not installed and could not be installed (%v): install it with `pulumi plugin install resource %s %s`, or apply with --components-only to apply platc's components without the cloud resources",
				s.Project, s.Name, name, version, firstLine(err), name, version)
		}
	}
	return nil
}

// DigestTag is the stack tag that records the desired state (Digest) of
// the last update that succeeded, and no update started since.
const DigestTag = "platc:desired-state"

// Digest identifies a stack's desired state as the program builds it: the
// stack's plan, the program's options and the platc build that runs it.
// Two updates with the same digest register the same resources with the
// same inputs.
func Digest(s *Stack, o Options) string {
	h := sha256.New()
	b, _ := json.Marshal(s)
	h.Write(b)
	fmt.Fprintf(h, "\x00componentsOnly=%v\x00%s", o.ComponentsOnly, programBuild())
	return hex.EncodeToString(h.Sum(nil))
}

// programBuild names the platc build the program is part of: its module
// version and, for a build from a checkout, the commit and whether it was
// modified.
func programBuild() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	out := bi.Main.Version
	for _, kv := range bi.Settings {
		if kv.Key == "vcs.revision" || kv.Key == "vcs.modified" {
			out += " " + kv.Key + "=" + kv.Value
		}
	}
	return out
}

// Up updates the stack to the program's desired state. A stack whose last
// update succeeded with the same desired state, and has not been updated
// since, is not updated again (unless Refresh is set): the update would
// register the same resources with the same inputs and change nothing. It
// is told by the stack's DigestTag, which is removed before every update
// and set after one succeeds, so that an update cancelled, killed or
// failed half-way is always run again. Its result counts the stack's
// resources as unchanged.
func (e *Engine) Up(ctx context.Context, s *Stack, message string) (*Result, error) {
	start := time.Now()
	st, err := e.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	ws := st.Workspace()
	digest := Digest(s, e.Options)
	tags, err := ws.ListTags(ctx, s.Name)
	if err != nil {
		tags = nil // a backend without tags: always update
	}
	// The tag is "DIGEST RESOURCES": the desired state, and the resources
	// the update left, which the result reports as unchanged.
	if tag, ok := tags[DigestTag]; ok && !e.Refresh && !e.locked(s) {
		d, count, _ := strings.Cut(strings.TrimSpace(tag), " ")
		if n, err := strconv.Atoi(count); err == nil && d == digest {
			if out, err := st.Outputs(ctx); err == nil {
				return &Result{Stack: s.Project + "/" + s.Name, Environment: s.Environment, Changes: map[string]int{"same": n},
					Outputs: plainOutputs(out), Seconds: time.Since(start).Seconds()}, nil
			}
		}
	}
	// An update runs: the tag goes first.
	if _, ok := tags[DigestTag]; ok {
		if err := ws.RemoveTag(ctx, s.Name, DigestTag); err != nil {
			return nil, e.stackError(ctx, st, s, fmt.Sprintf("update stack %s/%s", s.Project, s.Name), err)
		}
	}
	opts := []optup.Option{optup.Message(message)}
	if e.Refresh {
		opts = append(opts, optup.Refresh())
	}
	if e.Progress != nil {
		opts = append(opts, optup.ProgressStreams(e.Progress), optup.ErrorProgressStreams(e.Progress))
	}
	res, err := st.Up(ctx, opts...)
	if err != nil {
		return nil, e.stackError(ctx, st, s, fmt.Sprintf("update stack %s/%s", s.Project, s.Name), err)
	}
	r := &Result{Stack: s.Project + "/" + s.Name, Environment: s.Environment, Changes: map[string]int{}, Outputs: map[string]any{}, Seconds: time.Since(start).Seconds()}
	if res.Summary.ResourceChanges != nil {
		maps.Copy(r.Changes, *res.Summary.ResourceChanges)
	}
	r.Outputs = plainOutputs(res.Outputs)
	// The update is done. Without the tag (a backend that refuses it) the
	// next apply runs the update again, which changes nothing.
	left := 0
	for op, n := range r.Changes {
		if op != "delete" {
			left += n
		}
	}
	_ = ws.SetTag(ctx, s.Name, DigestTag, digest+" "+strconv.Itoa(left))
	return r, nil
}

// plainOutputs are a stack's outputs with secrets masked.
func plainOutputs(out auto.OutputMap) map[string]any {
	m := map[string]any{}
	for k, v := range out {
		switch {
		case v.Secret:
			m[k] = "[secret]"
		default:
			m[k] = v.Value
		}
	}
	return m
}

// locked reports whether a local file backend holds a lock on the stack:
// an update runs, or one was killed and left it (which `pulumi up`
// reports, with how to clear it).
func (e *Engine) locked(s *Stack) bool {
	dir, ok := strings.CutPrefix(e.Backend, "file://")
	if !ok {
		return false
	}
	ents, err := os.ReadDir(filepath.Join(filepath.FromSlash(dir), ".pulumi", "locks", "organization", s.Project, s.Name))
	return err == nil && len(ents) > 0
}

// Preview shows what an update of the stack would do.
func (e *Engine) Preview(ctx context.Context, s *Stack) (*Result, error) {
	start := time.Now()
	st, err := e.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	var opts []optpreview.Option
	if e.Refresh {
		opts = append(opts, optpreview.Refresh())
	}
	if e.Progress != nil {
		opts = append(opts, optpreview.ProgressStreams(e.Progress), optpreview.ErrorProgressStreams(e.Progress))
	}
	res, err := st.Preview(ctx, opts...)
	if err != nil {
		return nil, e.stackError(ctx, st, s, fmt.Sprintf("preview stack %s/%s", s.Project, s.Name), err)
	}
	r := &Result{Stack: s.Project + "/" + s.Name, Environment: s.Environment, Changes: map[string]int{}, Seconds: time.Since(start).Seconds(), Preview: true}
	for op, n := range res.ChangeSummary {
		r.Changes[string(op)] = n
	}
	return r, nil
}

// Orphans are the stacks of project in the backend whose environment the
// spec no longer declares (environments lists the spec's), in name order:
// each a Result whose Changes count its resources as deletions.
func (e *Engine) Orphans(ctx context.Context, project, platform string, environments []string) ([]*Result, error) {
	dir := filepath.Join(e.WorkRoot, project, ".list")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ws, err := auto.NewLocalWorkspace(ctx, e.workspaceOptions(dir, project, platform, false)...)
	if err != nil {
		return nil, cliError("open the workspace of project "+project, err)
	}
	stacks, err := ws.ListStacks(ctx)
	if err != nil {
		return nil, cliError("list the stacks of project "+project, err)
	}
	out := []*Result{}
	for _, st := range stacks {
		// Self-managed backends may name them organization/project/stack.
		name := st.Name[strings.LastIndex(st.Name, "/")+1:]
		if slices.Contains(environments, name) {
			continue
		}
		n := 0
		if st.ResourceCount != nil {
			n = *st.ResourceCount
		}
		out = append(out, &Result{Stack: project + "/" + name, Environment: name, Changes: map[string]int{"delete": n}, Preview: true, Orphan: true})
	}
	slices.SortFunc(out, func(a, b *Result) int { return strings.Compare(a.Stack, b.Stack) })
	return out, nil
}

// Destroy deletes every resource of stack project/name, then the stack
// itself from the backend. The stack's program is not needed: its state
// says what to delete. An interrupted destroy leaves a consistent state
// that the next Destroy completes.
func (e *Engine) Destroy(ctx context.Context, project, platform, name, message string) (*Result, error) {
	start := time.Now()
	dir := filepath.Join(e.WorkRoot, project, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	nothing := func(*sdk.Context) error { return nil }
	st, err := auto.SelectStackInlineSource(ctx, name, project, nothing, e.workspaceOptions(dir, project, platform, true)...)
	if err != nil {
		return nil, cliError(fmt.Sprintf("select stack %s/%s", project, name), err)
	}
	opts := []optdestroy.Option{optdestroy.Message(message), optdestroy.Remove()}
	if e.Progress != nil {
		opts = append(opts, optdestroy.ProgressStreams(e.Progress), optdestroy.ErrorProgressStreams(e.Progress))
	}
	res, err := st.Destroy(ctx, opts...)
	if err != nil {
		return nil, e.stackError(ctx, st, &Stack{Project: project, Name: name}, fmt.Sprintf("destroy stack %s/%s", project, name), err)
	}
	r := &Result{Stack: project + "/" + name, Environment: name, Changes: map[string]int{}, Seconds: time.Since(start).Seconds()}
	if res.Summary.ResourceChanges != nil {
		maps.Copy(r.Changes, *res.Summary.ResourceChanges)
	}
	return r, nil
}

// Drift refreshes the stack's state from the cloud without writing it
// (a refresh preview): its changes are how the cloud has drifted from the
// state, an "update" or "delete" per resource changed or gone outside
// Pulumi.
func (e *Engine) Drift(ctx context.Context, s *Stack) (*Result, error) {
	start := time.Now()
	st, err := e.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	var opts []optrefresh.Option
	if e.Progress != nil {
		opts = append(opts, optrefresh.ProgressStreams(e.Progress), optrefresh.ErrorProgressStreams(e.Progress))
	}
	res, err := st.PreviewRefresh(ctx, opts...)
	if err != nil {
		return nil, e.stackError(ctx, st, s, fmt.Sprintf("refresh stack %s/%s", s.Project, s.Name), err)
	}
	r := &Result{Stack: s.Project + "/" + s.Name, Environment: s.Environment, Changes: map[string]int{}, Seconds: time.Since(start).Seconds(), Preview: true}
	for op, n := range res.ChangeSummary {
		r.Changes[string(op)] = n
	}
	return r, nil
}

// stackConfig is the configuration Pulumi.<env>.yaml carries.
func stackConfig(s *Stack) map[string]string {
	config := map[string]string{
		"platc:environment": s.Environment,
		"platc:tier":        s.Tier,
		"platc:cluster":     s.Cluster.Name,
	}
	if s.Cloud == "aws" {
		config["aws:region"] = s.Cluster.Region
	}
	if s.Cluster.KubeContext != "" {
		config["kubernetes:context"] = s.Cluster.KubeContext
	}
	return config
}

// CLIError is a failed pulumi CLI command: what platc asked and the
// CLI's own explanation.
type CLIError struct {
	Op     string
	Detail string
	Err    error
	// Concurrent is set when another update holds the stack.
	Concurrent bool
	// Cancelled is set when the update was interrupted.
	Cancelled bool
	// Stack is the stack's fully qualified name, ORG/PROJECT/STACK, as
	// the pulumi CLI takes it in --stack from any directory, and Backend
	// its backend URL: set for a stack another update holds.
	Stack, Backend string
}

func (e *CLIError) Error() string { return e.Op + ": " + e.Detail }
func (e *CLIError) Unwrap() error { return e.Err }

func cliError(op string, err error) error {
	ce := &CLIError{Op: op, Err: err, Detail: explain(err)}
	ce.Concurrent = auto.IsConcurrentUpdateError(err)
	ce.Cancelled = errors.Is(err, context.Canceled)
	return ce
}

// stackError is cliError for a failed operation on the stack st. When
// another update holds the stack, it adds the stack's fully qualified
// name and backend, so that the command a user is told to run (`pulumi
// cancel` for the lock a killed update left) names the stack the CLI
// finds.
func (e *Engine) stackError(ctx context.Context, st auto.Stack, s *Stack, op string, err error) error {
	ce := cliError(op, err).(*CLIError)
	if ce.Concurrent {
		ce.Backend = e.Backend
		ce.Stack = e.qualifiedName(ctx, st, s)
	}
	return ce
}

// qualifiedName asks the CLI for the stack's fully qualified name
// (`pulumi stack --show-name --fully-qualify-stack-names`): the
// organization is the backend's to say (Pulumi Cloud's default
// organization of the user, "organization" for a self-managed backend).
// When the CLI cannot say, a self-managed backend's name is built the
// way the CLI builds it, and Pulumi Cloud's is left with ORG to fill in.
func (e *Engine) qualifiedName(ctx context.Context, st auto.Stack, s *Stack) string {
	if ctx.Err() != nil {
		return QualifiedName(e.Backend, s)
	}
	ws := st.Workspace()
	var env []string
	for k, v := range ws.GetEnvVars() {
		env = append(env, k+"="+v)
	}
	if home := ws.PulumiHome(); home != "" {
		env = append(env, "PULUMI_HOME="+home)
	}
	out, _, _, err := ws.PulumiCommand().Run(ctx, ws.WorkDir(), nil, nil, nil, env,
		"stack", "--show-name", "--fully-qualify-stack-names", "--stack", s.Name)
	if name := strings.TrimSpace(out); err == nil && strings.Count(name, "/") == 2 {
		return name
	}
	return QualifiedName(e.Backend, s)
}

// QualifiedName is the fully qualified name the pulumi CLI gives the
// stack s on a self-managed backend (file://, s3://, gs://, azblob://,
// postgres://), organization/PROJECT/STACK, and ORG/PROJECT/STACK on
// Pulumi Cloud, where the organization is the user's to fill in.
func QualifiedName(backend string, s *Stack) string {
	org := "organization"
	if strings.HasPrefix(backend, "https://") || strings.HasPrefix(backend, "http://") {
		org = "ORG"
	}
	return org + "/" + s.Project + "/" + s.Name
}

// explain picks the CLI's error lines out of its output.
func explain(err error) string {
	msg := err.Error()
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		// The CLI's own lines ("error: …") come wrapped ("stderr: error: …").
		if _, after, ok := strings.Cut(l, "error: "); ok && strings.TrimSpace(after) != "" {
			lines = append(lines, strings.TrimSpace(after))
		}
	}
	if len(lines) == 0 {
		return firstLine(err)
	}
	return strings.Join(slices.Compact(lines), "; ")
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
