// Package treediff compares two rendered trees: which files differ, as a
// unified diff, and which Kubernetes objects are added, changed or removed
// per environment and kind, which is what a reviewer wants from a plan.
package treediff

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"sigs.k8s.io/yaml"
)

// Action is what happens to an object or file.
type Action string

const (
	Add    Action = "add"
	Change Action = "change"
	Remove Action = "remove"
)

// Object is one changed Kubernetes object.
type Object struct {
	Environment string `json:"environment"`
	Kind        string `json:"kind"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name"`
	File        string `json:"file"`
	Action      Action `json:"action"`
}

// Counts are changes by action.
type Counts struct {
	Add    int `json:"add"`
	Change int `json:"change"`
	Remove int `json:"remove"`
}

func (c *Counts) count(a Action) {
	switch a {
	case Add:
		c.Add++
	case Change:
		c.Change++
	case Remove:
		c.Remove++
	}
}

// Total is the number of changes.
func (c Counts) Total() int { return c.Add + c.Change + c.Remove }

// EnvSummary counts an environment's object changes, also by kind.
type EnvSummary struct {
	Counts
	Kinds map[string]*Counts `json:"kinds"`
}

// Result is the comparison of two trees.
type Result struct {
	Files struct {
		Added   []string `json:"added"`
		Changed []string `json:"changed"`
		Removed []string `json:"removed"`
	} `json:"files"`
	Objects      []Object               `json:"objects"`
	Environments map[string]*EnvSummary `json:"environments"`
	Summary      Counts                 `json:"summary"`

	root string
}

// Changed reports whether anything differs.
func (r *Result) Changed() bool {
	return len(r.Files.Added)+len(r.Files.Changed)+len(r.Files.Removed) > 0
}

// Compare compares the old tree with the new one. root is the GitOps
// tree's directory (platform.gitops.path): the objects under root/<env>
// and root/<engine>/<env> count for environment env.
func Compare(old, cur map[string][]byte, root string) *Result {
	r := &Result{Objects: []Object{}, Environments: map[string]*EnvSummary{}, root: root}
	r.Files.Added, r.Files.Changed, r.Files.Removed = []string{}, []string{}, []string{}
	paths := map[string]bool{}
	for p := range old {
		paths[p] = true
	}
	for p := range cur {
		paths[p] = true
	}
	for _, p := range sortedKeys(paths) {
		ob, inOld := old[p]
		nb, inNew := cur[p]
		switch {
		case !inOld:
			r.Files.Added = append(r.Files.Added, p)
		case !inNew:
			r.Files.Removed = append(r.Files.Removed, p)
		case !bytes.Equal(ob, nb):
			r.Files.Changed = append(r.Files.Changed, p)
		default:
			continue
		}
		r.compareObjects(p, ob, nb)
	}
	slices.SortFunc(r.Objects, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Environment, b.Environment), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	for _, o := range r.Objects {
		env := r.Environments[o.Environment]
		if env == nil {
			env = &EnvSummary{Kinds: map[string]*Counts{}}
			r.Environments[o.Environment] = env
		}
		env.count(o.Action)
		k := env.Kinds[o.Kind]
		if k == nil {
			k = &Counts{}
			env.Kinds[o.Kind] = k
		}
		k.count(o.Action)
		r.Summary.count(o.Action)
	}
	return r
}

// environmentOf names the environment a file's objects count for, and
// "platform" for the files every environment shares.
func environmentOf(root, p string) string {
	return cmp.Or(EnvironmentOf(root, p), "platform")
}

// EnvironmentOf names the environment a rendered file belongs to:
// root/<env>/…, root/<engine>/<env>/… (root is platform.gitops.path) or
// pulumi/<env>/…. It is "" for the files the environments share: the
// catalog, CODEOWNERS, the engine directories' kustomizations.
func EnvironmentOf(root, p string) string {
	if rest, ok := strings.CutPrefix(p, "pulumi/"); ok {
		if env, _, ok := strings.Cut(rest, "/"); ok {
			return env
		}
		return ""
	}
	rel, ok := strings.CutPrefix(p, root+"/")
	if !ok {
		return ""
	}
	parts := strings.Split(rel, "/")
	switch {
	case parts[0] == "argocd" || parts[0] == "flux":
		if len(parts) > 2 {
			return parts[1]
		}
	case len(parts) > 1:
		return parts[0]
	}
	return ""
}

type key struct{ kind, namespace, name string }

func objects(b []byte) (map[key][]byte, bool) {
	out := map[key][]byte{}
	for _, d := range bytes.Split(b, []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) == 0 {
			continue
		}
		var m struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(d, &m); err != nil || m.Kind == "" {
			return nil, false
		}
		out[key{m.Kind, m.Metadata.Namespace, m.Metadata.Name}] = d
	}
	return out, true
}

func (r *Result) compareObjects(p string, ob, nb []byte) {
	if !strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, "kustomization.yaml") {
		return
	}
	oo, ok1 := objects(ob)
	no, ok2 := objects(nb)
	if !ok1 || !ok2 {
		return
	}
	env := environmentOf(r.root, p)
	add := func(k key, a Action) {
		r.Objects = append(r.Objects, Object{Environment: env, Kind: k.kind, Namespace: k.namespace, Name: k.name, File: p, Action: a})
	}
	for k, b := range no {
		if old, ok := oo[k]; !ok {
			add(k, Add)
		} else if !bytes.Equal(old, b) {
			add(k, Change)
		}
	}
	for k := range oo {
		if _, ok := no[k]; !ok {
			add(k, Remove)
		}
	}
}

// Unified writes a unified diff of every changed file.
func Unified(old, cur map[string][]byte, r *Result) string {
	var b strings.Builder
	files := append(append(slices.Clone(r.Files.Added), r.Files.Changed...), r.Files.Removed...)
	slices.Sort(files)
	for _, p := range files {
		d := difflib.UnifiedDiff{
			A: difflib.SplitLines(string(old[p])), B: difflib.SplitLines(string(cur[p])),
			FromFile: "a/" + p, ToFile: "b/" + p, Context: 3,
		}
		if _, ok := old[p]; !ok {
			d.FromFile = "/dev/null"
		}
		if _, ok := cur[p]; !ok {
			d.ToFile = "/dev/null"
		}
		text, err := difflib.GetUnifiedDiffString(d)
		if err != nil {
			fmt.Fprintf(&b, "diff %s: %v\n", p, err)
			continue
		}
		b.WriteString(text)
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
