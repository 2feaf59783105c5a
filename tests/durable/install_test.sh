#!/usr/bin/env bash
# Installs the project to a temporary prefix and builds examples/durable_host OUTSIDE the source
# tree against the installed package (find_package(omnikernel COMPONENTS durable), omni::durable):
# it opens a DurableKernel on a fresh directory, submits one item, waits for it to be durable,
# reopens and finds it recovered. Also checks that the durable headers and targets were installed.
#   install_test.sh <build dir> <source dir>
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
for f in include/omnikernel/durable/durable_kernel.h include/omnikernel/durable/recovery.h \
         include/omnikernel/journal/writer.h include/omnikernel/config/writer.h \
         lib/cmake/omnikernel/omnikernelDurableTargets.cmake; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
ls "$prefix"/lib*/libomnikernel_durable.a "$prefix"/lib*/libomnikernel_journal.a >/dev/null \
  || fail "the durable and journal archives are not installed"

# A copy, so that nothing can reach back into the source tree's headers.
cp -r "$source/examples/durable_host" "$work/durable_host"
cmake -S "$work/durable_host" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
      >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "configure durable_host"; }
cmake --build "$work/build" -j2 >>"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build durable_host"; }
grep -rq -- "$source/durable/include" "$work/build/compile_commands.json" "$work/build/CMakeFiles" 2>/dev/null \
  && fail "durable_host was compiled against the source tree's headers"

out=$("$work/build/durable_host" "$work/journal") || fail "durable_host: $out"
echo "$out"
grep -Eq '^item [0-9]+ durable$' <<<"$out" || fail "the item was not reported durable"
id=$(sed -nE 's/^item ([0-9]+) durable$/\1/p' <<<"$out")
grep -Eq "^recovered 1 item\(s\): $id queued customer 42$" <<<"$out" || fail "the item was not recovered as it was"
ls "$work/journal" | grep -q . || fail "no journal files were written"
echo "durable install test: ok"
