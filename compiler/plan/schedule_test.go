package plan

import (
	"testing"
	"time"
)

func TestLongestGap(t *testing.T) {
	for _, tc := range []struct {
		schedule, zone string
		want           time.Duration
	}{
		{"*/30 * * * *", "", 30 * time.Minute},
		{"0 */6 * * *", "", 6 * time.Hour},
		{"0 1 * * *", "", 24 * time.Hour},
		{"@daily", "", 24 * time.Hour},
		{"0 4 * * 0", "", 7 * 24 * time.Hour},
		{"0 9 * * 1-5", "", 3 * 24 * time.Hour},       // Friday to Monday
		{"* 0 * * *", "", 23*time.Hour + time.Minute}, // every minute of hour 0
		{"0 0 1 * *", "", 31 * 24 * time.Hour},
		{"@yearly", "", 366 * 24 * time.Hour}, // 2028 to 2029: 2028 is a leap year
		// A daily run in a zone with summer time: 02:30 does not exist on
		// the day the clocks go forward, and the run that day is skipped
		// (as Kubernetes skips it).
		{"30 2 * * *", "Europe/Berlin", 47 * time.Hour},
		{"0 12 * * *", "Europe/Berlin", 25 * time.Hour}, // autumn's long day
		{"not a schedule", "", 0},
		{"0 0 30 2 *", "", 0}, // 30 February never comes
	} {
		if got := LongestGap(tc.schedule, tc.zone); got != tc.want {
			t.Errorf("LongestGap(%q, %q) = %v, want %v", tc.schedule, tc.zone, got, tc.want)
		}
	}
}
