// Package gitops emits the GitOps tree of a plan: per environment a
// kustomize tree of Kubernetes objects built from the official Go API
// types (namespaces, quotas, Kueue queues, workloads, routes, network
// policies, observability), and the GitOps engine's own objects (Argo CD
// or Flux) that sync it.
package gitops

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/platc-dev/platc/internal/kubeyaml"
)

// Tree is a set of files keyed by slash path.
type Tree map[string][]byte

// Paths returns the tree's paths, sorted.
func (t Tree) Paths() []string {
	out := make([]string, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// writer encodes the files of a tree, hands them to put and remembers
// what each directory's kustomization lists.
type writer struct {
	enc *kubeyaml.Encoder
	buf *bytes.Buffer // reused: put does not keep the bytes
	put func(path string, b []byte) error
	// dirs maps a directory to the resources its kustomization lists.
	dirs map[string][]string
	err  error
}

// newWriter makes a writer with an encoder and buffer of its own.
func newWriter(put func(string, []byte) error) *writer {
	return newWriterWith(kubeyaml.NewEncoder(), &bytes.Buffer{}, put)
}

// newWriterWith makes a writer that shares enc and buf (not concurrently).
func newWriterWith(enc *kubeyaml.Encoder, buf *bytes.Buffer, put func(string, []byte) error) *writer {
	return &writer{enc: enc, buf: buf, put: put, dirs: map[string][]string{}}
}

// write hands a file's bytes to put.
func (w *writer) write(p string, objs ...any) {
	if w.err != nil {
		return
	}
	w.buf.Reset()
	if err := w.enc.Encode(w.buf, objs...); err != nil {
		w.err = fmt.Errorf("encode %s: %w", p, err)
		return
	}
	if err := w.put(p, w.buf.Bytes()); err != nil {
		w.err = err
	}
}

// file writes objs to p and lists it in its directory's kustomization.
func (w *writer) file(p string, objs ...any) {
	if w.err != nil || len(objs) == 0 {
		return
	}
	w.write(p, objs...)
	dir := path.Dir(p)
	w.dirs[dir] = append(w.dirs[dir], path.Base(p))
}

// subdir lists child in parent's kustomization.
func (w *writer) subdir(parent, child string) {
	w.dirs[parent] = append(w.dirs[parent], child)
}

// kustomizations writes a kustomization.yaml in every directory that has
// resources, listing them in name order.
func (w *writer) kustomizations() {
	for _, dir := range slices.Sorted(maps.Keys(w.dirs)) {
		res := w.dirs[dir]
		slices.Sort(res)
		res = slices.Compact(res)
		k := map[string]any{
			"apiVersion": "kustomize.config.k8s.io/v1beta1",
			"kind":       "Kustomization",
			"resources":  res,
		}
		w.write(path.Join(dir, "kustomization.yaml"), k)
	}
}
