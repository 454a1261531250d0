//go:build race

package hclspec_test

// raceEnabled: the race detector slows CUE evaluation about tenfold.
const raceEnabled = true
