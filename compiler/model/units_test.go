package model

import (
	"encoding/json"
	"testing"
)

func TestParseDuration(t *testing.T) {
	tests := map[string]struct {
		in      string
		seconds float64
		bad     bool
	}{
		"milliseconds":         {in: "300ms", seconds: 0.3},
		"minutes":              {in: "5m", seconds: 300},
		"a day in hours":       {in: "24h", seconds: 86400},
		"days":                 {in: "7d", seconds: 7 * 86400},
		"weeks":                {in: "2w", seconds: 14 * 86400},
		"combined units":       {in: "1h30m", seconds: 5400},
		"fractions":            {in: "1.5h", seconds: 5400},
		"no unit is an error":  {in: "30", bad: true},
		"unknown unit":         {in: "3y", bad: true},
		"empty":                {in: "", bad: true},
		"a unit without value": {in: "h", bad: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d, err := ParseDuration(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("ParseDuration(%q) = %v, want an error", tt.in, d)
				}
				return
			}
			if err != nil || d.Seconds() != tt.seconds {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v seconds", tt.in, d, err, tt.seconds)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	for in, want := range map[string]string{"300ms": "300ms", "90s": "90s", "5m": "5m", "24h": "1d", "1h30m": "90m", "14d": "2w"} {
		d, err := ParseDuration(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	tests := map[string]struct {
		in  string
		out Bytes
		bad bool
	}{
		"binary gibibytes": {in: "64Gi", out: 64 << 30},
		"mebibytes":        {in: "512Mi", out: 512 << 20},
		"decimal":          {in: "500M", out: 500e6},
		"plain bytes":      {in: "1024", out: 1024},
		"fractional":       {in: "1.5Gi", out: 3 << 29},
		"negative":         {in: "-1Gi", bad: true},
		"garbage":          {in: "lots", bad: true},
		"1Ei":              {in: "1Ei", out: 1 << 60},
		"past 1Ei":         {in: "1.5Ei", bad: true},
		"overflowing":      {in: "99999999999999Ei", bad: true},
		"infinite":         {in: "1e999Gi", bad: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := ParseBytes(tt.in)
			if tt.bad != (err != nil) || !tt.bad && b != tt.out {
				t.Fatalf("ParseBytes(%q) = %d, %v; want %d (error: %v)", tt.in, b, err, tt.out, tt.bad)
			}
		})
	}
	if got := Bytes(64 << 30).String(); got != "64Gi" {
		t.Errorf("String() = %q, want 64Gi", got)
	}
}

func TestParseCPUAndBandwidth(t *testing.T) {
	for in, want := range map[string]float64{"500m": 0.5, "2": 2, "0.25": 0.25, "1500m": 1.5} {
		c, err := ParseCPU(in)
		if err != nil || float64(c) != want {
			t.Errorf("ParseCPU(%q) = %v, %v; want %v", in, c, err, want)
		}
	}
	for _, in := range []string{"fast", "1000001", "99999999999999999999", "2000000000m"} {
		if c, err := ParseCPU(in); err == nil {
			t.Errorf("ParseCPU(%q) = %v, want an error", in, c)
		}
	}
	if c := CPU(0.5); c.Milli() != 500 {
		t.Errorf("Milli() = %d", c.Milli())
	}
	for in, want := range map[string]float64{"10Gbps": 10e9, "400Mbps": 400e6, "1Tbps": 1e12} {
		b, err := ParseBandwidth(in)
		if err != nil || float64(b) != want {
			t.Errorf("ParseBandwidth(%q) = %v, %v; want %v", in, b, err, want)
		}
	}
	if _, err := ParseBandwidth("10G"); err == nil {
		t.Error("ParseBandwidth(10G) succeeded")
	}
}

func TestUnitsJSON(t *testing.T) {
	// The normalised JSON (the policy input) holds numbers; the spec's
	// string forms are accepted on the way in.
	var v struct {
		D Duration  `json:"d"`
		B Bytes     `json:"b"`
		C CPU       `json:"c"`
		W Bandwidth `json:"w"`
	}
	if err := json.Unmarshal([]byte(`{"d":"5m","b":"1Gi","c":"250m","w":"1Gbps"}`), &v); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"d":300,"b":1073741824,"c":0.25,"w":1000000000}`; got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}
