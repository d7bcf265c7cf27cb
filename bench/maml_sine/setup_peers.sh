#!/usr/bin/env bash
# Installs the benchmark peers (PyTorch, JAX) into a virtual environment OUTSIDE the
# repository. Idempotent: does nothing when both already import. CI does not run this.
#
#   bench/maml_sine/setup_peers.sh            # venv at /tmp/peers
#   PEERS=/opt/peers bench/maml_sine/setup_peers.sh
set -euo pipefail

PEERS="${PEERS:-/tmp/peers}"
PY="$PEERS/bin/python"

if [ -x "$PY" ] && "$PY" -c 'import torch, jax, threadpoolctl, PIL, numpy' 2>/dev/null; then
  echo "peers already installed in $PEERS:"
  "$PY" -c 'import torch, jax; print("  torch", torch.__version__, "/ jax", jax.__version__)'
  exit 0
fi

[ -x "$PY" ] || python3 -m venv "$PEERS"
PIP=("$PEERS/bin/pip" install --disable-pip-version-check)

# The CPU-only wheel index keeps torch small; plain PyPI pulls gigabytes of CUDA wheels.
if ! "$PY" -c 'import torch' 2>/dev/null; then
  if ! "${PIP[@]}" --retries 1 --timeout 20 torch --index-url https://download.pytorch.org/whl/cpu; then
    echo "setup_peers: the CPU wheel index is unreachable; falling back to PyPI (large download)" >&2
    # A local CPU wheel (pip find-links) still wins over PyPI's CUDA build when present.
    cpu_wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$cpu_wheel" ]; then
      "${PIP[@]}" "$cpu_wheel"
    else
      "${PIP[@]}" torch
    fi
  fi
fi
"${PIP[@]}" jax threadpoolctl pillow numpy
"$PY" -c 'import torch, jax; print("peers installed in '"$PEERS"': torch", torch.__version__, "/ jax", jax.__version__)'
