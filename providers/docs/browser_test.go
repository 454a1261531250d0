package docs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platc-dev/platc/providers/docs"
)

// pageLog is what the browser reported while one page loaded.
type pageLog struct {
	errors   []string
	requests []string
	failed   []string
}

// pageVisitor loads pages in the browser and records their console errors
// and network requests.
type pageVisitor struct {
	t    *testing.T
	b    *browser
	mu   sync.Mutex
	cur  *pageLog
	load chan struct{}
}

func newPageVisitor(t *testing.T) *pageVisitor {
	v := &pageVisitor{t: t}
	v.b = startBrowser(t, v.event)
	v.b.do("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false}, nil)
	return v
}

func (v *pageVisitor) event(m cdpMessage) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cur == nil {
		return
	}
	var p struct {
		Type string `json:"type"`
		Args []struct {
			Value       any    `json:"value"`
			Description string `json:"description"`
		} `json:"args"`
		Entry struct {
			Level, Text, URL, Source string
		} `json:"entry"`
		ExceptionDetails struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
		Request struct {
			URL string `json:"url"`
		} `json:"request"`
		ErrorText string `json:"errorText"`
		Canceled  bool   `json:"canceled"`
	}
	json.Unmarshal(m.Params, &p)
	switch m.Method {
	case "Page.loadEventFired":
		if v.load != nil {
			close(v.load)
			v.load = nil
		}
	case "Runtime.consoleAPICalled":
		if p.Type == "error" || p.Type == "assert" {
			var parts []string
			for _, a := range p.Args {
				parts = append(parts, fmt.Sprint(a.Value)+a.Description)
			}
			v.cur.errors = append(v.cur.errors, "console."+p.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		v.cur.errors = append(v.cur.errors, "exception: "+p.ExceptionDetails.Text+" "+p.ExceptionDetails.Exception.Description)
	case "Log.entryAdded":
		if p.Entry.Level == "error" {
			v.cur.errors = append(v.cur.errors, fmt.Sprintf("%s: %s %s", p.Entry.Source, p.Entry.Text, p.Entry.URL))
		}
	case "Network.requestWillBeSent":
		v.cur.requests = append(v.cur.requests, p.Request.URL)
	case "Network.loadingFailed":
		v.cur.failed = append(v.cur.failed, p.ErrorText)
	}
}

// visit loads url and waits for its load event.
func (v *pageVisitor) visit(url string) *pageLog {
	v.t.Helper()
	load := make(chan struct{})
	v.mu.Lock()
	v.cur, v.load = &pageLog{}, load
	v.mu.Unlock()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	v.b.do("Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		v.t.Fatalf("navigate to %s: %s", url, nav.ErrorText)
	}
	select {
	case <-load:
	case <-time.After(60 * time.Second):
		v.t.Fatalf("%s did not finish loading within a minute", url)
	}
	// Let late console messages arrive.
	var ready string
	v.b.eval("document.readyState", &ready)
	time.Sleep(200 * time.Millisecond)
	v.mu.Lock()
	defer v.mu.Unlock()
	log := v.cur
	v.cur = nil
	return log
}

// artifactDir is where the test leaves its screenshots: $PLATC_ARTIFACTS
// /docs-browser when set (CI keeps it), else the test's temporary
// directory.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("PLATC_ARTIFACTS"); d != "" {
		dir := filepath.Join(d, "docs-browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// screenshot writes a PNG of the region of the page (the whole page when
// selector is "") and checks it shows something.
func (v *pageVisitor) screenshot(selector, file string) {
	v.t.Helper()
	var clip struct{ X, Y, Width, Height float64 }
	expr := `(() => { const e = document.documentElement; return {X: 0, Y: 0, Width: e.scrollWidth, Height: e.scrollHeight}; })()`
	if selector != "" {
		expr = fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return {X: r.left + window.scrollX, Y: r.top + window.scrollY, Width: r.width, Height: r.height}; })()`, selector)
	}
	v.b.eval(expr, &clip)
	if clip.Width < 100 || clip.Height < 100 {
		v.t.Fatalf("%s is %gx%g pixels", cmpOr(selector, "the page"), clip.Width, clip.Height)
	}
	var shot struct {
		Data string `json:"data"`
	}
	v.b.do("Page.captureScreenshot", map[string]any{
		"format": "png", "captureBeyondViewport": true,
		"clip": map[string]any{"x": clip.X, "y": clip.Y, "width": clip.Width, "height": clip.Height, "scale": 1},
	}, &shot)
	data, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		v.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		v.t.Fatalf("screenshot of %s: %v", file, err)
	}
	// A blank or failed render has a handful of colours; a rendered board
	// has text, bars and diagrams in many.
	colours := map[uint32]bool{}
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 3 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 3 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
		}
	}
	if len(colours) < 20 {
		v.t.Errorf("screenshot %s has only %d colours: the page did not render", file, len(colours))
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		v.t.Fatal(err)
	}
	v.t.Logf("screenshot %s (%dx%d)", file, bnd.Dx(), bnd.Dy())
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestPagesInBrowser loads every page of the docs of examples/acme-shop
// (and of a spec with findings) in headless chromium from a local server,
// and checks that no page logs a console error or makes a request that
// leaves the server, that the architecture diagram and the timeline are
// drawn, and writes screenshots of the KPI board and the blueprint
// timeline for review.
func TestPagesInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is slow; it runs without -short")
	}
	root := t.TempDir()
	for sub, spec := range map[string]string{"acme-shop": "../../examples/acme-shop", "findings": "testdata/findings"} {
		files := build(t, spec, exampleNow, nil)
		for name, b := range files {
			p := filepath.Join(root, sub, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A large organisation: its pages must stay quick to load and draw.
	large, err := docs.Build(docs.Input{Spec: largeSpec(600), Now: exampleNow})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range large {
		if err := os.MkdirAll(filepath.Join(root, "large"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "large", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A control page that does what the docs must not: the harness has to
	// catch it (a request to another origin, on this machine, and a
	// console error).
	control := `<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head><body><img src="http://127.0.0.2:9/x.png"><script>console.error("boom")</script></body></html>`
	if err := os.WriteFile(filepath.Join(root, "control.html"), []byte(control), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	defer srv.Close()
	origin := srv.URL + "/"

	v := newPageVisitor(t)
	check := func(url string, log *pageLog) {
		t.Helper()
		for _, e := range log.errors {
			t.Errorf("%s: %s", url, e)
		}
		for _, r := range log.requests {
			if !strings.HasPrefix(r, origin) && !strings.HasPrefix(r, "data:") {
				t.Errorf("%s: request leaves the local server: %s", url, r)
			}
		}
		for _, f := range log.failed {
			t.Errorf("%s: a request failed: %s", url, f)
		}
		if len(log.requests) == 0 {
			t.Errorf("%s: the browser saw no request for the page itself", url)
		}
	}

	// The control first: the assertions must be able to fail.
	log := v.visit(origin + "control.html")
	var external, consoleErr bool
	for _, r := range log.requests {
		external = external || strings.HasPrefix(r, "http://127.0.0.2:9/")
	}
	for _, e := range log.errors {
		consoleErr = consoleErr || strings.Contains(e, "boom")
	}
	if !external || !consoleErr {
		t.Fatalf("the harness missed the control page's external request (%v) or console error (%v): %+v", external, consoleErr, log)
	}

	shots := artifactDir(t)
	for _, sub := range []string{"acme-shop", "findings", "large"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".html") {
				continue
			}
			n++
			url := origin + sub + "/" + e.Name()
			start := time.Now()
			check(url, v.visit(url))
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("%s took %s to load", url, d)
			}
			var title string
			v.b.eval(`document.querySelector("h1").textContent`, &title)
			if title == "" {
				t.Errorf("%s has no heading", url)
			}
			if sub == "large" {
				var boxes int
				v.b.eval(`document.querySelectorAll("svg g.node").length`, &boxes)
				if strings.HasPrefix(e.Name(), "architecture") && (boxes == 0 || boxes > docs.MaxDiagramNodes) {
					t.Errorf("%s draws %d boxes", url, boxes)
				}
				if e.Name() == "architecture-1.html" {
					v.screenshot("svg.diagram", filepath.Join(shots, "large-architecture-1.png"))
				}
				continue
			}
			switch e.Name() {
			case "architecture.html":
				var d struct {
					Nodes, Edges  int
					Width, Height float64
				}
				if sub == "findings" {
					// It has no parts to draw, and says so.
					var note bool
					v.b.eval(`document.querySelector("#no-diagram") !== null && document.querySelector("svg.diagram") === null`, &note)
					if !note {
						t.Errorf("%s: a spec without parts should say there is nothing to draw", url)
					}
					break
				}
				v.b.eval(`(() => { const s = document.querySelector("svg.diagram"); if (!s) return {}; const r = s.getBoundingClientRect();
					return {Nodes: s.querySelectorAll("g.node").length, Edges: s.querySelectorAll("path.edge").length, Width: r.width, Height: r.height}; })()`, &d)
				if d.Nodes < 32 || d.Edges < 40 {
					t.Errorf("%s: the diagram draws %d boxes and %d arrows, want the 32 parts and their dependencies", url, d.Nodes, d.Edges)
				}
				if d.Width < 800 || d.Height < 300 {
					t.Errorf("%s: the diagram is %gx%g pixels", url, d.Width, d.Height)
				}
				v.screenshot("svg.diagram", filepath.Join(shots, "architecture-diagram.png"))
			case "blueprint.html":
				var marks int
				v.b.eval(`document.querySelectorAll("svg.gantt g.milestone").length`, &marks)
				if want := map[string]int{"acme-shop": 14, "findings": 3}[sub]; marks != want {
					t.Errorf("%s: the timeline draws %d milestones, want %d", url, marks, want)
				}
				v.screenshot("#timeline", filepath.Join(shots, sub+"-blueprint-timeline.png"))
				v.screenshot("", filepath.Join(shots, sub+"-blueprint.png"))
			case "kpis.html":
				var cards int
				v.b.eval(`document.querySelectorAll("section.kpi").length`, &cards)
				if cards != 5 {
					t.Errorf("%s: %d KPI cards, want 5", url, cards)
				}
				v.screenshot("", filepath.Join(shots, sub+"-kpi-board.png"))
			}
		}
		if n < 9 {
			t.Errorf("%s: only %d pages", sub, n)
		}
	}
	t.Logf("screenshots are in %s (set PLATC_ARTIFACTS to keep them)", shots)
}
