#!/usr/bin/env bash
# Install the Debian packages the project needs, only those that are missing.
#   grading: bubblewrap (the grading sandbox)
#   test:    grading + chromium (browser tests) + postgresql (the large-class gradebook test)
set -euo pipefail
want="${1:-test}"
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ "$want" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
