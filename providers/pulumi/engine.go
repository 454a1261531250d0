package pulumi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
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
}

// Changed reports whether anything but "same" happened.
func (r *Result) Changed() bool {
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
	if r.Preview {
		return fmt.Sprintf("%d to create, %d to update, %d to replace, %d to delete, %d unchanged",
			c["create"], c["update"], c["replace"], c["delete"], c["same"])
	}
	return fmt.Sprintf("%d created, %d updated, %d replaced, %d deleted, %d unchanged",
		c["create"], c["update"], c["replace"], c["delete"], c["same"])
}

func (e *Engine) stack(ctx context.Context, s *Stack) (auto.Stack, error) {
	dir := filepath.Join(e.WorkRoot, s.Project, s.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return auto.Stack{}, err
	}
	env := map[string]string{"PULUMI_SKIP_UPDATE_CHECK": "true"}
	if len(s.Plugins(e.Options)) == 0 {
		// Nothing to download: keep the CLI from trying.
		env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
	}
	maps.Copy(env, e.Env)
	project := workspace.Project{
		Name:        tokens.PackageName(s.Project),
		Runtime:     workspace.NewProjectRuntimeInfo("go", nil),
		Description: ptr.To("platc stacks of the " + s.Platform + " platform"),
		Backend:     &workspace.ProjectBackend{URL: e.Backend},
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(dir), auto.Pulumi(e.CLI), auto.Project(project), auto.EnvVars(env),
	}
	if e.SecretsProvider != "" {
		opts = append(opts, auto.SecretsProvider(e.SecretsProvider))
	}
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

// Up updates the stack to the program's desired state.
func (e *Engine) Up(ctx context.Context, s *Stack, message string) (*Result, error) {
	start := time.Now()
	st, err := e.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	opts := []optup.Option{optup.Message(message)}
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
	for k, v := range res.Outputs {
		if v.Secret {
			r.Outputs[k] = "[secret]"
		} else {
			r.Outputs[k] = v.Value
		}
	}
	return r, nil
}

// Preview shows what an update of the stack would do.
func (e *Engine) Preview(ctx context.Context, s *Stack) (*Result, error) {
	start := time.Now()
	st, err := e.stack(ctx, s)
	if err != nil {
		return nil, err
	}
	var opts []optpreview.Option
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
