#!/usr/bin/env bash
# Make sure FOLDER/.venv is a working Python environment with pip, repairing a half-made one (a set-up
# interrupted while creating it, or created where Debian's python3-venv was missing: "No module named pip").
#   bash tools/venv.sh FOLDER PYTHON
set -euo pipefail
folder="$1"
python="${2:-python3}"
venv="$folder/.venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  exit 0
fi
if [ -e "$venv" ]; then
  echo "Sửa môi trường .venv cài dở / Repairing a half-made .venv" >&2
  rm -rf "$venv"
fi
if ! "$python" -m venv "$venv"; then
  rm -rf "$venv"
  echo "Cannot create .venv: install Debian's python3-venv (apt-get install python3-venv), then run setup.sh again" >&2
  exit 1
fi
