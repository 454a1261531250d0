// Package changewindow decides whether a change may be applied to an
// environment at a given time: never inside one of its freezes, and only
// inside one of its change windows when it declares any.
package changewindow

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

// Refusal says why a change may not be applied now.
type Refusal struct {
	Environment string `json:"environment"`
	// Freeze names the freeze the time falls in, when it does.
	Freeze string `json:"freeze,omitempty"`
	// Windows names the change windows, when the time is outside all of them.
	Windows []string `json:"windows,omitempty"`
	Reason  string   `json:"reason"`
}

func (r *Refusal) Error() string { return r.Reason }

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Check returns nil when a change to env may be applied at now, and the
// refusal otherwise. An error means the calendar itself cannot be read (a
// time zone this machine does not know, a malformed time).
func Check(env *model.Environment, now time.Time) (*Refusal, error) {
	for _, f := range env.Freezes {
		start, err := time.Parse(time.RFC3339, normalise(f.Start))
		if err != nil {
			return nil, fmt.Errorf("environment %s: freeze %q: start %q: %w", env.Name, f.Name, f.Start, err)
		}
		end, err := time.Parse(time.RFC3339, normalise(f.End))
		if err != nil {
			return nil, fmt.Errorf("environment %s: freeze %q: end %q: %w", env.Name, f.Name, f.End, err)
		}
		if !now.Before(start) && now.Before(end) {
			why := ""
			if f.Reason != "" {
				why = " (" + f.Reason + ")"
			}
			return &Refusal{
				Environment: env.Name, Freeze: f.Name,
				Reason: fmt.Sprintf("environment %s is frozen: freeze %q%s runs from %s to %s", env.Name, f.Name, why,
					start.Format(time.RFC3339), end.Format(time.RFC3339)),
			}, nil
		}
	}
	if len(env.ChangeWindows) == 0 {
		return nil, nil
	}
	var names []string
	for _, w := range env.ChangeWindows {
		open, err := inWindow(w, now)
		if err != nil {
			return nil, fmt.Errorf("environment %s: change window %q: %w", env.Name, w.Name, err)
		}
		if open {
			return nil, nil
		}
		names = append(names, fmt.Sprintf("%q (%s %s–%s %s)", w.Name, strings.Join(w.Days, ","), w.Start, w.End, w.Timezone))
	}
	return &Refusal{
		Environment: env.Name, Windows: windowNames(env.ChangeWindows),
		Reason: fmt.Sprintf("environment %s is outside its change windows at %s: changes are allowed in %s",
			env.Name, now.UTC().Format(time.RFC3339), strings.Join(names, ", ")),
	}, nil
}

func windowNames(ws []model.ChangeWindow) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Name)
	}
	return out
}

// normalise adds the seconds RFC 3339 requires when the spec left them out.
func normalise(s string) string {
	if len(s) >= 16 && (len(s) == 16 || s[16] != ':') {
		return s[:16] + ":00" + s[16:]
	}
	return s
}

// inWindow reports whether now falls in the window, in the window's time
// zone. A window whose end is not after its start runs past midnight into
// the next day; it belongs to the day it starts on.
func inWindow(w model.ChangeWindow, now time.Time) (bool, error) {
	loc := time.UTC
	if w.Timezone != "" && w.Timezone != "UTC" {
		var err error
		if loc, err = time.LoadLocation(w.Timezone); err != nil {
			return false, fmt.Errorf("time zone %q: %w", w.Timezone, err)
		}
	}
	start, err := minutes(w.Start)
	if err != nil {
		return false, err
	}
	end, err := minutes(w.End)
	if err != nil {
		return false, err
	}
	t := now.In(loc)
	at := t.Hour()*60 + t.Minute()
	opensOn := func(d time.Weekday) bool {
		return slices.ContainsFunc(w.Days, func(s string) bool { return weekdays[s] == d })
	}
	if start < end {
		return opensOn(t.Weekday()) && at >= start && at < end, nil
	}
	// Past midnight: open from start on an open day, or before end on the
	// day after one.
	return (opensOn(t.Weekday()) && at >= start) || (opensOn((t.Weekday()+6)%7) && at < end), nil
}

func minutes(hhmm string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("time of day %q: want HH:MM", hhmm)
	}
	return h*60 + m, nil
}
