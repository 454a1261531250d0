package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/outtree"
	"github.com/platc-dev/platc/providers/docs"
	"github.com/platc-dev/platc/providers/gpu"
)

const docsLong = `Docs checks the spec in DIR (default: the current directory) and writes the
toolbox of the source document, filled in from the spec, into OUT:

    OUT/index.html      overview, and one page per section:
    OUT/architecture.html   the four layers (modules, interfaces, dependencies,
                        owner) and a diagram of the services, integrations,
                        models, datasets and topics and their dependencies
    OUT/pipeline.html   DevOps and MLOps tools and actions, one gate per stage
    OUT/raci.html       the data-governance RACI matrix, findings marked in place
    OUT/environments.html   pools, quotas against them, discovered hardware
    OUT/calendar.html   changes, freezes and change windows, month by month
    OUT/kpis.html       the five KPIs, what their targets imply, what they
                        depend on, and (--prometheus) their current values
    OUT/blueprint.html  the 90-day plan as a Gantt chart, each milestone done,
                        due or overdue at --now
    OUT/findings.html   the check's findings, linked to the sections
    OUT/README.md, OUT/<section>.md   the same in GitHub Markdown, with
                        Mermaid diagrams

Pages fetch nothing: styles are inlined and diagrams are SVG. The same spec,
--now and inventory give the same bytes; no other time is shown. Files platc
wrote before and no longer writes are removed; other files in OUT are kept.

--inventory adds the discovered GPUs beside the declared pools (and the
reconciliation's findings). --prometheus URL queries the KPI recording rules
that render emits (platc:kpi_*) with instant queries of the HTTP API
(GET URL/api/v1/query), within --prometheus-timeout, and shows each value
green or red against its target; a bearer token is read from
PLATC_PROMETHEUS_TOKEN. When Prometheus cannot be reached the board says so
and shows the targets only (a warning, not a failure).

--serve ADDR serves the site (from memory, with --out also written) and
rebuilds it when a file of the spec, its policies or the inventory changes;
open pages reload by themselves.

Exit status: 0 written; 1 the spec has errors (the docs are still written
when the spec could be decoded, with the errors on the findings page;
nothing is written on schema errors); 2 usage, I/O, inventory or policy
errors.`

type docsOptions struct {
	// force replaces files in out that platc did not write.
	force       bool
	dir         string
	out         string
	prometheus  string
	promTimeout time.Duration
	serve       string
	poll        time.Duration
	checkFlags
}

func (o *docsOptions) validate() error {
	if o.out == "" && o.serve == "" {
		return usageError("--out DIR is required: the directory to write the docs into (or --serve ADDR to serve them)")
	}
	if o.prometheus != "" {
		if err := docs.ValidatePrometheusURL(o.prometheus); err != nil {
			return usageError("--prometheus: %v", err)
		}
	}
	if o.promTimeout <= 0 {
		return usageError("--prometheus-timeout must be positive")
	}
	if o.serve != "" {
		if _, _, err := net.SplitHostPort(o.serve); err != nil {
			return usageError("invalid --serve address %q: want HOST:PORT, such as localhost:8080 (%v)", o.serve, err)
		}
	}
	if o.poll <= 0 {
		o.poll = 500 * time.Millisecond
	}
	return nil
}

func newDocsCmd(g *globals) *cobra.Command {
	o := &docsOptions{}
	cmd := &cobra.Command{
		Use:   "docs [DIR] --out OUT",
		Short: "Write the architecture board, KPI board, blueprint timeline and other toolbox tables",
		Long:  docsLong,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = specDir(args)
			if err := o.validate(); err != nil {
				return err
			}
			if o.serve != "" {
				ln, err := net.Listen("tcp", o.serve)
				if err != nil {
					return fmt.Errorf("serve: %w", err)
				}
				return serveDocs(cmd.Context(), g, o, ln)
			}
			return runDocs(cmd.Context(), g, o, g.cfg.Stderr)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "output `DIR` (required unless --serve)")
	f.BoolVar(&o.force, "force", false, "replace files in DIR that platc did not write (it refuses by default, listing them)")
	o.checkFlags.register(cmd, checkHelp{now: "the time milestones and the calendar are judged at", inventory: "discovered hardware beside the pools"})
	f.StringVar(&o.prometheus, "prometheus", "", "Prometheus base `URL` to query the KPIs' current values from")
	f.DurationVar(&o.promTimeout, "prometheus-timeout", 10*time.Second, "give up on Prometheus after this `duration`")
	f.StringVar(&o.serve, "serve", "", "serve the docs on `ADDR` (localhost:8080) and rebuild them when the spec changes")
	f.DurationVar(&o.poll, "poll", 500*time.Millisecond, "with --serve, how often to look for changed files")
	return cmd
}

// docsBuild is one build of the docs: what they were made from, the
// files, and the findings.
type docsBuild struct {
	in    docs.Input
	files map[string][]byte
	ds    diag.Diagnostics
}

// buildDocs checks the spec and renders the docs. A nil build with a nil
// error means the spec has schema errors, which were reported.
func buildDocs(ctx context.Context, g *globals, o *docsOptions, report func(diag.Diagnostics) error) (*docsBuild, error) {
	o.now.tick() // a rebuild (--serve) is judged at its own time
	cfg, inv, err := o.configInventory(g, o.dir)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	res, ds, err := compiler.Check(ctx, cfg)
	if err != nil {
		return nil, checkError(g, err)
	}
	if res == nil || res.Spec == nil {
		return nil, report(ds)
	}
	in := docs.Input{
		Spec: res.Spec, Capabilities: res.Capabilities, Findings: ds.Rel(g.base()),
		Now: now, Hardware: docsHardware(res.Spec, inv()),
	}
	if o.prometheus != "" {
		in.Live = docs.QueryKPIs(ctx, docs.PrometheusConfig{
			URL: o.prometheus, Timeout: o.promTimeout, Token: g.cfg.Getenv("PLATC_PROMETHEUS_TOKEN"),
		}, plan.KPISeriesNames.All())
		if in.Live.Unreachable != "" {
			fmt.Fprintf(g.cfg.Stderr, "platc: warning: %s\n", in.Live.Unreachable)
		} else {
			for _, rule := range plan.KPISeriesNames.All() {
				if e, ok := in.Live.Errors[rule]; ok {
					fmt.Fprintf(g.cfg.Stderr, "platc: warning: Prometheus: %s\n", e)
				}
			}
		}
	}
	files, err := docs.Build(in)
	if err != nil {
		return nil, err
	}
	return &docsBuild{in: in, files: files, ds: ds}, nil
}

func runDocs(ctx context.Context, g *globals, o *docsOptions, stderr io.Writer) error {
	b, err := buildDocs(ctx, g, o, func(ds diag.Diagnostics) error {
		if err := report(g, ds, reportOptions{format: formatText, summary: true}); err != nil {
			fmt.Fprintln(stderr, "platc: the spec has schema errors; no docs were written")
			return err
		}
		return errors.New("the spec could not be decoded")
	})
	if err != nil {
		return err
	}
	changes, err := outtree.Write(ctx, g.abs(o.out), b.files, outOptions(stderr, o.out, o.force))
	if err != nil {
		return writeError(o.out, err)
	}
	fmt.Fprintf(stderr, "wrote %d files into %s (open %s): %d added, %d changed, %d removed\n",
		len(b.files), o.out, filepath.Join(o.out, "index.html"), len(changes.Added), len(changes.Changed), len(changes.Removed))
	errs, warns := b.ds.Count()
	if errs+warns > 0 {
		fmt.Fprintf(stderr, "%s: see %s\n", diag.SummaryLine(b.ds), filepath.Join(o.out, "findings.html"))
	}
	if errs > 0 {
		return findings()
	}
	return nil
}

// docsServer serves the latest build of the docs.
type docsServer struct {
	mu    sync.Mutex
	files map[string][]byte
	// build counts the builds, so that open pages know when to reload.
	build int
	// failure is the last build's error, shown instead of the docs.
	failure string
}

func (s *docsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	files, build, failure := s.files, s.build, s.failure
	s.mu.Unlock()
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	w.Header().Set("Cache-Control", "no-store")
	switch {
	case name == "_platc/build":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, build)
		return
	case name == "" || name == ".":
		name = "index.html"
	}
	if failure != "" && strings.HasSuffix(name, ".html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>platc docs: build failed</title><link rel=\"icon\" href=\"data:,\"></head><body><h1>The docs could not be built</h1><pre>%s</pre><p>Fix the spec; this page reloads when it builds again.</p><script>%s</script></body></html>",
			htmlEscape(failure), reloadScript)
		return
	}
	b, ok := files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	case ".md":
		ct = "text/markdown; charset=utf-8"
	case ".html":
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

const reloadScript = `setInterval(function(){fetch("/_platc/build",{cache:"no-store"}).then(function(r){return r.text()}).then(function(v){if(window.__b===undefined){window.__b=v}else if(v!==window.__b){location.reload()}}).catch(function(){})},1000);`

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// serveDocs serves the docs on ln and rebuilds them when a watched file
// changes, until ctx is cancelled.
func serveDocs(ctx context.Context, g *globals, o *docsOptions, ln net.Listener) error {
	srv := &docsServer{}
	stderr := g.cfg.Stderr
	var logMu sync.Mutex
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(stderr, format, args...)
	}
	rebuild := func() {
		var text strings.Builder
		b, err := buildDocs(ctx, g, o, func(ds diag.Diagnostics) error {
			writeText(&text, ds.Rel(g.base()).Sorted(), true)
			return errors.New("the spec has schema errors")
		})
		var served map[string][]byte
		if err == nil {
			// Served pages reload themselves; written ones have no script.
			in := b.in
			in.LiveReload = true
			served, err = docs.Build(in)
		}
		if err == nil && o.out != "" {
			if _, werr := outtree.Write(ctx, g.abs(o.out), b.files, outOptions(stderr, o.out, o.force)); werr != nil {
				err = fmt.Errorf("write %s: %w", o.out, werr)
			}
		}
		srv.mu.Lock()
		srv.build++
		if err != nil {
			msg := err.Error()
			if text.Len() > 0 {
				msg = text.String() + msg
			}
			srv.failure = msg
		} else {
			srv.files, srv.failure = served, ""
		}
		srv.mu.Unlock()
		if err != nil {
			logf("platc docs: build failed: %v\n", err)
			return
		}
		logf("platc docs: built %d files (%s)\n", len(b.files), diag.SummaryLine(b.ds))
	}
	rebuild()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logf("platc docs: serving http://%s/ (rebuilds when the spec changes; Ctrl-C stops)\n", ln.Addr())
	last := fingerprint(g, o)
	tick := time.NewTicker(o.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			hs.Shutdown(shut)
			return nil
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-tick.C:
			if fp := fingerprint(g, o); fp != last {
				last = fp
				logf("platc docs: a file changed; rebuilding\n")
				rebuild()
			}
		}
	}
}

// fingerprint sums the names, sizes and times of the files a build reads:
// the spec directory (less the output directory and .git), --policy
// directories and inventories.
func fingerprint(g *globals, o *docsOptions) [32]byte {
	h := sha256.New()
	out := ""
	if o.out != "" {
		out = g.abs(o.out)
	}
	roots := []string{g.abs(o.dir)}
	for _, d := range o.policyDirs {
		roots = append(roots, g.abs(d))
	}
	for _, i := range o.inventory {
		roots = append(roots, g.abs(i))
	}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s: %v\n", p, err)
				return nil
			}
			if d.IsDir() {
				if p == out || d.Name() == ".git" || (p != root && strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if info, err := d.Info(); err == nil {
				fmt.Fprintf(h, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
			}
			return nil
		})
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// docsHardware is the discovered hardware as the docs show it: the hosts
// per environment and the inventory reconciled with the spec. It is nil
// without --inventory.
func docsHardware(spec *model.Spec, inv *gpu.Inventory) *docs.Hardware {
	if inv == nil {
		return nil
	}
	hw := &docs.Hardware{Hosts: map[string][]docs.Host{}}
	for env, ei := range inv.Environments {
		for _, h := range ei.Hosts {
			host := docs.Host{Name: h.Host.Name, Driver: h.DriverVersion, GPUs: map[string]int{}}
			for _, d := range h.Devices {
				host.GPUs[d.Product]++
				host.MIGDevices += len(d.MIGDevices)
			}
			hw.Hosts[env] = append(hw.Hosts[env], host)
		}
	}
	rep, err := gpu.Reconcile(spec, inv, nil)
	if err != nil {
		hw.Err = err
		return hw
	}
	for _, r := range rep.Rows {
		hw.Rows = append(hw.Rows, docs.HardwareRow{
			Environment: r.Environment, Model: r.Model, Declared: r.Declared, Reserved: r.Reserved,
			Discovered: r.Discovered, Idle: r.Idle, IdlePercent: r.IdlePercent, Status: r.Status,
		})
	}
	return hw
}
