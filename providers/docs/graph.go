package docs

import (
	"cmp"
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/model"
)

// MaxDiagramNodes is the most boxes one architecture diagram draws. A
// spec with more parts is drawn grouped by owner and layer, and one with
// more groups than this is drawn as a layer overview with the groups on
// pages of their own.
const MaxDiagramNodes = 150

// The four layers of the architecture board, top to bottom, as the source
// document names them.
var layerOrder = []string{"service", "model", "data", "governance"}

var layerTitles = map[string]string{
	"data": "Data layer", "model": "Model layer", "service": "Service layer", "governance": "Governance layer",
}

func layerTitle(l string) string {
	if t, ok := layerTitles[l]; ok {
		return t
	}
	return l + " layer"
}

// kindLayer is the layer each kind of part is drawn in.
var kindLayer = map[string]string{
	"service": "service", "integration": "service",
	"model":   "model",
	"dataset": "data", "topic": "data",
}

// kindOrder orders kinds within a layer and in counts.
var kindOrder = []string{"service", "integration", "model", "dataset", "topic", "module"}

func kindRank(k string) int {
	if i := slices.Index(kindOrder, k); i >= 0 {
		return i
	}
	return len(kindOrder)
}

func plural(n int, one string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %ss", n, one)
}

// gnode is a box in a diagram: a part of the spec, a group of parts, a
// layer, or a module of the architecture board.
type gnode struct {
	ID    string
	Kind  string
	Name  string
	Layer string
	Owner string
	// Sub is the box's second line.
	Sub string
	// Anchor is the element ID of the box; Href a page it links to.
	Anchor, Href string
	Warn         bool
}

// gedge is an arrow from a part to what it depends on; Count is how many
// dependencies a grouped arrow stands for.
type gedge struct {
	From, To string
	Count    int
}

// graph is the parts of a spec and the dependencies between them.
type graph struct {
	nodes map[string]*gnode
	edges map[[2]string]int
}

func newGraph() *graph {
	return &graph{nodes: map[string]*gnode{}, edges: map[[2]string]int{}}
}

func (g *graph) add(n *gnode) { g.nodes[n.ID] = n }

// link adds an arrow between two parts that exist.
func (g *graph) link(from, to string, count int) {
	if from == to || g.nodes[from] == nil || g.nodes[to] == nil {
		return
	}
	g.edges[[2]string{from, to}] += count
}

// diagram is a graph laid out for drawing: its boxes in order, its
// arrows, and the bands (layers) with the modules the board names.
type diagram struct {
	Title string
	Nodes []*gnode
	Edges []gedge
	// Modules are shown in bands that have no parts (governance).
	Modules map[string][]string
	Layers  []string
}

func (g *graph) diagram(title string, layers []string, modules map[string][]string) *diagram {
	d := &diagram{Title: title, Modules: modules, Layers: layers}
	for _, n := range g.nodes {
		d.Nodes = append(d.Nodes, n)
	}
	slices.SortFunc(d.Nodes, func(a, b *gnode) int {
		return cmp.Or(cmp.Compare(a.Owner, b.Owner), cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	for k, c := range g.edges {
		d.Edges = append(d.Edges, gedge{From: k[0], To: k[1], Count: c})
	}
	slices.SortFunc(d.Edges, func(a, b gedge) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	return d
}

// partsGraph collects the services, integrations, models, datasets and
// topics of a spec and their dependencies: a service on what it names in
// dependencies, a topic's consumers on the topic and the topic on its
// producers, a dataset on its lineage upstreams, a model on its training
// data, and the service that serves a model on the model.
func partsGraph(s *model.Spec, warn func(kind, name string) bool) *graph {
	g := newGraph()
	add := func(kind, name, owner, what string) {
		g.add(&gnode{
			ID: kind + "/" + name, Kind: kind, Name: name, Layer: kindLayer[kind], Owner: owner,
			Sub: strings.TrimSpace(what + " · " + owner), Anchor: anchorID("node", kind, name), Warn: warn(kind, name),
		})
	}
	for name, svc := range s.Services {
		add("service", name, svc.Team, svc.Kind)
	}
	for name, in := range s.Integrations {
		add("integration", name, in.Owner, "integration")
	}
	for name, m := range s.Models {
		add("model", name, m.Team, "model")
	}
	if s.Data != nil {
		for name, ds := range s.Data.Datasets {
			add("dataset", name, ds.Owner, "dataset")
		}
	}
	if s.Events != nil {
		for name, t := range s.Events.Topics {
			add("topic", name, t.Owner, "topic")
		}
	}
	// ref resolves "kind/name" or a bare name of the default kind; a bare
	// producer or consumer is a service or else an integration.
	ref := func(r, def string) string {
		if kind, name, ok := strings.Cut(r, "/"); ok {
			return kind + "/" + name
		}
		if def == "service" && g.nodes["service/"+r] == nil && g.nodes["integration/"+r] != nil {
			return "integration/" + r
		}
		return def + "/" + r
	}
	for name, svc := range s.Services {
		for _, dep := range svc.Dependencies {
			g.link("service/"+name, ref(dep, "service"), 1)
		}
	}
	if s.Events != nil {
		for name, t := range s.Events.Topics {
			for _, p := range t.Producers {
				g.link("topic/"+name, ref(p, "service"), 1)
			}
			for _, c := range t.Consumers {
				g.link(ref(c, "service"), "topic/"+name, 1)
			}
		}
	}
	if s.Data != nil {
		for name, ds := range s.Data.Datasets {
			for _, up := range ds.Lineage.Upstreams {
				g.link("dataset/"+name, ref(up, "dataset"), 1)
			}
		}
	}
	for name, m := range s.Models {
		for _, d := range m.TrainingData {
			g.link("model/"+name, ref(d, "dataset"), 1)
		}
		if m.Service != "" {
			g.link("service/"+m.Service, "model/"+name, 1)
		}
	}
	// Duplicates collapse: a dependency named twice is one arrow.
	for k := range g.edges {
		g.edges[k] = 1
	}
	return g
}

// groupKey is the group a part belongs to when the diagram groups: its
// owner's parts in one layer.
func groupKey(n *gnode) string { return "group/" + n.Layer + "/" + n.Owner }

// countsLabel writes "15 services, 2 topics".
func countsLabel(counts map[string]int) string {
	var parts []string
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return cmp.Compare(kindRank(a), kindRank(b)) }) {
		parts = append(parts, plural(counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// grouped draws each owner's parts of a layer as one box, with the
// dependencies between groups counted on the arrows. keep limits it to
// the groups of some owners; the others of each layer become one box
// "elsewhere", linked to page.
func (g *graph) grouped(keep func(owner string) bool, elsewhereHref string) *graph {
	out := newGraph()
	counts := map[string]map[string]int{}
	of := map[string]string{}
	for _, n := range g.nodes {
		id := groupKey(n)
		if keep != nil && !keep(n.Owner) {
			id = "group/" + n.Layer + "/~elsewhere"
		}
		of[n.ID] = id
		if out.nodes[id] == nil {
			gn := &gnode{ID: id, Kind: "group", Name: n.Owner, Layer: n.Layer, Owner: n.Owner, Anchor: anchorID("group", n.Layer, n.Owner)}
			if strings.HasSuffix(id, "/~elsewhere") {
				gn.Name, gn.Owner, gn.Kind, gn.Href, gn.Anchor = "other owners", "~", "elsewhere", elsewhereHref, anchorID("elsewhere", n.Layer)
			}
			out.add(gn)
			counts[id] = map[string]int{}
		}
		counts[id][n.Kind]++
		out.nodes[id].Warn = out.nodes[id].Warn || n.Warn
	}
	for id, c := range counts {
		out.nodes[id].Sub = countsLabel(c)
	}
	for k, c := range g.edges {
		from, to := of[k[0]], of[k[1]]
		if from != to && !(strings.HasSuffix(from, "/~elsewhere") && strings.HasSuffix(to, "/~elsewhere")) {
			out.edges[[2]string{from, to}] += c
		}
	}
	return out
}

// layers draws one box per layer with its parts counted and the
// dependencies between layers on the arrows.
func (g *graph) layers(href string) *graph {
	out := newGraph()
	counts := map[string]map[string]int{}
	internal := map[string]int{}
	for _, n := range g.nodes {
		id := "layer/" + n.Layer
		if out.nodes[id] == nil {
			out.add(&gnode{ID: id, Kind: "layer", Name: layerTitle(n.Layer), Layer: n.Layer, Anchor: anchorID("overview", n.Layer), Href: href})
			counts[id] = map[string]int{}
		}
		counts[id][n.Kind]++
		out.nodes[id].Warn = out.nodes[id].Warn || n.Warn
	}
	for k, c := range g.edges {
		from, to := "layer/"+g.nodes[k[0]].Layer, "layer/"+g.nodes[k[1]].Layer
		if from == to {
			internal[from] += c
			continue
		}
		out.edges[[2]string{from, to}] += c
	}
	for id, c := range counts {
		out.nodes[id].Sub = countsLabel(c)
		if internal[id] > 0 {
			out.nodes[id].Sub += fmt.Sprintf("; %s within", plural(internal[id], "dependency"))
			out.nodes[id].Sub = strings.Replace(out.nodes[id].Sub, "dependencys", "dependencies", 1)
		}
	}
	return out
}

// Layout of the SVG diagrams, in user units of a 1200-wide view box.
const (
	svgWidth   = 1200
	svgMargin  = 16
	bandPad    = 12
	bandHeader = 30
	nodeW      = 172
	nodeH      = 46
	gapX       = 14
	gapY       = 22
)

type placed struct {
	x, y float64
	n    *gnode
}

// svg draws the diagram: one band per layer, top to bottom, the boxes of
// each band in rows, and the arrows as curves from a box to what it
// depends on.
func (d *diagram) svg() string {
	cols := (svgWidth - 2*svgMargin - 2*bandPad + gapX) / (nodeW + gapX)
	byLayer := map[string][]*gnode{}
	for _, n := range d.Nodes {
		byLayer[n.Layer] = append(byLayer[n.Layer], n)
	}
	layers := slices.Clone(d.Layers)
	for l := range byLayer {
		if !slices.Contains(layers, l) {
			layers = append(layers, l)
		}
	}
	pos := map[string]placed{}
	var body strings.Builder
	y := float64(svgMargin)
	for _, l := range layers {
		nodes := byLayer[l]
		mods := d.Modules[l]
		if len(nodes) == 0 && len(mods) == 0 {
			continue
		}
		rows := (len(nodes) + cols - 1) / cols
		modRows := 0
		if len(nodes) == 0 {
			modRows = (len(mods) + cols - 1) / cols
		}
		h := float64(bandHeader + (rows+modRows)*(nodeH+gapY) + bandPad)
		fmt.Fprintf(&body, `<g class="band band-%s"><rect x="%d" y="%g" width="%d" height="%g" rx="8"/><text class="band-title" x="%d" y="%g">%s</text></g>`+"\n",
			esc(l), svgMargin, y, svgWidth-2*svgMargin, h, svgMargin+bandPad, y+20, esc(layerTitle(l)))
		for i, n := range nodes {
			x := float64(svgMargin + bandPad + (i%cols)*(nodeW+gapX))
			ny := y + float64(bandHeader+(i/cols)*(nodeH+gapY))
			pos[n.ID] = placed{x, ny, n}
		}
		if len(nodes) == 0 {
			for i, m := range mods {
				x := float64(svgMargin + bandPad + (i%cols)*(nodeW+gapX))
				my := y + float64(bandHeader+(i/cols)*(nodeH+gapY))
				fmt.Fprintf(&body, `<g class="node kind-module"><title>%s</title><rect x="%g" y="%g" width="%d" height="%d" rx="6"/><text x="%g" y="%g">%s</text></g>`+"\n",
					esc(m), x, my, nodeW, nodeH, x+8, my+27, esc(clip(m, 26)))
			}
		}
		y += h + gapY
	}
	height := y - gapY + svgMargin
	var edges strings.Builder
	for _, e := range d.Edges {
		a, okA := pos[e.From]
		b, okB := pos[e.To]
		if !okA || !okB {
			continue
		}
		var x1, y1, x2, y2, c1, c2 float64
		x1, x2 = a.x+nodeW/2, b.x+nodeW/2
		switch {
		case b.y > a.y:
			y1, y2 = a.y+nodeH, b.y
			c1, c2 = y1+(y2-y1)/2, y1+(y2-y1)/2
		case b.y < a.y:
			y1, y2 = a.y, b.y+nodeH
			c1, c2 = y1-(y1-y2)/2, y1-(y1-y2)/2
		default:
			y1, y2 = a.y+nodeH, b.y+nodeH
			c1, c2 = y1+gapY, y2+gapY
		}
		fmt.Fprintf(&edges, `<path class="edge" d="M%g,%g C%g,%g %g,%g %g,%g" marker-end="url(#arrow)"><title>%s → %s</title></path>`+"\n",
			x1, y1, x1, c1, x2, c2, x2, y2, esc(a.n.Name), esc(b.n.Name))
		if e.Count > 1 {
			fmt.Fprintf(&edges, `<text class="edge-count" x="%g" y="%g">%d</text>`+"\n", (x1+x2)/2, (c1+c2)/2, e.Count)
		}
	}
	var nodes strings.Builder
	for _, n := range d.Nodes {
		p := pos[n.ID]
		cls := "node kind-" + n.Kind
		if n.Warn {
			cls += " warn"
		}
		openA, closeA := "", ""
		if n.Href != "" {
			openA, closeA = fmt.Sprintf(`<a href="%s">`, esc(n.Href)), "</a>"
		}
		fmt.Fprintf(&nodes, `%s<g class="%s" id="%s"><title>%s (%s)</title><rect x="%g" y="%g" width="%d" height="%d" rx="6"/><text x="%g" y="%g">%s</text><text class="sub" x="%g" y="%g">%s</text></g>%s`+"\n",
			openA, cls, esc(n.Anchor), esc(n.Name), esc(n.Sub), p.x, p.y, nodeW, nodeH, p.x+8, p.y+19, esc(clip(n.Name, 24)), p.x+8, p.y+36, esc(clip(n.Sub, 30)), closeA)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %g" role="img" aria-label="%s">`+"\n", svgWidth, height, esc(d.Title))
	fmt.Fprintf(&sb, `<title>%s</title>`+"\n", esc(d.Title))
	sb.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` + "\n")
	sb.WriteString(body.String())
	sb.WriteString(edges.String())
	sb.WriteString(nodes.String())
	sb.WriteString("</svg>")
	return sb.String()
}

// mermaid writes the diagram as a Mermaid flowchart, one subgraph per layer.
func (d *diagram) mermaid() string {
	var sb strings.Builder
	sb.WriteString("```mermaid\nflowchart TB\n")
	ids := map[string]string{}
	for i, n := range d.Nodes {
		ids[n.ID] = fmt.Sprintf("n%d", i+1)
	}
	byLayer := map[string][]*gnode{}
	for _, n := range d.Nodes {
		byLayer[n.Layer] = append(byLayer[n.Layer], n)
	}
	layers := slices.Clone(d.Layers)
	for l := range byLayer {
		if !slices.Contains(layers, l) {
			layers = append(layers, l)
		}
	}
	kinds := map[string][]string{}
	for _, l := range layers {
		nodes, mods := byLayer[l], d.Modules[l]
		if len(nodes) == 0 && len(mods) == 0 {
			continue
		}
		fmt.Fprintf(&sb, "  subgraph %s[\"%s\"]\n", mermaidID("layer_"+l), mermaidText(layerTitle(l)))
		for _, n := range nodes {
			fmt.Fprintf(&sb, "    %s[\"%s<br/>%s\"]\n", ids[n.ID], mermaidText(n.Name), mermaidText(n.Sub))
			kinds[n.Kind] = append(kinds[n.Kind], ids[n.ID])
		}
		if len(nodes) == 0 {
			for i, m := range mods {
				id := fmt.Sprintf("%s_m%d", mermaidID(l), i+1)
				fmt.Fprintf(&sb, "    %s[\"%s\"]\n", id, mermaidText(m))
				kinds["module"] = append(kinds["module"], id)
			}
		}
		sb.WriteString("  end\n")
	}
	for _, e := range d.Edges {
		if e.Count > 1 {
			fmt.Fprintf(&sb, "  %s -->|%d| %s\n", ids[e.From], e.Count, ids[e.To])
		} else {
			fmt.Fprintf(&sb, "  %s --> %s\n", ids[e.From], ids[e.To])
		}
	}
	styles := map[string]string{
		"service":     "fill:#dbeafe,stroke:#1d4ed8",
		"integration": "fill:#ede9fe,stroke:#6d28d9",
		"model":       "fill:#ffedd5,stroke:#c2410c",
		"dataset":     "fill:#dcfce7,stroke:#15803d",
		"topic":       "fill:#ccfbf1,stroke:#0f766e",
		"group":       "fill:#f1f5f9,stroke:#475569",
		"layer":       "fill:#f1f5f9,stroke:#475569",
		"elsewhere":   "fill:#ffffff,stroke:#94a3b8,stroke-dasharray:4 3",
		"module":      "fill:#fefce8,stroke:#a16207",
	}
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		fmt.Fprintf(&sb, "  classDef %s %s\n  class %s %s\n", k, styles[k], strings.Join(kinds[k], ","), k)
	}
	sb.WriteString("```\n")
	return sb.String()
}

func mermaidID(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	return sb.String()
}

// mermaidText escapes text inside a quoted Mermaid label.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", " ")
	return r.Replace(s)
}

// esc escapes text for HTML and SVG.
func esc(s string) string { return html.EscapeString(s) }

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
