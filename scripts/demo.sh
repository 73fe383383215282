#!/usr/bin/env bash
# The main job on a fresh machine: set up, validate every environment, render prod
# into out/prod and show its stacks and dependency graph.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cargo build --locked --release --quiet
bin=target/release/matbakh-infra

"$bin" validate
"$bin" synth --env prod --out out/prod
"$bin" graph --env prod
.venv/bin/cfn-lint --format parseable -- out/prod/*.template.json && echo "cfn-lint: out/prod is clean"
