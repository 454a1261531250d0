// Package gitops emits the GitOps tree of a plan: per environment a
// kustomize tree of Kubernetes objects built from the official Go API
// types (namespaces, quotas, Kueue queues, workloads, routes, network
// policies, observability), and the GitOps engine's own objects (Argo CD
// or Flux) that sync it.
package gitops

import (
	"fmt"
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

// writer collects the files of a tree and their kustomizations.
type writer struct {
	enc  *kubeyaml.Encoder
	tree Tree
	// dirs maps a directory to the resources its kustomization lists.
	dirs map[string][]string
	err  error
}

func newWriter() *writer { return newWriterWith(kubeyaml.NewEncoder()) }

// newWriterWith makes a writer that shares enc (not concurrently).
func newWriterWith(enc *kubeyaml.Encoder) *writer {
	return &writer{enc: enc, tree: Tree{}, dirs: map[string][]string{}}
}

// file writes objs to p and lists it in its directory's kustomization.
func (w *writer) file(p string, objs ...any) {
	if w.err != nil || len(objs) == 0 {
		return
	}
	b, err := w.enc.Marshal(objs...)
	if err != nil {
		w.err = fmt.Errorf("encode %s: %w", p, err)
		return
	}
	w.tree[p] = b
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
	for dir, res := range w.dirs {
		slices.Sort(res)
		res = slices.Compact(res)
		k := map[string]any{
			"apiVersion": "kustomize.config.k8s.io/v1beta1",
			"kind":       "Kustomization",
			"resources":  res,
		}
		b, err := w.enc.Marshal(k)
		if err != nil {
			w.err = err
			return
		}
		w.tree[path.Join(dir, "kustomization.yaml")] = b
	}
}
