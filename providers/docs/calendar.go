package docs

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

type changeRow struct {
	ID, Date, Env, System, Type, Impact, Rollback, Status, Owner, Anchor string
	Findings                                                             []*finding
}

type freezeRow struct {
	Env, Name, Start, End, Reason string
	start, end                    time.Time
}

type windowRow struct {
	Name, Days, Hours, TZ string
}

// envCalendar is one environment's windows and freezes.
type envCalendar struct {
	Env, Tier, Anchor string
	Windows           []windowRow
	Freezes           []freezeRow
	Findings          []*finding
}

type dayChange struct {
	ID, Anchor, Status, Env string
}

type calDay struct {
	// N is the day of the month; 0 pads the first and last week.
	N       int
	Date    string
	Frozen  []string
	Changes []dayChange
	// Open are the environments with a change window that day (and no
	// freeze); environments without windows are open every day.
	Open    []string
	Today   bool
	Weekend bool
}

type calMonth struct {
	Title string
	Weeks [][]calDay
}

type calendarView struct {
	Changes []changeRow
	Envs    []envCalendar
	Months  []calMonth
	// MonthsNote says when months without events were left out.
	MonthsNote string
	Mermaid    string
}

var weekdays = map[string]string{"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}

// maxMonths is the longest stretch of months the month view shows in
// full; a longer calendar shows only the months with something in them.
const maxMonths = 24

func (b *builder) calendar() calendarView {
	s := b.spec
	var v calendarView
	now := b.in.Now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first, last := today, today
	stretch := func(t time.Time) {
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	byDay := map[string][]dayChange{}
	if s.Governance != nil {
		ids := slices.SortedFunc(maps.Keys(s.Governance.Changes), func(x, y string) int {
			return cmp.Or(cmp.Compare(s.Governance.Changes[x].Date, s.Governance.Changes[y].Date), cmp.Compare(x, y))
		})
		for _, id := range ids {
			c := s.Governance.Changes[id]
			row := changeRow{
				ID: id, Date: c.Date, Env: c.Environment, System: c.System, Type: c.Type, Impact: c.Impact,
				Rollback: c.RollbackPlan, Status: c.Status, Owner: c.Owner, Anchor: anchorID("change", id),
				Findings: b.fx.under("governance", "changes", id),
			}
			v.Changes = append(v.Changes, row)
			if d, err := time.Parse("2006-01-02", c.Date); err == nil {
				stretch(d)
				byDay[c.Date] = append(byDay[c.Date], dayChange{ID: id, Anchor: row.Anchor, Status: c.Status, Env: c.Environment})
			}
		}
	}
	var freezes []freezeRow
	// windowDays: the weekdays each environment with windows is open.
	type envDays struct {
		env  string
		days map[string]bool
	}
	var windowDays []envDays
	for _, name := range slices.SortedFunc(maps.Keys(s.Environments), func(x, y string) int {
		return cmp.Or(cmp.Compare(tierRank(s.Environments[x].Tier), tierRank(s.Environments[y].Tier)), cmp.Compare(x, y))
	}) {
		e := s.Environments[name]
		ec := envCalendar{Env: name, Tier: e.Tier, Anchor: anchorID("windows", name)}
		ec.Findings = append(b.fx.under("environments", name, "changeWindows"), b.fx.under("environments", name, "freezes")...)
		ed := envDays{env: name, days: map[string]bool{}}
		for _, w := range e.ChangeWindows {
			var days []string
			for _, d := range w.Days {
				days = append(days, cmp.Or(weekdays[d], d))
				ed.days[d] = true
			}
			ec.Windows = append(ec.Windows, windowRow{Name: w.Name, Days: strings.Join(days, ", "), Hours: w.Start + "–" + w.End, TZ: w.Timezone})
		}
		for _, f := range e.Freezes {
			fr := freezeRow{Env: name, Name: f.Name, Start: f.Start, End: f.End, Reason: f.Reason}
			var err1, err2 error
			fr.start, err1 = time.Parse(time.RFC3339, f.Start)
			fr.end, err2 = time.Parse(time.RFC3339, f.End)
			if err1 == nil && err2 == nil {
				stretch(fr.start)
				stretch(fr.end.Add(-time.Nanosecond))
				freezes = append(freezes, fr)
			}
			ec.Freezes = append(ec.Freezes, fr)
		}
		if len(ed.days) > 0 {
			windowDays = append(windowDays, ed)
		}
		if len(ec.Windows) > 0 || len(ec.Freezes) > 0 || len(ec.Findings) > 0 {
			v.Envs = append(v.Envs, ec)
		}
	}

	// The month view.
	frozenOn := func(day time.Time) []string {
		var out []string
		for _, f := range freezes {
			if day.Before(f.end) && day.Add(24*time.Hour).After(f.start) {
				out = append(out, f.Name+" ("+f.Env+")")
			}
		}
		return out
	}
	openOn := func(day time.Time) []string {
		var out []string
		wd := strings.ToLower(day.Weekday().String()[:3])
		for _, ed := range windowDays {
			if !ed.days[wd] {
				continue
			}
			frozen := false
			for _, f := range freezes {
				frozen = frozen || f.Env == ed.env && day.Before(f.end) && day.Add(24*time.Hour).After(f.start)
			}
			if !frozen {
				out = append(out, ed.env)
			}
		}
		return out
	}
	start := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	var months []time.Time
	for m := start; !m.After(end); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	if len(months) > maxMonths {
		var busy []time.Time
		for _, m := range months {
			next := m.AddDate(0, 1, 0)
			hit := m.Year() == today.Year() && m.Month() == today.Month()
			for d := m; !hit && d.Before(next); d = d.AddDate(0, 0, 1) {
				hit = len(byDay[d.Format("2006-01-02")]) > 0 || len(frozenOn(d)) > 0
			}
			if hit {
				busy = append(busy, m)
			}
		}
		v.MonthsNote = fmt.Sprintf("The calendar spans %d months; only the %d months with changes or freezes (and this month) are shown.", len(months), len(busy))
		months = busy
	}
	for _, m := range months {
		cm := calMonth{Title: m.Format("January 2006")}
		var week []calDay
		// Weeks start on Monday.
		for pad := (int(m.Weekday()) + 6) % 7; pad > 0; pad-- {
			week = append(week, calDay{})
		}
		for d := m; d.Month() == m.Month(); d = d.AddDate(0, 0, 1) {
			key := d.Format("2006-01-02")
			week = append(week, calDay{
				N: d.Day(), Date: key, Frozen: frozenOn(d), Changes: byDay[key], Open: openOn(d), Today: d.Equal(today),
				Weekend: d.Weekday() == time.Saturday || d.Weekday() == time.Sunday,
			})
			if len(week) == 7 {
				cm.Weeks = append(cm.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, calDay{})
			}
			cm.Weeks = append(cm.Weeks, week)
		}
		v.Months = append(v.Months, cm)
	}
	v.Mermaid = calendarMermaid(v, freezes, asOf(b.in.Now))
	return v
}

func tierRank(t string) int {
	if r, ok := tierOrder[t]; ok {
		return r
	}
	return 9
}

// calendarMermaid draws the freezes as bars and the changes as milestones
// on a Mermaid Gantt chart, one section per environment.
func calendarMermaid(v calendarView, freezes []freezeRow, asOf string) string {
	if len(v.Changes) == 0 && len(freezes) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteString("```mermaid\ngantt\n")
	fmt.Fprintf(&sb, "  title Changes and freezes (as of %s)\n  dateFormat YYYY-MM-DD\n  axisFormat %%Y-%%m-%%d\n  todayMarker off\n", asOf)
	envs := map[string]bool{}
	for _, c := range v.Changes {
		envs[c.Env] = true
	}
	for _, f := range freezes {
		envs[f.Env] = true
	}
	for _, env := range slices.Sorted(maps.Keys(envs)) {
		fmt.Fprintf(&sb, "  section %s\n", ganttText(env))
		for _, f := range freezes {
			if f.Env != env {
				continue
			}
			days := int(f.end.Sub(f.start).Hours()/24 + 0.999)
			fmt.Fprintf(&sb, "    freeze %s :crit, %s, %dd\n", ganttText(f.Name), f.start.Format("2006-01-02"), max(days, 1))
		}
		for _, c := range v.Changes {
			if c.Env != env {
				continue
			}
			tag := "milestone"
			switch c.Status {
			case "done":
				tag = "milestone, done"
			case "in-progress":
				tag = "milestone, active"
			}
			if len(c.Findings) > 0 {
				tag += ", crit"
			}
			fmt.Fprintf(&sb, "    %s (%s) :%s, %s, 0d\n", ganttText(c.ID), ganttText(c.Status), tag, c.Date)
		}
	}
	sb.WriteString("```\n")
	return sb.String()
}

// ganttText removes what ends a Mermaid Gantt task name.
func ganttText(s string) string {
	return strings.NewReplacer(":", " -", "#", "", ";", ",", "\n", " ").Replace(s)
}
