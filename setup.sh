#!/usr/bin/env bash
# Set up everything the guide needs, then build it or test it:
#   bash setup.sh build   # sample sites → site/ (pages + plaques)
#   bash setup.sh test    # the whole test suite
# System packages (Debian/Ubuntu, installed with apt-get when run as root):
#   fonts-noto-cjk (plaque text: Vietnamese + Chinese), ffmpeg (overview videos), nodejs and npm (the
#   panorama viewer, and Lighthouse for tests); for tests only: chromium (browser tests and Lighthouse),
#   default-jre-headless (the Nu HTML checker), shellcheck (the workflow's scripts, checked by actionlint).
set -euo pipefail
cd "$(dirname "$0")"
what="${1:-build}"

packages=(fonts-noto-cjk ffmpeg)
python3 -c 'import ensurepip' 2>/dev/null || packages+=(python3-venv)  # Debian splits venv's pip out
[ "$what" = test ] && packages+=(chromium shellcheck)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# found by command: any Node.js (some bring npm along) or Java will do
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
[ "$what" = test ] && { command -v java >/dev/null || missing+=(default-jre-headless); }
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
  if { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; } && command -v apt-get >/dev/null; then
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Please install these system packages first: ${missing[*]} (see README.md)" >&2
  fi
fi

python=python3
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed" >&2; exit 1; }
bash tools/venv.sh . "$python"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
# From npm, pinned in package-lock.json: the panorama viewer the guide publishes (Pannellum) for a build; for tests
# also the audit tools (Lighthouse, the Nu HTML checker). Installed again only when the lock or the need changed.
if ! command -v npm >/dev/null; then
  echo "npm is missing: install Node.js and npm (see README.md)" >&2
  exit 1
fi
omit=()
[ "$what" = test ] || omit=(--omit=dev)
marker="node_modules/.installed-package-lock${omit[*]:+-runtime}.json"
full="node_modules/.installed-package-lock.json"  # a full install serves a build too
if ! cmp -s package-lock.json "$marker" && ! cmp -s package-lock.json "$full"; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error ${omit[@]+"${omit[@]}"}
  rm -f node_modules/.installed-package-lock*.json
  cp package-lock.json "$marker"
fi

case "$what" in
  build) exec .venv/bin/python build.py ;;
  test) exec .venv/bin/python -m pytest ;;
  *) echo "usage: bash setup.sh build|test" >&2; exit 2 ;;
esac
