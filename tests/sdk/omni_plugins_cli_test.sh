#!/usr/bin/env bash
# `omni plugins DIR` on the test plugin directory: good plugins listed with name, kind, version
# and ABI; refused files with why; exit status 0, or 3 with --strict. A missing directory: a
# message and status 1. Several directories: repeated --plugins, or one ':'-separated value.
#   omni_plugins_cli_test.sh <omni> <test plugin dir>
set -uo pipefail
omni=$1 dir=$2
fail() { echo "FAIL: $*" >&2; echo "$out" >&2; exit 1; }

out=$("$omni" plugins "$dir" 2>&1); status=$?
[ $status = 0 ] || fail "exit status $status for a directory with refused plugins"
grep -q "8 loaded, 10 refused" <<<"$out" || fail "counts"
grep -Eq "^  echo +channel_adapter +2\.0\.0 +ABI 1\.[0-9]+ +libomni_test_echo\.so$" <<<"$out" || fail "echo line"
grep -Eq "^  c_allow_all +policy +0\.1\.0 +ABI 1\.[0-9]+ " <<<"$out" || fail "c_allow_all line"
grep -q "refused  libomni_test_c_abi_99.so: ABI major mismatch: built for ABI 99.0" <<<"$out" || fail "abi 99"
grep -q "refused  libomni_test_text_file.so: not a shared library" <<<"$out" || fail "text file"

out=$("$omni" plugins --plugins "$dir" 2>&1) || fail "--plugins DIR"
grep -q "8 loaded, 10 refused" <<<"$out" || fail "--plugins counts"

grep -q "refused  libomni_test_c_null_check.so: bad descriptor: omni_policy_vtable.check is NULL" <<<"$out" \
  || fail "NULL function named"

out=$("$omni" plugins --strict "$dir" 2>&1); status=$?
[ $status = 3 ] || fail "exit status $status with --strict and refused plugins"
grep -q "omni plugins: 10 files refused (--strict)" <<<"$out" || fail "--strict message"

# Several directories: the same one twice gives duplicates, each listed under its directory.
for args in "--plugins $dir --plugins $dir" "--plugins $dir:$dir" "$dir $dir"; do
  out=$("$omni" plugins $args 2>&1) || fail "plugins $args"
  [ "$(grep -c "loaded, " <<<"$out")" = 2 ] || fail "two directories listed for: $args"
  grep -q "0 loaded, 18 refused" <<<"$out" || fail "second directory all duplicates for: $args"
done

out=$("$omni" plugins "$dir/does-not-exist" 2>&1); status=$?
[ $status = 1 ] || fail "exit status $status for a missing directory"
grep -q "does-not-exist: not found: no such directory" <<<"$out" || fail "missing directory message"

# `omni ingest` with the test directory's bad_adapter: a plugin's invalid output (here a text of
# 2^40 bytes, which once aborted ingest) is an error naming the field, exit status 1, no crash.
out=$(printf 'huge_text\n' | "$omni" ingest --channel bad_adapter --plugins "$dir" 2>&1); status=$?
[ $status = 1 ] || fail "ingest exit status $status for an invalid message"
grep -q "<stdin>:1: bad_adapter: invalid output: omni_inbound_message.text: is 1099511627776 bytes" <<<"$out" \
  || fail "ingest names the invalid field"
out=$(printf 'no_time\n' | "$omni" ingest --channel bad_adapter --plugins "$dir" 2>&1) || fail "ingest no_time"
grep -q '"timestamp":null' <<<"$out" || fail "a message without a time prints null"
# --help lists the channel adapters found, not a fixed list.
out=$("$omni" ingest --plugins "$dir" --help 2>&1)
grep -q "Channel adapters found: adapter_abi_1_1, bad_adapter, echo, throwing_adapter" <<<"$out" || fail "ingest --help channels"
echo "omni plugins: ok"
