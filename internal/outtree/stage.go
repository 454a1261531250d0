package outtree

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/platc-dev/platc/internal/atomicfile"
	"github.com/platc-dev/platc/internal/lockfile"
)

// A Stage builds the next tree of an output directory beside the live
// one. Files are written into a staging directory as they are produced
// (Put, safe for concurrent use), so a large tree is never held in memory
// whole; Commit then swaps each top-level directory into place with
// renames, so a reader or a crash sees the old directory or the new one,
// never a mix (a run after a crash finishes the swap it interrupted), and
// files others put in those directories are carried over. Abort leaves
// the output as it was.
//
// Nothing is created in the output directory before the first Put, so a
// stage that is begun and aborted without files leaves no trace.
//
// The output directory is a jail: a stage never follows a symlink in it
// nor writes through one, and refuses (an [UnsafeError]) when platc's
// state directory, a staging entry or an owned file is a symlink, or when
// the manifest names a path outside the directory. From the first Put to
// the end of Commit or Abort it holds a lock on the directory, so that two
// platc processes writing the same output take turns. A file platc does
// not own at a path it produces is a conflict: Commit refuses the whole
// tree (a [ConflictError]) unless [Options.Force] is set.
type Stage struct {
	out  string
	ctx  context.Context
	opts Options

	once    sync.Once
	initErr error
	lock    *lockfile.Lock
	old     *Manifest
	dir     string // the staging directory, in out/.platc
	created []string
	bufs    sync.Pool
	looked  lookCache

	mu       sync.Mutex
	sums     map[string]string // produced file → SHA-256: the next manifest
	state    map[string]fileState
	top      map[string][]byte // top-level files, written at Commit
	dirs     map[string]bool   // directories made in the staging directory
	conflict map[string]bool   // files others put where platc writes
	finished bool
}

// Options say how a stage treats the output directory.
type Options struct {
	// Force replaces files platc does not own at paths it produces,
	// instead of refusing the tree.
	Force bool
	// Waiting is called once when another platc process holds the output
	// directory, before the stage waits for it.
	Waiting func(holder string)
}

type fileState uint8

const (
	fileAdded fileState = iota
	fileChanged
	fileSame
)

// Begin starts the next tree of out. The wait for out's lock, at the first
// Put or at Commit, ends with ctx.
func Begin(ctx context.Context, out string, opts Options) *Stage {
	return &Stage{
		out:      out,
		ctx:      ctx,
		opts:     opts,
		sums:     map[string]string{},
		state:    map[string]fileState{},
		top:      map[string][]byte{},
		dirs:     map[string]bool{},
		conflict: map[string]bool{},
		bufs:     sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }},
	}
}

// init prepares the output directory: its lock, platc's state directory,
// the recovery of an interrupted swap, the current manifest (every owned
// file checked for links) and the staging directory.
func (s *Stage) init() error {
	s.once.Do(func() {
		if _, err := os.Lstat(s.out); errors.Is(err, fs.ErrNotExist) {
			s.created = append(s.created, s.out)
		}
		if s.initErr = os.MkdirAll(s.out, 0o755); s.initErr != nil {
			return
		}
		if s.lock, s.initErr = lockfile.AcquireDir(s.ctx, s.out, -1, s.opts.Waiting); s.initErr != nil {
			return
		}
		state := filepath.Join(s.out, StateDir)
		switch info, err := os.Lstat(state); {
		case errors.Is(err, fs.ErrNotExist):
			s.created = append(s.created, state)
			if s.initErr = os.Mkdir(state, 0o755); s.initErr != nil {
				return
			}
		case err != nil:
			s.initErr = err
			return
		case !info.IsDir():
			s.initErr = &UnsafeError{Path: StateDir, Reason: notDir(info)}
			return
		}
		if s.initErr = recover_(s.out); s.initErr != nil {
			return
		}
		if s.old, s.initErr = ReadManifest(s.out); s.initErr != nil {
			return
		}
		for p := range s.old.Files {
			if _, _, s.initErr = s.looked.look(s.out, p); s.initErr != nil {
				return
			}
		}
		if s.dir, s.initErr = os.MkdirTemp(state, "stage-"); s.initErr != nil {
			return
		}
		s.initErr = os.Mkdir(filepath.Join(s.dir, "new"), 0o755)
	})
	return s.initErr
}

// Put adds a file to the next tree, at a slash path relative to out.
// b is not kept. A file whose bytes are those it has in out now is
// hard-linked from there rather than written: a link costs the file
// system a small fraction of a new file, and most of a large tree is
// unchanged between renders.
func (s *Stage) Put(p string, b []byte) error {
	if p == "" || path.IsAbs(p) || path.Clean(p) != p || strings.HasPrefix(p, "../") || p == ".." || p == StateDir || strings.HasPrefix(p, StateDir+"/") {
		return fmt.Errorf("refusing to write %q outside the output directory", p)
	}
	if err := s.init(); err != nil {
		return err
	}
	live := filepath.Join(s.out, filepath.FromSlash(p))
	st := fileAdded
	found, blocker, err := s.looked.look(s.out, p)
	if err != nil {
		return err
	}
	_, owned := s.old.Files[p]
	switch {
	case found == absent:
	case owned && found == symlinkEntry:
		return &UnsafeError{Path: p, Reason: "is a symlink where platc wrote a file"}
	case !owned || found != regularFile:
		s.mu.Lock()
		s.conflict[blocker] = true
		s.mu.Unlock()
	default:
		buf := s.bufs.Get().(*[]byte)
		present, same, err := sameFile(live, b, *buf)
		s.bufs.Put(buf)
		if err != nil {
			return err
		}
		switch {
		case same:
			st = fileSame
		case present:
			st = fileChanged
		}
	}
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return errors.New("the tree was already committed or aborted")
	}
	if _, dup := s.sums[p]; dup {
		s.mu.Unlock()
		return fmt.Errorf("%s is produced twice", p)
	}
	s.sums[p] = sum(b)
	s.state[p] = st
	top := !strings.Contains(p, "/")
	if top {
		s.top[p] = bytes.Clone(b)
	}
	s.mu.Unlock()
	if top {
		return nil
	}
	if err := s.mkdir(path.Dir(p)); err != nil {
		return err
	}
	dst := filepath.Join(s.dir, "new", filepath.FromSlash(p))
	if st == fileSame && os.Link(live, dst) == nil {
		return nil
	}
	return os.WriteFile(dst, b, 0o644)
}

// mkdir makes a directory of the staging tree, once.
func (s *Stage) mkdir(d string) error {
	s.mu.Lock()
	done := s.dirs[d]
	s.mu.Unlock()
	if done {
		return nil
	}
	if err := os.MkdirAll(filepath.Join(s.dir, "new", filepath.FromSlash(d)), 0o755); err != nil {
		return err
	}
	s.mu.Lock()
	s.dirs[d] = true
	s.mu.Unlock()
	return nil
}

// Len returns the number of files put so far.
func (s *Stage) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sums)
}

// Commit makes the owned files of out those put: each top-level directory
// is swapped into place, top-level files are replaced atomically, files
// no longer produced are removed and the manifest is written. It returns
// how the owned files changed, compared as they were on disk.
func (s *Stage) Commit() (Changes, error) {
	if err := s.init(); err != nil {
		return Changes{}, err
	}
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return Changes{}, errors.New("the tree was already committed or aborted")
	}
	conflicts := slices.Sorted(maps.Keys(s.conflict))
	if len(conflicts) > 0 && !s.opts.Force {
		s.mu.Unlock()
		s.Abort()
		return Changes{}, &ConflictError{Paths: conflicts}
	}
	s.finished = true
	s.mu.Unlock()
	defer s.lock.Release()
	defer os.RemoveAll(s.dir)

	var c Changes
	roots := map[string]bool{}
	withFiles := map[string]bool{}
	for p, st := range s.state {
		switch st {
		case fileAdded:
			c.Added = append(c.Added, p)
		case fileChanged:
			c.Changed = append(c.Changed, p)
		}
		root, _, nested := strings.Cut(p, "/")
		roots[root] = true
		if nested {
			withFiles[root] = true
		}
	}
	for p := range s.old.Files {
		roots[strings.SplitN(p, "/", 2)[0]] = true
		if _, produced := s.sums[p]; produced {
			continue
		}
		if _, err := os.Lstat(filepath.Join(s.out, filepath.FromSlash(p))); err == nil {
			c.Removed = append(c.Removed, p)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Changed)
	slices.Sort(c.Removed)

	for _, root := range slices.Sorted(maps.Keys(roots)) {
		if isTopFile(root, s.sums, withFiles, s.old) {
			if err := writeTopFile(s.out, root, s.top, s.old); err != nil {
				return Changes{}, err
			}
			continue
		}
		if err := swapDir(s.out, s.dir, root, s.sums, withFiles[root], s.old); err != nil {
			return Changes{}, err
		}
	}
	b, err := json.MarshalIndent(&Manifest{APIVersion: "platc.dev/manifest/v1", Files: s.sums}, "", "  ")
	if err != nil {
		return Changes{}, err
	}
	if err := atomicfile.Write(filepath.Join(s.out, filepath.FromSlash(manifestFile)), append(b, '\n'), 0o644); err != nil {
		return Changes{}, err
	}
	return c, nil
}

// Abort discards what was put and leaves out as it was, removing the
// directories the stage created there.
func (s *Stage) Abort() {
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	// Innermost first; os.Remove keeps a directory that is not empty.
	for i := len(s.created) - 1; i >= 0; i-- {
		os.Remove(s.created[i])
	}
	s.lock.Release()
}
