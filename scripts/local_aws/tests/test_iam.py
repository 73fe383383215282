"""AWS::IAM::Role through change sets, AWS managed policies, IAM condition operators in S3
bucket policies, every golden stack's roles, and probes that moto 5.2.5 is still broken
where local_aws/iam.py works around it."""

import json

import pytest
from botocore.exceptions import ClientError
from moto import settings
from moto.iam.access_control import IAMPolicy, IAMPolicyStatement, PermissionResult
from moto.core.common_models import CloudFormationModel
from moto.iam.models import InstanceProfile, Role, iam_backends

from _support import STACKS, fake_imports, golden_placeholders, golden_subset
from conftest import ACCOUNT, REGION, golden_template
from local_aws._cfn import original
from local_aws.iam import condition_matches, request_context

# --------------------------------------------------------------------------- AWS::IAM::Role

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def doc(*actions):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


def role_template(**overrides):
    props = {
        "RoleName": "app-role",
        "Description": "first",
        "AssumeRolePolicyDocument": TRUST,
        "MaxSessionDuration": 7200,
        "Policies": [{"PolicyName": "logs", "PolicyDocument": doc("logs:PutLogEvents")},
                     {"PolicyName": "old", "PolicyDocument": doc("s3:GetObject")}],
        "ManagedPolicyArns": [{"Ref": "Managed"}, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
        "PermissionsBoundary": {"Ref": "Boundary"},
        "Tags": [{"Key": "team", "Value": "a"}, {"Key": "gone", "Value": "soon"}],
        **overrides,
    }
    return {"Resources": {
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("sqs:SendMessage")}},
        "Boundary": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("*")}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": props},
    }, "Outputs": {
        "Ref": {"Value": {"Ref": "Role"}},
        "Arn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
        "RoleId": {"Value": {"Fn::GetAtt": ["Role", "RoleId"]}},
    }}


def attached(iam, name):
    return sorted(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"])


def test_role_is_created_updated_in_place_and_deleted(aws):
    iam = aws.client("iam")
    aws.deploy("roles", role_template())
    managed, boundary = aws.physical_id("roles", "Managed"), aws.physical_id("roles", "Boundary")
    role = iam.get_role(RoleName="app-role")["Role"]
    assert aws.physical_id("roles", "Role") == "app-role"
    arn = f"arn:aws:iam::{ACCOUNT}:role/app-role"
    assert aws.outputs("roles") == {"Ref": "app-role", "Arn": arn, "RoleId": role["RoleId"]}
    assert (role["Description"], role["MaxSessionDuration"], role["Path"]) == ("first", 7200, "/")
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"team": "a", "gone": "soon"}
    assert sorted(iam.list_role_policies(RoleName="app-role")["PolicyNames"]) == ["logs", "old"]
    assert iam.get_role_policy(RoleName="app-role", PolicyName="logs")["PolicyDocument"] == doc("logs:PutLogEvents")
    assert attached(iam, "app-role") == sorted([managed, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"])

    # Something attached outside the template stays (as on AWS).
    iam.put_role_policy(RoleName="app-role", PolicyName="out-of-band", PolicyDocument=json.dumps(doc("sns:Publish")))
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "edgelambda.amazonaws.com"}}]}
    aws.deploy("roles", role_template(
        Description="second", AssumeRolePolicyDocument=trust, MaxSessionDuration=3600,
        Policies=[{"PolicyName": "logs", "PolicyDocument": doc("logs:CreateLogStream")}],
        ManagedPolicyArns=[{"Ref": "Managed"}], PermissionsBoundary={"Ref": "AWS::NoValue"},
        Tags=[{"Key": "team", "Value": "b"}],
    ))
    role = iam.get_role(RoleName="app-role")["Role"]
    assert aws.outputs("roles")["RoleId"] == role["RoleId"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("second", 3600)
    assert role["AssumeRolePolicyDocument"] == trust
    assert "PermissionsBoundary" not in role
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"team": "b"}
    assert sorted(iam.list_role_policies(RoleName="app-role")["PolicyNames"]) == ["logs", "out-of-band"]
    assert iam.get_role_policy(RoleName="app-role", PolicyName="logs")["PolicyDocument"] == doc("logs:CreateLogStream")
    assert attached(iam, "app-role") == [managed]

    iam.delete_role_policy(RoleName="app-role", PolicyName="out-of-band")
    aws.deploy("roles", {"Resources": {"Managed": role_template()["Resources"]["Managed"]}})
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_role(RoleName="app-role")


def test_role_without_name_gets_a_generated_one_within_64_characters(aws):
    stack = "a-stack-name-that-is-long-enough-to-push-the-generated-role-name-over-the-limit"
    aws.deploy(stack, {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST}}}})
    name = aws.physical_id(stack, "Role")
    assert len(name) <= 64 and name.startswith("a-stack-name")
    assert aws.client("iam").get_role(RoleName=name)["Role"]["RoleName"] == name


def test_aws_managed_policy_attaches_through_the_api(aws):
    iam = aws.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    assert attached(iam, "r") == [arn]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AmazonRDSEnhancedMonitoringRole"
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")


# --------------------------------------------------------------------------- AWS::IAM::InstanceProfile

def profile_template(role):
    role_props = {"AssumeRolePolicyDocument": {**TRUST, "Statement": [
        {**TRUST["Statement"][0], "Principal": {"Service": "ec2.amazonaws.com"}}]}}
    return {"Resources": {
        "RoleA": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "role-a", **role_props}},
        "RoleB": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "role-b", **role_props}},
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": role}]}},
    }, "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Profile", "Arn"]}}}}


def test_instance_profile_is_created_its_role_swapped_in_place_and_deleted(aws):
    iam = aws.client("iam")
    aws.deploy("profiles", profile_template("RoleA"))
    name = aws.physical_id("profiles", "Profile")
    profile = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["role-a"]
    assert aws.outputs("profiles")["Arn"] == profile["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}"

    aws.deploy("profiles", profile_template("RoleB"))
    assert aws.physical_id("profiles", "Profile") == name
    profile = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["role-b"]
    assert aws.outputs("profiles")["Arn"] == profile["Arn"]

    keep = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "keep", "AssumeRolePolicyDocument": TRUST}}
    aws.deploy("profiles", {"Resources": {"Keep": keep}})
    with pytest.raises(ClientError, match="NoSuchEntity"):
        iam.get_instance_profile(InstanceProfileName=name)


# --------------------------------------------------------------------------- conditions (row 13)

TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:*"],
            "Resource": ["arn:aws:s3:::tls-bucket", "arn:aws:s3:::tls-bucket/*"],
            "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}


def bucket_with_policy(aws, *statements):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="tls-bucket", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket="tls-bucket", Key="before", Body=b"x")
    s3.put_bucket_policy(Bucket="tls-bucket", Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return s3


def test_tls_only_bucket_policy_lets_the_owner_in(aws):
    s3 = bucket_with_policy(aws, TLS_ONLY)
    s3.put_object(Bucket="tls-bucket", Key="k", Body=b"data")
    assert s3.head_object(Bucket="tls-bucket", Key="k")["ContentLength"] == 4
    assert s3.get_object(Bucket="tls-bucket", Key="before")["Body"].read() == b"x"


def test_statements_whose_conditions_match_still_deny(aws):
    s3 = bucket_with_policy(
        aws,
        TLS_ONLY,
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-bucket/locked/*",
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-bucket/mfa/*",
         "Condition": {"Null": {"aws:MultiFactorAuthAge": "true"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-bucket/vpce/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::tls-bucket/never/*",
         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    )
    for prefix in ("locked", "mfa", "vpce"):
        with pytest.raises(ClientError, match="403|AccessDenied"):  # moto's S3 answers a bare 403
            s3.put_object(Bucket="tls-bucket", Key=f"{prefix}/k", Body=b"x")
    s3.put_object(Bucket="tls-bucket", Key="never/k", Body=b"x")  # the key is absent: StringEquals is false


@pytest.mark.parametrize("operator, key, expected, result", [
    ("Bool", "aws:SecureTransport", "false", False),
    ("Bool", "aws:SecureTransport", [True], True),
    ("StringEquals", "aws:securetransport", "true", True),  # key names are case-insensitive
    ("StringLike", "sts:ExternalId", "ab*", True),
    ("StringNotLike", "sts:ExternalId", ["ab?", "x*"], False),
    ("StringEqualsIgnoreCase", "sts:ExternalId", "ABC", True),
    ("StringEquals", "aws:PrincipalTag/team", "a", False),  # absent key
    ("StringNotEquals", "aws:PrincipalTag/team", "a", True),  # absent key, negated
    ("StringEqualsIfExists", "aws:PrincipalTag/team", "a", True),
    ("ForAnyValue:StringEquals", "aws:TagKeys", "a", False),
    ("ForAllValues:StringEquals", "aws:TagKeys", "a", True),
    ("Null", "aws:PrincipalTag/team", "true", True),
    ("Null", "aws:SecureTransport", "true", False),
    ("NumericLessThan", "aws:EpochTime", "99999999999", True),
    ("NumericGreaterThan", "aws:EpochTime", "not-a-number", False),
    ("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", True),
    ("DateLessThan", "aws:CurrentTime", "2020-01-01", False),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", False),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", True),
    ("ArnLike", "sts:ExternalId", "arn:aws:*", False),
    ("NoSuchOperator", "aws:SecureTransport", "true", False),
])
def test_condition_operators(operator, key, expected, result):
    context = request_context({"sts:ExternalId": "abc"})
    assert condition_matches(operator, key, expected, context) is result


def test_arn_and_ip_conditions_compare_per_part():
    context = {"aws:sourcearn": [f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"], "aws:sourceip": ["10.1.2.3"]}
    assert condition_matches("ArnLike", "aws:SourceArn", f"arn:aws:lambda:*:{ACCOUNT}:function:*", context)
    assert not condition_matches("ArnEquals", "aws:SourceArn", f"arn:aws:lambda:*:999999999999:function:*", context)
    assert condition_matches("IpAddress", "aws:SourceIp", ["192.168.0.0/16", "10.0.0.0/8"], context)


# --------------------------------------------------------------------------- golden templates


ROLE_STACKS = [
    s for s in STACKS if any(r["Type"] == "AWS::IAM::Role" for r in golden_template("dev", s)["Resources"].values())
]


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("name", ROLE_STACKS)
def test_golden_roles_and_log_groups(aws, env, name):
    """Each stack's roles with the log groups and keys they reference (other resources
    become placeholders; imports are faked)."""
    template = golden_template(env, name)
    subset = golden_subset(template, {"AWS::IAM::Role", "AWS::Logs::LogGroup", "AWS::KMS::Key", "AWS::KMS::Alias"},
                           golden_placeholders(env))
    roles = {k: r["Properties"] for k, r in subset["Resources"].items() if r["Type"] == "AWS::IAM::Role"}
    fake_imports(aws, subset)
    stack = f"matbakh-{env}-{name}"
    aws.deploy(stack, subset)
    iam = aws.client("iam")
    for logical, props in roles.items():
        role_name = aws.physical_id(stack, logical)
        if "RoleName" in props:
            assert role_name == props["RoleName"]
        role = iam.get_role(RoleName=role_name)["Role"]
        assert role["Description"] == props.get("Description", "")
        assert {t["Key"]: t["Value"] for t in role["Tags"]} == {t["Key"]: t["Value"] for t in props.get("Tags", [])}
        assert sorted(iam.list_role_policies(RoleName=role_name)["PolicyNames"]) == sorted(
            p["PolicyName"] for p in props.get("Policies", []))
        assert len(attached(iam, role_name)) == len(props.get("ManagedPolicyArns", []))
        for policy in props.get("Policies", []):
            stored = iam.get_role_policy(RoleName=role_name, PolicyName=policy["PolicyName"])["PolicyDocument"]
            sids = [s.get("Sid") for s in policy["PolicyDocument"]["Statement"]]
            assert [s.get("Sid") for s in stored["Statement"]] == sids


# --------------------------------------------------------------------------- probes


def test_probe_unknown_condition_operator_matches_and_deny_applies():
    statement = IAMPolicyStatement(TLS_ONLY)
    result = original(IAMPolicyStatement, "is_action_permitted")(statement, "s3:PutObject", "arn:aws:s3:::tls-bucket/k")
    # moto's own condition check, not ours:
    assert original(IAMPolicyStatement, "_check_conditions")(statement, None) is True
    assert result == PermissionResult.DENIED, (
        "moto evaluates Bool conditions upstream: remove the condition extension in local_aws/iam.py")


def test_probe_unmatched_condition_denies_an_allow():
    allow = IAMPolicyStatement({"Effect": "Allow", "Action": "s3:*", "Resource": "*",
                                "Condition": {"StringEquals": {"sts:ExternalId": "x"}}})
    checked = original(IAMPolicyStatement, "_check_conditions")
    assert checked(allow, {"sts:ExternalId": "y"}) is False
    allow._check_conditions = lambda incoming: checked(allow, incoming)  # moto's own check, on this statement only
    result = original(IAMPolicyStatement, "is_action_permitted")(allow, "s3:GetObject", "*", None, {"sts:ExternalId": "y"})
    assert result == PermissionResult.DENIED, (
        "moto treats a non-matching condition as not applicable upstream: review is_action_permitted in local_aws/iam.py")
    ours = IAMPolicy(json.dumps({"Statement": [allow._statement]}))
    assert ours.is_action_permitted("s3:GetObject") == PermissionResult.NEUTRAL


def test_probe_role_ignores_managed_policy_arns_and_update_resets_session(aws):
    backend = iam_backends[ACCOUNT]["aws"]
    policy = backend.create_policy("d", "p", json.dumps(doc("s3:*")), "/", [])
    props = {"RoleName": "probe", "AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [policy.arn],
             "MaxSessionDuration": 7200}
    role = original(Role, "create_from_cloudformation_json")("probe", {"Properties": props}, ACCOUNT, REGION)
    assert role.managed_policies == {}, "moto attaches ManagedPolicyArns upstream: remove that from local_aws/iam.py"
    update = original(Role, "update_from_cloudformation_json")
    role = update(role, "probe", {"Properties": {**props, "Description": "x"}}, ACCOUNT, REGION)
    assert role.max_session_duration == 3600, "moto fixed the Role update handler upstream: review local_aws/iam.py"


def test_probe_instance_profile_has_no_update_handler():
    moto_update = original(InstanceProfile, "update_from_cloudformation_json")
    assert moto_update.__func__ is CloudFormationModel.update_from_cloudformation_json.__func__, (
        "moto updates instance profiles upstream: remove update_instance_profile from local_aws/iam.py")


def test_probe_aws_managed_policies_not_loaded_by_default():
    assert not settings.load_iam_aws_managed_policies(), (
        "moto loads AWS managed policies by default: remove the on-demand loading in local_aws/iam.py")
