#!/usr/bin/env bash
# The main job on a fresh machine, no AWS account needed: set up, validate every
# environment, render dev, start the local AWS and show the plan against it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
# The debug build shares its compiled dependencies with the test suite.
cargo build --locked --quiet
bin=target/debug/matbakh-infra

"$bin" validate
"$bin" synth --env dev --out out/dev
"$bin" graph --env dev
.venv/bin/cfn-lint --format parseable -- out/dev/*.template.json && echo "cfn-lint: out/dev is clean"

endpoint="$(bash scripts/local-aws.sh start)"
trap 'bash scripts/local-aws.sh stop' EXIT
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
status=0
"$bin" plan --env dev --endpoint-url "$endpoint" || status=$?
echo "plan exit status: $status (0 no changes, 2 changes, 1 error)"
[ "$status" -ne 1 ]
