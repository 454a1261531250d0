package plan

import "time"

// parseTime reads the spec's RFC 3339 timestamps, which may leave out the
// seconds ("2027-11-08T00:00Z").
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Parse(time.RFC3339, s)
}
