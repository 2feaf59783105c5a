#!/usr/bin/env bash
# Proves the plugin ABI did not change by accident: builds abi_types.c against the current
# omni_plugin.h and compares every type's layout with the committed baseline using abidiff.
# A deliberate change (a new minor appends fields) regenerates the baseline:
#   abi_check.sh <sdk include dir> --update
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
include=$1
baseline=$here/omni_plugin_abi.xml
command -v abidiff >/dev/null || { echo "abidiff (abigail-tools) is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -g -O0 -shared -fPIC -fvisibility=hidden -I"$include" "$here/abi_types.c" -o "$work/libomni_abi.so"
if [ "${2:-}" = --update ]; then
  abidw --no-show-locs --no-corpus-path --no-comp-dir-path "$work/libomni_abi.so" >"$baseline"
  echo "baseline updated: $baseline"
  exit 0
fi
if abidiff "$baseline" "$work/libomni_abi.so"; then
  echo "omni_plugin.h: ABI layout unchanged"
else
  echo "omni_plugin.h changed the ABI layout (see above). If deliberate, bump OMNI_ABI_VERSION_MINOR"
  echo "(append-only) or MAJOR, and regenerate the baseline with: $0 <include dir> --update"
  exit 1
fi
