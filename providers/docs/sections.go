package docs

import (
	"cmp"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// site is every view of the docs, computed once and rendered as HTML and
// as Markdown.
type site struct {
	Name, Title, Org, Owner, CostCentre string
	// AsOf is --now as the docs show it.
	AsOf       string
	LiveReload bool

	Counts    []kv
	Errors    int
	Warnings  int
	Arch      archView
	Pipeline  pipelineView
	RACI      []raciRow
	Envs      []*envRow
	Calendar  calendarView
	KPIs      kpiView
	Blueprint *blueprintView
	Findings  []*finding
	findings  *findingIndex
	HasInvent bool
}

type kv struct{ K, V string }

func (b *builder) site() *site {
	s := b.spec
	out := &site{AsOf: asOf(b.in.Now), LiveReload: b.in.LiveReload, findings: b.fx, HasInvent: b.in.Hardware != nil}
	if p := s.Platform; p != nil {
		out.Name, out.Title, out.Org, out.Owner, out.CostCentre = p.Name, cmp.Or(p.DisplayName, p.Name), p.Organisation, p.Owner, p.CostCentre
	}
	if out.Title == "" {
		out.Title = "Platform"
	}
	datasets, pipelines, topics := 0, 0, 0
	if s.Data != nil {
		datasets, pipelines = len(s.Data.Datasets), len(s.Data.Pipelines)
	}
	if s.Events != nil {
		topics = len(s.Events.Topics)
	}
	out.Counts = []kv{
		{"Environments", fmt.Sprint(len(s.Environments))},
		{"Teams", fmt.Sprint(len(s.Teams))},
		{"Services", fmt.Sprint(len(s.Services))},
		{"Integrations", fmt.Sprint(len(s.Integrations))},
		{"Topics", fmt.Sprint(topics)},
		{"Datasets", fmt.Sprint(datasets)},
		{"Pipelines", fmt.Sprint(pipelines)},
		{"Models", fmt.Sprint(len(s.Models))},
	}
	out.Findings = b.fx.all
	for _, f := range b.fx.all {
		switch f.Severity() {
		case "error":
			out.Errors++
		case "warning":
			out.Warnings++
		}
	}
	out.Arch = b.architecture()
	out.Pipeline = b.pipeline()
	out.RACI = b.raci()
	out.Envs = b.environments()
	out.Calendar = b.calendar()
	out.KPIs = b.kpis()
	out.Blueprint = b.blueprint()
	return out
}

// asOf writes the time the docs are judged at: a date, or a time when
// --now has one.
func asOf(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04 UTC")
}

// ordered returns the keys of m in the order given first, then the rest
// sorted.
func ordered[V any](m map[string]V, first []string) []string {
	var out []string
	for _, k := range first {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(first, k) {
			out = append(out, k)
		}
	}
	return out
}

// ---- architecture board ----

type layerRow struct {
	Key, Title, Owner              string
	Modules, Interfaces, DependsOn []string
	Parts                          string
	Anchor                         string
	Findings                       []*finding
}

type ownerRow struct {
	Owner, Parts, Page, MD string
}

type archPage struct {
	N                   int
	File, MD            string
	First, Last         string
	SVG                 template.HTML
	Mermaid             string
	Groups, Connections int
}

type archView struct {
	Layers []layerRow
	// Mode is "each" (every part drawn), "grouped" (by owner and layer)
	// or "paged" (a layer overview, and the groups on pages).
	Mode        string
	SVG         template.HTML
	Mermaid     string
	Parts, Deps int
	Pages       []*archPage
	Owners      []ownerRow
}

func (b *builder) architecture() archView {
	s := b.spec
	var v archView
	modules := map[string][]string{}
	var arch map[string]*model.ArchitectureLayer
	if s.Governance != nil {
		arch = s.Governance.Architecture
	}
	full := partsGraph(s, func(kind, name string) bool {
		switch kind {
		case "service":
			return len(b.fx.under("services", name)) > 0
		case "integration":
			return len(b.fx.under("integrations", name)) > 0
		case "model":
			return len(b.fx.under("models", name)) > 0
		case "dataset":
			return len(b.fx.under("data", "datasets", name)) > 0
		case "topic":
			return len(b.fx.under("events", "topics", name)) > 0
		}
		return false
	})
	parts := map[string]map[string]int{}
	for _, n := range full.nodes {
		if parts[n.Layer] == nil {
			parts[n.Layer] = map[string]int{}
		}
		parts[n.Layer][n.Kind]++
	}
	for _, key := range ordered(arch, []string{"data", "model", "service", "governance"}) {
		l := arch[key]
		v.Layers = append(v.Layers, layerRow{
			Key: key, Title: layerTitle(key), Owner: l.Owner,
			Modules: l.Modules, Interfaces: l.Interfaces, DependsOn: l.DependsOn,
			Parts: cmpOr(countsLabel(parts[key]), "—"), Anchor: anchorID("layer", key),
			Findings: b.fx.under("governance", "architecture", key),
		})
		modules[key] = l.Modules
	}
	layers := slices.Clone(layerOrder)
	for _, k := range ordered(arch, nil) {
		if !slices.Contains(layers, k) {
			layers = append(layers, k)
		}
	}
	v.Parts, v.Deps = len(full.nodes), len(full.edges)
	title := "Architecture of " + cmp.Or(s.Platform.Name, "the platform")
	switch {
	case len(full.nodes) == 0 && len(modules) == 0:
		v.Mode = "empty"
	case b.drawEach:
		v.Mode = "each"
		d := full.diagram(title, layers, modules)
		v.SVG, v.Mermaid = template.HTML(d.svg()), d.mermaid()
	default:
		grouped := full.grouped(nil, "")
		if len(grouped.nodes) <= MaxDiagramNodes {
			v.Mode = "grouped"
			d := grouped.diagram(title+", grouped by owner", layers, modules)
			v.SVG, v.Mermaid = template.HTML(d.svg()), d.mermaid()
			break
		}
		v.Mode = "paged"
		d := full.layers("#owners").diagram(title+", by layer", layers, modules)
		v.SVG, v.Mermaid = template.HTML(d.svg()), d.mermaid()
		v.Pages, v.Owners = b.archPages(full, grouped, layers)
	}
	return v
}

// archPages splits the groups of a large spec over pages, whole owners
// to a page, each page drawing its owners' groups and one box per layer
// for the parts of other owners they depend on or that depend on them.
func (b *builder) archPages(full, grouped *graph, layers []string) ([]*archPage, []ownerRow) {
	byOwner := map[string][]*gnode{}
	for _, n := range grouped.nodes {
		byOwner[n.Owner] = append(byOwner[n.Owner], n)
	}
	owners := slices.Sorted(maps.Keys(byOwner))
	var chunks [][]string
	var cur []string
	size := 0
	room := MaxDiagramNodes - len(layers)
	for _, o := range owners {
		if size+len(byOwner[o]) > room && len(cur) > 0 {
			chunks = append(chunks, cur)
			cur, size = nil, 0
		}
		cur = append(cur, o)
		size += len(byOwner[o])
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	var pagesOut []*archPage
	var rows []ownerRow
	for i, chunk := range chunks {
		ap := &archPage{N: i + 1, File: fmt.Sprintf("architecture-%d.html", i+1), MD: fmt.Sprintf("architecture-%d.md", i+1), First: chunk[0], Last: chunk[len(chunk)-1]}
		keep := map[string]bool{}
		for _, o := range chunk {
			keep[o] = true
		}
		g := full.grouped(func(o string) bool { return keep[o] }, "architecture.html#owners")
		d := g.diagram(fmt.Sprintf("Architecture, owners %s to %s", ap.First, ap.Last), layers, nil)
		ap.SVG, ap.Mermaid = template.HTML(d.svg()), d.mermaid()
		ap.Groups, ap.Connections = len(d.Nodes), len(d.Edges)
		pagesOut = append(pagesOut, ap)
		for _, o := range chunk {
			counts := map[string]int{}
			for _, n := range full.nodes {
				if n.Owner == o {
					counts[n.Kind]++
				}
			}
			rows = append(rows, ownerRow{Owner: o, Parts: countsLabel(counts), Page: ap.File, MD: ap.MD})
		}
	}
	return pagesOut, rows
}

// ---- DevOps / MLOps pipeline ----

type stageRow struct {
	Key, Title                 string
	DevOpsTools, DevOpsActions []string
	MLOpsTools, MLOpsActions   []string
	Gate, Owner, Anchor        string
	Findings                   []*finding
}

type pipelineView struct {
	Stages                   []stageRow
	CIProvider               string
	CIGates                  []string
	GitOpsEngine, GitOpsRepo string
	Signing, Registry        string
}

var stageTitles = map[string]string{"code": "Code", "build": "Build", "test": "Test", "deploy": "Deploy", "monitor": "Monitor"}

func (b *builder) pipeline() pipelineView {
	s := b.spec
	var v pipelineView
	if s.Governance != nil {
		for _, key := range ordered(s.Governance.Stages, []string{"code", "build", "test", "deploy", "monitor"}) {
			st := s.Governance.Stages[key]
			v.Stages = append(v.Stages, stageRow{
				Key: key, Title: cmp.Or(stageTitles[key], key),
				DevOpsTools: st.DevOps.Tools, DevOpsActions: st.DevOps.Actions,
				MLOpsTools: st.MLOps.Tools, MLOpsActions: st.MLOps.Actions,
				Gate: st.Gate, Owner: st.Owner, Anchor: anchorID("stage", key),
				Findings: b.fx.under("governance", "stages", key),
			})
		}
	}
	if p := s.Platform; p != nil {
		v.CIProvider, v.CIGates = p.CI.Provider, p.CI.Gates
		v.GitOpsEngine, v.GitOpsRepo = p.GitOps.Engine, p.GitOps.Repo
		v.Signing, v.Registry = p.SupplyChain.Signing.Tool, p.SupplyChain.Registry
	}
	return v
}

// ---- RACI ----

type raciParty struct {
	Name string
	Flag bool
}

type raciCell struct {
	Role     string
	Parties  []raciParty
	Findings []*finding
}

type raciRow struct {
	Key, Title, Anchor string
	Cells              []raciCell
	// Findings are about the task as a whole.
	Findings []*finding
}

var raciRoles = []struct{ key, title string }{
	{"responsible", "Responsible (R)"}, {"accountable", "Accountable (A)"}, {"consulted", "Consulted (C)"}, {"informed", "Informed (I)"},
}

func (b *builder) raci() []raciRow {
	s := b.spec
	if s.Governance == nil {
		return nil
	}
	var rows []raciRow
	for _, key := range ordered(s.Governance.RACI, []string{"data-model-design", "etl-change", "quality-monitoring", "privacy-compliance", "metadata-upkeep"}) {
		t := s.Governance.RACI[key]
		row := raciRow{Key: key, Title: cmp.Or(t.Title, key), Anchor: anchorID("raci", key)}
		// A finding about the number of accountable parties is shown in
		// the A cell, where the problem is; others about the task as a
		// whole on the row.
		var aboutA []*finding
		for _, f := range b.fx.at("governance", "raci", key) {
			if strings.Contains(f.Message, "accountable") {
				aboutA = append(aboutA, f)
			} else {
				row.Findings = append(row.Findings, f)
			}
		}
		for _, r := range raciRoles {
			var names []string
			switch r.key {
			case "responsible":
				names = t.Responsible
			case "accountable":
				names = t.Accountable
			case "consulted":
				names = t.Consulted
			case "informed":
				names = t.Informed
			}
			fs := b.fx.under("governance", "raci", key, r.key)
			flagged := namesIn(fs)
			cell := raciCell{Role: r.key, Findings: fs}
			for _, n := range names {
				cell.Parties = append(cell.Parties, raciParty{Name: n, Flag: flagged[n]})
			}
			if r.key == "accountable" && len(aboutA) > 0 {
				cell.Findings = append(aboutA, cell.Findings...)
				for i := range cell.Parties {
					cell.Parties[i].Flag = true
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}
