package validate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/load"
	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/source"
	"github.com/platc-dev/platc/internal/suggest"
	"github.com/platc-dev/platc/schema"
)

// RuleReference is the rule ID of references to things the spec lacks.
const RuleReference = "reference"

// RuleRequired is the rule ID of top-level parts every spec needs.
const RuleRequired = "required"

var teamName = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)

type refChecker struct {
	pkg  *load.Package
	spec *model.Spec
	ds   diag.Diagnostics
}

// names is a sorted list of declared names.
type names []string

func (n names) has(name string) bool {
	_, ok := slices.BinarySearch(n, name)
	return ok
}

// need reports an error at path unless name is one of known.
func (c *refChecker) need(what, name string, known names, path ...string) {
	if known.has(name) {
		return
	}
	pos, _ := c.pkg.Index.Lookup(path)
	d := diag.Diagnostic{
		Severity: diag.Error, Rule: RuleReference, Pos: pos, Path: source.FormatPath(path),
		Message: fmt.Sprintf("%s: unknown %s %q", source.FormatPath(path), what, name),
	}
	if s := suggest.Closest(name, known); s != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", s)
	} else if len(known) == 0 {
		d.Hint = fmt.Sprintf("the spec declares no %s", plural(what))
	} else {
		d.Hint = fmt.Sprintf("known %s: %s", plural(what), strings.Join(known, ", "))
	}
	c.ds = append(c.ds, d)
}

// party checks an owner that may be a team, a @person or an e-mail address.
func (c *refChecker) party(name string, teams names, path ...string) {
	if teamName.MatchString(name) {
		c.need("team", name, teams, path...)
	}
}

func plural(s string) string {
	if strings.HasSuffix(s, "s") {
		return s + "es"
	}
	return s + "s"
}

func keys[V any](m map[string]V) names { return slices.Sorted(maps.Keys(m)) }

// checkTopLevel checks the parts every spec needs, from what its files
// write: a platform and at least one environment.
func checkTopLevel(pkg *load.Package) diag.Diagnostics {
	var platform, envs bool
	for _, f := range pkg.Files {
		for _, fp := range f.Footprint {
			if len(fp) == 0 {
				// A file that may write anywhere may write these too.
				return nil
			}
			platform = platform || fp[0] == "platform"
			envs = envs || fp[0] == "environments"
		}
	}
	var ds diag.Diagnostics
	pos, _ := pkg.Index.Lookup(nil)
	if !platform {
		ds = append(ds, diag.Diagnostic{
			Severity: diag.Error, Rule: RuleRequired, Pos: pos, Path: "platform",
			Message: "the spec has no platform: every spec declares platform: {name, owner, …}",
			Hint:    "run `platc init` to see a complete example",
		})
	}
	if !envs {
		ds = append(ds, diag.Diagnostic{
			Severity: diag.Error, Rule: RuleRequired, Pos: pos, Path: "environments",
			Message: "the spec has no environments: declare at least one under environments: {…}",
		})
	}
	return ds
}

// checkReferences checks what crosses units: every name a spec refers to
// is declared somewhere in it.
func checkReferences(pkg *load.Package, s *model.Spec) diag.Diagnostics {
	c := &refChecker{pkg: pkg, spec: s}
	teams := keys(s.Teams)
	envs := keys(s.Environments)
	services := keys(s.Services)
	integrations := keys(s.Integrations)
	var datasets, pipelines, topics names
	if s.Data != nil {
		datasets, pipelines = keys(s.Data.Datasets), keys(s.Data.Pipelines)
	}
	if s.Events != nil {
		topics = keys(s.Events.Topics)
	}

	if s.Platform != nil {
		c.need("team", s.Platform.Owner, teams, "platform", "owner")
	}
	for _, name := range envs {
		c.party(s.Environments[name].Owner, teams, "environments", name, "owner")
	}
	for _, name := range teams {
		t := s.Teams[name]
		for _, env := range keys(t.Quotas) {
			c.need("environment", env, envs, "teams", name, "quotas", env)
		}
		for i, o := range t.Owners {
			c.party(o, teams, "teams", name, "owners", fmt.Sprint(i))
		}
	}
	for _, name := range services {
		svc := s.Services[name]
		c.need("team", svc.Team, teams, "services", name, "team")
		for _, env := range keys(svc.Environments) {
			c.need("environment", env, envs, "services", name, "environments", env)
		}
		for i, dep := range svc.Dependencies {
			c.dependency(dep, "services", name, "dependencies", fmt.Sprint(i))
		}
	}
	for _, name := range integrations {
		c.need("team", s.Integrations[name].Owner, teams, "integrations", name, "owner")
	}
	if s.Events != nil {
		for _, env := range s.Events.Bus.Environments {
			c.need("environment", env, envs, "events", "bus", "environments")
		}
		producers := append(slices.Clone(services), integrations...)
		slices.Sort(producers)
		for _, name := range topics {
			t := s.Events.Topics[name]
			c.need("team", t.Owner, teams, "events", "topics", name, "owner")
			for i, p := range t.Producers {
				c.need("service or integration", p, producers, "events", "topics", name, "producers", fmt.Sprint(i))
			}
			for i, p := range t.Consumers {
				c.need("service or integration", p, producers, "events", "topics", name, "consumers", fmt.Sprint(i))
			}
		}
	}
	if s.Data != nil {
		if s.Data.Lakehouse != nil {
			c.need("team", s.Data.Lakehouse.Owner, teams, "data", "lakehouse", "owner")
		}
		for _, name := range datasets {
			c.need("team", s.Data.Datasets[name].Owner, teams, "data", "datasets", name, "owner")
		}
		for _, name := range pipelines {
			p := s.Data.Pipelines[name]
			c.need("team", p.Owner, teams, "data", "pipelines", name, "owner")
			c.schedule(p.Schedule, p.TimeZone, "data", "pipelines", name)
			if p.Image != "" && p.Mode == "batch" {
				c.cronJob(name, p.Owner)
			}
			for i, out := range p.Outputs {
				c.need("dataset", out, datasets, "data", "pipelines", name, "outputs", fmt.Sprint(i))
			}
		}
	}
	for _, name := range keys(s.Models) {
		m := s.Models[name]
		c.need("team", m.Team, teams, "models", name, "team")
		if m.Service != "" {
			c.need("service", m.Service, services, "models", name, "service")
		}
		for i, d := range m.TrainingData {
			c.need("dataset", d, datasets, "models", name, "trainingData", fmt.Sprint(i))
		}
		if m.Retraining != nil && m.Retraining.Pipeline != "" {
			c.need("pipeline", m.Retraining.Pipeline, pipelines, "models", name, "retraining", "pipeline")
		}
	}
	if s.Blueprint != nil {
		for _, ph := range keys(s.Blueprint.Phases) {
			for _, ms := range keys(s.Blueprint.Phases[ph].Milestones) {
				c.party(s.Blueprint.Phases[ph].Milestones[ms].Owner, teams, "blueprint", "phases", ph, "milestones", ms, "owner")
			}
		}
	}
	if s.Governance != nil {
		for _, id := range keys(s.Governance.Changes) {
			c.need("environment", s.Governance.Changes[id].Environment, envs, "governance", "changes", id, "environment")
		}
		for _, l := range keys(s.Governance.Architecture) {
			c.party(s.Governance.Architecture[l].Owner, teams, "governance", "architecture", l, "owner")
		}
		for _, st := range keys(s.Governance.Stages) {
			c.party(s.Governance.Stages[st].Owner, teams, "governance", "stages", st, "owner")
		}
	}
	return c.ds
}

// dependency checks a service dependency: a service name, or kind/name
// with kind one of service, topic, dataset, integration.
func (c *refChecker) dependency(dep string, path ...string) {
	s := c.spec
	kind, name, ok := strings.Cut(dep, "/")
	if !ok {
		kind, name = "service", dep
	}
	switch kind {
	case "service":
		c.need("service", name, keys(s.Services), path...)
	case "integration":
		c.need("integration", name, keys(s.Integrations), path...)
	case "topic":
		var topics names
		if s.Events != nil {
			topics = keys(s.Events.Topics)
		}
		c.need("topic", name, topics, path...)
	case "dataset":
		var datasets names
		if s.Data != nil {
			datasets = keys(s.Data.Datasets)
		}
		c.need("dataset", name, datasets, path...)
	default:
		pos, _ := c.pkg.Index.Lookup(path)
		c.ds = append(c.ds, diag.Diagnostic{
			Severity: diag.Error, Rule: RuleReference, Pos: pos, Path: source.FormatPath(path),
			Message: fmt.Sprintf("%s: dependency %q has unknown kind %q", source.FormatPath(path), dep, kind),
			Hint:    "write a service name, or service/NAME, topic/NAME, dataset/NAME or integration/NAME",
		})
	}
}

// checkTopLevelNames reports top-level fields that a spec does not have
// (a misspelt "team:") once, at each place they are written, and returns
// the unknown names so that the errors CUE reports beneath them can be
// dropped as noise.
func checkTopLevelNames(pkg *load.Package) (diag.Diagnostics, map[string]bool) {
	allowed := make([]string, 0, len(schema.TopLevel))
	for _, f := range schema.TopLevel {
		allowed = append(allowed, f.Field)
	}
	var ds diag.Diagnostics
	unknown := map[string]bool{}
	for _, f := range pkg.Files {
		if f.Binding {
			continue
		}
		for _, fp := range f.Footprint {
			if len(fp) == 0 || slices.Contains(allowed, fp[0]) || unknown[fp[0]] {
				continue
			}
			unknown[fp[0]] = true
			d := diag.Diagnostic{
				Severity: diag.Error, Rule: RuleSchema, Path: source.FormatPath(fp[:1]),
				Message: fmt.Sprintf("%s: field not allowed: a spec's top-level fields are %s", source.FormatPath(fp[:1]), strings.Join(allowed, ", ")),
			}
			if s := suggest.Closest(fp[0], allowed); s != "" {
				d.Hint = fmt.Sprintf("did you mean %q?", s)
			}
			for _, pos := range pkg.Index.Positions(fp[:1]) {
				d.Pos = pos
				ds = append(ds, d)
			}
		}
	}
	return ds, unknown
}
