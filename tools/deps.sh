# Sourced by tools/omni and tools/test: installs the Debian 12 packages the build needs when any
# is missing. Idempotent and quiet when everything is there.
omni_packages=(
  build-essential cmake g++ pkg-config git
  libboost-dev                 # Boost.Lockfree, Boost.DLL (header-only in 1.74)
  libgtest-dev libgmock-dev libbenchmark-dev libmimalloc-dev
  nlohmann-json3-dev           # configuration and scenario files (not a hot path)
  libsimdjson-dev              # webhook ingest at volume
  libcli11-dev                 # the omni command line
  libsqlite3-dev               # the SQL baseline router in bench/
  liblmdb-dev                  # LMDB, a journal storage candidate measured in bench/journal
  libatomic-queue-dev libconcurrentqueue-dev  # queue candidates measured in bench/
  clang-14 libclang-rt-14-dev libc++-14-dev libc++abi-14-dev  # libFuzzer, the other-ABI plugin test
  abigail-tools                # abidiff: the plugin ABI did not change by accident
  libssl-dev                   # omni serve: HMAC-SHA256 of webhooks, random demo secrets, TLS to the Graph API
  chromium                     # omni serve: the supervisor page's browser test (driven by playwright-core)
  openssl                      # omni serve: the browser test over TLS makes a throwaway certificate with the CLI
)
# Installed only when the command is missing: a machine with Node.js from elsewhere (NodeSource
# ships npm inside its nodejs) must not get Debian's npm forced on top of it.
omni_command_packages=(
  node:nodejs npm:npm          # omni serve: the browser test installs playwright-core with npm
)
omni_install_deps() {
  local missing=()
  for p in "${omni_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  for entry in "${omni_command_packages[@]}"; do
    command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
  done
  if ((${#missing[@]})); then
    echo "omni: installing ${missing[*]}" >&2
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}
