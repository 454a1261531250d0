package plan_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/model"
	"github.com/platc-dev/platc/compiler/plan"
)

// TestFreezeWindows: a freeze is one date range, and Argo CD's cron names
// no year, so its deny window is rendered only while it can fire for that
// range alone: from a year before its start (less its length) to its end.
func TestFreezeWindows(t *testing.T) {
	spec := &model.Spec{Environments: map[string]*model.Environment{"prod": {
		Name: "prod", Tier: "prod",
		Freezes: []model.Freeze{{Name: "sale", Start: "2027-04-28T00:00:00Z", End: "2027-05-06T00:00:00Z"}},
	}}}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	start, end := at("2027-04-28T00:00:00Z"), at("2027-05-06T00:00:00Z")
	window := []*plan.SyncWindow{{Kind: "deny", Name: "sale", Schedule: "0 0 28 4 *", Duration: "192h", TimeZone: "UTC", Start: &start, End: &end}}
	for _, tt := range []struct {
		name string
		now  time.Time
		want []*plan.SyncWindow
	}{
		{"no clock renders every freeze", time.Time{}, window},
		{"weeks before", at("2027-03-01T00:00:00Z"), window},
		{"during", at("2027-05-01T12:00:00Z"), window},
		{"at its end it is over", at("2027-05-06T00:00:00Z"), []*plan.SyncWindow{}},
		{"after", at("2027-11-24T10:00:00Z"), []*plan.SyncWindow{}},
		// The cron would also deny 2026-04-28 to 2026-05-06.
		{"a year ahead, inside last year's dates", at("2026-05-01T00:00:00Z"), []*plan.SyncWindow{}},
		{"a year ahead, after last year's dates", at("2026-05-06T00:00:00Z"), window},
		{"more than a year ahead", at("2025-12-01T00:00:00Z"), []*plan.SyncWindow{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := plan.Build(spec, plan.Options{Now: tt.now})
			if diff := cmp.Diff(tt.want, p.Environments[0].SyncWindows); diff != "" {
				t.Errorf("sync windows (-want +got):\n%s", diff)
			}
		})
	}
}
