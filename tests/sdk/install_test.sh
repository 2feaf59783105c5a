#!/usr/bin/env bash
# Installs the project to a temporary prefix and builds, OUTSIDE the source tree and exactly as a
# vendor would from the docs: the C-only policy example and the C++ adapter example, each through
# the CMake package AND through the pkg-config recipe; checks that every plugin exports exactly
# omni_plugin_entry, that the package announces its ABI version and needs no nlohmann_json for a
# plugin, that an SDK-only install (-DOMNI_SDK_ONLY=ON) is enough for a plugin, and loads what
# was built with the installed omni:
#   install_test.sh <build dir> <source dir>
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }
abi=$(sed -nE 's/^#define OMNI_ABI_VERSION_MAJOR ([0-9]+).*/\1/p' "$source/sdk/include/omnikernel/sdk/omni_plugin.h").$(
      sed -nE 's/^#define OMNI_ABI_VERSION_MINOR ([0-9]+).*/\1/p' "$source/sdk/include/omnikernel/sdk/omni_plugin.h")

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
for f in include/omnikernel/sdk/omni_plugin.h include/omnikernel/sdk/plugin.hpp include/omnikernel/kernel.h \
         include/omnikernel/runtime/plugin_loader.h lib/cmake/omnikernel/omnikernelConfig.cmake \
         lib/cmake/omnikernel/omnikernelConfigVersion.cmake lib/cmake/omnikernel/OmniPlugin.cmake \
         lib/cmake/omnikernel/omni_plugin.map share/pkgconfig/omnikernel-sdk.pc bin/omni; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
ls "$prefix"/lib*/omnikernel/plugins/libomni_simultaneous_sessions.so >/dev/null || fail "plugins not installed"

# Exactly one dynamic symbol defined: the entry (no std:: instantiation, nothing else leaks).
expect_only_entry() {  # plugin file
  local symbols
  symbols=$(nm -D --defined-only "$1" | awk '{print $3}' | sort)
  [ "$symbols" = omni_plugin_entry ] || fail "$1 exports more than omni_plugin_entry: $(tr '\n' ' ' <<<"$symbols")"
}

# Copies of the examples, so nothing can reach back into the source tree.
cp -r "$source/examples" "$work/examples"
cmake_build() {  # example, prefix, extra cmake arguments...
  local example=$1 at=$2; shift 2
  cmake -S "$work/examples/$example" -B "$work/build-$example" -DCMAKE_PREFIX_PATH="$at" \
        -DCMAKE_BUILD_TYPE=Release "$@" >"$work/$example.log" 2>&1 || { cat "$work/$example.log"; fail "configure $example"; }
  cmake --build "$work/build-$example" -j2 >>"$work/$example.log" 2>&1 || { cat "$work/$example.log"; fail "build $example"; }
}
# The C plugin needs neither a C++ standard library nor nlohmann_json (hidden from find_package).
cmake_build c_plugin "$prefix" -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
grep -q "plugin ABI $abi\$" "$work/c_plugin.log" || fail "omnikernel_ABI_VERSION is not $abi in the CMake package"
cmake_build cpp_plugin "$prefix"
cmake_build embed_host "$prefix"

# The same two, with pkg-config and the recipe of docs/SDK.md instead of CMake.
export PKG_CONFIG_PATH=$prefix/share/pkgconfig
pc=$work/pkgconfig-plugins
mkdir -p "$pc"
[ "$(pkg-config --variable=abi_version omnikernel-sdk)" = "$abi" ] || fail "pkg-config abi_version"
cc $(pkg-config --cflags omnikernel-sdk) -std=c99 -Wall -Werror -fPIC -fvisibility=hidden \
   "$work/examples/c_plugin/max_sessions.c" $(pkg-config --variable=plugin_ldflags omnikernel-sdk) \
   -o "$pc/libexample_max_sessions.so" || fail "pkg-config build of the C plugin"
c++ $(pkg-config --cflags omnikernel-sdk) -std=c++20 -O2 -Wall -Werror -fPIC -fvisibility=hidden \
    -fvisibility-inlines-hidden "$work/examples/cpp_plugin/sms_adapter.cc" \
    $(pkg-config --variable=plugin_ldflags omnikernel-sdk) -o "$pc/libexample_sms.so" \
   || fail "pkg-config build of the C++ plugin"

for plugin in "$work/build-c_plugin/lib/omnikernel/plugins/libexample_max_sessions.so" \
              "$work/build-cpp_plugin/lib/omnikernel/plugins/libexample_sms.so" \
              "$pc/libexample_max_sessions.so" "$pc/libexample_sms.so"; do
  expect_only_entry "$plugin"
done

# Load them with the installed omni; --strict fails on any refused file.
expect_listing() {  # dir, plugin names...
  local dir=$1; shift
  out=$("$prefix/bin/omni" plugins --strict "$dir") || fail "omni plugins --strict $dir"
  echo "$out"
  for name in "$@"; do grep -q "^  $name " <<<"$out" || fail "$name not listed as loaded"; done
}
expect_listing "$work/build-cpp_plugin/lib/omnikernel/plugins" sms
expect_listing "$work/build-c_plugin/lib/omnikernel/plugins" example_max_sessions
expect_listing "$pc" example_max_sessions sms
# The adapter built with pkg-config parses through omni ingest.
out=$(printf '+15550100\t1700000000000\thi\n+15550101\t-\tno time\n' |
      "$prefix/bin/omni" ingest --channel sms --plugins "$pc") || fail "omni ingest --channel sms"
grep -q '"customer":"+15550100".*"timestamp":1700000000000' <<<"$out" || fail "sms message: $out"
grep -q '"customer":"+15550101".*"timestamp":null' <<<"$out" || fail "sms message without a time: $out"
# Without a directory, the installed omni finds the installed plugins beside it.
out=$(env -u OMNI_PLUGIN_PATH "$prefix/bin/omni" plugins) || fail "omni plugins (default directory)"
echo "$out"
grep -q "simultaneous_sessions" <<<"$out" || fail "installed plugins not found from the installed omni"

# The embedding host routes a chat and the policy refuses the customer's second session; a policy
# that refuses the first chat is reported, not a crash.
out=$("$work/build-embed_host/embed_host" "$prefix"/lib*/omnikernel/plugins/libomni_simultaneous_sessions.so) \
  || fail "embed_host"
echo "$out"
grep -q "first chat: offered to agent 0" <<<"$out" || fail "embed_host did not route the chat"
grep -q "second chat of the same customer: policy_refused" <<<"$out" || fail "the policy did not refuse"
out=$("$work/build-embed_host/embed_host" "$pc/libexample_max_sessions.so" 0) || fail "embed_host, first chat refused"
echo "$out"
grep -q "first chat: policy_refused (the customer has reached the maximum number of sessions)" <<<"$out" \
  || fail "embed_host did not report the refused first chat"

# An SDK-only build and install (no kernel, Boost, nlohmann_json or GTest needed) is enough for
# the C plugin, through CMake and pkg-config.
sdk_prefix=$work/sdk-prefix
cmake -S "$source" -B "$work/build-sdk-only" -DOMNI_SDK_ONLY=ON >"$work/sdk-only.log" 2>&1 \
  || { cat "$work/sdk-only.log"; fail "configure the SDK-only build"; }
cmake --install "$work/build-sdk-only" --prefix "$sdk_prefix" >>"$work/sdk-only.log" 2>&1 \
  || { cat "$work/sdk-only.log"; fail "install the SDK only"; }
[ ! -e "$sdk_prefix/include/omnikernel/kernel.h" ] || fail "the SDK-only install holds the kernel"
rm -rf "$work/build-c_plugin"
cmake_build c_plugin "$sdk_prefix" -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
expect_only_entry "$work/build-c_plugin/lib/omnikernel/plugins/libexample_max_sessions.so"
PKG_CONFIG_PATH=$sdk_prefix/share/pkgconfig
cc $(pkg-config --cflags omnikernel-sdk) -std=c99 -fPIC -fvisibility=hidden \
   "$work/examples/c_plugin/max_sessions.c" $(pkg-config --variable=plugin_ldflags omnikernel-sdk) \
   -o "$work/libsdk_only_max_sessions.so" || fail "pkg-config build against the SDK-only install"
expect_only_entry "$work/libsdk_only_max_sessions.so"
echo "install test: ok"
