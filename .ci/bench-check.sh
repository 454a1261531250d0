#!/usr/bin/env bash
# Side-by-side: `platc check` (schema, references and every built-in policy)
# against `cue export` of the same generated spec piped into `conftest test`
# with the same built-in policies. Usage: bench-check.sh [TEAMS...]
set -euo pipefail
cd "$(dirname "$0")/.."
teams=("$@")
[ $# -gt 0 ] || teams=(1000)
runs=${RUNS:-3}
if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time for peak-memory figures" >&2
	apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# conftest gets the built-in policies without their tests.
mkdir -p "$work/policies/lib"
for f in policies/*.rego policies/lib/*.rego; do
	case "$f" in *_test.rego) continue ;; esac
	cp "$f" "$work/policies/${f#policies/}"
done

printf "%-7s %-28s %10s %10s\n" teams tool "wall (s)" "peak MiB"
for n in "${teams[@]}"; do
	dir="$work/org$n"
	go run ./internal/synth/cmd/synth -teams "$n" -out "$dir"
	for i in $(seq "$runs"); do
		( cd "$dir" && /usr/bin/time -o "$work/t1" -f "%e %M" "$OLDPWD/.tools/bin/cue" export . -o "$work/export.json" --force )
		( cd "$dir" && /usr/bin/time -o "$work/t2" -f "%e %M" "$OLDPWD/.tools/bin/conftest" test --all-namespaces -p "$work/policies" "$work/export.json" >/dev/null ) || true
		( cd "$dir" && /usr/bin/time -o "$work/t3" -f "%e %M" "$OLDPWD/bin/platc" check --now 2026-11-24 . >/dev/null 2>&1 )
		read -r ew em <"$work/t1"
		read -r cw cm <"$work/t2"
		read -r pw pm <"$work/t3"
		printf "%-7s %-28s %10.2f %10d\n" "$n" "cue export | conftest test" "$(echo "$ew + $cw" | bc)" $(((em > cm ? em : cm) / 1024))
		printf "%-7s %-28s %10.2f %10d\n" "$n" "platc check" "$pw" $((pm / 1024))
	done
done
