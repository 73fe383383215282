#!/usr/bin/env bash
# Regenerates src/cfn/registry/generated.rs from the registry schemas in the pinned
# cfn-lint (see scripts/gen_registry.py). Pass --check to only verify it is current.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh"
cd "$root"
exec "$root/.venv/bin/python" scripts/gen_registry.py "$@"
