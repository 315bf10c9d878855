#!/usr/bin/env bash
# Redraw the Graphviz pictures of the threat model in docs/img/: the reference app (insecure and
# hardened, Terraform) and a large synthetic architecture (300 components over 3 VPCs, the one
# tests/test_threatmodel_diagrams.py generates). Needs iac-assist installed and Graphviz's dot
# (Debian: apt-get install graphviz). Not part of CI: the tests render the same DOT.
#
#   tools/graphviz-pictures.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
img="$root/docs/img"
mkdir -p "$img"

draw() {  # draw NAME PATH [model options...]
  local name="$1" path="$2"
  shift 2
  iac-assist model "$path" --format dot --output "$work/$name.dot" "$@" || [ $? -eq 1 ]
  dot -Tpng -Gdpi=96 "$work/$name.dot" -o "$img/$name.png"
  echo "wrote docs/img/$name.png"
}

draw seed-app-insecure-graphviz "$root/fixtures/seed-app/terraform/insecure"
draw seed-app-hardened-graphviz "$root/fixtures/seed-app/terraform/hardened"
(cd "$root" && python -c "import sys; from pathlib import Path; from tests.test_threatmodel_diagrams import write_large; \
write_large(Path(sys.argv[1]))" "$work/large")
draw large-architecture-graphviz "$work/large"
draw large-architecture-attack-paths "$work/large" --view attack-paths
