package docs

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// Year is the period the reliability KPI's downtime is stated for: 365
// days, as the source document counts (99.9 % → 8 h 45 min a year).
const Year = 365 * 24 * time.Hour

// BudgetWindow is the period error budgets are shown for.
const BudgetWindow = 30 * 24 * time.Hour

// Downtime returns the longest unavailability an availability objective
// (a percentage) allows in period, to the millisecond. It is also the
// error budget of an availability SLO over that period.
func Downtime(availability float64, period time.Duration) time.Duration {
	switch {
	case availability >= 100:
		return 0
	case availability <= 0:
		return period
	}
	// (100 - a) / 100 keeps 99.9 exact where 1 - 0.999 would not be.
	ms := (100 - availability) / 100 * float64(period.Milliseconds())
	return time.Duration(math.Round(ms)) * time.Millisecond
}

// IncidentsPerYear is how many incidents, each recovered within mttr, the
// yearly downtime of an availability objective can absorb.
func IncidentsPerYear(availability float64, mttr time.Duration) int {
	if mttr <= 0 {
		return 0
	}
	return int(Downtime(availability, Year) / mttr)
}

// FormatDuration writes d for people: "8 h 45 min 36 s", "43 min 12 s",
// "24 h", "3 d 15 h 36 min", "25.9 s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	if d < time.Minute {
		s := strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64)
		return s + " s"
	}
	d = d.Round(time.Second)
	parts := []struct {
		unit string
		size time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}}
	var out []string
	for _, p := range parts {
		// Days only from two days on: a lead time of 24 h reads better
		// than 1 d.
		if p.unit == "d" && d < 48*time.Hour {
			continue
		}
		if n := d / p.size; n > 0 {
			out = append(out, fmt.Sprintf("%d %s", n, p.unit))
			d -= n * p.size
		}
	}
	return strings.Join(out, " ")
}

// seconds converts a spec duration.
func seconds(d model.Duration) time.Duration {
	return time.Duration(math.Round(d.Seconds()*1000)) * time.Millisecond
}

// MilestoneState is where a milestone stands at a given time.
type MilestoneState string

const (
	// Done: the spec has every capability the milestone names.
	Done MilestoneState = "done"
	// Due: not done, and its due day has not passed.
	Due MilestoneState = "due"
	// Overdue: not done, and its due day has passed (blueprint-schedule
	// warns about it).
	Overdue MilestoneState = "overdue"
)

// MilestoneStatus is a milestone judged at a time.
type MilestoneStatus struct {
	State MilestoneState
	// DueDate is the milestone's due day: blueprint start + due - 1 days.
	DueDate time.Time
	// Missing are the capabilities it names that the spec lacks, sorted.
	Missing []string
}

// JudgeMilestone judges m at now, given the blueprint's start (a date,
// midnight UTC) and the capabilities the spec has. It follows the
// blueprint-schedule policy: a milestone is done when the spec has every
// capability it names, and overdue once the whole of its due day lies
// before now.
func JudgeMilestone(start time.Time, m *model.Milestone, has map[string]bool, now time.Time) MilestoneStatus {
	st := MilestoneStatus{DueDate: start.AddDate(0, 0, m.Due-1)}
	for _, c := range m.Capabilities {
		if !has[c] {
			st.Missing = append(st.Missing, c)
		}
	}
	slices.Sort(st.Missing)
	st.Missing = slices.Compact(st.Missing)
	switch {
	case len(st.Missing) == 0:
		st.State = Done
	case !st.DueDate.Add(24 * time.Hour).After(now):
		st.State = Overdue
	default:
		st.State = Due
	}
	return st
}

// Progress counts the milestones of a phase (or a blueprint) done.
type Progress struct {
	Done, Total int
}

// Percent is the share done, rounded to a whole percent; ok is false when
// there are no milestones.
func (p Progress) Percent() (pct int, ok bool) {
	if p.Total == 0 {
		return 0, false
	}
	return int(math.Round(100 * float64(p.Done) / float64(p.Total))), true
}

// String writes "3 of 5 done (60 %)".
func (p Progress) String() string {
	pct, ok := p.Percent()
	if !ok {
		return "no milestones"
	}
	return fmt.Sprintf("%d of %d done (%d %%)", p.Done, p.Total, pct)
}

// formatPercent writes a percentage without trailing zeros: "99.9 %".
func formatPercent(p float64) string {
	return trimFloat(p) + " %"
}

func trimFloat(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}

// formatCPU writes cores: "496", "0.5".
func formatCPU(c model.CPU) string { return trimFloat(float64(c)) }

// formatBytes writes memory in binary units: "3.5 TiB", "512 GiB".
func formatBytes(b model.Bytes) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(b)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) + " " + units[i]
}

// formatBandwidth writes "10 Gbps"; empty for zero.
func formatBandwidth(b model.Bandwidth) string {
	if b == 0 {
		return ""
	}
	units := []struct {
		name string
		size float64
	}{{"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"Kbps", 1e3}}
	for _, u := range units {
		if float64(b) >= u.size {
			return trimFloat(float64(b)/u.size) + " " + u.name
		}
	}
	return trimFloat(float64(b)) + " bps"
}

// share is used/total as a percentage for bars, and whether it is over.
func share(used, total float64) (pct float64, over bool) {
	if total <= 0 {
		return 0, used > 0
	}
	return 100 * used / total, used > total
}
