// Package outtree writes a generated tree of files into an output
// directory that may hold other files too (a GitOps repository's README,
// its .git): platc owns exactly the files it wrote last time, listed in a
// manifest, replaces them atomically per top-level directory, removes the
// ones it no longer produces and never touches anything else.
package outtree

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"

	"github.com/platc-dev/platc/internal/atomicfile"
)

// StateDir is platc's own directory inside the output directory.
const StateDir = ".platc"

// manifestFile lists the files platc owns, relative to the output directory.
const manifestFile = StateDir + "/manifest.json"

// Manifest records the files platc wrote, with their SHA-256.
type Manifest struct {
	APIVersion string            `json:"apiVersion"`
	Files      map[string]string `json:"files"`
}

// Changes says how a write changed the owned files.
type Changes struct {
	Added, Changed, Removed []string
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool { return len(c.Added)+len(c.Changed)+len(c.Removed) == 0 }

// ReadManifest reads the manifest in out; a missing one is empty.
func ReadManifest(out string) (*Manifest, error) {
	m := &Manifest{APIVersion: "platc.dev/manifest/v1", Files: map[string]string{}}
	if info, err := os.Lstat(filepath.Join(out, StateDir)); err == nil && !info.IsDir() {
		return nil, &UnsafeError{Path: StateDir, Reason: notDir(info)}
	}
	if lstat(filepath.Join(out, filepath.FromSlash(manifestFile))) == symlinkEntry {
		return nil, &UnsafeError{Path: manifestFile, Reason: "is a symlink"}
	}
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(manifestFile)))
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v): remove it and render again; platc will then treat every file in the output as its own", manifestFile, err)
	}
	if m.Files == nil {
		m.Files = map[string]string{}
	}
	for p := range m.Files {
		if !inside(p) {
			return nil, &UnsafeError{Path: manifestFile, Reason: fmt.Sprintf("lists %q, which is not a file inside the output directory (it was edited by hand)", p)}
		}
	}
	return m, nil
}

// inside reports whether the slash path p names a file inside the output
// directory, outside platc's state directory.
func inside(p string) bool {
	return p != "" && p != "." && !path.IsAbs(p) && path.Clean(p) == p && p != ".." && !strings.HasPrefix(p, "../") &&
		p != StateDir && !strings.HasPrefix(p, StateDir+"/") && !strings.ContainsRune(p, 0)
}

// UnsafeError says that the output directory holds something platc will
// not follow or write through: a symlink, or a path that leads out.
type UnsafeError struct {
	// Path is relative to the output directory.
	Path, Reason string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s: platc never follows a symlink out of the output directory nor writes through one; remove or replace it, then run again", e.Path, e.Reason)
}

// ConflictError lists files platc would replace at paths it produces but
// did not write (they are not in its manifest).
type ConflictError struct {
	Paths []string
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "refusing to overwrite %d %s that platc did not write (not listed in %s):", len(e.Paths), plural(len(e.Paths), "file", "files"), manifestFile)
	for _, p := range e.Paths {
		b.WriteString("\n    " + p)
	}
	b.WriteString("\nmove them out of the way, or pass --force to replace them")
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// presence says what is at a path of the output directory, without
// following a link.
type presence uint8

const (
	absent presence = iota
	regularFile
	symlinkEntry
	directory
	otherEntry // a special file
)

// lookCache remembers the directories of the output directory that were
// looked at, so that a tree of thousands of files costs one lstat a
// directory and one a file.
type lookCache struct{ dirs sync.Map } // slash dir → presence

// look reports what is at the slash path p of out. It refuses a path that
// goes through a symlinked directory; when a directory on the way is a
// file, it reports otherEntry with that directory as the blocker, else the
// blocker is p. The directories on the way are looked at once per cache.
func (c *lookCache) look(out, p string) (presence, string, error) {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		d := p[:i]
		v, ok := c.dirs.Load(d)
		if !ok {
			v = lstat(filepath.Join(out, filepath.FromSlash(d)))
			c.dirs.Store(d, v)
		}
		switch v.(presence) {
		case absent:
			return absent, p, nil
		case symlinkEntry:
			return 0, "", &UnsafeError{Path: d, Reason: "is a symlink"}
		case regularFile, otherEntry:
			return otherEntry, d, nil
		}
	}
	return lstat(filepath.Join(out, filepath.FromSlash(p))), p, nil
}

// notDir says what a path that should be a directory is.
func notDir(info fs.FileInfo) string {
	if info.Mode()&fs.ModeSymlink != 0 {
		return "is a symlink"
	}
	return "is not a directory"
}

func lstat(name string) presence {
	info, err := os.Lstat(name)
	switch {
	case err != nil:
		return absent
	case info.Mode().IsRegular():
		return regularFile
	case info.Mode()&fs.ModeSymlink != 0:
		return symlinkEntry
	case info.IsDir():
		return directory
	}
	return otherEntry
}

// Conflicts returns the paths among produced where out holds something
// platc does not own (a file, or a file where platc needs a directory),
// sorted: what a write of them would refuse without Force.
func Conflicts(out string, produced []string) ([]string, error) {
	m, err := ReadManifest(out)
	if err != nil {
		return nil, err
	}
	var c lookCache
	seen := map[string]bool{}
	for _, p := range produced {
		found, blocker, err := c.look(out, p)
		if err != nil {
			return nil, err
		}
		if _, owned := m.Files[p]; found == absent || owned && found == regularFile {
			continue
		}
		seen[blocker] = true
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// ReadOwned reads the files the manifest in out lists, as they are now.
// A file whose content is that of the same path in like (the tree about
// to be written, or nil) shares like's bytes: a large tree that changed
// little is then held once, not twice. The bytes are not to be modified.
func ReadOwned(out string, like map[string][]byte) (map[string][]byte, error) {
	m, err := ReadManifest(out)
	if err != nil {
		return nil, err
	}
	tree := map[string][]byte{}
	var c lookCache
	for p := range m.Files {
		found, _, err := c.look(out, p)
		if err != nil {
			return nil, err
		}
		if found == symlinkEntry {
			return nil, &UnsafeError{Path: p, Reason: "is a symlink where platc wrote a file"}
		}
		if found != regularFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if nb, ok := like[p]; ok && bytes.Equal(b, nb) {
			b = nb
		}
		tree[p] = b
	}
	return tree, nil
}

// Diff compares the owned files old with tree.
func Diff(old, tree map[string][]byte) Changes {
	var c Changes
	for p, b := range tree {
		if ob, ok := old[p]; !ok {
			c.Added = append(c.Added, p)
		} else if !bytes.Equal(ob, b) {
			c.Changed = append(c.Changed, p)
		}
	}
	for p := range old {
		if _, ok := tree[p]; !ok {
			c.Removed = append(c.Removed, p)
		}
	}
	slices.Sort(c.Added)
	slices.Sort(c.Changed)
	slices.Sort(c.Removed)
	return c
}

// sameFile reports whether the file at name exists and whether it holds
// exactly want, reading it through buf.
func sameFile(name string, want []byte, buf []byte) (present, same bool, err error) {
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return false, false, err
	}
	if !info.Mode().IsRegular() || info.Size() != int64(len(want)) {
		return true, false, nil
	}
	for off := 0; ; {
		n, err := f.Read(buf)
		if n > 0 {
			if off+n > len(want) || !bytes.Equal(buf[:n], want[off:off+n]) {
				return true, false, nil
			}
			off += n
		}
		if err == io.EOF {
			return true, off == len(want), nil
		}
		if err != nil {
			return false, false, err
		}
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Write makes the owned files of out equal to tree: Begin, Put of every
// file, and Commit.
func Write(ctx context.Context, out string, tree map[string][]byte, opts Options) (Changes, error) {
	s := Begin(ctx, out, opts)
	// Four writers keep the disk busy; a directory's files go together.
	var g errgroup.Group
	g.SetLimit(4)
	for _, p := range slices.Sorted(maps.Keys(tree)) {
		g.Go(func() error { return s.Put(p, tree[p]) })
	}
	if err := g.Wait(); err != nil {
		s.Abort()
		return Changes{}, err
	}
	return s.Commit()
}

// isTopFile reports whether root is a file at the top of the tree.
func isTopFile(root string, produced map[string]string, dirs map[string]bool, old *Manifest) bool {
	if _, ok := produced[root]; ok {
		return true
	}
	_, ok := old.Files[root]
	return ok && !dirs[root]
}

func writeTopFile(out, name string, top map[string][]byte, old *Manifest) error {
	p := filepath.Join(out, name)
	if b, ok := top[name]; ok {
		return atomicfile.Write(p, b, 0o644)
	}
	if _, owned := old.Files[name]; owned {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// swapDir completes root in the staging directory, where Put wrote its
// files, and swaps it into out. produced holds the files of the new tree;
// hasFiles says whether root has any.
func swapDir(out, stage, root string, produced map[string]string, hasFiles bool, old *Manifest) error {
	newDir := filepath.Join(stage, "new", root)
	if err := os.MkdirAll(newDir, 0o755); err != nil {
		return err
	}
	live := filepath.Join(out, root)
	if lstat(live) == symlinkEntry {
		return &UnsafeError{Path: root, Reason: "is a symlink"}
	}
	// Carry over what others put in the directory (hard links: cheap and
	// the original is untouched; a symlink is linked, never followed).
	// What sits where the new tree has a file or a directory was refused
	// as a conflict unless forced, and is dropped then.
	foreign := 0
	err := filepath.WalkDir(live, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.SkipAll
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		if _, ok := produced[rel]; ok {
			// Ours now (forced): what someone left where platc writes goes.
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if _, owned := old.Files[rel]; owned {
			return nil
		}
		dst := filepath.Join(stage, "new", filepath.FromSlash(rel))
		if lstat(dst) != absent {
			// A file where the new tree has a directory (forced).
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			if errors.Is(err, syscall.ENOTDIR) {
				return nil // under a file of the new tree (forced)
			}
			return err
		}
		foreign++
		if err := os.Link(p, dst); err != nil {
			if d.Type()&fs.ModeSymlink != 0 {
				return err
			}
			return copyFile(p, dst)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if foreign == 0 && !hasFiles {
		// Nothing left in it: remove the directory platc created.
		return os.RemoveAll(live)
	}
	if err := fsync(newDir); err != nil {
		return err
	}
	backup := filepath.Join(out, StateDir, "old-"+root)
	if err := os.RemoveAll(backup); err != nil {
		return err
	}
	hadLive := true
	if err := os.Rename(live, backup); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		hadLive = false
	}
	if err := os.Rename(newDir, live); err != nil {
		if hadLive {
			os.Rename(backup, live)
		}
		return err
	}
	return os.RemoveAll(backup)
}

// recover_ finishes a swap a crash interrupted: a directory moved aside
// whose replacement never arrived is put back. It refuses entries that are
// symlinks, or whose name would lead the move out of out.
func recover_(out string) error {
	entries, err := os.ReadDir(filepath.Join(out, StateDir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		old, stage := strings.HasPrefix(name, "old-"), strings.HasPrefix(name, "stage-")
		if !old && !stage {
			continue
		}
		entry := path.Join(StateDir, name)
		if e.Type()&fs.ModeSymlink != 0 {
			return &UnsafeError{Path: entry, Reason: "is a symlink"}
		}
		if stage {
			if err := os.RemoveAll(filepath.Join(out, StateDir, name)); err != nil {
				return err
			}
			continue
		}
		root := strings.TrimPrefix(name, "old-")
		if !inside(root) || strings.Contains(root, "/") {
			return &UnsafeError{Path: entry, Reason: "names no directory of the output directory"}
		}
		live := filepath.Join(out, root)
		if _, err := os.Lstat(live); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(filepath.Join(out, StateDir, name), live); err != nil {
				return err
			}
			continue
		}
		if err := os.RemoveAll(filepath.Join(out, StateDir, name)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, st.Mode().Perm())
}

func fsync(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
