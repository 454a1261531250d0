package changewindow

import (
	"strings"
	"testing"
	"time"

	"github.com/platc-dev/platc/compiler/model"
)

func TestCheck(t *testing.T) {
	office := model.ChangeWindow{Name: "office-hours", Days: []string{"mon", "tue", "wed", "thu"}, Start: "09:00", End: "16:00", Timezone: "Europe/Amsterdam"}
	night := model.ChangeWindow{Name: "night", Days: []string{"fri"}, Start: "22:00", End: "02:00", Timezone: "UTC"}
	freeze := model.Freeze{Name: "black-friday", Start: "2026-11-26T00:00:00Z", End: "2026-12-01T00:00Z", Reason: "sales peak"}
	tests := []struct {
		name    string
		windows []model.ChangeWindow
		freezes []model.Freeze
		now     string
		refused string // a part of the reason; "" when allowed
	}{
		{"no calendar", nil, nil, "2026-11-24T03:00:00Z", ""},
		{"inside freeze", nil, []model.Freeze{freeze}, "2026-11-27T12:00:00Z", `freeze "black-friday" (sales peak)`},
		{"freeze start is inclusive", nil, []model.Freeze{freeze}, "2026-11-26T00:00:00Z", "black-friday"},
		{"freeze end is exclusive", nil, []model.Freeze{freeze}, "2026-12-01T00:00:00Z", ""},
		{"freeze wins over an open window", []model.ChangeWindow{office}, []model.Freeze{freeze}, "2026-11-26T10:00:00Z", "frozen"},
		// Tuesday 2026-11-24, 09:30 in Amsterdam is 08:30 UTC.
		{"inside window in its time zone", []model.ChangeWindow{office}, nil, "2026-11-24T08:30:00Z", ""},
		{"before window in its time zone", []model.ChangeWindow{office}, nil, "2026-11-24T07:30:00Z", `outside its change windows`},
		{"window end is exclusive", []model.ChangeWindow{office}, nil, "2026-11-24T15:00:00Z", "office-hours"},
		{"closed day", []model.ChangeWindow{office}, nil, "2026-11-27T10:00:00Z", "office-hours"},
		{"past midnight, same day", []model.ChangeWindow{night}, nil, "2026-11-27T23:00:00Z", ""},
		{"past midnight, next day", []model.ChangeWindow{night}, nil, "2026-11-28T01:30:00Z", ""},
		{"past midnight, after end", []model.ChangeWindow{night}, nil, "2026-11-28T02:30:00Z", "night"},
		{"any of several windows", []model.ChangeWindow{office, night}, nil, "2026-11-27T22:30:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			env := &model.Environment{Name: "prod", ChangeWindows: tt.windows, Freezes: tt.freezes}
			r, err := Check(env, now)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.refused == "" && r != nil:
				t.Errorf("refused: %s", r.Reason)
			case tt.refused != "" && r == nil:
				t.Errorf("allowed, want a refusal mentioning %q", tt.refused)
			case r != nil && !strings.Contains(r.Reason, tt.refused):
				t.Errorf("reason %q does not mention %q", r.Reason, tt.refused)
			}
		})
	}
}

func TestCheckBadCalendar(t *testing.T) {
	env := &model.Environment{Name: "prod", ChangeWindows: []model.ChangeWindow{{Name: "w", Days: []string{"mon"}, Start: "09:00", End: "10:00", Timezone: "Mars/Olympus"}}}
	if _, err := Check(env, time.Now()); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Fatalf("err = %v, want one naming the time zone", err)
	}
}
