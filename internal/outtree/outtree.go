// Package outtree writes a generated tree of files into an output
// directory that may hold other files too (a GitOps repository's README,
// its .git): platc owns exactly the files it wrote last time, listed in a
// manifest, replaces them atomically per top-level directory, removes the
// ones it no longer produces and never touches anything else.
package outtree

import (
	"bytes"
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
	return m, nil
}

// ReadOwned reads the files the manifest in out lists, as they are now.
func ReadOwned(out string) (map[string][]byte, error) {
	m, err := ReadManifest(out)
	if err != nil {
		return nil, err
	}
	tree := map[string][]byte{}
	for p := range m.Files {
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
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

// compareOwned compares the files the manifest lists, as they are in out
// now, with tree: which are the same byte for byte, and the changes. Files
// are compared as they are read, in small pieces, so that a large tree is
// never held twice in memory.
func compareOwned(out string, m *Manifest, tree map[string][]byte) (map[string]bool, Changes, error) {
	owned := slices.Sorted(maps.Keys(m.Files))
	type result struct {
		present, same bool
		err           error
	}
	results := make([]result, len(owned))
	next := make(chan int)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			buf := make([]byte, 64<<10)
			for i := range next {
				p := owned[i]
				want, produced := tree[p]
				present, same, err := sameFile(filepath.Join(out, filepath.FromSlash(p)), want, produced, buf)
				results[i] = result{present, same, err}
			}
		})
	}
	for i := range owned {
		next <- i
	}
	close(next)
	wg.Wait()
	same := map[string]bool{}
	var c Changes
	present := map[string]bool{}
	for i, p := range owned {
		r := results[i]
		if r.err != nil {
			return nil, Changes{}, r.err
		}
		if !r.present {
			continue
		}
		present[p] = true
		_, produced := tree[p]
		switch {
		case !produced:
			c.Removed = append(c.Removed, p)
		case r.same:
			same[p] = true
		default:
			c.Changed = append(c.Changed, p)
		}
	}
	for p := range tree {
		if !present[p] {
			c.Added = append(c.Added, p)
		}
	}
	slices.Sort(c.Added)
	return same, c, nil
}

// sameFile reports whether the file at name exists and, when produced,
// whether it holds exactly want.
func sameFile(name string, want []byte, produced bool, buf []byte) (present, same bool, err error) {
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
	if !produced || !info.Mode().IsRegular() || info.Size() != int64(len(want)) {
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

// Write makes the owned files of out equal to tree. Each top-level
// directory of the tree is built complete in a staging directory (with
// the files of others that live in it carried over) and swapped into place
// with renames, so a reader or a crash sees the old directory or the new
// one, never a mix; a run after a crash finishes the swap it interrupted.
func Write(out string, tree map[string][]byte) (Changes, error) {
	for p := range tree {
		if p == "" || path.IsAbs(p) || strings.HasPrefix(path.Clean(p), "..") || strings.HasPrefix(p, StateDir+"/") {
			return Changes{}, fmt.Errorf("refusing to write %q outside the output directory", p)
		}
	}
	if err := os.MkdirAll(filepath.Join(out, StateDir), 0o755); err != nil {
		return Changes{}, err
	}
	if err := recover_(out); err != nil {
		return Changes{}, err
	}
	old, err := ReadManifest(out)
	if err != nil {
		return Changes{}, err
	}
	same, changes, err := compareOwned(out, old, tree)
	if err != nil {
		return Changes{}, err
	}

	// Group by top-level entry: directories are swapped whole, top-level
	// files are replaced one by one.
	roots := map[string]bool{}
	for p := range tree {
		roots[strings.SplitN(p, "/", 2)[0]] = true
	}
	for p := range old.Files {
		roots[strings.SplitN(p, "/", 2)[0]] = true
	}
	stage, err := os.MkdirTemp(filepath.Join(out, StateDir), "stage-")
	if err != nil {
		return Changes{}, err
	}
	defer os.RemoveAll(stage)
	for _, root := range slices.Sorted(mapsKeys(roots)) {
		if isTopFile(root, tree, old) {
			if err := writeTopFile(out, root, tree, old); err != nil {
				return Changes{}, err
			}
			continue
		}
		if err := swapDir(out, stage, root, tree, same, old); err != nil {
			return Changes{}, err
		}
	}
	m := &Manifest{APIVersion: "platc.dev/manifest/v1", Files: map[string]string{}}
	for p, b := range tree {
		m.Files[p] = sum(b)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Changes{}, err
	}
	if err := atomicfile.Write(filepath.Join(out, filepath.FromSlash(manifestFile)), append(b, '\n'), 0o644); err != nil {
		return Changes{}, err
	}
	return changes, nil
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// isTopFile reports whether root is a file at the top of the tree.
func isTopFile(root string, tree map[string][]byte, old *Manifest) bool {
	if _, ok := tree[root]; ok {
		return true
	}
	_, ok := old.Files[root]
	return ok && !hasPrefixKey(tree, root+"/")
}

func hasPrefixKey(tree map[string][]byte, prefix string) bool {
	for p := range tree {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func writeTopFile(out, name string, tree map[string][]byte, old *Manifest) error {
	p := filepath.Join(out, name)
	if b, ok := tree[name]; ok {
		return atomicfile.Write(p, b, 0o644)
	}
	if _, owned := old.Files[name]; owned {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// swapDir builds root in the staging directory and swaps it into out.
func swapDir(out, stage, root string, tree map[string][]byte, same map[string]bool, old *Manifest) error {
	newDir := filepath.Join(stage, "new", root)
	if err := os.MkdirAll(newDir, 0o755); err != nil {
		return err
	}
	if err := writeFiles(filepath.Join(stage, "new"), root, tree, out, same); err != nil {
		return err
	}
	live := filepath.Join(out, root)
	// Carry over what others put in the directory (hard links: cheap and
	// the original is untouched).
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
		if d.IsDir() {
			return nil
		}
		if _, owned := old.Files[rel]; owned {
			return nil
		}
		if _, produced := tree[rel]; produced {
			// Ours now; a file someone left where platc writes is replaced.
			return nil
		}
		dst := filepath.Join(stage, "new", filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		foreign++
		if err := os.Link(p, dst); err != nil {
			return copyFile(p, dst)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if foreign == 0 && !hasPrefixKey(tree, root+"/") {
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

// writeFiles writes the tree's files under root into dir. A file whose
// bytes are those it has in out now (same) is hard-linked from there
// rather than written: a link costs the file system a small fraction of
// a new file, and most of a large tree is unchanged between renders.
// Creating thousands of files is bound by system calls, so directories
// are made once each and files written by a few goroutines.
func writeFiles(dir, root string, tree map[string][]byte, out string, same map[string]bool) error {
	var paths []string
	dirs := map[string]bool{}
	for p := range tree {
		if strings.HasPrefix(p, root+"/") {
			paths = append(paths, p)
			dirs[path.Dir(p)] = true
		}
	}
	for _, d := range slices.Sorted(mapsKeys(dirs)) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	next := make(chan string)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for p := range next {
				dst := filepath.Join(dir, filepath.FromSlash(p))
				if same[p] {
					if os.Link(filepath.Join(out, filepath.FromSlash(p)), dst) == nil {
						continue
					}
				}
				if err := os.WriteFile(dst, tree[p], 0o644); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	slices.Sort(paths) // a directory's files together
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// recover_ finishes a swap a crash interrupted: a directory moved aside
// whose replacement never arrived is put back.
func recover_(out string) error {
	entries, err := os.ReadDir(filepath.Join(out, StateDir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "old-"):
			root := strings.TrimPrefix(name, "old-")
			live := filepath.Join(out, root)
			if _, err := os.Stat(live); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(filepath.Join(out, StateDir, name), live); err != nil {
					return err
				}
				continue
			}
			if err := os.RemoveAll(filepath.Join(out, StateDir, name)); err != nil {
				return err
			}
		case strings.HasPrefix(name, "stage-"):
			if err := os.RemoveAll(filepath.Join(out, StateDir, name)); err != nil {
				return err
			}
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
