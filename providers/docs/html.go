package docs

import (
	"bytes"
	"embed"
	"html/template"
	"strconv"
)

//go:embed templates
var templateFS embed.FS

var (
	tmpl   = template.Must(template.New("docs").Funcs(template.FuncMap{"pageTitle": pageTitle}).ParseFS(templateFS, "templates/*.tmpl"))
	css    = template.CSS(mustRead("templates/style.css"))
	reload = template.JS(mustRead("templates/reload.js"))
)

func mustRead(name string) string {
	b, err := templateFS.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return string(b)
}

// The content security policy of every page: nothing is fetched, styles
// are inline. A page served by --serve may also poll the server.
const (
	csp     = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
	cspLive = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'"
)

type navItem struct {
	File, Title string
	Current     bool
	Count       int
}

type layoutData struct {
	Site      *site
	ID        string
	PageTitle string
	Nav       []navItem
	Body      template.HTML
	CSS       template.CSS
	CSP       string
	Reload    template.JS
}

// pageData is what a section's template sees.
type pageData struct {
	*site
	PageFindings []*finding
	Pages        []page
}

var bodyTemplates = map[string]string{
	pageIndex: "index", pageArchitecture: "architecture", pagePipeline: "pipeline", pageRACI: "raci",
	pageEnvironments: "environments", pageCalendar: "calendar", pageKPIs: "kpis", pageBlueprint: "blueprint",
	pageFindings: "findingspage",
}

func renderHTML(s *site, id string) ([]byte, error) {
	var body bytes.Buffer
	if err := tmpl.ExecuteTemplate(&body, bodyTemplates[id], pageData{site: s, PageFindings: s.findings.onPage(id), Pages: pages}); err != nil {
		return nil, err
	}
	return layout(s, id, pageTitle(id), id, template.HTML(body.String()))
}

func renderArchPage(s *site, ap *archPage) ([]byte, error) {
	var body bytes.Buffer
	if err := tmpl.ExecuteTemplate(&body, "archpage", ap); err != nil {
		return nil, err
	}
	return layout(s, pageArchitecture, pageTitle(pageArchitecture)+", page "+itoa(ap.N), "architecture-"+itoa(ap.N), template.HTML(body.String()))
}

func layout(s *site, current, title, id string, body template.HTML) ([]byte, error) {
	d := layoutData{Site: s, ID: id, PageTitle: title, Body: body, CSS: css, CSP: csp}
	if s.LiveReload {
		d.CSP, d.Reload = cspLive, reload
	}
	for _, p := range pages {
		n := navItem{File: pageFile(p.ID), Title: p.Title, Current: p.ID == current}
		if p.ID != pageFindings && p.ID != pageIndex {
			n.Count = len(s.findings.onPage(p.ID))
		}
		d.Nav = append(d.Nav, n)
	}
	var out bytes.Buffer
	if err := tmpl.ExecuteTemplate(&out, "layout", d); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func itoa(n int) string { return strconv.Itoa(n) }
