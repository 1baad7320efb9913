#!/usr/bin/env bash
# Install the Debian packages the project needs, only those that are missing.
#   grading: bubblewrap (the grading sandbox)
#   hub:     grading + `make hub`: Debian's configurable-http-proxy (JupyterHub's proxy) and python3-venv
#            (the students' environment is made from Debian's Python: hub/student_env.sh)
#   test:    grading + hub (the hub's end-to-end test) + chromium (browser tests) + postgresql
#            (the large-class gradebook test)
set -euo pipefail
want="${1:-test}"
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ "$want" = "hub" ] || [ "$want" = "test" ]; then
  [ -x /usr/bin/configurable-http-proxy ] || missing+=(node-configurable-http-proxy)
  /usr/bin/python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
fi
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
