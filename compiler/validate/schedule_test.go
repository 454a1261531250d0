package validate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPipelineSchedules: a schedule or time zone the CronJob controller
// would refuse, and a pipeline platc cannot name as a CronJob, are errors
// at their fields when the spec is decoded (check, render).
func TestPipelineSchedules(t *testing.T) {
	long := strings.Repeat("p", 53)
	spec := `package demo

data: pipelines: {
	nightly: {owner: "platform", mode: "batch", schedule: "0 1 * * *", timeZone: "Europe/Berlin"}
	weekly: {owner: "platform", mode: "batch", schedule: "@weekly"}
	sixfields: {owner: "platform", mode: "batch", schedule: "0 0 1 * * *"}
	words: {owner: "platform", mode: "batch", schedule: "every night"}
	zoned: {owner: "platform", mode: "batch", schedule: "CRON_TZ=UTC 0 1 * * *"}
	nowhere: {owner: "platform", mode: "batch", schedule: "0 1 * * *", timeZone: "Mars/Olympus"}
	local: {owner: "platform", mode: "batch", schedule: "0 1 * * *", timeZone: "Local"}
	"` + long + `": {owner: "platform", mode: "batch", schedule: "@daily", image: ` + image + `}
	"` + long[:52] + `": {owner: "platform", mode: "batch", schedule: "@daily", image: ` + image + `}
	api: {owner: "platform", mode: "batch", schedule: "@daily", image: ` + image + `}
}
services: api: {team: "platform", kind: "api", image: ` + image + `}
`
	hint := "write five fields, minute hour day-of-month month day-of-week"
	got := formatDiags(schemaDiags(t, spec, true))
	want := []string{
		`b.cue:6:48: data.pipelines.sixfields.schedule: schedule "0 0 1 * * *" is not a cron schedule: expected exactly 5 fields, found 6: [0 0 1 * * *]`,
		`b.cue:7:44: data.pipelines.words.schedule: schedule "every night" is not a cron schedule: expected exactly 5 fields, found 2: [every night]`,
		`b.cue:8:44: data.pipelines.zoned.schedule: schedule "CRON_TZ=UTC 0 1 * * *" names its time zone in the expression, which Kubernetes refuses`,
		`b.cue:9:69: data.pipelines.nowhere.timeZone: timeZone "Mars/Olympus" is not a time zone of the IANA database`,
		`b.cue:10:67: data.pipelines.local.timeZone: timeZone "Local" is not a time zone of the IANA database`,
		`b.cue:11:2: data.pipelines.` + long + `: pipeline ` + long + ` runs as a CronJob of the same name, and Kubernetes takes at most 52 characters for one (it has 53)`,
		`b.cue:13:2: data.pipelines.api: pipeline api and service api of team platform would both be named api in the team's namespace`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors differ (-want +got):\n%s", diff)
	}
	for _, d := range schemaDiags(t, spec, true) {
		if strings.Contains(d.Message, "not a cron schedule") && !strings.Contains(d.Hint, hint) {
			t.Errorf("%s: hint %q", d.Message, d.Hint)
		}
	}
}
