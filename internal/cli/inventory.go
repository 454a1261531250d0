package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/internal/atomicfile"
	"github.com/platc-dev/platc/providers/gpu"
)

const inventoryLong = `Inventory discovers the GPUs a host really has, over NVML, and reconciles
the inventories of many hosts with the quotas and pools the spec declares.`

const discoverLong = `Discover writes a JSON inventory document (apiVersion
platc.dev/inventory/v1) of this host's GPUs: per GPU its index, UUID,
product, spec model, memory, MIG mode and MIG devices, utilisation and
memory use; per host its name, environment and the node labels GPU Feature
Discovery would give it.

--source picks where the devices come from:
  nvml          the NVIDIA management library, loaded at run time (default)
  nvml:PATH     the library at PATH
  mock:NAME     a device model: dgxa100 (8×A100, go-nvml's mock), h100x8
                (8×H100, MIG on two GPUs) or mixed (H100, L4 and an A30)
  file:PATH     an existing inventory document, validated and re-labelled

Without an NVIDIA driver or library discovery fails with exit 2; it never
reports zero GPUs in their place.`

const reconcileLong = `Reconcile compares the spec in DIR (default: the current directory)
with the inventories given by --inventory (files, or directories of *.json
files, one per host; or k8s, the clusters' nodes), per environment and GPU
model:

  gpu-overcommit      error: teams reserve more GPUs than were discovered
  gpu-pool-unbacked   error: pools declare more GPUs than were discovered
  gpu-idle            warning: GPUs no quota reserves, against the spec's
                      GPU-utilisation KPI
  gpu-mig-missing     warning: a MIG profile a pool declares is configured
                      on none of the GPUs
  gpu-model-mismatch  warning: GPUs of a product no pool of the
                      environment declares, or that no model maps
  gpu-node-missing    warning (k8s): GPUs a node has but does not offer:
                      lost ones (allocatable below capacity), a cordoned
                      node's, an unlabelled node's (product unknown)

--inventory k8s reads the Nodes of every environment's cluster through
the kubeconfig (KUBECONFIG, else ~/.kube/config): the context of an
environment is its cluster.kubeContext, else the cluster's name (default
<platform>-<environment>); environments whose context the kubeconfig lacks
are skipped. --inventory k8s:CONTEXT reads the environments reached
through CONTEXT only. The nodes are read as GPU Feature Discovery labels
them (nvidia.com/gpu.product, gpu.count, mig.strategy, and with the mixed
strategy nvidia.com/mig-<profile>.count) and the device plugin reports
them (nvidia.com/gpu in capacity and allocatable). The credentials need
get and list on nodes.

The table goes to stdout and the findings to stderr, as check prints them;
-o json writes both as one JSON document to stdout.

With --detailed-exitcode, a reconciliation without errors exits 3 when
the hardware still differs from the spec: a model discovered in another
number than its pools declare, GPUs no model maps, a MIG profile not
configured, or GPUs a node does not offer. A scheduled job can alert on
the drift while the spec still checks.

Exit status: 0 no errors, 1 errors, 3 drift (--detailed-exitcode), 2 an unreadable, invalid, stale or
duplicated inventory, an inventory for an environment the spec lacks, a
cluster that cannot be read (unreachable, forbidden, a context the
kubeconfig lacks, a node label that does not parse), or a spec that
cannot be read.`

func newInventoryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Discover GPUs and reconcile them with the spec's quotas",
		Long:  inventoryLong,
	}
	cmd.AddCommand(newInventoryDiscoverCmd(g), newInventoryReconcileCmd(g))
	return cmd
}

type discoverOptions struct {
	source string
	host   string
	env    string
	out    string
	now    clock
}

func newInventoryDiscoverCmd(g *globals) *cobra.Command {
	o := &discoverOptions{}
	cmd := &cobra.Command{
		Use:   "discover",
		Short: "Write an inventory document of this host's GPUs",
		Long:  discoverLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiscover(g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.source, "source", "nvml", "where devices come from: nvml, nvml:PATH, mock:NAME or file:PATH")
	f.StringVar(&o.host, "host", "", "the host's `name` (default: the host name; the model name for mock sources)")
	f.StringVar(&o.env, "env", "", "the spec `environment` the host belongs to")
	f.StringVarP(&o.out, "output", "o", "", "write the document to `FILE` (default: stdout)")
	o.now.register(f, "the document's time")
	return cmd
}

func runDiscover(g *globals, o *discoverOptions) error {
	opts := gpu.Options{Host: o.host, Environment: o.env, Now: o.now.Now()}
	var err error
	kind, arg, _ := strings.Cut(o.source, ":")
	var doc *gpu.Document
	switch kind {
	case "nvml":
		var lib nvml.Interface
		if arg != "" {
			lib = nvml.New(nvml.WithLibraryPath(g.abs(arg)))
		} else {
			lib = nvml.New()
		}
		doc, err = gpu.Discover(lib, opts)
	case "mock":
		lib, merr := gpu.Mock(arg)
		if merr != nil {
			return usageError("--source: %v", merr)
		}
		if opts.Host == "" {
			opts.Host = arg
		}
		doc, err = gpu.Discover(lib, opts)
	case "file":
		if arg == "" {
			return usageError("--source file: needs a path")
		}
		doc, err = gpu.ReadFile(g.abs(arg))
		if err == nil {
			if o.host != "" {
				doc.Host.Name = o.host
			}
			if o.env != "" {
				doc.Host.Environment = o.env
			}
		}
	default:
		return usageError("unknown --source %q: want nvml, nvml:PATH, mock:NAME or file:PATH", o.source)
	}
	if err != nil {
		return fmt.Errorf("discover: %w", err)
	}
	data, err := doc.Marshal()
	if err != nil {
		return err
	}
	if o.out == "" || o.out == "-" {
		_, err = g.cfg.Stdout.Write(data)
	} else {
		err = atomicfile.Write(g.abs(o.out), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("write inventory: %w", err)
	}
	return nil
}

type reconcileOptions struct {
	dir              string
	inventories      []string
	maxAge           time.Duration
	now              clock
	output           formatFlag
	detailedExitCode bool
}

func newInventoryReconcileCmd(g *globals) *cobra.Command {
	o := &reconcileOptions{}
	cmd := &cobra.Command{
		Use:   "reconcile [DIR] --inventory FILE|DIR...",
		Short: "Compare declared GPU quotas and pools with discovered hardware",
		Long:  reconcileLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			if len(o.inventories) == 0 {
				return usageError("reconcile needs --inventory FILE|DIR")
			}
			return runReconcile(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	o.output.register(f, "", findingFormats...)
	f.StringArrayVar(&o.inventories, "inventory", nil, "an inventory `FILE`, a directory of them, or k8s[:CONTEXT] for the clusters' GPU nodes (repeatable)")
	maxAgeFlag(f, &o.maxAge, "reject inventories older than this `duration` (default: any age)")
	f.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 3 when the hardware differs from the spec without an error (a scheduled drift check)")
	o.now.register(f, "the current time for --max-age and the policies")
	return cmd
}

func runReconcile(ctx context.Context, g *globals, o *reconcileOptions) error {
	now := o.now.Now()
	load, err := inventoryLoader(g, o.inventories, o.maxAge, now)
	if err != nil {
		return err
	}
	// The inventory is found through the decoded spec, in the check, and
	// reconciled below; the policies see none, as in check without
	// --inventory.
	var inv *gpu.Inventory
	res, ds, err := compiler.Check(ctx, compiler.CheckConfig{
		Config:        compiler.Config{Dir: g.abs(o.dir), DisplayDir: o.dir},
		Now:           now,
		ReservedRules: reconcileRules(),
		LoadInventory: func(spec *model.Spec) (compiler.Inventory, error) {
			i, err := load(spec)
			inv = i
			return nil, err
		},
	})
	if err != nil {
		return checkError(g, err)
	}
	if res == nil || res.Spec == nil {
		// The spec could not be decoded: its own errors are the findings.
		return report(g, ds, reportOptions{format: o.output.value, summary: true})
	}
	lookup := func(labels []string) diag.Pos {
		pos, _ := res.Package.Index.Lookup(labels)
		return pos
	}
	rep, err := gpu.Reconcile(res.Spec, inv, lookup)
	if err != nil {
		return inventoryError(g, err)
	}
	rds := rep.Diagnostics.Rel(g.base()).Sorted()
	if o.output.value == formatJSON {
		out := struct {
			Rows []gpu.Row `json:"rows"`
			diag.Report
		}{rep.Rows, diag.NewReport(rds)}
		if out.Rows == nil {
			out.Rows = []gpu.Row{}
		}
		enc := json.NewEncoder(g.cfg.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else {
		if err := writeInventoryTable(g.cfg.Stdout, rep.Rows); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		if err := writeText(g.cfg.Stderr, rds, true); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if rds.HasErrors() {
		return findings()
	}
	if o.detailedExitCode && hardwareDiffers(rep) {
		return &ExitErr{Code: ExitChanges}
	}
	return nil
}

// hardwareDiffers reports whether the hardware is not what the spec
// declares: a model discovered in another number than its pools declare,
// GPUs of a product no model maps, or GPUs a node does not offer.
func hardwareDiffers(rep *gpu.Report) bool {
	for _, r := range rep.Rows {
		if r.Declared != r.Discovered {
			return true
		}
	}
	for _, d := range rep.Diagnostics {
		if d.Rule == gpu.RuleModelMismatch || d.Rule == gpu.RuleNodeMissing || d.Rule == gpu.RuleMIGMissing {
			return true
		}
	}
	return false
}

// inventoryError reports an inventory that cannot be used (exit 2),
// with file paths shown relative to the working directory.
func inventoryError(g *globals, err error) error {
	var fe *gpu.FileError
	if errors.As(err, &fe) {
		return fmt.Errorf("inventory %s: %v", diagPosFile(g, fe.File), fe.Err)
	}
	var ee *gpu.EnvironmentError
	if errors.As(err, &ee) {
		files := strings.Split(ee.Files, ", ")
		for i, f := range files {
			files[i] = diagPosFile(g, f)
		}
		return fmt.Errorf("inventory %s: environment %q is not declared in the spec", strings.Join(files, ", "), ee.Environment)
	}
	return fmt.Errorf("inventory: %w", err)
}

func writeInventoryTable(w io.Writer, rows []gpu.Row) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENVIRONMENT\tMODEL\tDECLARED\tRESERVED\tDISCOVERED\tIDLE\tSTATUS")
	for _, r := range rows {
		idle := "0"
		if r.Idle > 0 {
			idle = fmt.Sprintf("%d (%.1f%%)", r.Idle, r.IdlePercent)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.Environment, r.Model, r.Declared, r.Reserved, r.Discovered, idle, r.Status)
	}
	return tw.Flush()
}

// inventoryFlags registers --inventory and --max-age, which load the GPU
// inventory through withInventory, for check and the commands that compile
// (render, plan, apply); what ends the help text: what the command makes
// of the inventory.
func inventoryFlags(cmd *cobra.Command, paths *[]string, maxAge *time.Duration, what string) {
	f := cmd.Flags()
	f.StringArrayVar(paths, "inventory", nil, "GPU inventory `FILE` or directory, or k8s[:CONTEXT] for the clusters' GPU nodes (repeatable): "+what)
	maxAgeFlag(f, maxAge, "refuse inventory documents older than this `duration` (0: any age)")
}

// maxAgeFlag registers --max-age, which refuses a negative duration when
// the flag is parsed, as every malformed flag is refused (exit 2).
func maxAgeFlag(f *pflag.FlagSet, p *time.Duration, usage string) {
	f.Var((*maxAge)(p), "max-age", usage)
}

// maxAge is a duration flag that is zero or positive.
type maxAge time.Duration

func (m *maxAge) Type() string { return "duration" }

func (m *maxAge) String() string {
	if *m == 0 {
		return "0" // any age; help text leaves out a zero default
	}
	return time.Duration(*m).String()
}

func (m *maxAge) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("%s is negative: give the oldest age to accept, such as 24h, or 0 for any age", s)
	}
	*m = maxAge(d)
	return nil
}

// withInventory loads the GPU inventory for check: the merged documents
// become input.inventory, and the reconciliation of quotas and pools with
// the discovered hardware adds its findings to the check's, under the same
// exceptions and disabled rules. The documents are read at once; the
// clusters (k8s, k8s:CONTEXT) once the check has decoded the spec, which
// maps environments to them. It returns what the check loaded, to call
// once the check is done (nil without an inventory).
func withInventory(g *globals, cfg *compiler.CheckConfig, args []string, maxAge time.Duration, now time.Time) (func() *gpu.Inventory, error) {
	load, err := inventoryLoader(g, args, maxAge, now)
	if err != nil {
		return nil, err
	}
	var inv *gpu.Inventory
	cfg.LoadInventory = func(spec *model.Spec) (compiler.Inventory, error) {
		i, err := load(spec)
		if err != nil || i == nil {
			return nil, err
		}
		inv = i
		return i, nil
	}
	cfg.Reconcile = func(spec *model.Spec, pos func([]string) diag.Pos) (diag.Diagnostics, error) {
		if inv == nil {
			return nil, nil
		}
		rep, err := gpu.Reconcile(spec, inv, pos)
		if err != nil {
			return nil, inventoryError(g, err)
		}
		return rep.Diagnostics, nil
	}
	return func() *gpu.Inventory { return inv }, nil
}

// inventoryLoader reads the --inventory values: the documents (files and
// directories) now, so that a bad one is refused before anything is
// checked, and the clusters (k8s, k8s:CONTEXT) when the returned function
// is given the decoded spec, merged per environment.
func inventoryLoader(g *globals, args []string, maxAge time.Duration, now time.Time) (func(*model.Spec) (*gpu.Inventory, error), error) {
	files, contexts, fromClusters := splitInventories(args)
	var fromFiles *gpu.Inventory
	if len(files) > 0 {
		paths := make([]string, len(files))
		for i, p := range files {
			paths[i] = g.abs(p)
		}
		inv, err := gpu.Load(paths, gpu.LoadOptions{MaxAge: maxAge, Now: now})
		if err != nil {
			return nil, inventoryError(g, err)
		}
		fromFiles = inv
	}
	return func(spec *model.Spec) (*gpu.Inventory, error) {
		if !fromClusters {
			return fromFiles, nil
		}
		clusters, err := loadK8sInventory(g, spec, contexts, now)
		if err != nil {
			return nil, err
		}
		return mergeInventories(fromFiles, clusters)
	}, nil
}
