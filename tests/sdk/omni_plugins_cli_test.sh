#!/usr/bin/env bash
# `omni plugins DIR` on the test plugin directory: good plugins listed with name, kind, version
# and ABI; refused files with why; exit status 0. A missing directory: a message and status 1.
#   omni_plugins_cli_test.sh <omni> <test plugin dir>
set -uo pipefail
omni=$1 dir=$2
fail() { echo "FAIL: $*" >&2; echo "$out" >&2; exit 1; }

out=$("$omni" plugins "$dir" 2>&1); status=$?
[ $status = 0 ] || fail "exit status $status for a directory with refused plugins"
grep -q "5 loaded, 9 refused" <<<"$out" || fail "counts"
grep -Eq "^  echo +channel_adapter +2\.0\.0 +ABI 1\.0 +libomni_test_echo\.so$" <<<"$out" || fail "echo line"
grep -Eq "^  c_allow_all +policy +0\.1\.0 +ABI 1\.0 " <<<"$out" || fail "c_allow_all line"
grep -q "refused  libomni_test_c_abi_99.so: ABI major mismatch: built for ABI 99.0" <<<"$out" || fail "abi 99"
grep -q "refused  libomni_test_text_file.so: not a shared library" <<<"$out" || fail "text file"

out=$("$omni" plugins --plugins "$dir" 2>&1) || fail "--plugins DIR"
grep -q "5 loaded, 9 refused" <<<"$out" || fail "--plugins counts"

out=$("$omni" plugins "$dir/does-not-exist" 2>&1); status=$?
[ $status = 1 ] || fail "exit status $status for a missing directory"
grep -q "does-not-exist: not found: no such directory" <<<"$out" || fail "missing directory message"
echo "omni plugins: ok"
