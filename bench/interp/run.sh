#!/usr/bin/env bash
# Times the interpreter against CPython and Lua on the same programs
# (/work/shared/bench/interp has the peers' versions): recursive fib(27), a
# 10-million-iteration while loop, and the same loop written with for/range.
# Each figure is the median of 5 runs minus the median start-up time of the
# empty program, as in the shared bench README.
#
#   bench/interp/run.sh            build meta in release, then time everything
#   META=path/to/meta bench/interp/run.sh   time an existing binary
#   SCRATCH=.build-x bench/interp/run.sh    build with that scratch path
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/interp
peers=${PEERS:-../shared/bench/interp}
[ -d "$peers" ] || peers=/work/shared/bench/interp

if [ -z "${META:-}" ]; then
  scratch=(${SCRATCH:+--scratch-path "$SCRATCH"})
  swift build -c release --product meta "${scratch[@]}" >&2
  META="$(swift build -c release "${scratch[@]}" --show-bin-path)/meta"
fi
if ! command -v lua5.4 >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && apt-get install -y -qq lua5.4) >/dev/null 2>&1 || true
  fi
fi

python3 - "$META" "$here" "$peers" <<'PY'
import shutil, statistics, subprocess, sys, time

meta, here, peers = sys.argv[1:4]
runners = {"meta": ([meta], here, "meta"), "python3": (["python3"], peers, "py")}
if shutil.which("lua5.4"):
    runners["lua5.4"] = (["lua5.4"], peers, "lua")

def median_seconds(cmd, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)

programs = ["fib", "loop", "loop_for"]
results = {}
for name, (cmd, folder, ext) in runners.items():
    startup = median_seconds(cmd + [f"{folder}/empty.{ext}"])
    results[name] = {"startup": startup}
    for p in programs:
        results[name][p] = max(0.0, median_seconds(cmd + [f"{folder}/{p}.{ext}"]) - startup)

print(f"{'program':<10}" + "".join(f"{n + ' ms':>14}" for n in runners) + f"{'meta/python':>13}"
      + (f"{'meta/lua':>10}" if "lua5.4" in runners else ""))
for p in ["startup"] + programs:
    row = f"{p:<10}" + "".join(f"{results[n][p] * 1000:>14.1f}" for n in runners)
    row += f"{results['meta'][p] / max(results['python3'][p], 1e-9):>13.2f}"
    if "lua5.4" in runners:
        row += f"{results['meta'][p] / max(results['lua5.4'][p], 1e-9):>10.2f}"
    print(row)
PY
