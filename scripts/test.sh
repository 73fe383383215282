#!/usr/bin/env bash
# Runs every check and test of matbakh-infra: the command CI runs (.ci/run).
# Installs the pinned Python tools first (cfn-lint, moto, pytest) into .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
export AWS_EC2_METADATA_DISABLED=true

echo "== cargo fmt --check" >&2
cargo fmt --all -- --check
echo "== cargo clippy" >&2
cargo clippy --locked --all-targets -- -D warnings
echo "== registry tables up to date" >&2
.venv/bin/python scripts/gen_registry.py --check
echo "== local AWS extensions (pytest)" >&2
(cd scripts && ../.venv/bin/python -m pytest -q)
echo "== cargo test" >&2
# A one-off build in CI gains nothing from incremental compilation, only its overhead.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi
# The benchmarks are type-checked by clippy above but not run here: their figures come
# from `cargo bench`, and running them as smoke tests cost CI about 3 minutes.
cargo test --locked --lib --bins --tests
