// Package gitops emits the GitOps tree of a plan: per environment a
// kustomize tree of Kubernetes objects built from the official Go API
// types (namespaces, quotas, Kueue queues, workloads, routes, network
// policies, observability), and the GitOps engine's own objects (Argo CD
// or Flux) that sync it.
package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"sigs.k8s.io/yaml"
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

// doc is one file's worth of objects, written as a YAML stream.
type doc struct {
	objects []any
}

func (d *doc) add(objs ...any) { d.objects = append(d.objects, objs...) }

// encode writes objects as YAML documents separated by ---, with the
// fields the API server fills (creationTimestamp, status) left out.
func encode(objs []any) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		j, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(j))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		clean(m)
		if i > 0 {
			b.WriteString("---\n")
		}
		toYAML(&b, m, 0)
	}
	return b.Bytes(), nil
}

// clean removes what the API server owns from an object (status, null
// creationTimestamps, also in pod templates) and the empty structs some
// API types marshal without omitempty (an Argo Rollouts Prometheus
// provider's authentication: {oauth2: {}, sigv4: {}}).
func clean(m map[string]any) {
	delete(m, "status")
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ts, ok := x["creationTimestamp"]; ok && ts == nil {
				delete(x, "creationTimestamp")
			}
			if a, ok := x["authentication"].(map[string]any); ok && allEmpty(a) {
				delete(x, "authentication")
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(m)
}

func allEmpty(m map[string]any) bool {
	for _, v := range m {
		if c, ok := v.(map[string]any); !ok || !allEmpty(c) {
			return false
		}
	}
	return true
}

// writer collects the files of a tree and their kustomizations.
type writer struct {
	tree Tree
	// dirs maps a directory to the resources its kustomization lists.
	dirs map[string][]string
	err  error
}

func newWriter() *writer { return &writer{tree: Tree{}, dirs: map[string][]string{}} }

// file writes objs to p and lists it in its directory's kustomization.
func (w *writer) file(p string, objs ...any) {
	if w.err != nil || len(objs) == 0 {
		return
	}
	b, err := encode(objs)
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
		b, err := yaml.Marshal(k)
		if err != nil {
			w.err = err
			return
		}
		w.tree[path.Join(dir, "kustomization.yaml")] = b
	}
}
