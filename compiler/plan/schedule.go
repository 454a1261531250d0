package plan

import (
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser reads schedules as Kubernetes' CronJob controller does.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// gapEpoch is where LongestGap starts counting, so that the same schedule
// always gives the same answer.
var gapEpoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// LongestGap is the longest time between two consecutive runs of a cron
// schedule read in timeZone (UTC when empty), over four years and a month
// of runs (at most 5,000, as many as the pattern needs to repeat): a monthly schedule's 31 days, a weekly
// one's 7, "*/30 * * * *"'s 30 minutes. It is 0 for a schedule that does
// not parse (validation reports it) or never runs.
func LongestGap(schedule, timeZone string) time.Duration {
	s, err := cronParser.Parse(schedule)
	if err != nil {
		return 0
	}
	loc := time.UTC
	if timeZone != "" {
		if l, err := time.LoadLocation(timeZone); err == nil {
			loc = l
		}
	}
	end := gapEpoch.AddDate(4, 1, 0)
	prev := s.Next(gapEpoch.In(loc))
	var longest time.Duration
	for range 5000 {
		if prev.IsZero() || prev.After(end) {
			break
		}
		next := s.Next(prev)
		if next.IsZero() {
			break
		}
		longest = max(longest, next.Sub(prev))
		prev = next
	}
	return longest
}
