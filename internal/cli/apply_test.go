package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/platc-dev/platc/internal/cli"
	"github.com/platc-dev/platc/internal/gitrepo"
	"github.com/platc-dev/platc/internal/lockfile"
)

const applySpec = `package demo

platform: {
	name:  "demo"
	owner: "platform"
	gitops: repo: "https://git.example.com/demo/gitops.git"
	ci: gates: ["unit-tests", "static-analysis", "image-signing"]
}

environments: dev: {
	tier:  "dev"
	owner: "platform"
	pools: general: {cpu: 16, memory: "64Gi"}
}

environments: prod: {
	tier:  "prod"
	owner: "platform"
	pools: general: {cpu: 32, memory: "128Gi"}
}

teams: platform: {
	owners: ["@alice"]
	onCall: "@alice"
}

teams: search: {
	owners: ["@bob"]
	onCall: "@bob"
	quotas: dev: {cpu: 4, memory: "16Gi"}
}
`

// applyEnv makes a spec and the environment apply needs: the pulumi CLI
// from make tools, an empty passphrase, a Pulumi home of the test's own.
func applyEnv(t testing.TB) (spec, out string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tools := filepath.Join(root, ".tools", "bin")
	if _, err := os.Stat(filepath.Join(tools, "pulumi")); err != nil {
		t.Fatalf("the pulumi CLI is missing (%v): run `make tools` in %s", err, root)
	}
	t.Setenv("PATH", tools+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir := t.TempDir()
	t.Setenv("PULUMI_HOME", filepath.Join(dir, "pulumi-home"))
	spec = filepath.Join(dir, "spec")
	if err := os.MkdirAll(spec, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(spec, "spec.cue"), []byte(applySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	return spec, filepath.Join(dir, "gitops")
}

// watcher is a stderr that calls fn once, when a line containing needle
// has been written: in the background, or before the write returns when
// inline is set (an interrupt that lands at that exact point).
type watcher struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	needle string
	fn     func()
	inline bool
	fired  bool
}

func (w *watcher) Write(b []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(b)
	fire := !w.fired && w.needle != "" && strings.Contains(w.buf.String(), w.needle)
	w.fired = w.fired || fire
	w.mu.Unlock()
	switch {
	case fire && w.inline:
		w.fn()
	case fire:
		go w.fn()
	}
	return len(b), nil
}

func (w *watcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func apply(ctx context.Context, stderr *watcher, spec, out string, extra ...string) int {
	args := append([]string{"apply", "--yes", "--now", "2026-11-24T10:00:00Z", "--out", out}, extra...)
	args = append(args, spec)
	return cli.Run(ctx, cli.Config{Stdout: &bytes.Buffer{}, Stderr: stderr, Stdin: strings.NewReader("")}, args)
}

// An interrupt (SIGINT cancels platc's context) during the second stack's
// update: Pulumi cancels it, the GitOps repository keeps its last commit,
// and applying again finishes the job; a third apply changes nothing.
func TestApplyInterruptedThenCompleted(t *testing.T) {
	spec, out := applyEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watcher{needle: "==> pulumi up demo/prod", fn: func() {
		time.Sleep(500 * time.Millisecond)
		cancel()
	}}
	if code := apply(ctx, w, spec, out); code != cli.ExitError {
		t.Fatalf("interrupted apply exited %d, want 2\n%s", code, w)
	}
	if !strings.Contains(w.String(), "interrupted") {
		t.Errorf("no word of the interrupt:\n%s", w)
	}
	if !strings.Contains(w.String(), "demo/dev: ") {
		t.Fatalf("the first stack did not finish before the interrupt:\n%s", w)
	}
	repo, err := gitrepo.Open(out, "main")
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := repo.Head(); head != "" {
		t.Errorf("the GitOps repository got commit %s from an interrupted apply", head)
	}

	w2 := &watcher{}
	if code := apply(context.Background(), w2, spec, out); code != cli.ExitOK {
		t.Fatalf("apply after the interrupt exited %d\n%s", code, w2)
	}
	if !strings.Contains(w2.String(), "committed ") {
		t.Errorf("the re-run made no commit:\n%s", w2)
	}
	w3 := &watcher{}
	if code := apply(context.Background(), w3, spec, out); code != cli.ExitOK {
		t.Fatalf("third apply exited %d\n%s", code, w3)
	}
	for _, want := range []string{"demo/dev: 0 created, 0 updated, 0 replaced, 0 deleted", "demo/prod: 0 created, 0 updated, 0 replaced, 0 deleted", "no commit"} {
		if !strings.Contains(w3.String(), want) {
			t.Errorf("third apply: no %q in\n%s", want, w3)
		}
	}
}

// An apply whose desired state is the last successful one skips the
// update; one interrupted half-way is never mistaken for done: after a
// changed spec's update is interrupted and the spec put back, the next
// apply updates the stack again and puts the quota back.
func TestApplySkipsOnlyWhatIsDone(t *testing.T) {
	spec, out := applyEnv(t)
	if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
		t.Fatal("first apply failed")
	}
	w := &watcher{}
	if code := apply(context.Background(), w, spec, out, "-o", "json"); code != cli.ExitOK {
		t.Fatalf("second apply exited %d\n%s", code, w)
	}
	if !strings.Contains(w.String(), "demo/dev: 0 created, 0 updated, 0 replaced, 0 deleted, 5 unchanged") {
		t.Errorf("the unchanged stack is not counted as unchanged:\n%s", w)
	}

	bigger := strings.Replace(applySpec, `quotas: dev: {cpu: 4, memory: "16Gi"}`, `quotas: dev: {cpu: 6, memory: "16Gi"}`, 1)
	if err := os.WriteFile(filepath.Join(spec, "spec.cue"), []byte(bigger), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancelled once Pulumi reports dev's update running: its state may
	// or may not hold the new quota, and its tag is gone either way.
	wi := &watcher{needle: "    dev | ", fn: func() {
		time.Sleep(300 * time.Millisecond)
		cancel()
	}}
	if code := apply(ctx, wi, spec, out); code == cli.ExitOK {
		t.Fatalf("the interrupted apply succeeded\n%s", wi)
	}
	if err := os.WriteFile(filepath.Join(spec, "spec.cue"), []byte(applySpec), 0o644); err != nil {
		t.Fatal(err)
	}
	w2 := &watcher{}
	if code := apply(context.Background(), w2, spec, out); code != cli.ExitOK {
		t.Fatalf("apply after the interrupt exited %d\n%s", code, w2)
	}
	if !strings.Contains(wi.String(), "    dev | ") {
		t.Fatalf("the interrupt did not land during dev's update:\n%s", wi)
	}
	if !strings.Contains(w2.String(), "dev | ") {
		t.Errorf("no pulumi up ran for dev after the interrupted update:\n%s", w2)
	}
}

// An interrupt that lands as the commit step starts (SIGINT cancels
// platc's context) does not stop the commit half-way, and is not ignored
// either: apply says at once that it heard it, makes the commit, and
// exits as interrupted, pushing nothing.
func TestApplyInterruptedAtCommit(t *testing.T) {
	spec, out := applyEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watcher{needle: "==> commit the rendered tree to", fn: cancel, inline: true}
	if code := apply(ctx, w, spec, out); code != cli.ExitError {
		t.Fatalf("apply interrupted at the commit exited %d, want 2\n%s", code, w)
	}
	for _, want := range []string{
		"platc: interrupt received: finishing the commit of " + out + ", then stopping\n",
		"platc: interrupted at the commit step, which was finished: the stacks are up to date and the GitOps tree is committed as ",
	} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("no %q in\n%s", want, w)
		}
	}
	if strings.Contains(w.String(), "Apply complete") {
		t.Errorf("an interrupted apply says it completed:\n%s", w)
	}
	repo, err := gitrepo.Open(out, "main")
	if err != nil {
		t.Fatal(err)
	}
	if head, _ := repo.Head(); head == "" {
		t.Error("the commit the interrupt found under way was not made")
	}
	if dirty, err := repo.Dirty(); err != nil || len(dirty) > 0 || repo.Pending() {
		t.Errorf("the commit was left half-done: dirty %v (%v), pending %v", dirty, err, repo.Pending())
	}

	// The next apply finds nothing left to do.
	w2 := &watcher{}
	if code := apply(context.Background(), w2, spec, out); code != cli.ExitOK {
		t.Fatalf("apply after the interrupt exited %d\n%s", code, w2)
	}
	if !strings.Contains(w2.String(), "no changes to the GitOps tree: no commit") {
		t.Errorf("the apply after the interrupt found work left:\n%s", w2)
	}
}

// An apply that was killed (SIGKILL gives it no chance to clean up)
// leaves its stack locked in the backend. The next apply names the
// command that clears the lock: pulumi cancel of the stack's fully
// qualified name, pointed at the backend, and that command, run as
// printed from another directory, clears it.
func TestApplyKilledLeavesCancelHint(t *testing.T) {
	spec, out := applyEnv(t)
	if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
		t.Fatal("first apply failed")
	}
	// The lock a killed pulumi up leaves in a file backend.
	state := filepath.Join(spec, ".platc", "state")
	locks := filepath.Join(state, ".pulumi", "locks", "organization", "demo", "dev")
	if err := os.MkdirAll(locks, 0o755); err != nil {
		t.Fatal(err)
	}
	lock := `{"pid": 4242, "username": "ci", "hostname": "runner-7", "timestamp": "2026-11-24T09:58:00Z"}`
	if err := os.WriteFile(filepath.Join(locks, "5f0c7e4e-killed.json"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}

	w := &watcher{}
	if code := apply(context.Background(), w, spec, out); code != cli.ExitError {
		t.Fatalf("apply of a locked stack exited %d, want 2\n%s", code, w)
	}
	want := "PULUMI_BACKEND_URL=file://" + filepath.ToSlash(state) + " pulumi cancel --stack organization/demo/dev"
	var hint string
	for _, line := range strings.Split(w.String(), "\n") {
		if strings.Contains(line, "pulumi cancel --stack") {
			hint = strings.TrimSpace(line)
		}
	}
	if hint != want {
		t.Fatalf("the pulumi cancel hint is\n\t%s\nwant\n\t%s\nin\n%s", hint, want, w)
	}
	for _, want := range []string{"the stack is currently locked", "if none is (an update that was killed leaves its lock behind), clear the lock with"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("no %q in\n%s", want, w)
		}
	}

	cmd := exec.Command("sh", "-c", hint)
	cmd.Dir = t.TempDir()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", hint, err, b)
	}
	if left, _ := os.ReadDir(locks); len(left) > 0 {
		t.Fatalf("the printed pulumi cancel left the lock: %v", left)
	}
	w2 := &watcher{}
	if code := apply(context.Background(), w2, spec, out); code != cli.ExitOK {
		t.Fatalf("apply after pulumi cancel exited %d\n%s", code, w2)
	}
}

// A second apply on the same state waits for the first, and gives up
// after --lock-timeout.
func TestApplyLockedOut(t *testing.T) {
	spec, out := applyEnv(t)
	held, err := lockfile.Acquire(context.Background(), filepath.Join(spec, ".platc", "state", ".platc-apply.lock"), "a test", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &watcher{}
	code := apply(context.Background(), w, spec, out, "--lock-timeout", "1s")
	held.Release()
	if code != cli.ExitError {
		t.Fatalf("apply while locked exited %d, want 2\n%s", code, w)
	}
	for _, want := range []string{"waiting for another apply to finish with the Pulumi state (pid ", "another apply is running", "a test"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("no %q in\n%s", want, w)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "gitops")); err == nil {
		t.Error("a locked-out apply wrote the GitOps tree")
	}
}

// BenchmarkApplyNoChanges measures a warm apply that finds nothing to do
// (two stacks on a local backend), against render alone: the bar
// is at most 3 s more than render per environment.
func BenchmarkApplyNoChanges(b *testing.B) {
	spec, out := applyEnv(b)
	dir := filepath.Dir(spec)
	if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
		b.Fatalf("first apply exited %d", code)
	}
	b.Run("render", func(b *testing.B) {
		for b.Loop() {
			args := []string{"render", "--now", "2026-11-24T10:00:00Z", "--out", filepath.Join(dir, "rendered"), spec}
			if code := cli.Run(context.Background(), cli.Config{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}, args); code != cli.ExitOK {
				b.Fatalf("render exited %d", code)
			}
		}
	})
	b.Run("apply", func(b *testing.B) {
		for b.Loop() {
			if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
				b.Fatalf("apply exited %d", code)
			}
		}
	})
}

func destroy(ctx context.Context, stderr *watcher, spec, env string) int {
	args := []string{"destroy", "--yes", "--now", "2026-11-24T10:00:00Z", "--env", env, spec}
	return cli.Run(ctx, cli.Config{Stdout: stderr, Stderr: stderr, Stdin: strings.NewReader("")}, args)
}

// An interrupt (SIGINT cancels platc's context) while destroy is deleting
// resources: Pulumi finishes the deletes under way and stops, the stack
// stays in the backend with what is left, and destroy run again deletes
// the rest and removes the stack; a third finds no stack.
func TestDestroyInterruptedThenCompleted(t *testing.T) {
	spec, out := applyEnv(t)
	if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
		t.Fatal("first apply failed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watcher{needle: " deleting", fn: cancel, inline: true}
	if code := destroy(ctx, w, spec, "dev"); code != cli.ExitError {
		t.Fatalf("interrupted destroy exited %d, want 2\n%s", code, w)
	}
	if want := "interrupted during the destroy of demo/dev: Pulumi cancelled it and its state is consistent; run destroy again to finish"; !strings.Contains(w.String(), want) {
		t.Errorf("no %q in\n%s", want, w)
	}
	if strings.Contains(w.String(), "Destroyed demo/dev") {
		t.Fatalf("the interrupted destroy says it finished:\n%s", w)
	}

	w2 := &watcher{}
	if code := destroy(context.Background(), w2, spec, "dev"); code != cli.ExitOK {
		t.Fatalf("destroy after the interrupt exited %d\n%s", code, w2)
	}
	if !strings.Contains(w2.String(), "Destroyed demo/dev: ") {
		t.Errorf("the second destroy did not finish the job:\n%s", w2)
	}
	w3 := &watcher{}
	if code := destroy(context.Background(), w3, spec, "dev"); code != cli.ExitError || !strings.Contains(w3.String(), "there is no stack demo/dev") {
		t.Errorf("a third destroy exited %d, want 2 for a stack that is gone:\n%s", code, w3)
	}
	// The other environment's stack was not touched: apply finds it done.
	w4 := &watcher{}
	if code := apply(context.Background(), w4, spec, out); code != cli.ExitOK {
		t.Fatalf("apply after the destroy exited %d\n%s", code, w4)
	}
	if !strings.Contains(w4.String(), "demo/prod: 0 created, 0 updated, 0 replaced, 0 deleted") {
		t.Errorf("prod changed after dev's destroy:\n%s", w4)
	}
}

// The same interrupt in apply --allow-destroy, destroying an environment
// the spec no longer declares: nothing is committed, so the environment's
// GitOps directory stays beside its half-destroyed stack, and the next
// apply --allow-destroy finishes both in one commit.
func TestApplyDestroyInterruptedThenCompleted(t *testing.T) {
	spec, out := applyEnv(t)
	if code := apply(context.Background(), &watcher{}, spec, out); code != cli.ExitOK {
		t.Fatal("first apply failed")
	}
	repo, err := gitrepo.Open(out, "main")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := repo.Head()
	prod := "environments: prod: {\n\ttier:  \"prod\"\n\towner: \"platform\"\n\tpools: general: {cpu: 32, memory: \"128Gi\"}\n}\n"
	if !strings.Contains(applySpec, prod) {
		t.Fatal("applySpec has no prod environment to remove")
	}
	withoutProd := strings.Replace(applySpec, prod, "", 1)
	if err := os.WriteFile(filepath.Join(spec, "spec.cue"), []byte(withoutProd), 0o644); err != nil {
		t.Fatal(err)
	}
	prodDir := filepath.Join(out, "gitops", "prod")
	if _, err := os.Stat(prodDir); err != nil {
		t.Fatalf("the first apply wrote no %s: %v", prodDir, err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &watcher{needle: " deleting", fn: cancel, inline: true}
	if code := apply(ctx, w, spec, out, "--allow-destroy"); code != cli.ExitError {
		t.Fatalf("interrupted apply --allow-destroy exited %d, want 2\n%s", code, w)
	}
	if want := "interrupted during the destroy of demo/prod"; !strings.Contains(w.String(), want) {
		t.Errorf("no %q in\n%s", want, w)
	}
	if head, _ := repo.Head(); head != first {
		t.Errorf("the interrupted apply committed %s (the last commit was %s)", head, first)
	}
	if _, err := os.Stat(prodDir); err != nil {
		t.Errorf("the interrupted apply removed prod's GitOps directory although its stack is not destroyed: %v", err)
	}

	w2 := &watcher{}
	if code := apply(context.Background(), w2, spec, out, "--allow-destroy"); code != cli.ExitOK {
		t.Fatalf("apply --allow-destroy after the interrupt exited %d\n%s", code, w2)
	}
	if !strings.Contains(w2.String(), "demo/prod: destroyed and removed: ") {
		t.Errorf("the second apply did not finish the destroy:\n%s", w2)
	}
	if _, err := os.Stat(prodDir); !os.IsNotExist(err) {
		t.Errorf("prod's GitOps directory is still there after its stack was destroyed (%v)", err)
	}
	if dirty, err := repo.Dirty(); err != nil || len(dirty) > 0 {
		t.Errorf("the GitOps repository is left dirty: %v (%v)", dirty, err)
	}
	// Nothing is left to do.
	w3 := &watcher{}
	if code := apply(context.Background(), w3, spec, out); code != cli.ExitOK {
		t.Fatalf("third apply exited %d\n%s", code, w3)
	}
	if strings.Contains(w3.String(), "demo/prod") {
		t.Errorf("a third apply still sees prod:\n%s", w3)
	}
}
