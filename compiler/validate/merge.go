package validate

import (
	"maps"

	"github.com/platc-dev/platc/compiler/model"
)

// merge combines the decoded units. Collections are unions: a map entry
// appears only in the unit that writes it. Values the schema defaults
// (kpis, events.bus) appear in every unit, so they are taken from the unit
// that writes them, or from the defaults when none does.
func merge(base *model.Spec, results []unitResult) *model.Spec {
	out := &model.Spec{
		KPIs:         base.KPIs,
		Environments: map[string]*model.Environment{},
		Teams:        map[string]*model.Team{},
		Services:     map[string]*model.Service{},
		Integrations: map[string]*model.Integration{},
		Models:       map[string]*model.Model{},
		Exceptions:   map[string]*model.Exception{},
	}
	for _, r := range results {
		s := r.spec
		if s == nil {
			continue
		}
		if s.Platform != nil {
			out.Platform = s.Platform
		}
		if s.Blueprint != nil {
			out.Blueprint = s.Blueprint
		}
		if r.writes("kpis") {
			out.KPIs = s.KPIs
		}
		maps.Copy(out.Environments, s.Environments)
		maps.Copy(out.Teams, s.Teams)
		maps.Copy(out.Services, s.Services)
		maps.Copy(out.Integrations, s.Integrations)
		maps.Copy(out.Models, s.Models)
		maps.Copy(out.Exceptions, s.Exceptions)
		if s.Events != nil {
			if out.Events == nil {
				out.Events = &model.Events{Bus: s.Events.Bus, Topics: map[string]*model.Topic{}}
			}
			if r.writes("events", "bus") {
				out.Events.Bus = s.Events.Bus
			}
			maps.Copy(out.Events.Topics, s.Events.Topics)
		}
		if s.Data != nil {
			if out.Data == nil {
				out.Data = &model.Data{Datasets: map[string]*model.Dataset{}, Pipelines: map[string]*model.Pipeline{}}
			}
			if s.Data.Lakehouse != nil {
				out.Data.Lakehouse = s.Data.Lakehouse
			}
			if s.Data.Catalog != nil {
				out.Data.Catalog = s.Data.Catalog
			}
			maps.Copy(out.Data.Datasets, s.Data.Datasets)
			maps.Copy(out.Data.Pipelines, s.Data.Pipelines)
		}
		if s.Governance != nil {
			if out.Governance == nil {
				out.Governance = &model.Governance{
					RACI:         map[string]*model.RACITask{},
					Architecture: map[string]*model.ArchitectureLayer{},
					Stages:       map[string]*model.StageGate{},
					Changes:      map[string]*model.Change{},
				}
			}
			maps.Copy(out.Governance.RACI, s.Governance.RACI)
			maps.Copy(out.Governance.Architecture, s.Governance.Architecture)
			maps.Copy(out.Governance.Stages, s.Governance.Stages)
			maps.Copy(out.Governance.Changes, s.Governance.Changes)
		}
	}
	return out
}
