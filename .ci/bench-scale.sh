#!/usr/bin/env bash
# Check at scale (issue 20's bars): `platc check` of generated organisations
# of 1,000 and 5,000 teams beside the JSON-parse floor of the same spec
# (python3's json.load of the spec exported to JSON by cue export), runs
# interleaved, with wall time and peak memory; then check's growth from the
# smallest to the largest organisation and its ratio to the floor.
# Usage: bench-scale.sh [TEAMS...] (RUNS=3 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
teams=("$@")
[ $# -gt 0 ] || teams=(1000 5000)
runs=${RUNS:-3}
if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time for peak-memory figures" >&2
	apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label dir cmd... -> "wall peakKiB"; check's exit 1 (findings) is a result
	local label=$1 dir=$2; shift 2
	local rc=0
	( cd "$dir" && /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/err" ) || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "$label failed ($rc):" >&2; cat "$work/err" >&2; exit 1
	fi
	tail -1 "$work/time"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf "%-7s %-22s %10s %10s\n" teams what "wall (s)" "peak MiB"
declare -A checkmed floormed
for n in "${teams[@]}"; do
	dir="$work/org$n"
	go run ./internal/synth/cmd/synth -teams "$n" -out "$dir"
	(cd "$dir" && "$OLDPWD/.tools/bin/cue" export . >"$work/org$n.json")
	: >"$work/check$n" && : >"$work/floor$n"
	for i in $(seq "$runs"); do
		read -r fw fm < <(measure "json.load" "$dir" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$work/org$n.json")
		read -r cw cm < <(measure "platc check" "$dir" "$PWD/bin/platc" check --now 2026-11-24T10:00:00Z .)
		echo "$fw" >>"$work/floor$n"
		echo "$cw" >>"$work/check$n"
		printf "%-7s %-22s %10s %10d\n" "$n" "json.load (floor)" "$fw" $((fm / 1024))
		printf "%-7s %-22s %10s %10d\n" "$n" "platc check" "$cw" $((cm / 1024))
	done
	floormed[$n]=$(median <"$work/floor$n")
	checkmed[$n]=$(median <"$work/check$n")
	printf "%-7s %-22s %10s   (%s MB of JSON)\n" "$n" "median check / floor" \
		"$(awk -v c="${checkmed[$n]}" -v f="${floormed[$n]}" 'BEGIN {printf "%.2fx", c/f}')" \
		"$(( $(stat -c %s "$work/org$n.json") / 1000000 ))"
done
first=${teams[0]} last=${teams[-1]}
if [ "$first" != "$last" ]; then
	awk -v a="${checkmed[$first]}" -v b="${checkmed[$last]}" -v n="$first" -v m="$last" \
		'BEGIN {printf "check %d teams / %d teams: %.2fx the time for %.1fx the teams\n", m, n, b/a, m/n}'
fi
