"""IAM: ``AWS::IAM::Role`` and ``AWS::IAM::InstanceProfile`` through CloudFormation as AWS
documents them, AWS managed policies that exist as on AWS, and the condition operators of
IAM policies (used by moto for S3 bucket policies and role trust policies).

Upstream issues (as we would file them at getmoto/moto):

1. **Bucket policy conditions: unknown operators match, unmatched conditions deny**
   (gaps row 13). moto 5.2.5, ``moto/iam/policy_conditions.py`` ``TrustCondition.
   verify_condition`` ("If the evaluation operation is not supported, ignore condition
   evaluation": only ``StringEquals`` is known, every other operator counts as matching, and a
   key absent from the request counts as matching too) and ``moto/iam/access_control.py``
   ``IAMPolicyStatement.is_action_permitted`` (a condition that does not match returns
   DENIED). Reproduction::

       s3.create_bucket(Bucket="b", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
       s3.put_bucket_policy(Bucket="b", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
           "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
           "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
       s3.put_object(Bucket="b", Key="k", Body=b"x")   # 403 AccessDenied

   Expected (IAM User Guide, "IAM JSON policy elements: Condition operators" and "Policy
   evaluation logic"): a statement applies only when all its conditions match; ``Bool``
   compares the key's value; a key absent from the request context makes a condition false
   (true for the negated operators, ``...IfExists`` and ``Null``). Over HTTPS
   ``aws:SecureTransport`` is ``true``, so the owner's PutObject/HeadObject succeed. Actual:
   every request to the bucket is denied.
   Our choice: the local endpoint stands for AWS's HTTPS endpoint, so the request context has
   ``aws:SecureTransport = "true"`` (plus ``aws:CurrentTime``/``aws:EpochTime``); other keys
   are absent unless moto passes them (``sts:ExternalId``).

2. **IAM Role from CloudFormation ignores ManagedPolicyArns.** moto 5.2.5,
   ``moto/iam/models.py`` ``Role.create_from_cloudformation_json``. Reproduction: a role
   with ``"ManagedPolicyArns": ["arn:aws:iam::123456789012:policy/p"]``, then
   ListAttachedRolePolicies. Expected: the policies are attached (Template Reference,
   AWS::IAM::Role). Actual: none attached. (Inline ``Policies`` are stored as objects, not
   JSON text; GetRolePolicy copes, other readers do not.)

3. **IAM Role update handler resets MaxSessionDuration and ignores the rest.** moto 5.2.5,
   ``Role.update_from_cloudformation_json`` reads ``MaxSessionDuration`` from the
   ``RoleDescription`` key (so it is always 3600) and never applies AssumeRolePolicyDocument,
   Policies, ManagedPolicyArns, PermissionsBoundary or Tags. Expected: all of them update
   without interruption (Template Reference). Actual: only Description changes.

4. **AWS::IAM::InstanceProfile has no update handler.** moto 5.2.5, ``moto/iam/models.py``
   ``InstanceProfile`` defines create and delete only. Reproduction: a stack with an
   instance profile whose ``Roles`` is ``[Ref A]``, then a change set to ``[Ref B]``.
   Expected (Template Reference, AWS::IAM::InstanceProfile: ``Roles`` updates without
   interruption): GetInstanceProfile lists role B only, same profile. Actual: the change
   set fails (moto's parser finds no update method).

Not a bug but a moto default we adapt to: AWS managed policies (``arn:aws:iam::aws:policy/...``)
are not loaded unless ``MOTO_IAM_LOAD_MANAGED_POLICIES=true`` (loading all ~1,600 costs
seconds per account), so attaching one fails NoSuchEntity although it exists on AWS. We load
the one asked for on demand.

Not emulated: identity-based policy evaluation (moto's default), other global condition keys
(aws:SourceIp, aws:PrincipalArn, ...), policy variables, RoleId stability across updates.
"""

import functools
import ipaddress
import json
import logging
import re
from datetime import datetime, timezone

from moto.cloudformation.exceptions import ValidationError
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, InstanceProfile, Role, iam_backends
from moto.utilities.utils import get_partition

from ._cfn import as_int, original, properties, replace, tags_to_dict

TYPE = "AWS::IAM::Role"
log = logging.getLogger(__name__)

# ---------------------------------------------------------------- condition operators


def _like(pattern, value, flags=0):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags) is not None


def _arn_like(value, pattern):
    """ArnEquals/ArnLike: each of the six colon-separated parts matched on its own."""
    parts, wanted = value.split(":", 5), pattern.split(":", 5)
    return len(parts) == len(wanted) and all(_like(w, p) for p, w in zip(parts, wanted))


def _date(text):
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), timezone.utc)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _compare(convert, test):
    return lambda actual, expected: test(convert(actual), convert(expected))


# Positive operators: (value from the request, one value from the policy) -> match.
OPERATORS = {
    "StringEquals": lambda a, e: a == e,
    "StringEqualsIgnoreCase": lambda a, e: a.lower() == e.lower(),
    "StringLike": lambda a, e: _like(e, a),
    "NumericEquals": _compare(float, lambda a, e: a == e),
    "NumericLessThan": _compare(float, lambda a, e: a < e),
    "NumericLessThanEquals": _compare(float, lambda a, e: a <= e),
    "NumericGreaterThan": _compare(float, lambda a, e: a > e),
    "NumericGreaterThanEquals": _compare(float, lambda a, e: a >= e),
    "DateEquals": _compare(_date, lambda a, e: a == e),
    "DateLessThan": _compare(_date, lambda a, e: a < e),
    "DateLessThanEquals": _compare(_date, lambda a, e: a <= e),
    "DateGreaterThan": _compare(_date, lambda a, e: a > e),
    "DateGreaterThanEquals": _compare(_date, lambda a, e: a >= e),
    "Bool": lambda a, e: a.lower() == e.lower(),
    "BinaryEquals": lambda a, e: a == e,
    "IpAddress": lambda a, e: ipaddress.ip_address(a) in ipaddress.ip_network(e, strict=False),
    "ArnEquals": _arn_like,
    "ArnLike": _arn_like,
}
# Negated operators hold when the value matches none of the policy's values.
NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _values(value):
    items = value if isinstance(value, list) else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def condition_matches(operator, key, expected, context):
    """One ``"Operator": {"key": expected}`` entry against the request context (key names
    lower-cased, values lists of strings), per the IAM condition operator reference."""
    qualifier, _, name = operator.rpartition(":")  # ForAnyValue: / ForAllValues:
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    expected = _values(expected)
    actual = context.get(key.lower())
    if name == "Null":
        return any((actual is None) == (e.lower() == "true") for e in expected)
    positive = OPERATORS.get(NEGATED.get(name, name))
    if positive is None:
        log.warning("IAM condition operator %s is not known: the condition does not match", operator)
        return False
    if not actual:
        if if_exists or qualifier == "ForAllValues":
            return True
        return name in NEGATED and qualifier != "ForAnyValue"

    def matches(value, wanted):
        try:
            return positive(value, wanted)
        except ValueError:  # not a number / date / address: no match
            return False

    def one(value):
        hit = any(matches(value, e) for e in expected)
        return not hit if name in NEGATED else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in actual)
    return any(one(v) for v in actual)


def request_context(incoming=None):
    """What every request carries: it came over TLS (the local endpoint stands for AWS's
    HTTPS endpoint) at the current time. Plus the values moto extracted (sts:ExternalId)."""
    now = datetime.now(timezone.utc)
    context = {
        "aws:securetransport": ["true"],
        "aws:currenttime": [now.strftime("%Y-%m-%dT%H:%M:%SZ")],
        "aws:epochtime": [str(int(now.timestamp()))],
    }
    for key, value in (incoming or {}).items():
        context[key.lower()] = _values(value)
    return context


def check_conditions(self, incoming_condition_values):
    context = request_context(incoming_condition_values)
    return all(
        condition_matches(operator, key, expected, context)
        for operator, block in (self._statement.get("Condition") or {}).items()
        for key, expected in block.items()
    )


def is_action_permitted(self, action, resource="*", principal=None, incoming_condition_values=None):
    result = original(IAMPolicyStatement, "is_action_permitted")(self, action, resource, principal, incoming_condition_values)
    # A statement whose conditions do not match does not apply: neither allow nor deny.
    unmatched = self._statement.get("Condition") and not self._check_conditions(incoming_condition_values)
    return PermissionResult.NEUTRAL if result == PermissionResult.DENIED and unmatched else result


# ---------------------------------------------------------------- AWS managed policies


@functools.cache
def _aws_managed_data():
    return json.loads(aws_managed_policies_data)


def _ensure_aws_managed(backend, arn):
    """Creates the AWS managed policy ``arn`` in ``backend`` if moto did not load it."""
    prefix = f"arn:{backend.partition}:iam::aws:policy"
    if not arn.startswith(prefix) or arn in backend.managed_policies:
        return
    name = arn.rsplit("/", 1)[-1]
    data = _aws_managed_data().get(name)
    if data is not None and f"{prefix}{data['Path']}{name}" == arn:
        policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
        backend.aws_managed_policies.append(policy)
        backend.managed_policies[policy.arn] = policy


def _with_aws_managed(method):
    def wrapper(self, policy_arn, *args, **kwargs):
        _ensure_aws_managed(self, policy_arn)
        return original(IAMBackend, method)(self, policy_arn, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- AWS::IAM::Role


def _backend(account_id, region_name):
    return iam_backends[account_id][get_partition(region_name)]


def _document(doc):
    return doc if isinstance(doc, str) else json.dumps(doc)


def _role_name(props, resource_name):
    if props.get("RoleName"):
        return props["RoleName"]
    # A generated name keeps its random suffix and fits IAM's 64 characters.
    prefix, _, suffix = resource_name.rpartition("-")
    return resource_name if len(resource_name) <= 64 else f"{prefix[: 63 - len(suffix)]}-{suffix}"


def _sync_policies(backend, role, props):
    """Inline Policies and ManagedPolicyArns as the template says; what others attached
    (AWS::IAM::Policy, out of band) is left alone, as on AWS."""
    wanted = {p["PolicyName"]: _document(p["PolicyDocument"]) for p in props.get("Policies") or []}
    for name in getattr(role, "cfn_policy_names", []):
        if name not in wanted and name in role.policies:
            backend.delete_role_policy(role.name, name)
    for name, doc in wanted.items():
        backend.put_role_policy(role.name, name, doc)
    role.cfn_policy_names = list(wanted)

    arns = list(props.get("ManagedPolicyArns") or [])
    for arn in getattr(role, "cfn_managed_policy_arns", []):
        if arn not in arns and arn in role.managed_policies:
            backend.detach_role_policy(arn, role.name)
    for arn in arns:
        if arn not in role.managed_policies:
            backend.attach_role_policy(arn, role.name)
    role.cfn_managed_policy_arns = arns


def create_role(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = _backend(account_id, region_name)
    role = backend.create_role(
        role_name=_role_name(props, resource_name),
        assume_role_policy_document=_document(props["AssumeRolePolicyDocument"]),
        path=props.get("Path", "/"),
        permissions_boundary=props.get("PermissionsBoundary"),
        description=props.get("Description", ""),
        tags=[{"Key": k, "Value": v} for k, v in tags_to_dict(props.get("Tags")).items()],
        max_session_duration=as_int(props.get("MaxSessionDuration"), 3600),
    )
    _sync_policies(backend, role, props)
    return role


def update_role(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    role = original_resource
    if props.get("RoleName", role.name) != role.name or props.get("Path", "/") != role.path:
        raise ValidationError(message=f"{TYPE} {role.name}: RoleName and Path are create-only (replacement)")
    backend = _backend(account_id, region_name)
    backend.update_assume_role_policy(role.name, _document(props["AssumeRolePolicyDocument"]))
    backend.update_role(role.name, props.get("Description", ""), as_int(props.get("MaxSessionDuration"), 3600))
    if props.get("PermissionsBoundary"):
        backend.put_role_permissions_boundary(role.name, props["PermissionsBoundary"])
    else:
        backend.delete_role_permissions_boundary(role.name)
    tags = tags_to_dict(props.get("Tags"))
    stale = [t["Key"] for t in role.tags if t["Key"] not in tags]
    if stale:
        backend.untag_role(role.name, stale)
    if tags:
        backend.tag_role(role.name, [{"Key": k, "Value": v} for k, v in tags.items()])
    _sync_policies(backend, role, props)
    return role


def delete_role(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _backend(account_id, region_name)
    for role in list(backend.roles.values()):
        if role.name == resource_name:
            for arn in getattr(role, "cfn_managed_policy_arns", []):
                if arn in role.managed_policies:
                    backend.detach_role_policy(arn, role.name)
    # moto's own deletion: inline policies, instance profile links, the role.
    original(Role, "delete_from_cloudformation_json")(resource_name, cloudformation_json, account_id, region_name)


def update_instance_profile(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    profile = original_resource
    if props.get("Path", "/") != profile.path:
        raise ValidationError(message=f"AWS::IAM::InstanceProfile {profile.name}: Path is create-only (replacement)")
    backend = _backend(account_id, region_name)
    wanted = list(props.get("Roles") or [])
    for role in list(profile.roles):
        if role.name not in wanted:
            backend.remove_role_from_instance_profile(profile.name, role.name)
    for name in wanted:
        if name not in [r.name for r in profile.roles]:
            backend.add_role_to_instance_profile(profile.name, name)
    return profile


def install():
    replace(IAMPolicyStatement, "_check_conditions", check_conditions)
    replace(IAMPolicyStatement, "is_action_permitted", is_action_permitted)
    for method in ("attach_role_policy", "attach_user_policy", "attach_group_policy", "get_policy"):
        replace(IAMBackend, method, _with_aws_managed(method))
    replace(Role, "create_from_cloudformation_json", create_role, "classmethod")
    replace(Role, "update_from_cloudformation_json", update_role, "classmethod")
    replace(Role, "delete_from_cloudformation_json", delete_role, "classmethod")
    replace(InstanceProfile, "update_from_cloudformation_json", update_instance_profile, "classmethod")
