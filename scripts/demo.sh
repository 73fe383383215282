#!/usr/bin/env bash
# The main job on a fresh machine, no AWS account needed: set up, start the local AWS,
# apply dev to it, then show the plan and the drift check against it.
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
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true

status=0
"$bin" apply --env dev --yes || status=$?
echo "apply exit status: $status (0 success, 1 error before any change, 3 warnings, 4 a stack failed)"
if [ "$status" -eq 4 ]; then
  echo "note: moto 5.2.5 crashes (HTTP 500) on the security stack's KMS keys with tags, so"
  echo "      security fails there and the stacks depending on it do not start; see"
  echo "      README.md, 'The local AWS (moto) and what it does not do'."
fi
[ "$status" -ne 1 ]

status=0
"$bin" plan --env dev || status=$?
echo "plan exit status: $status (0 no changes, 2 changes, 1 error)"
[ "$status" -ne 1 ]

status=0
"$bin" drift --env dev || status=$?
echo "drift exit status: $status (0 in sync, 2 drift, 1 error)"
if [ "$status" -eq 2 ]; then
  echo "note: on moto, drift reports the stacks apply could not create, and the RDS/Redis"
  echo "      security groups keeping EC2's default allow-all egress (moto ignores their"
  echo "      inline egress rule); see README.md."
fi
[ "$status" -ne 1 ]
