package kubeyaml

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// viaJSON is the reference Encode is held to: the object marshalled by
// encoding/json (without HTML escaping), and that JSON converted.
func viaJSON(t testing.TB, o any) (string, error) {
	t.Helper()
	var j bytes.Buffer
	enc := json.NewEncoder(&j)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(o); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := NewEncoder().write(&b, j.Bytes()); err != nil {
		t.Fatalf("the JSON of %#v does not convert: %v\n%s", o, err, j.Bytes())
	}
	return b.String(), nil
}

// write converts one JSON document to YAML, through the parser Encode
// uses for marshalers' output.
func (e *Encoder) write(b *bytes.Buffer, j []byte) error {
	e.reset()
	root, err := e.parseDocument(j)
	if err != nil {
		return err
	}
	e.emit(b, root)
	return nil
}

func direct(o any) (string, error) {
	var b bytes.Buffer
	err := NewEncoder().Encode(&b, o)
	return b.String(), err
}

// sameAsJSON fails the test when Encode and the reference disagree.
func sameAsJSON(t *testing.T, name string, o any) {
	t.Helper()
	want, werr := viaJSON(t, o)
	got, gerr := direct(o)
	if (werr != nil) != (gerr != nil) {
		t.Errorf("%s: error %v, encoding/json's %v", name, gerr, werr)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: (-via JSON +direct):\n%s", name, diff)
	}
}

type inner struct {
	A string `json:"a,omitempty"`
	B int    `json:"b"`
}

type Promoted struct {
	P      string `json:"p"`
	Shared string `json:"shared"`
	Hidden string
}

type Other struct {
	Shared string `json:"shared"` // at the same depth as Promoted's: both dropped
	Deep   string `json:"deep"`
}

type hidden struct {
	FromUnexported string `json:"fromUnexported"`
}

type zeroer struct{ n int }

func (z zeroer) IsZero() bool { return z.n < 0 }

type ptrZeroer struct{ N int }

func (z *ptrZeroer) IsZero() bool { return z.N == 7 }

type valueText struct{ s string }

func (v valueText) MarshalText() ([]byte, error) { return []byte("text:" + v.s), nil }

type ptrJSON struct{ N int }

func (p *ptrJSON) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]int{"ptr": p.N}) }

type textKey int

func (k textKey) MarshalText() ([]byte, error) { return []byte("k" + string(rune('a'+k))), nil }

type kitchen struct {
	Promoted
	*Other
	hidden
	Direct      string            `json:"direct"`
	Hidden      string            `json:"hiddenTagged"` // dominates Promoted.Hidden by depth
	Skipped     string            `json:"-"`
	Dash        string            `json:"-,"`
	NoTag       int               // named by the field
	BadTag      string            `json:"a\"b"`
	Empty       string            `json:",omitempty"`
	Slice       []inner           `json:"slice"`
	NilSlice    []inner           `json:"nilSlice"`
	OmitSlice   []inner           `json:"omitSlice,omitempty"`
	Map         map[string]any    `json:"map"`
	IntKeys     map[int]string    `json:"intKeys"`
	TextKeys    map[textKey]bool  `json:"textKeys"`
	Bytes       []byte            `json:"bytes"`
	Array       [3]uint8          `json:"array"`
	Float       float64           `json:"float"`
	Small       float32           `json:"small"`
	Big         float64           `json:"big"`
	Tiny        float64           `json:"tiny"`
	Number      json.Number       `json:"number"`
	Quoted      int               `json:"quoted,string"`
	QuotedStr   string            `json:"quotedStr,string"`
	QuotedPtr   *bool             `json:"quotedPtr,string"`
	Zero        zeroer            `json:"zero,omitzero"`
	NotZero     zeroer            `json:"notZero,omitzero"`
	PtrZero     ptrZeroer         `json:"ptrZero,omitzero"`
	PlainZero   inner             `json:"plainZero,omitzero"`
	Text        valueText         `json:"text"`
	PtrJSON     ptrJSON           `json:"ptrJSON"`
	PtrJSONPtr  *ptrJSON          `json:"ptrJSONPtr"`
	NilJSON     *ptrJSON          `json:"nilJSON"`
	Any         any               `json:"any"`
	NilAny      any               `json:"nilAny"`
	MapOfPtr    map[string]*inner `json:"mapOfPtr"`
	MapJSON     map[string]ptrJSON
	Uint        uint64 `json:"uint"`
	Neg         int8   `json:"neg"`
	Strings     []string
	Unicode     string
	Controls    string
	Multiline   string
	NotBlock    string
	unexported  string
	Interface   json.Marshaler `json:"iface"`
	NilIface    json.Marshaler `json:"nilIface"`
	TimeZero    metav1.Time    `json:"timeZero"`
	TimeSet     metav1.Time    `json:"timeSet"`
	Quantity    resource.Quantity
	QuantityPtr *resource.Quantity
	IntOrString []intstr.IntOrString
}

func kitchenSink() kitchen {
	yes := true
	return kitchen{
		Promoted:    Promoted{P: "p", Shared: "lost", Hidden: "lost too"},
		Other:       &Other{Shared: "lost", Deep: "deep"},
		hidden:      hidden{FromUnexported: "promoted"},
		Direct:      "direct",
		Hidden:      "tagged",
		Skipped:     "never",
		Dash:        "dash",
		NoTag:       3,
		BadTag:      "named by the field",
		Slice:       []inner{{A: "x", B: 1}, {B: 2}},
		OmitSlice:   []inner{},
		Map:         map[string]any{"z": 1.5, "a": []any{"s", nil, true}, "m": map[string]any{}, "yes": "no"},
		IntKeys:     map[int]string{10: "ten", 2: "two", -1: "minus one"},
		TextKeys:    map[textKey]bool{0: true, 2: false},
		Bytes:       []byte("hello\x00world"),
		Array:       [3]uint8{1, 2, 3},
		Float:       0.1,
		Small:       float32(1) / 3,
		Big:         1e21,
		Tiny:        1e-7,
		Number:      "12.50",
		Quoted:      42,
		QuotedStr:   `say "<hi>"`,
		QuotedPtr:   &yes,
		Zero:        zeroer{-1},
		NotZero:     zeroer{0},
		PtrZero:     ptrZeroer{7},
		Text:        valueText{"v"},
		PtrJSON:     ptrJSON{1},
		PtrJSONPtr:  &ptrJSON{2},
		Any:         &inner{A: "in an interface"},
		MapOfPtr:    map[string]*inner{"b": {B: 1}, "a": nil},
		MapJSON:     map[string]ptrJSON{"x": {3}}, // not addressable: no MarshalJSON
		Uint:        math.MaxUint64,
		Neg:         -128,
		Strings:     []string{"", "yes", "10", "a: b", "x #y", "- x", "./rel", "a > b && c < d", " lead", "trail "},
		Unicode:     "Ünïcode \u2028 \ufffd \x85 \x7f",
		Controls:    "\x01\b\f\t\r\x1f",
		Multiline:   "sum(rate(x[5m]))\n/\nsum(rate(y[5m]))\n",
		NotBlock:    "line\n  \n",
		unexported:  "never",
		Interface:   &ptrJSON{4},
		TimeSet:     metav1.NewTime(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)),
		Quantity:    resource.MustParse("1500m"),
		QuantityPtr: resource.NewQuantity(2<<30, resource.BinarySI),
		IntOrString: []intstr.IntOrString{intstr.FromInt32(8080), intstr.FromString("http"), intstr.FromString("a > b\nor c")},
	}
}

// TestEncodeMatchesJSON: walking a value writes what converting its
// encoding/json output writes, for every rule encoding/json has.
func TestEncodeMatchesJSON(t *testing.T) {
	k := kitchenSink()
	replicas := int32(3)
	for name, o := range map[string]any{
		"kitchen sink":               &k,
		"kitchen sink by value":      k, // not addressable: pointer methods are not called
		"nil pointer":                (*kitchen)(nil),
		"nil":                        nil,
		"string":                     "top",
		"slice of maps":              []map[string]int{{"b": 1, "a": 2}, nil},
		"empty embedded pointer":     &kitchen{},
		"deployment":                 deployment(replicas),
		"prometheus rule":            prometheusRule(),
		"status kept below the top":  map[string]any{"spec": map[string]any{"status": "x"}, "status": "dropped"},
		"json numbers":               []json.Number{"0", "-1.5e10"},
		"float32 exponent":           []float32{1e-7, 1e21, 0, -0.5},
		"interface holding a number": []any{json.Number("7"), 3, uint8(4), 2.5},
	} {
		sameAsJSON(t, name, o)
	}
}

// TestEncodeErrors: what encoding/json refuses, Encode refuses too.
func TestEncodeErrors(t *testing.T) {
	for name, o := range map[string]any{
		"NaN":               map[string]float64{"x": math.NaN()},
		"infinity":          []float64{math.Inf(1)},
		"channel":           map[string]any{"c": make(chan int)},
		"function":          []any{func() {}},
		"bad number":        json.Number("1x"),
		"struct key":        map[inner]int{{}: 1},
		"bad marshaler":     badJSON{},
		"failing marshaler": failing{},
	} {
		if _, err := viaJSON(t, o); err == nil {
			t.Fatalf("%s: encoding/json accepts it", name)
		}
		if got, err := direct(o); err == nil {
			t.Errorf("%s: no error; wrote %q", name, got)
		}
	}
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errFailing }

var errFailing = &json.UnsupportedValueError{Str: "failing"}

func deployment(replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "api", Namespace: "team", Labels: map[string]string{"b": "2", "a": "1"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "api"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "api"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "api",
					Image: "registry.example/api:1.2.3",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Resources: corev1.ResourceRequirements{
						Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("1Gi"), "nvidia.com/gpu": resource.MustParse("1")},
					},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}}},
				}}},
			},
			Strategy: appsv1.DeploymentStrategy{RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: ptr.To(intstr.FromString("25%")), MaxUnavailable: ptr.To(intstr.FromInt32(0))}},
		},
	}
}

func prometheusRule() *monitoringv1.PrometheusRule {
	return &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: "monitoring.coreos.com/v1", Kind: "PrometheusRule"},
		ObjectMeta: metav1.ObjectMeta{Name: "api-slos", Namespace: "team"},
		Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{
			Name:     "g",
			Interval: ptr.To(monitoringv1.Duration("1m")),
			Rules: []monitoringv1.Rule{
				{Record: "slo:sli_error:ratio_rate5m", Expr: intstr.FromString("(sum(rate(errors[5m])))\n/\n(sum(rate(total[5m])))"), Labels: map[string]string{"sloth_window": "5m"}},
				{Alert: "Burn", Expr: intstr.FromString(`slo:sli_error:ratio_rate5m{sloth_id="a"} > (14.4 * 0.001)`), For: ptr.To(monitoringv1.Duration("5m")), Annotations: map[string]string{"summary": "it burns: fast"}},
			},
		}}},
	}
}

// FuzzEncodeMatchesJSON: for any strings, numbers and bytes in a value,
// Encode writes what the conversion of encoding/json's output writes.
func FuzzEncodeMatchesJSON(f *testing.F) {
	f.Add("plain", "a: b\nc", []byte("x"), int64(-3), 1.5, true)
	f.Add("\xff\x85\u2028", "|\n", []byte{}, int64(0), 1e-9, false)
	f.Add("- x", "  lead\nline", []byte(nil), int64(math.MaxInt64), 1e21, true)
	f.Fuzz(func(t *testing.T, s1, s2 string, bs []byte, n int64, fl float64, bl bool) {
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			return
		}
		o := map[string]any{
			s1: s2,
			"v": struct {
				S  string            `json:"s"`
				Q  string            `json:"q,string"`
				N  int64             `json:"n,omitempty"`
				F  float64           `json:"f"`
				F3 float32           `json:"f3"`
				B  bool              `json:"b,string"`
				Y  []byte            `json:"y"`
				M  map[string]string `json:"m"`
				L  []string          `json:"l"`
				I  intstr.IntOrString
			}{s1, s2, n, fl, float32(fl), bl, bs, map[string]string{s2: s1}, []string{s1, strings.Repeat(s2, 2)}, intstr.FromString(s2)},
		}
		sameAsJSON(t, "fuzzed", o)
	})
}
