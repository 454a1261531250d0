package suggest

import "testing"

func TestClosest(t *testing.T) {
	tests := map[string]struct {
		s          string
		candidates []string
		want       string
	}{
		"a case slip":          {"oncall", []string{"owners", "onCall", "quotas"}, "onCall"},
		"a dropped letter":     {"objectve", []string{"kind", "objective", "window"}, "objective"},
		"plural":               {"team", []string{"platform", "teams", "services"}, "teams"},
		"nothing close enough": {"zzz", []string{"platform", "teams"}, ""},
		"no candidates":        {"x", nil, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Closest(tt.s, tt.candidates); got != tt.want {
				t.Errorf("Closest(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}
