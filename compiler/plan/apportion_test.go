package plan

import (
	"slices"
	"testing"
)

func TestApportion(t *testing.T) {
	for _, tt := range []struct {
		total   int
		weights []int
		want    []int
	}{
		{6, []int{8, 4}, []int{4, 2}},
		{7, []int{1, 1, 1}, []int{3, 2, 2}},
		{1, []int{1, 1}, []int{1, 0}},
		{2, []int{8, 4}, []int{1, 1}},
		{0, []int{3, 5}, []int{0, 0}},
		{5, []int{0, 0}, []int{5, 0}},
		{5, []int{0, 3}, []int{0, 5}},
	} {
		if got := apportion(tt.total, tt.weights); !slices.Equal(got, tt.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"NVIDIA-A100-SXM4-40GB":             "nvidia-a100-sxm4-40gb",
		"NVIDIA-H100-80GB-HBM3-MIG-1g.10gb": "nvidia-h100-80gb-hbm3-mig-1g-10gb",
		"--Tesla  T4--":                     "tesla-t4",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}
