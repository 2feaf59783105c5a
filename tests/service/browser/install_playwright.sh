#!/bin/sh
# Installs the pinned playwright-core into DIR/node_modules with npm, unless that exact version is
# already there (so a machine without network access re-runs the browser test offline).
# playwright-core carries no browser: the test drives Debian's /usr/bin/chromium.
# Exit 77 (ctest: skipped) when node or npm is missing.
set -eu
dir=$1
version=1.65.1
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { echo "node/npm not installed" >&2; exit 77; }
installed=$(node -e "try{console.log(require('$dir/node_modules/playwright-core/package.json').version)}catch(e){}" 2>/dev/null || true)
if [ "$installed" = "$version" ]; then
  echo "playwright-core $version already in $dir"
  exit 0
fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"name":"omni-browser-tests","private":true}' > "$dir/package.json"
# Never download a browser, whatever the package's install hooks think.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts \
  --save-exact "playwright-core@$version"
