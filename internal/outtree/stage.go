package outtree

import (
	"bytes"
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
type Stage struct {
	out string

	once    sync.Once
	initErr error
	old     *Manifest
	dir     string // the staging directory, in out/.platc
	created []string
	bufs    sync.Pool

	mu       sync.Mutex
	sums     map[string]string // produced file → SHA-256: the next manifest
	state    map[string]fileState
	top      map[string][]byte // top-level files, written at Commit
	dirs     map[string]bool   // directories made in the staging directory
	finished bool
}

type fileState uint8

const (
	fileAdded fileState = iota
	fileChanged
	fileSame
)

// Begin starts the next tree of out.
func Begin(out string) *Stage {
	return &Stage{
		out:   out,
		sums:  map[string]string{},
		state: map[string]fileState{},
		top:   map[string][]byte{},
		dirs:  map[string]bool{},
		bufs:  sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }},
	}
}

// init prepares the output directory: platc's state directory, the
// recovery of an interrupted swap, the current manifest and the staging
// directory.
func (s *Stage) init() error {
	s.once.Do(func() {
		for _, d := range []string{s.out, filepath.Join(s.out, StateDir)} {
			if _, err := os.Stat(d); errors.Is(err, fs.ErrNotExist) {
				s.created = append(s.created, d)
			}
		}
		if s.initErr = os.MkdirAll(filepath.Join(s.out, StateDir), 0o755); s.initErr != nil {
			return
		}
		if s.initErr = recover_(s.out); s.initErr != nil {
			return
		}
		if s.old, s.initErr = ReadManifest(s.out); s.initErr != nil {
			return
		}
		if s.dir, s.initErr = os.MkdirTemp(filepath.Join(s.out, StateDir), "stage-"); s.initErr != nil {
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
	if _, owned := s.old.Files[p]; owned {
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
	s.finished = true
	s.mu.Unlock()
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
}
