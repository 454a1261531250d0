package gitrepo

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
)

var author = Author{Name: "platc", Email: "platc@example.com"}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCommitCycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gitops")
	r, err := Open(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Created {
		t.Error("Created = false for a new repository")
	}
	if b, err := r.Branch(); err != nil || b != "main" {
		t.Fatalf("Branch = %q, %v", b, err)
	}
	write(t, dir, "gitops/prod/a.yaml", "a: 1\n")
	if d, _ := r.Dirty(); len(d) != 1 {
		t.Fatalf("Dirty = %v, want the new file", d)
	}
	when := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	first, err := r.CommitAll("first", author, when)
	if err != nil || first == "" {
		t.Fatalf("CommitAll = %q, %v", first, err)
	}
	if d, _ := r.Dirty(); len(d) != 0 {
		t.Fatalf("Dirty after commit = %v", d)
	}
	if h, _ := r.CommitAll("nothing", author, when); h != "" {
		t.Fatalf("CommitAll with no changes made commit %s", h)
	}
	// Deletions are committed too.
	os.Remove(filepath.Join(dir, "gitops/prod/a.yaml"))
	write(t, dir, "gitops/prod/b.yaml", "b: 1\n")
	second, err := r.CommitAll("second", author, when)
	if err != nil || second == "" || second == first {
		t.Fatalf("second CommitAll = %q, %v", second, err)
	}
	r2, err := Open(dir, "main")
	if err != nil || r2.Created {
		t.Fatalf("reopen: created=%v err=%v", r2.Created, err)
	}
	if h, _ := r2.Head(); h != second {
		t.Fatalf("Head = %s, want %s", h, second)
	}
	if err := r2.MarkPending(); err != nil || !r2.Pending() {
		t.Fatal("MarkPending did not stick")
	}
	if err := r2.ClearPending(); err != nil || r2.Pending() {
		t.Fatal("ClearPending did not clear")
	}
}

func TestBehindAndPush(t *testing.T) {
	base := t.TempDir()
	remoteDir := filepath.Join(base, "remote.git")
	if _, err := git.PlainInit(remoteDir, true); err != nil {
		t.Fatal(err)
	}
	clone := func(name string) *Repo {
		dir := filepath.Join(base, name)
		r, err := Open(dir, "main")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{remoteDir}}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	when := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	a := clone("a")
	write(t, a.Dir, "x", "1")
	if _, err := a.CommitAll("a1", author, when); err != nil {
		t.Fatal(err)
	}
	if err := a.Push("origin"); err != nil {
		t.Fatal(err)
	}
	b := clone("b")
	write(t, b.Dir, "y", "1")
	if _, err := b.CommitAll("b1", author, when); err != nil {
		t.Fatal(err)
	}
	if err := b.Fetch("origin"); err != nil {
		t.Fatal(err)
	}
	if behind, err := b.Behind("origin"); err != nil || !behind {
		t.Fatalf("diverged repository: Behind = %v, %v", behind, err)
	}
	if err := a.Fetch("origin"); err != nil {
		t.Fatal(err)
	}
	write(t, a.Dir, "x", "2")
	if _, err := a.CommitAll("a2", author, when); err != nil {
		t.Fatal(err)
	}
	if behind, err := a.Behind("origin"); err != nil || behind {
		t.Fatalf("repository ahead of its remote: Behind = %v, %v", behind, err)
	}
}

func TestSourceCommit(t *testing.T) {
	if got := SourceCommit(t.TempDir()); got != "" {
		t.Errorf("outside a repository: %q", got)
	}
	dir := t.TempDir()
	r, err := Open(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "spec/platform.cue", "package x\n")
	h, err := r.CommitAll("spec", author, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := SourceCommit(filepath.Join(dir, "spec")); got != h {
		t.Errorf("SourceCommit = %q, want %q", got, h)
	}
	write(t, dir, "spec/platform.cue", "package y\n")
	if got := SourceCommit(filepath.Join(dir, "spec")); got != h+"+dirty" {
		t.Errorf("SourceCommit of a changed spec = %q", got)
	}
}
