package cli

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDocsServeRebuilds serves the docs of a spec, edits the spec, and
// sees the served and written pages follow: a new build, a failure page
// while the spec is broken, and the docs again once it is fixed.
func TestDocsServeRebuilds(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec")
	if err := os.CopyFS(spec, os.DirFS("../../examples/minimal")); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	g := &globals{cfg: &Config{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }}}
	o := &docsOptions{dir: spec, out: filepath.Join(dir, "out"), promTimeout: time.Second, poll: 50 * time.Millisecond}
	if err := o.now.Set("2026-11-24"); err != nil {
		t.Fatal(err)
	}
	if err := o.validate(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveDocs(ctx, g, o, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		t.Logf("server log:\n%s", stderr.String())
	}()
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	build := func() string {
		_, b := get("/_platc/build")
		return b
	}
	waitBuild := func(after string) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if b := build(); b != after {
				return b
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no new build after %s within a minute; log:\n%s", after, stderr.String())
		return ""
	}
	first := waitBuild("0")

	code, page := get("/")
	if code != http.StatusOK || !strings.Contains(page, "<title>Overview · minimal</title>") {
		t.Fatalf("GET / = %d:\n%.300s", code, page)
	}
	if !strings.Contains(page, "<script>") || !strings.Contains(page, "connect-src &#39;self&#39;") {
		t.Error("served pages do not reload themselves")
	}
	written, err := os.ReadFile(filepath.Join(dir, "out", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(written, []byte("<script")) {
		t.Error("the written site has the reload script")
	}
	if code, _ := get("/kpis.md"); code != http.StatusOK {
		t.Errorf("GET /kpis.md = %d", code)
	}
	if code, _ := get("/nothing.html"); code != http.StatusNotFound {
		t.Errorf("GET /nothing.html = %d, want 404", code)
	}

	// An edit is picked up.
	if err := os.WriteFile(filepath.Join(spec, "name.cue"), []byte("package minimal\n\nplatform: displayName: \"Renamed platform\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := waitBuild(first)
	if _, page := get("/index.html"); !strings.Contains(page, "Renamed platform") {
		t.Errorf("the served page did not follow the edit")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "index.html")); !bytes.Contains(b, []byte("Renamed platform")) {
		t.Errorf("the written page did not follow the edit")
	}

	// A broken spec shows what is wrong.
	if err := os.WriteFile(filepath.Join(spec, "broken.cue"), []byte("package minimal\n\nteams: platform: onCall: 42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := waitBuild(second)
	code, page = get("/index.html")
	if code != http.StatusInternalServerError || !strings.Contains(page, "The docs could not be built") || !strings.Contains(page, "broken.cue") {
		t.Errorf("GET /index.html with a broken spec = %d:\n%.600s", code, page)
	}

	// Fixed again.
	if err := os.Remove(filepath.Join(spec, "broken.cue")); err != nil {
		t.Fatal(err)
	}
	waitBuild(third)
	if code, page := get("/index.html"); code != http.StatusOK || !strings.Contains(page, "Renamed platform") {
		t.Errorf("GET /index.html after the fix = %d", code)
	}
}
