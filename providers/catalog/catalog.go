// Package catalog emits the Backstage catalog of a plan (systems, groups,
// components, APIs and resources) so that services, datasets, topics and
// models are searchable, and CODEOWNERS from team ownership.
package catalog

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/emit"
	"github.com/platc-dev/platc/compiler/plan"
	"github.com/platc-dev/platc/internal/kubeyaml"
)

type entity map[string]any

func newEntity(kind, name, description string, spec map[string]any) entity {
	md := map[string]any{"name": name}
	if description != "" {
		md["description"] = description
	}
	return entity{"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": md, "spec": spec}
}

func stream(enc *kubeyaml.Encoder, es []entity) ([]byte, error) {
	objs := make([]any, len(es))
	for i, e := range es {
		objs[i] = e
	}
	return enc.Marshal(objs...)
}

// Emitter renders the Backstage catalog, catalog/*.yaml.
type Emitter struct{}

// Name implements [emit.Emitter].
func (Emitter) Name() string { return "catalog" }

// Emit implements [emit.Emitter].
func (Emitter) Emit(_ context.Context, p *plan.Plan, s emit.Sink) error {
	files, err := entities(p)
	if err != nil {
		return err
	}
	return emit.PutSorted(s, files)
}

// CodeOwners renders CODEOWNERS from the teams' owners.
type CodeOwners struct{}

// Name implements [emit.Emitter].
func (CodeOwners) Name() string { return "CODEOWNERS" }

// Emit implements [emit.Emitter].
func (CodeOwners) Emit(_ context.Context, p *plan.Plan, s emit.Sink) error {
	return s.Put("CODEOWNERS", codeowners(p))
}

// entities returns catalog/*.yaml by path.
func entities(p *plan.Plan) (map[string][]byte, error) {
	system := p.Platform.Name
	prod := map[string]bool{}
	for _, e := range p.Environments {
		if e.Tier == "prod" {
			prod[e.Name] = true
		}
	}
	files := map[string][]entity{}
	files["system.yaml"] = []entity{newEntity("System", system, "The "+system+" AI platform, described by its platc spec", map[string]any{"owner": "group:" + p.Platform.Owner})}
	for _, t := range p.Teams {
		spec := map[string]any{"type": "team", "children": []any{}}
		if t.DisplayName != "" {
			spec["profile"] = map[string]any{"displayName": t.DisplayName}
		}
		files["groups.yaml"] = append(files["groups.yaml"], newEntity("Group", t.Name, "", spec))
	}
	for _, s := range p.Catalog.Services {
		lifecycle := "experimental"
		for _, e := range s.Environments {
			if prod[e] {
				lifecycle = "production"
			}
		}
		var deps []any
		for _, d := range s.DependsOn {
			kind, name, ok := strings.Cut(d, "/")
			if !ok {
				kind, name = "service", d
			}
			switch kind {
			case "service":
				deps = append(deps, "component:"+name)
			case "dataset":
				deps = append(deps, "resource:dataset-"+name)
			case "topic":
				deps = append(deps, "resource:topic-"+strings.ReplaceAll(name, ".", "-"))
			case "integration":
				deps = append(deps, "resource:integration-"+name)
			}
		}
		spec := map[string]any{"type": "service", "lifecycle": lifecycle, "owner": "group:" + s.Team, "system": system, "dependsOn": nonNil(deps)}
		if len(s.Routes) > 0 {
			spec["providesApis"] = []any{s.Name + "-api"}
			files["apis.yaml"] = append(files["apis.yaml"], newEntity("API", s.Name+"-api", "HTTP API of "+s.Name, map[string]any{
				"type": "openapi", "lifecycle": lifecycle, "owner": "group:" + s.Team, "system": system, "definition": openAPI(s),
			}))
		}
		e := newEntity("Component", s.Name, s.Description, spec)
		e["metadata"].(map[string]any)["tags"] = []any{s.Kind}
		files["components.yaml"] = append(files["components.yaml"], e)
	}
	for _, m := range p.Catalog.Models {
		var deps []any
		if m.Service != "" {
			deps = append(deps, "component:"+m.Service)
		}
		for _, d := range m.TrainingData {
			deps = append(deps, "resource:dataset-"+d)
		}
		e := newEntity("Component", "model-"+m.Name, "Model "+m.Name, map[string]any{"type": "ml-model", "lifecycle": "production", "owner": "group:" + m.Team, "system": system, "dependsOn": nonNil(deps)})
		files["components.yaml"] = append(files["components.yaml"], e)
	}
	for _, d := range p.Catalog.Datasets {
		var deps []any
		for _, u := range d.Upstreams {
			deps = append(deps, "resource:dataset-"+strings.ReplaceAll(strings.ReplaceAll(u, "/", "-"), ".", "-"))
		}
		e := newEntity("Resource", "dataset-"+d.Name, d.Description, map[string]any{"type": "dataset", "owner": "group:" + d.Owner, "system": system, "dependsOn": nonNil(deps)})
		e["metadata"].(map[string]any)["tags"] = []any{d.Classification}
		files["resources.yaml"] = append(files["resources.yaml"], e)
	}
	for _, t := range p.Catalog.Topics {
		files["resources.yaml"] = append(files["resources.yaml"], newEntity("Resource", "topic-"+strings.ReplaceAll(t.Name, ".", "-"), "Event-bus topic "+t.Name,
			map[string]any{"type": "kafka-topic", "owner": "group:" + t.Owner, "system": system}))
	}
	out := map[string][]byte{}
	enc := kubeyaml.NewEncoder()
	var targets []any
	for _, name := range sortedKeys(files) {
		b, err := stream(enc, files[name])
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", name, err)
		}
		out[path.Join("catalog", name)] = b
		targets = append(targets, "./"+name)
	}
	loc, err := stream(enc, []entity{newEntity("Location", system+"-platc", "Everything platc renders for "+system, map[string]any{"targets": targets})})
	if err != nil {
		return nil, err
	}
	out["catalog/catalog-info.yaml"] = loc
	return out, nil
}

// openAPI is a minimal OpenAPI 3 document listing a service's routes.
func openAPI(s *plan.CatalogService) string {
	var b strings.Builder
	fmt.Fprintf(&b, "openapi: 3.0.3\ninfo:\n  title: %s\n  version: \"1\"\npaths:\n", s.Name)
	for _, r := range slices.Sorted(slices.Values(s.Routes)) {
		fmt.Fprintf(&b, "  %q: {}\n", r)
	}
	return b.String()
}

// codeowners lists, for each spec file, the owners of the teams declared
// in it: people (@handle) and e-mail addresses.
func codeowners(p *plan.Plan) []byte {
	owners := map[string][]string{}
	for _, t := range p.Teams {
		for _, f := range t.Files {
			for _, o := range t.Owners {
				if strings.HasPrefix(o, "@") || strings.Contains(o, "@") {
					owners[f] = append(owners[f], o)
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Generated by platc from the teams' owners. Do not edit: change the spec.\n")
	for _, f := range sortedKeys(owners) {
		os := slices.Compact(slices.Sorted(slices.Values(owners[f])))
		fmt.Fprintf(&b, "/%s %s\n", strings.ReplaceAll(f, " ", "\\ "), strings.Join(os, " "))
	}
	return []byte(b.String())
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func nonNil(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}
