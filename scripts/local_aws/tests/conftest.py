"""Fixtures for the local AWS extension tests: moto in-process (``mock_aws``) with every
extension installed, boto3 clients in eu-central-1, and deploying a template the way
matbakh-infra's apply does (an explicit CREATE or UPDATE change set, then execute)."""

import json
import pathlib
import uuid

import boto3
import pytest
from moto import mock_aws

import local_aws

REGION = "eu-central-1"
ACCOUNT = "123456789012"
REPO = pathlib.Path(__file__).resolve().parents[3]

local_aws.install()


# One boto3 client per service for the whole session: creating one costs more CPU than
# most calls. They are created inside the first test's mock_aws() and keep working in
# later ones: moto's request hook is global (registered in botocore's built-in handlers
# when moto is imported) and serves whichever mock is active; the state lives in the backends.
CLIENTS: dict[str, object] = {}


@pytest.fixture
def aws(monkeypatch):
    """A fresh, empty local AWS for one test."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        # No test needs moto's ~40000 default AMIs; loading them costs ~0.3 s per EC2 backend.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield Aws()


class Aws:
    """boto3 clients and a deploy helper bound to the local AWS."""

    def client(self, service):
        if service not in CLIENTS:
            CLIENTS[service] = boto3.client(service, region_name=REGION)
        return CLIENTS[service]

    @property
    def cfn(self):
        return self.client("cloudformation")

    def deploy(self, stack, template, parameters=None, expect=None):
        """Creates or updates ``stack`` through a change set and executes it. Returns the
        stack description. ``expect``: the stack status to assert (default: the
        CREATE_COMPLETE / UPDATE_COMPLETE the change-set type leads to)."""
        cfn = self.cfn
        exists = any(
            s["StackName"] == stack and s["StackStatus"] != "REVIEW_IN_PROGRESS"
            for s in cfn.describe_stacks().get("Stacks", [])
        )
        kind = "UPDATE" if exists else "CREATE"
        body = template if isinstance(template, str) else json.dumps(template)
        params = [{"ParameterKey": k, "ParameterValue": str(v)} for k, v in (parameters or {}).items()]
        change_set = cfn.create_change_set(
            StackName=stack,
            ChangeSetName=f"cs-{uuid.uuid4().hex[:12]}",
            ChangeSetType=kind,
            TemplateBody=body,
            Parameters=params,
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )["Id"]
        described = cfn.describe_change_set(ChangeSetName=change_set)
        assert described["Status"] == "CREATE_COMPLETE", described.get("StatusReason")
        cfn.execute_change_set(ChangeSetName=change_set)
        result = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        want = expect or f"{kind}_COMPLETE"
        if result["StackStatus"] != want:
            reasons = [
                f"{e['LogicalResourceId']}: {e['ResourceStatus']}: {e.get('ResourceStatusReason')}"
                for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
                if "FAILED" in e["ResourceStatus"]
            ]
            raise AssertionError(f"{stack} is {result['StackStatus']}, expected {want}: {reasons}")
        return result

    def outputs(self, stack):
        described = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}

    def physical_id(self, stack, logical_id):
        return self.cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)[
            "StackResourceDetail"
        ]["PhysicalResourceId"]


def golden_template(env, stack):
    """A template as matbakh-infra renders it (tests/golden is kept equal to `synth`)."""
    path = REPO / "tests" / "golden" / env / f"matbakh-{env}-{stack}.template.json"
    return json.loads(path.read_text())


@pytest.fixture
def account_id():
    return ACCOUNT
