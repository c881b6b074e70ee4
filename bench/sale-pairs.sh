#!/usr/bin/env bash
# The on-sale with payment beside the same on-sale without it, PAIRS times (default 4), each sale
# a run-all.sh step of its own (its fresh database, a restarted Onsale). The pairs alternate which
# sale goes first, so that a drift in this machine's speed (up to 30 % between neighbouring runs,
# docs/PERFORMANCE.md) does not always fall on the same side; then each pair's sell-out times and
# ratio, and the median and range of the ratios (the goal: with payment at most 20 % later).
#
#   PAIRS=6 SALE_MAX_ACTIVE=1000 SERVER_CPUS=0 BENCH_CPUS=1 bench/sale-pairs.sh
#
# Every run-all.sh setting passes through (SALE_MAX_ACTIVE, SALE_PAY_ARGS, SALE_FRONT, SALE_ARGS,
# SERVER_CPUS and BENCH_CPUS, ...). RESULTS (bench/results/pairs-<time>) gets one directory and one
# log per sale, and pairs.tsv.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
PAIRS="${PAIRS:-4}"
RESULTS="${RESULTS:-$HERE/results/pairs-$(date -u +%Y%m%d-%H%M%S)}"
mkdir -p "$RESULTS"

sell_out() {
  python3 -c "import json; print(json.load(open('$1')).get('timeToSellOutSeconds') or 0)" 2>/dev/null || echo 0
}

printf 'pair\tfirst\tfree_s\tpaid_s\tratio\n' > "$RESULTS/pairs.tsv"
for i in $(seq 1 "$PAIRS"); do
  if (( i % 2 == 1 )); then order="sale-free sale"; else order="sale sale-free"; fi
  for step in $order; do
    echo "== pair $i: $step ($(date -u +%H:%M:%S) UTC)" >&2
    STEPS="$step" RESULTS="$RESULTS/$i-$step" "$HERE/run-all.sh" > "$RESULTS/$i-$step.log" 2>&1 || true
  done
  free=$(sell_out "$RESULTS/$i-sale-free/sale-free.json")
  paid=$(sell_out "$RESULTS/$i-sale/sale.json")
  ratio=$(awk -v a="$paid" -v b="$free" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", 100 * a / b; else print "n/a" }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$i" "${order%% *}" "$free" "$paid" "$ratio" >> "$RESULTS/pairs.tsv"
  echo "pair $i (${order%% *} first): without payment $free s, with payment $paid s = $ratio%"
done
python3 - "$RESULTS/pairs.tsv" <<'PY'
import statistics, sys
rows = [line.rstrip('\n').split('\t') for line in open(sys.argv[1])][1:]
ratios = [int(r[4]) for r in rows if r[4] != 'n/a']
if not ratios:
    print("no pair sold out on both sides")
    sys.exit(1)
met = sum(1 for r in ratios if r <= 120)
print(f"sold out with payment vs without over {len(ratios)} pairs: median {statistics.median(ratios):.0f}%, "
      f"range {min(ratios)}-{max(ratios)}%, at most 120% in {met} of {len(ratios)} (goal: <= 120%)")
if len(ratios) < len(rows):
    print(f"{len(rows) - len(ratios)} pair(s) did not sell out on both sides: see their logs")
PY
