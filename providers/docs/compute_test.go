package docs

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/platc-dev/platc/compiler/model"
)

func TestDowntime(t *testing.T) {
	tests := map[string]struct {
		availability float64
		period       time.Duration
		want         time.Duration
		text         string
	}{
		"99.9 % over a year is the source document's 8 h 45 min (and 36 s)": {99.9, Year, 8*time.Hour + 45*time.Minute + 36*time.Second, "8 h 45 min 36 s"},
		"99.9 % over 30 days is 43 min 12 s of error budget":                {99.9, BudgetWindow, 43*time.Minute + 12*time.Second, "43 min 12 s"},
		"99.95 % over 30 days halves it":                                    {99.95, BudgetWindow, 21*time.Minute + 36*time.Second, "21 min 36 s"},
		"99.99 % over 30 days is 4 min 19.2 s, shown to the second":         {99.99, BudgetWindow, 4*time.Minute + 19*time.Second + 200*time.Millisecond, "4 min 19 s"},
		"99.999 % over 30 days is under a minute, shown to a tenth":         {99.999, BudgetWindow, 25*time.Second + 920*time.Millisecond, "25.9 s"},
		"99 % over a year runs into days":                                   {99, Year, 87*time.Hour + 36*time.Minute, "3 d 15 h 36 min"},
		"99.9 % over a week":                                                {99.9, 7 * 24 * time.Hour, 10*time.Minute + 4*time.Second + 800*time.Millisecond, "10 min 5 s"},
		"100 % allows no downtime":                                          {100, Year, 0, "0 s"},
		"0 % allows the whole period":                                       {0, BudgetWindow, BudgetWindow, "30 d"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Downtime(tc.availability, tc.period)
			if got != tc.want {
				t.Errorf("Downtime(%v, %v) = %v, want %v", tc.availability, tc.period, got, tc.want)
			}
			if s := FormatDuration(got); s != tc.text {
				t.Errorf("FormatDuration(%v) = %q, want %q", got, s, tc.text)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := map[string]struct {
		d    time.Duration
		want string
	}{
		"a lead time of a day reads as hours": {24 * time.Hour, "24 h"},
		"two days and more read as days":      {50 * time.Hour, "2 d 2 h"},
		"minutes alone":                       {30 * time.Minute, "30 min"},
		"a whole minute":                      {time.Minute, "1 min"},
		"seconds round to the second":         {90*time.Second + 600*time.Millisecond, "1 min 31 s"},
		"sub-second":                          {300 * time.Millisecond, "0.3 s"},
		"negative":                            {-5 * time.Minute, "-5 min"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := FormatDuration(tc.d); got != tc.want {
				t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}

func TestIncidentsPerYear(t *testing.T) {
	tests := map[string]struct {
		availability float64
		mttr         time.Duration
		want         int
	}{
		"99.9 % with a 30 min MTTR absorbs 17 incidents": {99.9, 30 * time.Minute, 17},
		"99.99 % with a 30 min MTTR absorbs 1":           {99.99, 30 * time.Minute, 1},
		"99.999 % cannot absorb one 30 min incident":     {99.999, 30 * time.Minute, 0},
		"no MTTR target": {99.9, 0, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IncidentsPerYear(tc.availability, tc.mttr); got != tc.want {
				t.Errorf("IncidentsPerYear(%v, %v) = %d, want %d", tc.availability, tc.mttr, got, tc.want)
			}
		})
	}
}

func TestJudgeMilestone(t *testing.T) {
	start := time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)
	has := map[string]bool{"gitops": true, "lakehouse": true}
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }
	tests := map[string]struct {
		due   int
		caps  []string
		now   time.Time
		state MilestoneState
		date  string
		miss  []string
	}{
		"every capability present: done, even long before its day": {15, []string{"gitops"}, day(2026, 11, 24, 0), Done, "2027-01-25", nil},
		"every capability present: done after its day too":         {15, []string{"gitops", "lakehouse"}, day(2027, 6, 1, 0), Done, "2027-01-25", nil},
		"missing a capability before its due day: due":             {15, []string{"gitops", "slos"}, day(2027, 1, 20, 0), Due, "2027-01-25", []string{"slos"}},
		"missing one during its due day: still due":                {15, []string{"slos"}, day(2027, 1, 25, 23), Due, "2027-01-25", []string{"slos"}},
		"missing one once its due day is over: overdue":            {15, []string{"slos"}, day(2027, 1, 26, 0), Overdue, "2027-01-25", []string{"slos"}},
		"day 1 is the start date":                                  {1, []string{"slos", "auto-rollback", "slos"}, day(2027, 1, 12, 0), Overdue, "2027-01-11", []string{"auto-rollback", "slos"}},
		"a milestone that names nothing is done":                   {30, nil, day(2027, 3, 1, 0), Done, "2027-02-09", nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := JudgeMilestone(start, &model.Milestone{Due: tc.due, Capabilities: tc.caps}, has, tc.now)
			if got.State != tc.state {
				t.Errorf("state = %s, want %s", got.State, tc.state)
			}
			if d := got.DueDate.Format("2006-01-02"); d != tc.date {
				t.Errorf("due date = %s, want %s", d, tc.date)
			}
			if diff := cmp.Diff(tc.miss, got.Missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	tests := map[string]struct {
		p    Progress
		pct  int
		ok   bool
		text string
	}{
		"all done":                    {Progress{5, 5}, 100, true, "5 of 5 done (100 %)"},
		"none done":                   {Progress{0, 4}, 0, true, "0 of 4 done (0 %)"},
		"two of three rounds to 67":   {Progress{2, 3}, 67, true, "2 of 3 done (67 %)"},
		"one of three rounds to 33":   {Progress{1, 3}, 33, true, "1 of 3 done (33 %)"},
		"one of eight rounds 12.5→13": {Progress{1, 8}, 13, true, "1 of 8 done (13 %)"},
		"a phase without milestones":  {Progress{0, 0}, 0, false, "no milestones"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pct, ok := tc.p.Percent()
			if pct != tc.pct || ok != tc.ok {
				t.Errorf("Percent() = %d, %v; want %d, %v", pct, ok, tc.pct, tc.ok)
			}
			if s := tc.p.String(); s != tc.text {
				t.Errorf("String() = %q, want %q", s, tc.text)
			}
		})
	}
}

func TestUnits(t *testing.T) {
	tests := map[string]struct{ got, want string }{
		"memory in TiB":        {formatBytes(model.Bytes(3584 << 30)), "3.5 TiB"},
		"memory in GiB":        {formatBytes(model.Bytes(512 << 30)), "512 GiB"},
		"bandwidth in Gbps":    {formatBandwidth(model.Bandwidth(10e9)), "10 Gbps"},
		"bandwidth in Mbps":    {formatBandwidth(model.Bandwidth(400e6)), "400 Mbps"},
		"no bandwidth":         {formatBandwidth(0), ""},
		"cores":                {formatCPU(model.CPU(0.5)), "0.5"},
		"a percentage trimmed": {formatPercent(99.90), "99.9 %"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
