#!/usr/bin/env bash
# Whole-process measurements for docs/performance.md (issue 12): payroll
# against bare readers of the same files, and uploads against the sandbox
# server in its own process, with and without 20 ms of latency a call.
# Each figure is the median of RUNS runs; wall time from bash's clock (µs),
# CPU and peak memory from GNU time. Every target is checked and said met or
# NOT met; the exit code is the number not met.
#
#   docs/perf.sh                      # 10k and 100k rows, 3 runs each
#   RUNS=5 docs/perf.sh
#   SIZES=1000000 RUNS=1 docs/perf.sh # the 1M-row CSV target
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
SIZES=${SIZES:-"10000 100000"}
work=$(mktemp -d)
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/payroll" ./cmd/payroll
go build -o "$work/gensheet" ./cmd/gensheet
go build -o "$work/bareread" ./cmd/bareread
command -v /usr/bin/time >/dev/null || { echo "perf.sh needs GNU time (apt-get install time)"; exit 1; }

# measure CMD...: runs CMD RUNS times and prints "wall cpu peakMiB" of the
# median run by wall time (seconds with three decimals, MiB).
measure() {
  local rows=()
  for _ in $(seq "$RUNS"); do
    local t0=$EPOCHREALTIME
    /usr/bin/time -f "%U %S %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || true
    local t1=$EPOCHREALTIME
    read -r u s m <"$work/t"
    rows+=("$(echo "$t1 - $t0" | bc -l) $(echo "$u + $s" | bc -l) $((m / 1024))")
  done
  printf '%s\n' "${rows[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | awk '{printf "%.3f %.2f %d\n", $1, $2, $3}'
}

failed=0
# check WHAT OK: prints the verdict of one target.
check() {
  if [ "$2" = 1 ]; then
    printf '    target met: %s\n' "$1"
  else
    printf '    target NOT met: %s\n' "$1"
    failed=$((failed + 1))
  fi
}
le() { [ "$(echo "$1 <= $2" | bc -l)" = 1 ] && echo 1 || echo 0; }

# sandbox LATENCY: starts `payroll sandbox` on a free port in its own
# process and state folder; its base URL goes in $url.
sandbox() {
  rm -rf "$work/sandbox"
  PAYROLL_SANDBOX_LATENCY=$1 PAYROLL_SANDBOX_SETTLE=1h PAYROLL_SANDBOX_BALANCE=100000000000.00 \
    "$work/payroll" sandbox --addr 127.0.0.1:0 --state-dir "$work/sandbox" >"$work/sandbox.out" 2>"$work/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 100); do
    grep -q listening "$work/sandbox.out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(sed -n 's/^listening on //p' "$work/sandbox.out")
}
stop_sandbox() {
  kill "$sandbox_pid"
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
  sed -n 's/^calls answered: //p' "$work/sandbox.err"
}

# measure_upload LATENCY FILE: RUNS uploads of FILE in pages of 1000, each
# with a fresh journal against a fresh sandbox in its own process (its
# cost is not the tool's); prints "wall cpu peakMiB calls" of the median
# run by wall time.
measure_upload() {
  local rows=()
  for _ in $(seq "$RUNS"); do
    sandbox "$1"
    rm -rf "$work/state" "$work/res.xlsx"
    local t0=$EPOCHREALTIME
    CLICKPAY_BASE_URL=$url CLICKPAY_SERVER_KEY=SANDBOX-SERVER-KEY CLICKPAY_PROFILE_ID=100001 CLICKPAY_ACCOUNT_ID=200001 \
      /usr/bin/time -f "%U %S %M" -o "$work/t" "$work/payroll" upload "$2" --yes --page-size 1000 \
      --state-dir "$work/state" --results "$work/res.xlsx" -q >/dev/null 2>"$work/err" || true
    local t1=$EPOCHREALTIME
    local calls
    calls=$(stop_sandbox | tr -dc '0-9 ' | awk '{s=0; for (i=1;i<=NF;i++) s+=$i; print s}')
    read -r u s m <"$work/t"
    rows+=("$(echo "$t1 - $t0" | bc -l) $(echo "$u + $s" | bc -l) $((m / 1024)) $calls")
  done
  printf '%s\n' "${rows[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p" | awk '{printf "%.3f %.2f %d %d\n", $1, $2, $3, $4}'
}

printf '%-44s %9s %8s %8s %8s\n' work wall_s cpu_s MiB ratio
row() { printf '%-44s %9s %8s %8s %8s\n' "$@"; }

for n in $SIZES; do
  csv="$work/sheet-$n.csv"
  xlsx="$work/sheet-$n.xlsx"
  "$work/gensheet" -rows "$n" -o "$csv"
  [ "$n" -le 100000 ] && "$work/gensheet" -rows "$n" -o "$xlsx"
  read -r vw vc vm < <(measure "$work/payroll" validate "$csv" --report "$work/r.csv")
  read -r bw _ _ < <(measure "$work/bareread" "$csv")
  ratio=$(echo "$vw / $bw" | bc -l)
  row "validate $n-row CSV" "$vw" "$vc" "$vm" "$(printf '%.1f' "$ratio")"
  row "  encoding/csv loop" "$bw" "" "" ""
  case $n in
  100000)
    check "validate 100k CSV <= 10x encoding/csv ($(printf '%.1f' "$ratio")x)" "$(le "$ratio" 10)"
    check "validate 100k CSV <= 50 MiB (${vm} MiB)" "$(le "$vm" 50)"
    ;;
  1000000)
    check "validate 1M CSV <= 12x encoding/csv ($(printf '%.1f' "$ratio")x)" "$(le "$ratio" 12)"
    check "validate 1M CSV <= 200 MiB (${vm} MiB)" "$(le "$vm" 200)"
    ;;
  esac
  if [ "$n" -le 100000 ]; then
    read -r xw xc xm < <(measure "$work/payroll" validate "$xlsx" --report "$work/r.csv")
    read -r ew _ _ < <(measure "$work/bareread" "$xlsx")
    xratio=$(echo "$xw / $ew" | bc -l)
    row "validate $n-row XLSX (shared strings)" "$xw" "$xc" "$xm" "$(printf '%.2f' "$xratio")"
    row "  excelize Rows loop" "$ew" "" "" ""
    if [ "$n" = 100000 ]; then
      check "validate 100k XLSX <= 0.25x the excelize loop ($(printf '%.2f' "$xratio")x)" "$(le "$xratio" 0.25)"
      check "validate 100k XLSX <= 80 MiB (${xm} MiB)" "$(le "$xm" 80)"
    fi
  fi
  [ "$n" -gt 100000 ] && continue

  # Uploads against the sandbox in its own process: the tool's own cost.
  read -r u0w u0c u0m calls < <(measure_upload 0ms "$csv")
  read -r u20w u20c u20m calls20 < <(measure_upload 20ms "$csv")
  row "upload $n rows, page 1000, no latency" "$u0w" "$u0c" "$u0m" ""
  row "upload $n rows, page 1000, 20 ms a call" "$u20w" "$u20c" "$u20m" ""
  pages=$(((n + 999) / 1000))
  echo "    calls answered: $calls20 ($pages pages)"
  added=$(echo "$u20w - $u0w" | bc -l)
  if [ "$n" = 100000 ]; then
    check "calls = pages + a small constant ($calls20 calls for $pages pages)" "$(le "$calls20" $((pages + 40)))"
    check "20 ms a call adds <= 1.2 x calls x 20 ms ($(printf '%.2f' "$added") s for $calls20 calls)" "$(le "$added" "$(echo "1.2 * $calls20 * 0.020" | bc -l)")"
    check "the tool's CPU <= validate CPU + 2 s (${u0c} s; validate ${vc} s)" "$(le "$u0c" "$(echo "$vc + 2" | bc -l)")"
    check "upload <= 200 MiB (${u0m} MiB)" "$(le "$u0m" 200)"
  fi

  # The in-process sandbox, as the README's first command runs it.
  read -r sw sc sm < <(measure bash -c 'rm -rf "$1/sb" "$1/res.xlsx"; PAYROLL_SANDBOX_BALANCE=100000000000.00 exec "$1/payroll" upload "$0" --sandbox --yes --page-size 1000 --state-dir "$1/sb" --results "$1/res.xlsx" -q' "$csv" "$work")
  row "upload --sandbox $n rows, page 1000" "$sw" "$sc" "$sm" "$(printf '%.1f' "$(echo "$sw / $vw" | bc -l)")"
  if [ "$n" = 100000 ]; then
    check "upload --sandbox <= 4 x validate + 3 s (${sw} s; validate ${vw} s)" "$(le "$sw" "$(echo "4 * $vw + 3" | bc -l)")"
  fi
done
echo "ratio: payroll over the bare reader (validate), or over payroll validate (upload --sandbox)"
echo "targets not met: $failed"
exit "$failed"
