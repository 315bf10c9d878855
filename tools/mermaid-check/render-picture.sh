#!/usr/bin/env bash
# Redraw docs/img/seed-app-insecure.png, the README's picture of the insecure seed app's threat
# model, with mermaid-cli and a local Chromium (Debian's: apt-get install chromium). Not part of
# CI: mermaid-cli brings Puppeteer, which this one-off needs and the parse check does not.
#
#   tools/mermaid-check/render-picture.sh        (with iac-assist installed, from any folder)
#
# CHROMIUM overrides the browser (default /usr/bin/chromium). Puppeteer's own browser download is
# skipped: the machine's Chromium draws it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

iac-assist model "$root/fixtures/seed-app/terraform/insecure" --format mermaid --output "$work/diagram.mmd"
(
  cd "$work"
  npm init -y >/dev/null
  # The same Mermaid as the parse check (package.json beside this script).
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error \
    @mermaid-js/mermaid-cli@11.17.0 mermaid@11.17.2 >/dev/null
)
cat >"$work/puppeteer.json" <<EOF
{"executablePath": "${CHROMIUM:-/usr/bin/chromium}", "headless": "shell",
 "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
EOF
mkdir -p "$root/docs/img"
"$work/node_modules/.bin/mmdc" --quiet --puppeteerConfigFile "$work/puppeteer.json" \
  --input "$work/diagram.mmd" --output "$root/docs/img/seed-app-insecure.png" \
  --backgroundColor white --scale 2 --width 1400
echo "wrote docs/img/seed-app-insecure.png"
