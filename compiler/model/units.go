package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
)

// Duration is a span of time as written in a spec ("5m", "24h", "1h30m",
// "7d"), normalised to seconds. It encodes to JSON as a number of seconds so
// that policies compare figures, not strings.
type Duration float64

// Seconds returns d in seconds.
func (d Duration) Seconds() float64 { return float64(d) }

var durationUnits = []struct {
	suffix  string
	seconds float64
}{
	{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400},
}

// ParseDuration parses the spec's duration syntax.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total float64
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, fmt.Errorf("invalid duration %q: want a number followed by ms, s, m, h, d or w", s)
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q: %v", s, err)
		}
		rest = rest[i:]
		matched := false
		for _, u := range durationUnits {
			if strings.HasPrefix(rest, u.suffix) && (u.suffix != "m" || !strings.HasPrefix(rest, "ms")) {
				total += n * u.seconds
				rest = rest[len(u.suffix):]
				matched = true
				break
			}
		}
		if !matched {
			return 0, fmt.Errorf("invalid duration %q: want a number followed by ms, s, m, h, d or w", s)
		}
	}
	return Duration(total), nil
}

// String formats d in the largest exact unit.
func (d Duration) String() string {
	ms := math.Round(float64(d) * 1000)
	if ms == 0 {
		return "0s"
	}
	for i := len(durationUnits) - 1; i >= 0; i-- {
		u := durationUnits[i]
		unit := math.Round(u.seconds * 1000)
		if ms >= unit && math.Mod(ms, unit) == 0 {
			return strconv.FormatFloat(ms/unit, 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(float64(d), 'f', -1, 64) + "s"
}

// UnmarshalCUE decodes a CUE duration string.
func (d *Duration) UnmarshalCUE(v cue.Value) error {
	s, err := v.String()
	if err != nil {
		return err
	}
	x, err := ParseDuration(s)
	*d = x
	return err
}

// UnmarshalJSON accepts seconds or the spec's string form.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		x, err := ParseDuration(s)
		*d = x
		return err
	}
	var f float64
	err := json.Unmarshal(b, &f)
	*d = Duration(f)
	return err
}

// Bytes is an amount of memory or storage normalised to bytes.
type Bytes int64

// MaxBytes is the largest amount of bytes a quantity may name, 1Ei: the
// schema's bound on a plain number, and far inside an int64.
const MaxBytes = 1 << 60

var byteSuffixes = []struct {
	suffix string
	mult   float64
}{
	{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"Ti", 1 << 40}, {"Pi", 1 << 50}, {"Ei", 1 << 60},
	{"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
}

// ParseBytes parses a Kubernetes-style quantity of bytes ("64Gi", "500M", "1024").
func ParseBytes(s string) (Bytes, error) {
	num, mult := s, 1.0
	for _, u := range byteSuffixes {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid quantity %q: want a number with an optional suffix such as Mi, Gi or Ti", s)
	}
	if b := math.Round(n * mult); b <= MaxBytes {
		return Bytes(b), nil
	}
	return 0, fmt.Errorf("quantity %q is too large: at most 1Ei (2^60 bytes)", s)
}

// String formats b with the largest binary suffix that divides it exactly.
func (b Bytes) String() string {
	for i := 5; i >= 0; i-- {
		u := byteSuffixes[i]
		if m := int64(u.mult); int64(b) >= m && int64(b)%m == 0 {
			return strconv.FormatInt(int64(b)/m, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// UnmarshalCUE decodes a CUE quantity: an int of bytes or a suffixed string.
func (b *Bytes) UnmarshalCUE(v cue.Value) error {
	if v.Kind() == cue.IntKind {
		n, err := v.Int64()
		*b = Bytes(n)
		return err
	}
	s, err := v.String()
	if err != nil {
		return err
	}
	x, err := ParseBytes(s)
	*b = x
	return err
}

// UnmarshalJSON accepts bytes or the spec's string form.
func (b *Bytes) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		x, err := ParseBytes(s)
		*b = x
		return err
	}
	var n int64
	err := json.Unmarshal(data, &n)
	*b = Bytes(n)
	return err
}

// CPU is an amount of CPU normalised to cores.
type CPU float64

// MaxCPU is the most cores a CPU amount may name, the schema's bound.
const MaxCPU = 1e6

// ParseCPU parses cores ("2", "0.5") or millicores ("500m").
func ParseCPU(s string) (CPU, error) {
	milli := strings.HasSuffix(s, "m")
	n, err := strconv.ParseFloat(strings.TrimSuffix(s, "m"), 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid CPU amount %q: want cores (2, 0.5) or millicores (500m)", s)
	}
	if milli {
		n /= 1000
	}
	if n > MaxCPU {
		return 0, fmt.Errorf("CPU amount %q is too large: at most %g cores", s, float64(MaxCPU))
	}
	return CPU(n), nil
}

// Milli returns c in millicores.
func (c CPU) Milli() int64 { return int64(math.Round(float64(c) * 1000)) }

// UnmarshalCUE decodes a CUE CPU amount.
func (c *CPU) UnmarshalCUE(v cue.Value) error {
	switch v.Kind() {
	case cue.IntKind, cue.FloatKind, cue.NumberKind:
		f, err := v.Float64()
		*c = CPU(f)
		return err
	}
	s, err := v.String()
	if err != nil {
		return err
	}
	x, err := ParseCPU(s)
	*c = x
	return err
}

// UnmarshalJSON accepts cores or the spec's string form.
func (c *CPU) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		x, err := ParseCPU(s)
		*c = x
		return err
	}
	var f float64
	err := json.Unmarshal(data, &f)
	*c = CPU(f)
	return err
}

// Bandwidth is a network bandwidth normalised to bits per second.
type Bandwidth float64

// ParseBandwidth parses "10Gbps", "400Mbps".
func ParseBandwidth(s string) (Bandwidth, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"Tbps", 1e12}, {"Gbps", 1e9}, {"Mbps", 1e6}, {"Kbps", 1e3}, {"bps", 1}}
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			n, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err != nil || n < 0 {
				break
			}
			return Bandwidth(n * u.mult), nil
		}
	}
	return 0, fmt.Errorf("invalid bandwidth %q: want a number followed by bps, Kbps, Mbps, Gbps or Tbps", s)
}

// UnmarshalCUE decodes a CUE bandwidth string.
func (b *Bandwidth) UnmarshalCUE(v cue.Value) error {
	s, err := v.String()
	if err != nil {
		return err
	}
	x, err := ParseBandwidth(s)
	*b = x
	return err
}

// UnmarshalJSON accepts bits per second or the spec's string form.
func (b *Bandwidth) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		x, err := ParseBandwidth(s)
		*b = x
		return err
	}
	var f float64
	err := json.Unmarshal(data, &f)
	*b = Bandwidth(f)
	return err
}
