#!/usr/bin/env bash
# Side-by-side: `platc vet` against plain `cue vet -c` of the same generated
# organisation with the same schema (vendored into the generated module),
# interleaved runs, wall time and peak memory. Usage: bench-vet.sh [TEAMS...]
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

measure() { # label dir cmd...
	local label=$1 dir=$2; shift 2
	( cd "$dir" && /usr/bin/time -o "$work/time" -f "%e %M" "$@" >/dev/null 2>"$work/err" ) || {
		echo "$label failed:" >&2; cat "$work/err" >&2; exit 1; }
	tail -1 "$work/time"
}

printf "%-7s %-10s %10s %10s\n" teams tool "wall (s)" "peak MiB"
for n in "${teams[@]}"; do
	dir="$work/org$n"
	go run ./internal/synth/cmd/synth -teams "$n" -out "$dir"
	for i in $(seq "$runs"); do
		read -r cw cm < <(measure "cue vet" "$dir" "$PWD/.tools/bin/cue" vet -c .)
		read -r pw pm < <(measure "platc vet" "$dir" "$PWD/bin/platc" vet .)
		printf "%-7s %-10s %10s %10d\n" "$n" "cue vet" "$cw" $((cm / 1024))
		printf "%-7s %-10s %10s %10d\n" "$n" "platc vet" "$pw" $((pm / 1024))
	done
done
