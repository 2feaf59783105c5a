#!/usr/bin/env bash
# Installs the project to a temporary prefix, builds the examples OUTSIDE the source tree against
# it (CMake package, and pkg-config for the C plugin), and loads what they built:
#   install_test.sh <build dir> <source dir>
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
for f in include/omnikernel/sdk/omni_plugin.h include/omnikernel/sdk/plugin.hpp include/omnikernel/kernel.h \
         include/omnikernel/runtime/plugin_loader.h lib/cmake/omnikernel/omnikernelConfig.cmake \
         lib/cmake/omnikernel/omnikernelConfigVersion.cmake lib/cmake/omnikernel/OmniPlugin.cmake \
         share/pkgconfig/omnikernel-sdk.pc bin/omni; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
ls "$prefix"/lib*/omnikernel/plugins/libomni_simultaneous_sessions.so >/dev/null || fail "plugins not installed"

# Copies of the examples, so nothing can reach back into the source tree.
cp -r "$source/examples" "$work/examples"
for example in c_plugin cpp_plugin embed_host; do
  cmake -S "$work/examples/$example" -B "$work/build-$example" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release >"$work/$example.log" 2>&1 || { cat "$work/$example.log"; fail "configure $example"; }
  cmake --build "$work/build-$example" -j2 >>"$work/$example.log" 2>&1 || { cat "$work/$example.log"; fail "build $example"; }
done

# The C plugin again, with pkg-config instead of CMake.
export PKG_CONFIG_PATH=$prefix/share/pkgconfig
mkdir -p "$work/pkgconfig-plugins"
[ "$(pkg-config --variable=abi_version omnikernel-sdk)" = 1.0 ] || fail "pkg-config abi_version"
cc $(pkg-config --cflags omnikernel-sdk) -std=c99 -Wall -Werror -fPIC -shared -fvisibility=hidden \
   "$work/examples/c_plugin/max_sessions.c" -o "$work/pkgconfig-plugins/libexample_max_sessions.so" \
   || fail "pkg-config build of the C plugin"

# Load them with the installed omni.
expect_listing() {  # dir, plugin name
  out=$("$prefix/bin/omni" plugins "$1") || fail "omni plugins $1"
  echo "$out"
  grep -q "^  $2 " <<<"$out" || fail "$2 not listed as loaded"
  ! grep -q "^  refused " <<<"$out" || fail "a plugin was refused"
}
expect_listing "$work/build-cpp_plugin/lib/omnikernel/plugins" example_sms
expect_listing "$work/build-c_plugin/lib/omnikernel/plugins" example_max_sessions
expect_listing "$work/pkgconfig-plugins" example_max_sessions
# Without a directory, the installed omni finds the installed plugins beside it.
out=$(env -u OMNI_PLUGIN_PATH "$prefix/bin/omni" plugins) || fail "omni plugins (default directory)"
echo "$out"
grep -q "simultaneous_sessions" <<<"$out" || fail "installed plugins not found from the installed omni"

# The embedding host routes a chat and the policy refuses the customer's second session.
out=$("$work/build-embed_host/embed_host" "$prefix"/lib*/omnikernel/plugins/libomni_simultaneous_sessions.so) \
  || fail "embed_host"
echo "$out"
grep -q "first chat: offered to agent 0" <<<"$out" || fail "embed_host did not route the chat"
grep -q "second chat of the same customer: policy_refused" <<<"$out" || fail "the policy did not refuse"
echo "install test: ok"
