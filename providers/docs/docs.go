// Package docs renders a platform spec as the toolbox of the source
// document, filled in and never stale: the architecture board with a
// diagram of the parts and their dependencies, the DevOps/MLOps pipeline
// table, the data-governance RACI matrix, the environment resource pools,
// the change and release calendar, the KPI board, the 90-day blueprint
// timeline and the check's findings, each linked to the section it
// concerns.
//
// [Build] writes a static site (index.html and one page per section, the
// stylesheet inlined and the diagrams drawn as SVG in Go, so a page
// fetches nothing) and the same content as GitHub-flavoured Markdown with
// Mermaid diagrams. The same input gives the same bytes.
package docs

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/model"
)

// Input is what the docs are made from.
type Input struct {
	// Spec is the decoded spec.
	Spec *model.Spec
	// Capabilities are the blueprint capabilities the spec has, as the
	// check judged them (compiler.Result.Capabilities).
	Capabilities []string
	// Findings are the check's diagnostics, with positions as they should
	// be shown (relative to the working directory).
	Findings diag.Diagnostics
	// Now is the time milestones and the calendar are judged at, and the
	// only time the docs show.
	Now time.Time
	// Hardware is the discovered GPU hardware as the caller reconciled it
	// with the spec (--inventory), or nil.
	Hardware *Hardware
	// Live holds KPI values queried from Prometheus, or nil.
	Live *LiveKPIs
	// LiveReload adds the small script `platc docs --serve` uses to reload
	// a page when the site is rebuilt (and a content security policy that
	// allows it); written sites have no script.
	LiveReload bool
}

// Hardware is discovered GPU hardware, reconciled with the spec by the
// caller: the docs show it as given and compute nothing from it.
type Hardware struct {
	// Hosts are the discovered hosts, by environment.
	Hosts map[string][]Host
	// Rows compare each environment's declared, reserved and discovered
	// GPUs, per model.
	Rows []HardwareRow
	// Err is why the inventory could not be reconciled with the spec;
	// Rows is empty then.
	Err error
}

// Host is one discovered host.
type Host struct {
	Name, Driver string
	// GPUs counts the host's devices per product name.
	GPUs map[string]int
	// MIGDevices counts the MIG devices on the host's GPUs.
	MIGDevices int
}

// HardwareRow is one environment's GPUs of one model: declared by its
// pools, reserved by quotas, discovered, idle, and the verdict.
type HardwareRow struct {
	Environment, Model                   string
	Declared, Reserved, Discovered, Idle int
	IdlePercent                          float64
	Status                               string
}

// The pages of the site, by ID.
const (
	pageIndex        = "index"
	pageArchitecture = "architecture"
	pagePipeline     = "pipeline"
	pageRACI         = "raci"
	pageEnvironments = "environments"
	pageCalendar     = "calendar"
	pageKPIs         = "kpis"
	pageBlueprint    = "blueprint"
	pageFindings     = "findings"
)

// page is one section of the site.
type page struct {
	ID, Title, Blurb string
}

var pages = []page{
	{pageIndex, "Overview", "The platform at a glance."},
	{pageArchitecture, "Architecture board", "The data, model, service and governance layers: modules, interfaces, dependencies and owners, and a diagram of the parts."},
	{pagePipeline, "DevOps / MLOps pipeline", "Code, build, test, deploy and monitor: the tools and actions of each, and the one gate they share."},
	{pageRACI, "Data-governance RACI", "Who is responsible, accountable, consulted and informed for each data task."},
	{pageEnvironments, "Environment resource pools", "CPU, GPUs, memory and bandwidth of dev, test and prod, and the teams' quotas against them."},
	{pageCalendar, "Change and release calendar", "Planned changes, freezes and change windows."},
	{pageKPIs, "KPI board", "The five KPIs, what their targets imply, and what they depend on."},
	{pageBlueprint, "90-day blueprint", "Phases and milestones on a timeline, done, due or overdue."},
	{pageFindings, "Findings", "The current check results, linked to the sections they concern."},
}

func pageTitle(id string) string {
	for _, p := range pages {
		if p.ID == id {
			return p.Title
		}
	}
	return id
}

// pageFile is the HTML file of a page.
func pageFile(id string) string { return id + ".html" }

// pageMD is the Markdown file of a page; the overview is README.md, which
// GitHub shows for the directory.
func pageMD(id string) string {
	if id == pageIndex {
		return "README.md"
	}
	return id + ".md"
}

// Build renders the site and the Markdown. The result maps file names,
// relative to the output directory, to their content.
func Build(in Input) (map[string][]byte, error) {
	if in.Spec == nil {
		return nil, fmt.Errorf("docs: no spec")
	}
	b := newBuilder(in)
	s := b.site()
	files := map[string][]byte{}
	for _, p := range pages {
		html, err := renderHTML(s, p.ID)
		if err != nil {
			return nil, fmt.Errorf("docs: page %s: %w", p.ID, err)
		}
		files[pageFile(p.ID)] = html
		files[pageMD(p.ID)] = renderMarkdown(s, p.ID)
	}
	for _, ap := range s.Arch.Pages {
		html, err := renderArchPage(s, ap)
		if err != nil {
			return nil, fmt.Errorf("docs: page %s: %w", ap.File, err)
		}
		files[ap.File] = html
		files[ap.MD] = renderArchPageMarkdown(s, ap)
	}
	return files, nil
}

// builder computes the views of the site from the input.
type builder struct {
	in   Input
	spec *model.Spec
	has  map[string]bool
	// drawEach: the architecture diagram draws each part (small specs).
	drawEach bool
	// listBudgets: the KPI board lists each service's error budget.
	listBudgets bool
	fx          *findingIndex
}

// MaxListed is the most rows a table lists one by one before it groups
// or folds them (error budgets per service, team quotas).
const MaxListed = 200

func newBuilder(in Input) *builder {
	b := &builder{in: in, spec: in.Spec, has: map[string]bool{}}
	for _, c := range in.Capabilities {
		b.has[c] = true
	}
	b.drawEach = partCount(in.Spec) <= MaxDiagramNodes
	b.listBudgets = len(in.Spec.Services) <= MaxListed
	b.fx = newFindingIndex(in.Findings, b.place)
	return b
}

func partCount(s *model.Spec) int {
	n := len(s.Services) + len(s.Integrations) + len(s.Models)
	if s.Data != nil {
		n += len(s.Data.Datasets)
	}
	if s.Events != nil {
		n += len(s.Events.Topics)
	}
	return n
}

// HTMLPages lists the HTML pages among the files Build returned, sorted.
func HTMLPages(files map[string][]byte) []string {
	var out []string
	for name := range files {
		if strings.HasSuffix(name, ".html") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
