package docs

import (
	"cmp"
	"fmt"
	"html/template"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

type milestoneRow struct {
	Key, Title, Owner, DueDate, State, Anchor string
	Due                                       int
	Capabilities, Missing                     []string
	Findings                                  []*finding
}

type phaseRow struct {
	Key, Title, Days, Dates, Anchor string
	From, To                        int
	Goals                           []string
	Progress                        Progress
	Milestones                      []milestoneRow
	Findings                        []*finding
}

// Pct is the phase's share done, or -1 without milestones.
func (p phaseRow) Pct() int {
	pct, ok := p.Progress.Percent()
	if !ok {
		return -1
	}
	return pct
}

type blueprintView struct {
	Name, Start, End string
	Phases           []phaseRow
	Progress         Progress
	// Day is the day of the plan --now falls on (1 is the start).
	Day      int
	NowNote  string
	SVG      template.HTML
	Mermaid  string
	Findings []*finding
	// Counts of milestones by state.
	Done, Due, Overdue int
}

func (b *builder) blueprint() *blueprintView {
	bp := b.spec.Blueprint
	if bp == nil {
		return nil
	}
	v := &blueprintView{Name: bp.Name, Start: bp.Start, Findings: b.fx.at("blueprint")}
	start, err := time.Parse("2006-01-02", bp.Start)
	if err != nil {
		v.NowNote = fmt.Sprintf("The start date %q is not a date; milestones cannot be dated.", bp.Start)
	}
	now := b.in.Now.UTC()
	keys := slices.SortedFunc(maps.Keys(bp.Phases), func(x, y string) int {
		return cmp.Or(cmp.Compare(bp.Phases[x].From, bp.Phases[y].From), cmp.Compare(x, y))
	})
	lastDay := 90
	for _, key := range keys {
		ph := bp.Phases[key]
		row := phaseRow{
			Key: key, Title: cmp.Or(ph.Title, key), From: ph.From, To: ph.To, Goals: ph.Goals,
			Days: fmt.Sprintf("days %d–%d", ph.From, ph.To), Anchor: anchorID("phase", key),
			Findings: b.fx.at("blueprint", "phases", key),
		}
		lastDay = max(lastDay, ph.To)
		if err == nil {
			row.Dates = start.AddDate(0, 0, ph.From-1).Format("2006-01-02") + " to " + start.AddDate(0, 0, ph.To-1).Format("2006-01-02")
		}
		mkeys := slices.SortedFunc(maps.Keys(ph.Milestones), func(x, y string) int {
			return cmp.Or(cmp.Compare(ph.Milestones[x].Due, ph.Milestones[y].Due), cmp.Compare(x, y))
		})
		for _, mk := range mkeys {
			m := ph.Milestones[mk]
			st := JudgeMilestone(start, m, b.has, now)
			mr := milestoneRow{
				Key: mk, Title: cmp.Or(m.Title, mk), Owner: m.Owner, Due: m.Due, State: string(st.State),
				Capabilities: m.Capabilities, Missing: st.Missing, Anchor: anchorID("milestone", key, mk),
				Findings: b.fx.under("blueprint", "phases", key, "milestones", mk),
			}
			if err == nil {
				mr.DueDate = st.DueDate.Format("2006-01-02")
			}
			row.Progress.Total++
			v.Progress.Total++
			switch st.State {
			case Done:
				row.Progress.Done++
				v.Progress.Done++
				v.Done++
			case Due:
				v.Due++
			case Overdue:
				v.Overdue++
			}
			row.Milestones = append(row.Milestones, mr)
		}
		// Findings about the phase's own fields (from, to) stay on the phase.
		for _, f := range b.fx.under("blueprint", "phases", key) {
			if len(f.labels) > 3 && f.labels[3] != "milestones" {
				row.Findings = append(row.Findings, f)
			}
		}
		v.Phases = append(v.Phases, row)
	}
	if err == nil {
		v.End = start.AddDate(0, 0, lastDay-1).Format("2006-01-02")
		v.Day = int(math.Floor(now.Sub(start).Hours()/24)) + 1
		switch {
		case v.Day < 1:
			v.NowNote = fmt.Sprintf("As of %s the plan has not started: it starts on %s.", asOf(b.in.Now), bp.Start)
		case v.Day > lastDay:
			v.NowNote = fmt.Sprintf("As of %s the plan is over: it ended on %s (day %d).", asOf(b.in.Now), v.End, lastDay)
		default:
			v.NowNote = fmt.Sprintf("As of %s the plan is on day %d of %d.", asOf(b.in.Now), v.Day, lastDay)
		}
		v.SVG = template.HTML(gantt(v, start, lastDay))
		v.Mermaid = ganttMermaid(v)
	}
	return v
}

// Gantt chart layout, in user units of a 1200-wide view box.
const (
	ganttLabel = 330
	ganttRowH  = 26
	ganttTop   = 46
)

// gantt draws the phases as bars over the plan's days, the milestones as
// diamonds on their due days coloured by state, and --now as a line.
func gantt(v *blueprintView, start time.Time, days int) string {
	chartW := float64(svgWidth - ganttLabel - svgMargin)
	x := func(day float64) float64 { return ganttLabel + (day-1)/float64(days)*chartW }
	rows := 0
	for _, p := range v.Phases {
		rows += 1 + len(p.Milestones)
	}
	height := ganttTop + rows*ganttRowH + 30
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`+"\n", svgWidth, height, esc("Blueprint timeline"))
	fmt.Fprintf(&sb, "<title>%s</title>\n", esc(cmp.Or(v.Name, "Blueprint")+" timeline"))
	// Day ticks every ten days, with dates.
	for d := 1; d <= days; d += 10 {
		xx := x(float64(d))
		fmt.Fprintf(&sb, `<line class="tick" x1="%g" y1="%d" x2="%g" y2="%d"/><text class="tick-label" x="%g" y="16">day %d</text><text class="tick-label" x="%g" y="32">%s</text>`+"\n",
			xx, ganttTop-8, xx, height-20, xx+3, d, xx+3, start.AddDate(0, 0, d-1).Format("Jan 2"))
	}
	y := ganttTop
	for _, p := range v.Phases {
		pct := p.Pct()
		label := p.Title
		if pct >= 0 {
			label += fmt.Sprintf(" — %d %%", pct)
		}
		x1, x2 := x(float64(p.From)), x(float64(p.To+1))
		fmt.Fprintf(&sb, `<g class="phase" id="%s-bar"><text class="phase-label" x="%d" y="%d">%s</text><rect class="phase-bar" x="%g" y="%d" width="%g" height="%d" rx="4"/>`,
			esc(p.Anchor), svgMargin, y+17, esc(clip(label, 44)), x1, y+4, x2-x1, ganttRowH-8)
		if pct > 0 {
			fmt.Fprintf(&sb, `<rect class="phase-done" x="%g" y="%d" width="%g" height="%d" rx="4"/>`, x1, y+4, (x2-x1)*float64(pct)/100, ganttRowH-8)
		}
		sb.WriteString("</g>\n")
		y += ganttRowH
		for _, m := range p.Milestones {
			cx, cy := x(float64(m.Due)+0.5), float64(y+ganttRowH/2)
			fmt.Fprintf(&sb, `<g class="milestone state-%s" id="%s-mark"><title>%s: %s, due %s (day %d)</title><text class="milestone-label" x="%d" y="%d">%s</text><path d="M%g,%g l7,7 l-7,7 l-7,-7 z"/></g>`+"\n",
				esc(m.State), esc(m.Anchor), esc(m.Title), esc(m.State), esc(m.DueDate), m.Due, svgMargin+14, y+17, esc(clip(m.Title, 46)), cx, cy-7)
			y += ganttRowH
		}
	}
	if v.Day >= 1 && v.Day <= days {
		nx := x(float64(v.Day) + 0.5)
		fmt.Fprintf(&sb, `<line class="now" x1="%g" y1="%d" x2="%g" y2="%d"/><text class="now-label" x="%g" y="%d">now (day %d)</text>`+"\n", nx, ganttTop-8, nx, height-20, nx+4, height-6, v.Day)
	}
	sb.WriteString("</svg>")
	return sb.String()
}

// ganttMermaid draws the blueprint as a Mermaid Gantt chart.
func ganttMermaid(v *blueprintView) string {
	var sb strings.Builder
	sb.WriteString("```mermaid\ngantt\n")
	fmt.Fprintf(&sb, "  title %s\n  dateFormat YYYY-MM-DD\n  axisFormat %%b %%d\n  todayMarker off\n", ganttText(cmp.Or(v.Name, "90-day blueprint")))
	start, _ := time.Parse("2006-01-02", v.Start)
	for _, p := range v.Phases {
		pct := p.Pct()
		fmt.Fprintf(&sb, "  section %s\n", ganttText(p.Title))
		tag := ""
		switch {
		case pct == 100:
			tag = "done, "
		case pct > 0:
			tag = "active, "
		}
		share := "no milestones"
		if pct >= 0 {
			share = fmt.Sprintf("%d %% done", pct)
		}
		fmt.Fprintf(&sb, "    %s (%s) :%s%s, %s, %dd\n", ganttText(p.Key), share, tag, mermaidID("p_"+p.Key), start.AddDate(0, 0, p.From-1).Format("2006-01-02"), p.To-p.From+1)
		for _, m := range p.Milestones {
			tag := "milestone"
			switch m.State {
			case string(Done):
				tag += ", done"
			case string(Overdue):
				tag += ", crit"
			case string(Due):
				tag += ", active"
			}
			fmt.Fprintf(&sb, "    %s (%s) :%s, %s, 0d\n", ganttText(m.Title), m.State, tag, m.DueDate)
		}
	}
	sb.WriteString("```\n")
	return sb.String()
}
