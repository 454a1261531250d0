package validate

import (
	"fmt"
	"strings"
	"time"
	// The time zones a schedule may name are checked against Go's own
	// copy of the IANA database, so a check does not depend on the
	// machine's.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"

	"github.com/platc-dev/platc/compiler/diag"
	"github.com/platc-dev/platc/compiler/source"
)

// cronParser reads schedules as Kubernetes' CronJob controller does
// (robfig/cron's standard parser: five fields or a @macro).
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// schedule reports a pipeline schedule the CronJob controller would
// refuse, and a time zone that is no IANA zone.
func (c *refChecker) schedule(schedule, timeZone string, path ...string) {
	if schedule != "" {
		if strings.HasPrefix(strings.TrimSpace(schedule), "TZ=") || strings.HasPrefix(strings.TrimSpace(schedule), "CRON_TZ=") {
			c.invalid(append(path, "schedule"), fmt.Sprintf("schedule %q names its time zone in the expression, which Kubernetes refuses", schedule),
				"move the zone to timeZone (timeZone: \"Europe/Berlin\") and keep the five fields")
		} else if _, err := cronParser.Parse(schedule); err != nil {
			c.invalid(append(path, "schedule"), fmt.Sprintf("schedule %q is not a cron schedule: %v", schedule, err),
				"write five fields, minute hour day-of-month month day-of-week (\"0 3 * * *\" is 03:00 daily), or a macro: @hourly, @daily, @weekly, @monthly, @yearly")
		}
	}
	if timeZone != "" {
		if _, err := time.LoadLocation(timeZone); err != nil || timeZone == "Local" || strings.EqualFold(timeZone, "local") {
			c.invalid(append(path, "timeZone"), fmt.Sprintf("timeZone %q is not a time zone of the IANA database", timeZone),
				"name a zone such as \"UTC\", \"Europe/Berlin\" or \"America/New_York\"")
		}
	}
}

// invalid reports a schema error at path.
func (c *refChecker) invalid(path []string, msg, hint string) {
	pos, _ := c.pkg.Index.Lookup(path)
	c.ds = append(c.ds, diag.Diagnostic{
		Severity: diag.Error, Rule: RuleSchema, Pos: pos, Path: source.FormatPath(path),
		Message: source.FormatPath(path) + ": " + msg, Hint: hint,
	})
}

// maxCronJobName is the longest name Kubernetes takes for a CronJob: its
// Jobs add 11 characters to it.
const maxCronJobName = 52

// cronJob reports a pipeline platc runs as a CronJob whose name the API
// server would refuse, or that a service of the same team already takes
// in the team's namespace.
func (c *refChecker) cronJob(name, owner string) {
	if len(name) > maxCronJobName {
		c.invalid([]string{"data", "pipelines", name}, fmt.Sprintf("pipeline %s runs as a CronJob of the same name, and Kubernetes takes at most %d characters for one (it has %d)", name, maxCronJobName, len(name)),
			"shorten the pipeline's name")
	}
	if svc, ok := c.spec.Services[name]; ok && svc.Team == owner {
		c.invalid([]string{"data", "pipelines", name}, fmt.Sprintf("pipeline %s and service %s of team %s would both be named %s in the team's namespace", name, name, owner, name),
			"rename the pipeline or the service")
	}
}
