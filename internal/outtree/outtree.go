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
func Write(out string, tree map[string][]byte) (Changes, error) {
	s := Begin(out)
	paths := slices.Sorted(maps.Keys(tree)) // a directory's files together
	next := make(chan string)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for p := range next {
				if err := s.Put(p, tree[p]); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		s.Abort()
		return Changes{}, err
	default:
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
		if _, ok := produced[rel]; ok {
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
