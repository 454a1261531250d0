//go:build !race

package hclspec_test

const raceEnabled = false
