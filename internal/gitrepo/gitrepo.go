// Package gitrepo is the GitOps repository platc apply commits the
// rendered tree into, through go-git: it is created when absent, must be
// clean and not behind its remote before an apply writes to it, and gets
// one commit per apply that changed something.
package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is a GitOps repository with a work tree.
type Repo struct {
	Dir  string
	repo *git.Repository
	// Created is set when Open made the repository.
	Created bool
}

// pendingFile marks an apply that wrote the tree and has not committed it
// yet; the next apply may take over the uncommitted files it left.
const pendingFile = "platc-apply-pending"

// NotRepositoryError is Open's refusal of a directory that holds files
// but no git repository: apply would otherwise make a repository of
// someone else's files and commit the rendered tree among them.
type NotRepositoryError struct {
	Dir string
	// Parent is the work tree Dir lies inside, "" when none.
	Parent string
}

func (e *NotRepositoryError) Error() string {
	if e.Parent != "" {
		return fmt.Sprintf("%s is inside the git repository %s but is not its top directory, and it is not empty", e.Dir, e.Parent)
	}
	return fmt.Sprintf("%s is not a git repository and it is not empty", e.Dir)
}

// Open opens the repository whose work tree is dir, or creates one (with
// branch as its first branch) when dir is missing or empty. A directory
// that holds anything else is refused with a [*NotRepositoryError],
// untouched.
func Open(dir, branch string) (*Repo, error) {
	r, err := open(dir)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return &Repo{Dir: dir, repo: r}, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r, err = git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(branch)},
	})
	if err != nil {
		return nil, fmt.Errorf("create git repository %s: %w", dir, err)
	}
	return &Repo{Dir: dir, repo: r, Created: true}, nil
}

// Check returns the error Open would return for dir, changing nothing,
// so that a command can refuse before it does anything else.
func Check(dir string) error {
	_, err := open(dir)
	return err
}

// open opens the repository at dir; it returns nil and no error when
// one may be created there (dir is missing or empty).
func open(dir string) (*git.Repository, error) {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("%s is a file, not a directory", dir)
	}
	r, err := git.PlainOpen(dir)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); errors.Is(err, io.EOF) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	nr := &NotRepositoryError{Dir: dir}
	if parent, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true}); err == nil {
		if wt, err := parent.Worktree(); err == nil {
			nr.Parent = wt.Filesystem.Root()
		}
	}
	return nil, nr
}

// GitDir is the repository's .git directory.
func (r *Repo) GitDir() string { return filepath.Join(r.Dir, ".git") }

// Pending reports whether an earlier apply wrote files it did not commit.
func (r *Repo) Pending() bool {
	_, err := os.Stat(filepath.Join(r.GitDir(), pendingFile))
	return err == nil
}

// MarkPending records that an apply is about to write the tree.
func (r *Repo) MarkPending() error {
	return os.WriteFile(filepath.Join(r.GitDir(), pendingFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644)
}

// ClearPending removes the mark.
func (r *Repo) ClearPending() error {
	err := os.Remove(filepath.Join(r.GitDir(), pendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Dirty lists the paths with uncommitted changes.
func (r *Repo) Dirty() ([]string, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return nil, err
	}
	st, err := wt.Status()
	if err != nil {
		return nil, fmt.Errorf("git status of %s: %w", r.Dir, err)
	}
	var out []string
	for p, s := range st {
		if s.Worktree != git.Unmodified || s.Staging != git.Unmodified {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Head returns the current commit, "" in a repository without one.
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return ref.Hash().String(), nil
}

// Branch is the branch HEAD is on.
func (r *Repo) Branch() (string, error) {
	ref, err := r.repo.Storer.Reference(plumbing.HEAD)
	if err != nil {
		return "", err
	}
	if ref.Type() != plumbing.SymbolicReference {
		return "", fmt.Errorf("%s: HEAD is detached: check out a branch", r.Dir)
	}
	return ref.Target().Short(), nil
}

// Fetch updates the remote-tracking branches from remote, until ctx ends.
func (r *Repo) Fetch(ctx context.Context, remote string) error {
	if bin, ok := gitCLI(); ok {
		branch, err := r.Branch()
		if err != nil {
			return err
		}
		// Only the branch, into its remote-tracking ref; a remote without
		// it yet (a new repository) is not an error.
		spec := "+refs/heads/" + branch + ":refs/remotes/" + remote + "/" + branch
		out, err := r.run(ctx, bin, "fetch", "--quiet", remote, spec)
		if err != nil && !strings.Contains(out, "couldn't find remote ref") {
			return remoteError("fetch", remote, out, err)
		}
		return nil
	}
	err := r.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: remote})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch %s: %w", remote, err)
	}
	return nil
}

// gitCLI finds the git command. Fetch and Push use it when there is one:
// it honours what the user's git does to reach a remote (credential
// helpers, core.sshCommand and the http.extraheader that CI checkouts
// set), which go-git does not.
func gitCLI() (string, bool) {
	p, err := exec.LookPath("git")
	return p, err == nil
}

// run runs git in the repository and returns its combined output.
func (r *Repo) run(ctx context.Context, git string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, git, append([]string{"-C", r.Dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// RemoteError is a fetch or push the remote refused or could not be
// reached for. Rejected is set for a push refused as not a fast-forward
// (the remote has commits the repository lacks); Auth for one refused for
// lack of credentials.
type RemoteError struct {
	Op, Remote string
	// Message is what git and the remote said.
	Message        string
	Rejected, Auth bool
	Err            error
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Op, e.Remote, e.Message)
}

func (e *RemoteError) Unwrap() error { return e.Err }

func remoteError(op, remote, out string, err error) *RemoteError {
	e := &RemoteError{Op: op, Remote: remote, Message: out, Err: err}
	if e.Message == "" {
		e.Message = err.Error()
	}
	low := strings.ToLower(out)
	e.Rejected = strings.Contains(low, "[rejected]") || strings.Contains(low, "non-fast-forward") || strings.Contains(low, "fetch first")
	e.Auth = strings.Contains(low, "authentication failed") || strings.Contains(low, "could not read username") ||
		strings.Contains(low, "permission denied") || strings.Contains(low, "terminal prompts disabled") ||
		strings.Contains(low, "could not read from remote repository")
	return e
}

// HasRemote reports whether the repository has the remote.
func (r *Repo) HasRemote(name string) bool {
	_, err := r.repo.Remote(name)
	return err == nil
}

// Behind reports whether remote's copy of the current branch has commits
// HEAD lacks (the repository is behind or has diverged). It is false when
// there is no remote-tracking branch.
func (r *Repo) Behind(remote string) (bool, error) {
	branch, err := r.Branch()
	if err != nil {
		return false, err
	}
	tracking, err := r.repo.Reference(plumbing.NewRemoteReferenceName(remote, branch), true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	head, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if head.Hash() == tracking.Hash() {
		return false, nil
	}
	theirs, err := r.repo.CommitObject(tracking.Hash())
	if err != nil {
		return false, err
	}
	ours, err := r.repo.CommitObject(head.Hash())
	if err != nil {
		return false, err
	}
	ahead, err := theirs.IsAncestor(ours)
	if err != nil {
		return false, err
	}
	return !ahead, nil
}

// Author is who commits.
type Author struct{ Name, Email string }

// CommitAll stages every change in the work tree (additions, changes and
// deletions) and commits it. It returns "" and makes no commit when there
// is nothing to commit.
func (r *Repo) CommitAll(message string, author Author, when time.Time) (string, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", fmt.Errorf("git add in %s: %w", r.Dir, err)
	}
	st, err := wt.Status()
	if err != nil {
		return "", err
	}
	staged := false
	for _, s := range st {
		if s.Staging != git.Unmodified && s.Staging != git.Untracked {
			staged = true
			break
		}
	}
	if !staged {
		return "", nil
	}
	sig := &object.Signature{Name: author.Name, Email: author.Email, When: when}
	h, err := wt.Commit(message, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return "", fmt.Errorf("git commit in %s: %w", r.Dir, err)
	}
	return h.String(), nil
}

// Uncommitted returns the paths (slash-separated, relative to the work
// tree) that HEAD's tree lacks: after CommitAll, the files git would not
// take (a .gitignore or .git/info/exclude ignores them).
func (r *Repo) Uncommitted(paths []string) ([]string, error) {
	committed := map[string]bool{}
	head, err := r.repo.Head()
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
		// No commit: nothing is in it.
	case err != nil:
		return nil, err
	default:
		c, err := r.repo.CommitObject(head.Hash())
		if err != nil {
			return nil, err
		}
		tree, err := c.Tree()
		if err != nil {
			return nil, err
		}
		// One walk of the trees, reading no file's content.
		w := object.NewTreeWalker(tree, true, nil)
		defer w.Close()
		for {
			name, entry, err := w.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, err
			}
			if entry.Mode.IsFile() {
				committed[name] = true
			}
		}
	}
	var out []string
	for _, p := range paths {
		if !committed[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// Push pushes the current branch to remote. Cancelling ctx stops it; the
// remote then has either its old branch or the new one.
func (r *Repo) Push(ctx context.Context, remote string) error {
	branch, err := r.Branch()
	if err != nil {
		return err
	}
	ref := plumbing.NewBranchReferenceName(branch)
	if bin, ok := gitCLI(); ok {
		if out, err := r.run(ctx, bin, "push", "--quiet", "--porcelain", remote, string(ref)+":"+string(ref)); err != nil {
			return remoteError("push "+branch+" to", remote, out, err)
		}
		return nil
	}
	err = r.repo.PushContext(ctx, &git.PushOptions{
		RemoteName: remote,
		RefSpecs:   []config.RefSpec{config.RefSpec(ref + ":" + ref)},
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		re := &RemoteError{Op: "push " + branch + " to", Remote: remote, Message: err.Error(), Err: err}
		re.Rejected = errors.Is(err, git.ErrNonFastForwardUpdate) || strings.Contains(err.Error(), "non-fast-forward")
		return re
	}
	return nil
}

// SourceCommit describes the commit the spec in dir is at: its hash, with
// "+dirty" when the spec's files have uncommitted changes, or "" when dir
// is in no git repository.
func SourceCommit(dir string) string {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := r.Head()
	if err != nil {
		return ""
	}
	out := head.Hash().String()
	wt, err := r.Worktree()
	if err != nil {
		return out
	}
	st, err := wt.Status()
	if err != nil {
		return out
	}
	rel, _ := filepath.Rel(wt.Filesystem.Root(), dir)
	rel = filepath.ToSlash(rel)
	for p, s := range st {
		if s.Worktree == git.Untracked && s.Staging == git.Untracked {
			continue
		}
		if rel == "." || p == rel || strings.HasPrefix(p, rel+"/") {
			return out + "+dirty"
		}
	}
	return out
}
