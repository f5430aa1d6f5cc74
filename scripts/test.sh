#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need
# (Python packages, Debian's chromium, a Java runtime, GDAL and Hugo, npm's axe-core,
# vnu-jar, ical.js and node-ical), runs ruff and mypy, then pytest. Safe to run again: installed things are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -d .venv ] || "$PYTHON" -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

# Lint and type checks first (seconds, not minutes): a finding fails the run. Settings in pyproject.toml.
python -m ruff check site_gen build.py bench scripts tests
python -m mypy

need_apt=()
# The browser tests drive /usr/bin/chromium (Debian's package; never `playwright install`).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
# Node runs the JavaScript calendar readers (tests/node/read_calendar.js); npm installs them.
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# python-opencivicdata's event models are GeoDjango's, which load the GDAL library
# (tests/test_opendata_validators.py); gdal-bin brings the release's libgdal.
command -v gdalinfo >/dev/null 2>&1 || need_apt+=(gdal-bin)
# The benchmark compares the build with Hugo + Pagefind on the same meetings (tests/test_bench.py).
command -v hugo >/dev/null 2>&1 || need_apt+=(hugo)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

for tool in /usr/bin/chromium java node gdalinfo hugo; do
  command -v "$tool" >/dev/null 2>&1 || { echo "scripts/test.sh: $tool is still missing after apt-get" >&2; exit 1; }
done

# axe-core, vnu-jar, ical.js and node-ical (test tools), and the editing screen's decap-cms,
# js-yaml and decap-server, at the versions package-lock.json pins, from npm's registry.
# --ignore-scripts: vnu-jar's install script would download a Java runtime (the Java above
# runs it); the others need none.
npm ci --silent --no-audit --no-fund --ignore-scripts

python -m pytest "$@"
