package validate

import "testing"

func BenchmarkNewEvaluator(b *testing.B) {
	for b.Loop() {
		if _, err := newEvaluator(); err != nil {
			b.Fatal(err)
		}
	}
}
