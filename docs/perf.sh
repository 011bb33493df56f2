#!/usr/bin/env bash
# Whole-process comparison for docs/performance.md: payroll validate and
# upload --sandbox against a bare reader of the same file, median of RUNS
# paired runs, wall time and peak memory (GNU time). Run from the repository:
#   docs/perf.sh            # 10k and 100k rows
#   SIZES="1000000" docs/perf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=${SIZES:-"10000 100000"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/payroll" ./cmd/payroll
go build -o "$work/gensheet" ./cmd/gensheet
go build -o "$work/bareread" ./cmd/bareread

# measure CMD...: prints "seconds kib" of the median run (by time).
measure() {
  local out=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>&1 || true
    out+=("$(cat "$work/t")")
  done
  printf '%s\n' "${out[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

printf '%-34s %10s %10s %10s %8s\n' work payroll_s bare_s ratio MiB
for n in $SIZES; do
  for ext in csv xlsx; do
    f="$work/sheet-$n.$ext"
    "$work/gensheet" -rows "$n" -o "$f"
    read -r ps pk < <(measure "$work/payroll" validate "$f" --report "$work/r.csv")
    read -r bs _ < <(measure "$work/bareread" "$f")
    printf '%-34s %10s %10s %10.1f %8d\n' "validate $n-row $ext" "$ps" "$bs" "$(echo "$ps / $bs" | bc -l)" $((pk / 1024))
  done
  f="$work/sheet-$n.csv"
  read -r vs _ < <(measure "$work/payroll" validate "$f" --report "$work/r.csv")
  read -r us uk < <(measure bash -c "rm -rf '$work/state'; PAYROLL_SANDBOX_BALANCE=100000000000.00 '$work/payroll' upload '$f' --sandbox --yes --page-size 1000 --state-dir '$work/state' --results '$work/res.xlsx'")
  printf '%-34s %10s %10s %10.1f %8d\n' "upload --sandbox $n rows (page 1000)" "$us" "$vs" "$(echo "$us / $vs" | bc -l)" $((uk / 1024))
done
echo "ratio: payroll over the bare reader (validate), or over payroll validate (upload); MiB: payroll's peak"
