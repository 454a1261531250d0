package gitrepo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
	if err := a.Push(context.Background(), "origin"); err != nil {
		t.Fatal(err)
	}
	b := clone("b")
	write(t, b.Dir, "y", "1")
	if _, err := b.CommitAll("b1", author, when); err != nil {
		t.Fatal(err)
	}
	if err := b.Fetch(context.Background(), "origin"); err != nil {
		t.Fatal(err)
	}
	if behind, err := b.Behind("origin"); err != nil || !behind {
		t.Fatalf("diverged repository: Behind = %v, %v", behind, err)
	}
	if err := a.Fetch(context.Background(), "origin"); err != nil {
		t.Fatal(err)
	}
	write(t, a.Dir, "x", "2")
	if _, err := a.CommitAll("a2", author, when); err != nil {
		t.Fatal(err)
	}
	if behind, err := a.Behind("origin"); err != nil || behind {
		t.Fatalf("repository ahead of its remote: Behind = %v, %v", behind, err)
	}

	// b has diverged: origin rejects its push as not a fast-forward, with
	// the remote's message, and origin keeps a's commit.
	err := b.Push(context.Background(), "origin")
	var re *RemoteError
	if !errors.As(err, &re) || !re.Rejected || re.Auth {
		t.Fatalf("push of a diverged branch: %v (%#v), want a rejection", err, re)
	}
	if !strings.Contains(re.Message, "rejected") {
		t.Errorf("the rejection does not carry the remote's message: %q", re.Message)
	}
	if err := a.Push(context.Background(), "origin"); err != nil {
		t.Fatalf("push of a fast-forward: %v", err)
	}
}

// TestPushWithoutCredentials: a remote that asks for credentials git
// does not have is refused as such, and git never prompts.
func TestPushWithoutCredentials(t *testing.T) {
	r, err := Open(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	// An ssh remote whose ssh command fails as ssh does without a key.
	t.Setenv("GIT_SSH_COMMAND", "sh -c 'echo \"git@git.example.invalid: Permission denied (publickey).\" >&2; exit 255'")
	if _, err := r.repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{"git@git.example.invalid:acme/gitops.git"}}); err != nil {
		t.Fatal(err)
	}
	write(t, r.Dir, "x", "1")
	if _, err := r.CommitAll("x", author, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	err = r.Push(context.Background(), "origin")
	var re *RemoteError
	if !errors.As(err, &re) || !re.Auth || re.Rejected {
		t.Fatalf("push without credentials: %v (%#v), want a refusal for credentials", err, re)
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

// Open makes a repository only where that takes nobody's files: a missing
// or empty directory. A directory with files in it, or a file, is
// refused and left as it was.
func TestOpenRefusesNonRepository(t *testing.T) {
	base := t.TempDir()
	empty := filepath.Join(base, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Check(empty); err != nil {
		t.Fatalf("Check of an empty directory = %v", err)
	}
	if r, err := Open(empty, "main"); err != nil || !r.Created {
		t.Fatalf("empty directory: Open = %v, created %v", err, r != nil && r.Created)
	}

	notes := filepath.Join(base, "notes")
	write(t, notes, "todo.txt", "buy milk\n")
	if err := Check(notes); err == nil {
		t.Error("Check of a directory with files = nil")
	}
	_, err := Open(notes, "main")
	var nr *NotRepositoryError
	if !errors.As(err, &nr) || nr.Dir != notes || nr.Parent != "" {
		t.Fatalf("directory with files: Open = %v, want a NotRepositoryError for %s", err, notes)
	}
	if _, err := os.Stat(filepath.Join(notes, ".git")); err == nil {
		t.Error("Open made a repository in a directory of someone else's files")
	}

	// A directory inside another repository's work tree names it.
	inner := filepath.Join(empty, "sub")
	write(t, inner, "a.txt", "a\n")
	_, err = Open(inner, "main")
	if !errors.As(err, &nr) || nr.Parent != empty {
		t.Fatalf("directory inside a work tree: Open = %v, want its parent %s named", err, empty)
	}

	file := filepath.Join(base, "file")
	write(t, base, "file", "x")
	if _, err := Open(file, "main"); err == nil || !strings.Contains(err.Error(), "is a file, not a directory") {
		t.Fatalf("a file: Open = %v", err)
	}
}

// Uncommitted names the files a commit left out because git ignores them.
func TestUncommitted(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Uncommitted([]string{"a.yaml"}); err != nil || len(got) != 1 {
		t.Fatalf("before any commit: Uncommitted = %v, %v", got, err)
	}
	write(t, dir, ".gitignore", "*.log\nbuild/\n")
	write(t, dir, "env/a.yaml", "a: 1\n")
	write(t, dir, "env/b.log", "b\n")
	write(t, dir, "build/c.yaml", "c: 1\n")
	if _, err := r.CommitAll("first", author, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := r.Uncommitted([]string{"build/c.yaml", "env/a.yaml", "env/b.log", "nowhere/d.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"build/c.yaml", "env/b.log", "nowhere/d.yaml"}; !slices.Equal(got, want) {
		t.Errorf("Uncommitted = %v, want %v", got, want)
	}
}
