#!/usr/bin/env bash
# MAML meta-iterations per second at 1 and 2 ranks (one thread each), and 1 rank
# with 2 threads: Meta under mpirun against learn2learn's approach in PyTorch
# (maml_gloo_torch.py: torch.distributed, gloo, one all-reduce of the gradients),
# in one run on this machine. Prints one line per configuration and a table with
# the speed-up over 1 rank and the ratio Meta / PyTorch.
#
#   bench/distributed/run.sh
#   TASKS=sine SINE_STEPS=400 bench/distributed/run.sh
#
# Environment:
#   META        the meta binary (default: .build/release/meta, built unless NO_BUILD=1)
#   PY          python with torch (default /tmp/peers/bin/python)
#   TASKS       workloads (default "sine omniglot")
#   SINE_STEPS, OMNI_STEPS   timed steps per configuration (default 400 and 12)
#   ROUNDS      repeat every configuration, keeping the best (default 2; a shared
#               machine's load hits single runs)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
META="${META:-$ROOT/.build/release/meta}"
PY="${PY:-/tmp/peers/bin/python}"
TASKS="${TASKS:-sine omniglot}"
SINE_STEPS="${SINE_STEPS:-400}"
OMNI_STEPS="${OMNI_STEPS:-12}"
ROUNDS="${ROUNDS:-2}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [ "${NO_BUILD:-0}" != 1 ] && [ "$META" = "$ROOT/.build/release/meta" ]; then
  (cd "$ROOT" && swift build -c release --product meta 2>&1 | tail -1) || exit 1
fi
command -v mpirun >/dev/null || { echo "run.sh: mpirun is missing (apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 1; }
[ -x "$META" ] || { echo "run.sh: no meta binary at $META" >&2; exit 1; }
have_peer=1
"$PY" -c "import torch, torch.distributed as d; assert d.is_gloo_available()" 2>/dev/null || {
  echo "run.sh: $PY has no torch with gloo; the PyTorch rows are skipped (see bench/maml_sine/setup_peers.sh)" >&2; have_peer=0; }

# best seconds_per_step of ROUNDS runs of a command printing `... seconds_per_step=X ...`
best() {
  local best="" line s
  for _ in $(seq "$ROUNDS"); do
    line="$("$@" 2>/dev/null | grep seconds_per_step | tail -1)"
    s="$(sed -n 's/.*seconds_per_step=\([0-9.e-]*\).*/\1/p' <<<"$line")"
    [ -z "$s" ] && { echo "run.sh: failed: $*" >&2; echo nan; return; }
    if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best="$s"; fi
  done
  echo "$best"
}

printf '%-9s %-18s %12s %12s %10s\n' task config "Meta it/s" "torch it/s" "Meta/torch"
for task in $TASKS; do
  steps=$SINE_STEPS; [ "$task" = omniglot ] && steps=$OMNI_STEPS
  args=(bench/distributed/maml_step.meta --task "$task" --steps "$steps")
  declare -A meta=() torch=()
  cd "$ROOT"
  meta[r1t1]=$(best "$META" --threads 1 "${args[@]}")
  meta[r2t1]=$(best mpirun --oversubscribe -np 2 "$META" --threads 1 "${args[@]}")
  meta[r1t2]=$(best "$META" --threads 2 "${args[@]}")
  if [ $have_peer = 1 ]; then
    for c in r1t1 r2t1 r1t2; do
      ranks=${c:1:1}; threads=${c:3:1}
      torch[$c]=$(best "$PY" "$HERE/maml_gloo_torch.py" --task "$task" --ranks "$ranks" --threads "$threads" --steps "$steps")
    done
  fi
  for c in r1t1 r2t1 r1t2; do
    m=${meta[$c]}; t=${torch[$c]:-nan}
    label="$([ "$c" = r1t1 ] && echo "1 rank x 1 thread")$([ "$c" = r2t1 ] && echo "2 ranks x 1 thread")$([ "$c" = r1t2 ] && echo "1 rank x 2 threads")"
    awk -v task="$task" -v label="$label" -v m="$m" -v t="$t" 'BEGIN {
      mi = (m == "nan") ? "nan" : sprintf("%.2f", 1 / m); ti = (t == "nan") ? "nan" : sprintf("%.2f", 1 / t)
      r = (m == "nan" || t == "nan") ? "nan" : sprintf("%.2f", t / m)
      printf "%-9s %-18s %12s %12s %10s\n", task, label, mi, ti, r }'
  done
  awk -v task="$task" -v a="${meta[r1t1]}" -v b="${meta[r2t1]}" -v ta="${torch[r1t1]:-nan}" -v tb="${torch[r2t1]:-nan}" 'BEGIN {
    if (a != "nan" && b != "nan") printf "%-9s Meta 2 ranks / 1 rank: %.2fx", task, a / b
    if (ta != "nan" && tb != "nan") printf "   torch 2 ranks / 1 rank: %.2fx", ta / tb
    printf "\n" }'
  unset meta torch
done
