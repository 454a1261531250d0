package docs_test

import (
	"bytes"
	"context"
	"fmt"
	stdhtml "html"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/platc-dev/platc/compiler"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/internal/golden"
	"github.com/platc-dev/platc/providers/docs"
)

// exampleNow is the day the example's calendar and blueprint are read at.
var exampleNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// build checks the spec in dir at now and builds its docs.
func build(t testing.TB, dir string, now time.Time, mod func(*docs.Input)) map[string][]byte {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, ds, err := compiler.Check(context.Background(), compiler.CheckConfig{Config: compiler.Config{Dir: abs}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res == nil || res.Spec == nil {
		t.Fatalf("%s does not decode: %v", dir, ds)
	}
	in := docs.Input{Spec: res.Spec, Capabilities: res.Capabilities, Findings: ds.Rel(abs), Now: now}
	if mod != nil {
		mod(&in)
	}
	files, err := docs.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGoldenMarkdown compares the Markdown of examples/acme-shop, as of
// 2026-11-24, with testdata/acme-shop (PLATC_UPDATE=1 rewrites it), and
// checks that a second build gives the same bytes, HTML included.
func TestGoldenMarkdown(t *testing.T) {
	files := build(t, "../../examples/acme-shop", exampleNow, nil)
	md := map[string][]byte{}
	for name, b := range files {
		if strings.HasSuffix(name, ".md") {
			md[name] = b
		}
	}
	golden.Dir(t, "testdata/acme-shop", md)

	again := build(t, "../../examples/acme-shop", exampleNow, nil)
	if len(again) != len(files) {
		t.Fatalf("second build wrote %d files, first %d", len(again), len(files))
	}
	for name, b := range files {
		if !bytes.Equal(b, again[name]) {
			t.Errorf("%s differs between two builds of the same input", name)
		}
	}
}

// TestPagesAreSelfContained: every HTML page links only to pages of the
// site and fetches nothing: no script, no external stylesheet, font or
// image, and a content security policy that forbids fetching.
func TestPagesAreSelfContained(t *testing.T) {
	files := build(t, "../../examples/acme-shop", exampleNow, nil)
	pages := docs.HTMLPages(files)
	if len(pages) < 9 {
		t.Fatalf("only %d pages: %v", len(pages), pages)
	}
	href := regexp.MustCompile(`(?:href|src)="([^"]*)"`)
	for _, p := range pages {
		html := string(files[p])
		for _, bad := range []string{"<script", "<link rel=\"stylesheet\"", "@import", "url(http", "<img", "<iframe"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s contains %s", p, bad)
			}
		}
		if !strings.Contains(stdhtml.UnescapeString(html), `content="default-src 'none'; style-src 'unsafe-inline'`) {
			t.Errorf("%s has no content security policy that forbids fetching", p)
		}
		for _, m := range href.FindAllStringSubmatch(html, -1) {
			link := m[1]
			switch {
			case link == "data:,", strings.HasPrefix(link, "#"):
			case strings.Contains(link, "://"):
				t.Errorf("%s links outside the site: %s", p, link)
			default:
				target, _, _ := strings.Cut(link, "#")
				if _, ok := files[target]; !ok {
					t.Errorf("%s links to %s, which the site does not have", p, link)
				}
			}
		}
	}
	if !strings.Contains(string(files["architecture.html"]), `<svg class="diagram"`) {
		t.Error("architecture.html has no diagram")
	}
	if !strings.Contains(string(files["blueprint.html"]), `<svg class="gantt"`) {
		t.Error("blueprint.html has no timeline")
	}
}

// TestFindingsInPlace: the check's findings are shown where they are: the
// RACI task with two accountables in its A cell, the unknown party marked,
// the change inside a freeze, the overdue milestone, the quota over the
// pool, and each finding on the findings page links to its section.
func TestFindingsInPlace(t *testing.T) {
	files := build(t, "testdata/findings", exampleNow, nil)
	raci := string(files["raci.html"])
	for _, want := range []string{
		`<span class="chip flag">@bob</span>`,
		`<span class="chip flag">@alice</span>`,
		`<span class="chip flag">ghost-team</span>`,
		`RACI task etl-change has 2 accountable parties`,
	} {
		if !strings.Contains(raci, want) {
			t.Errorf("raci.html lacks %s", want)
		}
	}
	// The A cell of etl-change is flagged, and so is the C cell of
	// metadata-upkeep; data, which is fine, is not.
	if !regexp.MustCompile(`<td class="role-accountable flagged">`).MatchString(raci) || !strings.Contains(raci, `<td class="role-consulted flagged">`) {
		t.Error("raci.html does not flag the cells of the findings")
	}
	if strings.Contains(raci, `<span class="chip flag">data</span>`) {
		t.Error("raci.html flags a party that is fine")
	}
	md := string(files["raci.md"])
	if !strings.Contains(md, "⚠ **ghost-team**") || !strings.Contains(md, "⚠ **@alice**") {
		t.Errorf("raci.md does not mark the parties:\n%s", md)
	}

	cal := string(files["calendar.html"])
	if !strings.Contains(cal, `id="change-year-end-upgrade" class="has-findings"`) || !strings.Contains(cal, "falls inside the freeze year-end") {
		t.Error("calendar.html does not mark the change inside the freeze")
	}
	if !strings.Contains(cal, `class="day frozen today"`) && !strings.Contains(cal, `<td class="day frozen`) {
		t.Error("calendar.html shows no frozen day")
	}

	bp := string(files["blueprint.html"])
	for _, want := range []string{`<td class="state-overdue">overdue</td>`, `<td class="state-done">done</td>`, `<td class="state-due">due</td>`, "1 of 3 done (33 %)", "1 of 2 done (50 %)"} {
		if !strings.Contains(bp, want) {
			t.Errorf("blueprint.html lacks %s", want)
		}
	}
	if !strings.Contains(bp, `class="milestone state-overdue" id="milestone-foundation-lakehouse-mark"`) {
		t.Error("the timeline does not draw the overdue milestone as overdue")
	}

	envs := string(files["environments.html"])
	if !strings.Contains(envs, `<div class="barline over"><span class="bar-label">CPU cores</span>`) {
		t.Error("environments.html does not show the CPU quotas over the pool")
	}

	fp := string(files["findings.html"])
	for _, want := range []string{`href="raci.html#raci-etl-change"`, `href="raci.html#raci-metadata-upkeep"`, `href="calendar.html#change-year-end-upgrade"`, `href="blueprint.html#milestone-foundation-lakehouse"`, `href="pipeline.html"`} {
		if !strings.Contains(fp, want) {
			t.Errorf("findings.html lacks the link %s", want)
		}
	}
	if !strings.Contains(fp, "<code>spec.cue:") {
		t.Error("findings.html does not show positions relative to the spec")
	}
	idx := string(files["index.html"])
	if !strings.Contains(idx, `class="card stat bad" href="findings.html"><div class="stat-value">7 / 2</div>`) {
		t.Error("index.html does not count 7 errors and 2 warnings (one of them not-delivered)")
	}
}

// TestLargeSpecDiagramsStayUsable: a spec with thousands of parts is
// drawn as a layer overview and pages of owner groups, no diagram with
// more than MaxDiagramNodes boxes, and every part's owner on a page.
func TestLargeSpecDiagramsStayUsable(t *testing.T) {
	const teams = 600
	files, err := docs.Build(docs.Input{Spec: largeSpec(teams), Now: exampleNow})
	if err != nil {
		t.Fatal(err)
	}
	boxes := regexp.MustCompile(`<g class="node `)
	overview := string(files["architecture.html"])
	if n := len(boxes.FindAllString(overview, -1)); n == 0 || n > docs.MaxDiagramNodes {
		t.Errorf("the overview draws %d boxes", n)
	}
	if !strings.Contains(overview, "6000 parts") || !strings.Contains(overview, "4800 services") {
		t.Errorf("the overview does not count the parts")
	}
	pages := 0
	for name, b := range files {
		if !regexp.MustCompile(`^architecture-\d+\.html$`).MatchString(name) {
			continue
		}
		pages++
		n := len(boxes.FindAllString(string(b), -1))
		if n == 0 || n > docs.MaxDiagramNodes {
			t.Errorf("%s draws %d boxes", name, n)
		}
		if _, ok := files[strings.TrimSuffix(name, ".html")+".md"]; !ok {
			t.Errorf("%s has no Markdown twin", name)
		}
	}
	if pages < 2 {
		t.Fatalf("%d architecture pages for %d teams", pages, teams)
	}
	for i := range teams {
		if !strings.Contains(overview, fmt.Sprintf("<td>team-%04d</td>", i)) {
			t.Fatalf("team-%04d is on no page", i)
		}
	}
	// Error budgets are grouped, not listed 4800 times.
	if kpis := string(files["kpis.html"]); strings.Contains(kpis, `id="budget-team-0001-svc1"`) {
		t.Error("kpis.html lists each service's budget for a large spec")
	}
}

// largeSpec is an organisation of teams with eight services each, a topic
// and a dataset, every service calling the next team's first one.
func largeSpec(teams int) *model.Spec {
	s := &model.Spec{
		Platform:     &model.Platform{Name: "big", Owner: "team-0000"},
		Environments: map[string]*model.Environment{"prod": {Name: "prod", Tier: "prod", Pools: map[string]*model.Pool{}}},
		Teams:        map[string]*model.Team{},
		Services:     map[string]*model.Service{},
		Events:       &model.Events{Topics: map[string]*model.Topic{}},
		Data:         &model.Data{Datasets: map[string]*model.Dataset{}},
	}
	for i := range teams {
		team := fmt.Sprintf("team-%04d", i)
		s.Teams[team] = &model.Team{Name: team}
		topic := team + ".events"
		s.Events.Topics[topic] = &model.Topic{Name: topic, Owner: team, Producers: []string{team + "-svc0"}}
		s.Data.Datasets[team+"-facts"] = &model.Dataset{Name: team + "-facts", Owner: team, Lineage: model.Lineage{Upstreams: []string{"topic/" + topic}}}
		for j := range 8 {
			name := fmt.Sprintf("%s-svc%d", team, j)
			svc := &model.Service{Name: name, Team: team, Kind: "api", Environments: map[string]*model.Placement{"prod": {Replicas: 2}}}
			// Each service calls the next team's first service.
			svc.Dependencies = []string{fmt.Sprintf("team-%04d-svc0", (i+1)%teams), "dataset/" + team + "-facts"}
			s.Services[name] = svc
		}
	}
	return s
}
