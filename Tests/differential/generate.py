#!/usr/bin/env python3
"""Writes the differential test fixtures: reference values from PyTorch for Meta's tensor ops.

Run (needs only torch and numpy, e.g. the peer venv):

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install torch numpy
    /tmp/peers/bin/python Tests/differential/generate.py            # every group
    /tmp/peers/bin/python Tests/differential/generate.py reductions # some groups

It writes Tests/differential/fixtures/<group>.json, one file per group (the
modules in gen/cases_*.py and gen/programs.py), each a list of cases: a Meta
expression over named inputs with PyTorch's output, first-order gradients
d sum(out * w)/d input and second-order ones (the gradient of sum(grad * v)),
for fixed random w and v. The Swift test (Tests/MetaDifferentialTests) compares
Meta against them with no Python at test time; docs/differential-testing.md
describes the format and Tests/differential/known_failures.txt.

Everything is seeded (SEED below, plus the group's name), so a rerun with the
same PyTorch writes the same files.
"""

import json
import os
import sys
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen import core  # noqa: E402
from gen import (  # noqa: E402
    cases_arithmetic,
    cases_compositions,
    cases_creation,
    cases_dtypes,
    cases_elementwise,
    cases_linalg,
    cases_nn,
    cases_planned,
    cases_reductions,
    cases_shape,
    programs,
)

SEED = 20261122
MODULES = [
    cases_elementwise,
    cases_arithmetic,
    cases_reductions,
    cases_shape,
    cases_creation,
    cases_nn,
    cases_compositions,
    programs,
    cases_planned,
    cases_dtypes,
    cases_linalg,
]


def groups():
    """Group name -> function(rng) returning cases."""
    out = {}
    for m in MODULES:
        for name, make in m.GROUPS.items():
            out[name] = make
    return out


def write_group(name, make):
    seed = SEED ^ zlib.crc32(name.encode())
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    cases = make(rng)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"{name}: duplicate case names {sorted(dupes)}")
    records = [core.evaluate(c, rng) for c in cases]
    path = os.path.join(HERE, "fixtures", f"{name}.json")
    with open(path, "w") as f:
        f.write('{"group": %s, "torch": %s, "seed": %d, "cases": [\n' % (json.dumps(name), json.dumps(torch.__version__), seed))
        f.write(",\n".join(json.dumps(r, separators=(",", ":")) for r in records))
        f.write("\n]}\n")
    print(f"{name}: {len(records)} cases, {os.path.getsize(path) / 1024:.0f} KB")


def main():
    torch.set_num_threads(1)
    all_groups = groups()
    wanted = sys.argv[1:] or list(all_groups)
    os.makedirs(os.path.join(HERE, "fixtures"), exist_ok=True)
    for name in wanted:
        if name not in all_groups:
            raise SystemExit(f"unknown group {name!r}; groups: {', '.join(all_groups)}")
        write_group(name, all_groups[name])


if __name__ == "__main__":
    main()
