package docs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// finding is one check result as the site shows it: where it is in the
// user's files, and the section (and element) of the site it concerns.
type finding struct {
	diag.Diagnostic
	// ID is its anchor on the findings page.
	ID string
	// Page is the section it concerns; Anchor the element there ("" for
	// the page as a whole).
	Page   string
	Anchor string
	labels []string
}

// Severity is "error", "warning" or "info".
func (f *finding) Severity() string { return f.Diagnostic.Severity.String() }

// Where is FILE:LINE:COL, or "-".
func (f *finding) Where() string { return f.Pos.String() }

// Href links from another page to the element the finding concerns.
func (f *finding) Href() string {
	if f.Anchor == "" {
		return pageFile(f.Page)
	}
	return pageFile(f.Page) + "#" + f.Anchor
}

// MDHref links from another Markdown file to the section it concerns.
func (f *finding) MDHref() string { return pageMD(f.Page) }

// findingIndex finds the findings about a spec path. Every part of a
// large spec asks for its findings, so they are indexed by path and by
// every prefix of it.
type findingIndex struct {
	all []*finding
	// byPath holds the findings by the path they name, formatted; byPrefix
	// by each prefix of it (the path included); byPage by the page they
	// concern.
	byPath, byPrefix, byPage map[string][]*finding
}

func newFindingIndex(ds diag.Diagnostics, place func(labels []string) (page, anchor string)) *findingIndex {
	ix := &findingIndex{byPath: map[string][]*finding{}, byPrefix: map[string][]*finding{}, byPage: map[string][]*finding{}}
	for i, d := range ds.Sorted() {
		labels := source.ParsePath(d.Path)
		f := &finding{Diagnostic: d, ID: fmt.Sprintf("finding-%d", i+1), labels: labels}
		f.Page, f.Anchor = place(labels)
		ix.all = append(ix.all, f)
		key := source.FormatPath(labels)
		ix.byPath[key] = append(ix.byPath[key], f)
		for k := range len(labels) + 1 {
			pk := source.FormatPath(labels[:k])
			ix.byPrefix[pk] = append(ix.byPrefix[pk], f)
		}
		ix.byPage[f.Page] = append(ix.byPage[f.Page], f)
	}
	return ix
}

// at returns the findings that name exactly the path labels.
func (ix *findingIndex) at(labels ...string) []*finding {
	return ix.byPath[source.FormatPath(labels)]
}

// under returns the findings that name labels or a path below it.
func (ix *findingIndex) under(labels ...string) []*finding {
	return ix.byPrefix[source.FormatPath(labels)]
}

// onPage returns the findings that concern a page.
func (ix *findingIndex) onPage(page string) []*finding { return ix.byPage[page] }

// quoted matches the "names" a message quotes, to mark the party a RACI
// finding is about.
var quoted = regexp.MustCompile(`"([^"]+)"`)

// namesIn returns the quoted names in the findings' messages.
func namesIn(fs []*finding) map[string]bool {
	out := map[string]bool{}
	for _, f := range fs {
		for _, m := range quoted.FindAllStringSubmatch(f.Message, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// anchorID makes an element ID from labels: letters, digits, '-', '_' and
// '.' are kept, everything else becomes '_'.
func anchorID(prefix string, labels ...string) string {
	var sb strings.Builder
	sb.WriteString(prefix)
	for _, l := range labels {
		sb.WriteByte('-')
		for _, r := range l {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
				sb.WriteRune(r)
			default:
				sb.WriteByte('_')
			}
		}
	}
	return sb.String()
}

// place says which section of the site a spec path concerns, and the
// element there.
func (b *builder) place(labels []string) (page, anchor string) {
	at := func(i int) string {
		if i < len(labels) {
			return labels[i]
		}
		return ""
	}
	switch at(0) {
	case "governance":
		switch at(1) {
		case "raci":
			if at(2) != "" {
				return pageRACI, anchorID("raci", at(2))
			}
			return pageRACI, ""
		case "architecture":
			if at(2) != "" {
				return pageArchitecture, anchorID("layer", at(2))
			}
			return pageArchitecture, ""
		case "stages":
			if at(2) != "" {
				return pagePipeline, anchorID("stage", at(2))
			}
			return pagePipeline, ""
		case "changes":
			if at(2) != "" {
				return pageCalendar, anchorID("change", at(2))
			}
			return pageCalendar, ""
		}
		return pageIndex, ""
	case "environments":
		switch at(2) {
		case "freezes", "changeWindows":
			return pageCalendar, anchorID("windows", at(1))
		}
		if at(1) != "" {
			return pageEnvironments, anchorID("env", at(1))
		}
		return pageEnvironments, ""
	case "teams":
		if at(2) == "quotas" && at(3) != "" {
			return pageEnvironments, anchorID("quota", at(3), at(1))
		}
		return pageEnvironments, ""
	case "kpis":
		if at(1) != "" {
			return pageKPIs, anchorID("kpi", at(1))
		}
		return pageKPIs, ""
	case "services":
		if at(2) == "slos" {
			if b.listBudgets {
				return pageKPIs, anchorID("budget", at(1))
			}
			return pageKPIs, anchorID("kpi", "reliability")
		}
		return pageArchitecture, b.nodeAnchor("service", at(1))
	case "events":
		if at(1) == "topics" {
			return pageArchitecture, b.nodeAnchor("topic", at(2))
		}
		return pageArchitecture, ""
	case "data":
		switch at(1) {
		case "datasets":
			return pageArchitecture, b.nodeAnchor("dataset", at(2))
		case "pipelines":
			return pageKPIs, anchorID("kpi", "data")
		}
		return pageArchitecture, ""
	case "models":
		return pageArchitecture, b.nodeAnchor("model", at(1))
	case "integrations":
		return pageArchitecture, b.nodeAnchor("integration", at(1))
	case "blueprint":
		if at(1) == "phases" && at(2) != "" {
			if at(3) == "milestones" && at(4) != "" {
				return pageBlueprint, anchorID("milestone", at(2), at(4))
			}
			return pageBlueprint, anchorID("phase", at(2))
		}
		return pageBlueprint, ""
	case "platform":
		switch at(1) {
		case "ci", "gitops", "supplyChain":
			return pagePipeline, ""
		case "observability":
			return pageKPIs, ""
		}
		return pageIndex, ""
	}
	return pageFindings, ""
}

// nodeAnchor is the anchor of a part in the architecture diagram, or ""
// when the diagram groups parts rather than drawing each.
func (b *builder) nodeAnchor(kind, name string) string {
	if name == "" || !b.drawEach {
		return ""
	}
	return anchorID("node", kind, name)
}
