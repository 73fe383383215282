#!/usr/bin/env bash
# The main job on a fresh machine, no AWS account needed: set up, start the local AWS,
# apply dev to it, apply again (nothing to do), then plan and drift (both clean); then
# one change made by hand, which drift names (exit 2) — what drift is for.
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
echo "local AWS: $endpoint (moto plus scripts/local_aws)"

# Runs a step and checks its exit status against the one expected.
expect() {
  local want="$1" what="$2"
  shift 2
  local status=0
  "$@" || status=$?
  echo "$what exit status: $status (expected $want)"
  [ "$status" -eq "$want" ] || { echo "demo: $what should have exited $want" >&2; exit 1; }
}

echo; echo "== apply dev (from nothing)"
expect 0 "apply" "$bin" apply --env dev --yes
echo; echo "== apply dev again (nothing to do)"
expect 0 "second apply" "$bin" apply --env dev --yes
echo; echo "== plan"
expect 0 "plan" "$bin" plan --env dev
echo; echo "== drift"
expect 0 "drift" "$bin" drift --env dev

echo; echo "== someone opens SSH on the database's security group by hand"
.venv/bin/python - "$endpoint" <<'EOF'
import sys
import boto3

session = dict(endpoint_url=sys.argv[1], region_name="eu-central-1")
cfn, ec2 = boto3.client("cloudformation", **session), boto3.client("ec2", **session)
group = cfn.describe_stack_resource(StackName="matbakh-dev-network", LogicalResourceId="RdsSecurityGroup")
group_id = group["StackResourceDetail"]["PhysicalResourceId"]
ec2.authorize_security_group_ingress(
    GroupId=group_id,
    IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.0/24"}]}],
)
print(f"authorized tcp 22 from 203.0.113.0/24 on {group_id} (RdsSecurityGroup)")
EOF
echo; echo "== drift"
expect 2 "drift" "$bin" drift --env dev
