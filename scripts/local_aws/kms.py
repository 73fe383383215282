"""KMS: ``AWS::KMS::Key`` through CloudFormation as AWS documents it, and key rotation
details in the KMS API. ``AWS::KMS::Alias`` is moto's own model (it works: Ref = alias
name, TargetKeyId updated in place).

Upstream issues (as we would file them at getmoto/moto):

1. **KMS Key from CloudFormation: Tags, KeyPolicy object and a missing KeyPolicy answer 500**
   (gaps row 1). moto 5.2.5, ``moto/kms/models.py`` ``Key.create_from_cloudformation_json``.
   Reproduction (CreateStack)::

       {"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {
           "KeyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]},
           "Tags": [{"Key": "a", "Value": "b"}]}}}}

   Expected: CloudFormation tags are ``{Key, Value}`` and ``KeyPolicy`` is Json, an object
   or a string, and optional (a default key policy applies); GetKeyPolicy returns the policy
   as a string (Template Reference, AWS::KMS::Key; KMS API GetKeyPolicy).
   Actual: ``KeyError: 'TagKey'`` (the CFN tags go unconverted to the KMS tagger, which
   wants ``TagKey``/``TagValue``) → HTTP 500. Without Tags the object policy is stored as a
   dict and every later DescribeKey answers 500 (``policy_validator.validate_policy`` calls
   ``json.loads`` on a dict: TypeError). Without KeyPolicy: ``KeyError: 'KeyPolicy'`` → 500.
   The same function also ignores KeySpec, KeyUsage, MultiRegion, Origin and
   RotationPeriodInDays, and takes EnableKeyRotation/Enabled verbatim (``Enabled: false``
   leaves KeyState ``Enabled``; a string ``"false"`` from a parameter counts as true).

2. **KMS Key has no CloudFormation update handler: an update drops it.** moto 5.2.5,
   ``moto/kms/models.py`` ``Key`` (no ``update_from_cloudformation_json``;
   ``moto/cloudformation/parsing.py`` ``parse_and_update_resource`` then returns None).
   Reproduction: create the stack above, update it with a changed ``Description``.
   Expected: Description, KeyPolicy, EnableKeyRotation, RotationPeriodInDays, Enabled and
   Tags update without interruption; a changed KeySpec, KeyUsage, Origin or MultiRegion makes
   the update fail (Template Reference, AWS::KMS::Key). Actual: the key vanishes from the
   stack (Ref/GetAtt break) while it stays in KMS unchanged.

3. **KMS Key removed from a stack is deleted at once instead of scheduled for deletion.**
   moto 5.2.5, ``moto/kms/models.py`` ``Key.delete`` calls ``KmsBackend.delete_key``.
   Reproduction: delete the stack above, then DescribeKey. Expected: "When you remove a KMS
   key from a CloudFormation stack, KMS schedules the KMS key for deletion" with
   PendingWindowInDays (7-30, default 30): DescribeKey shows KeyState ``PendingDeletion`` and
   a DeletionDate. Actual: NotFoundException.

4. **KMS Key has no ``Fn::GetAtt KeyId``.** moto 5.2.5, ``Key.has_cfn_attr`` /
   ``get_cfn_attribute`` know ``Arn`` only. Expected: ``KeyId`` returns the key id
   (Template Reference, return values). Actual: template error.

5. **GetKeyRotationStatus omits RotationPeriodInDays; EnableKeyRotation ignores it.**
   moto 5.2.5, ``moto/kms/responses.py`` ``KmsResponse.get_key_rotation_status`` /
   ``enable_key_rotation``. Reproduction: ``enable_key_rotation(KeyId=k,
   RotationPeriodInDays=180)``; ``get_key_rotation_status(KeyId=k)``. Expected (KMS API
   reference): ``KeyId`` (the key ARN), ``KeyRotationEnabled``, ``RotationPeriodInDays``
   (default 365) and ``NextRotationDate`` for a key with rotation enabled. Actual:
   ``{"KeyRotationEnabled": true}`` only.

Not emulated: BypassPolicyLockoutSafetyCheck (the lockout check itself), key material and
the actual rotation, ``PendingReplicaDeletion`` for multi-Region primaries with replicas,
KMSInvalidStateException for operations on keys pending deletion.
"""

import json
from datetime import timedelta

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.utils import unix_time, utcnow
from moto.kms.models import Key, kms_backends
from moto.kms.responses import KmsResponse

from ._cfn import as_bool, as_int, original, properties, replace, tags_to_dict

TYPE = "AWS::KMS::Key"
# Changing one of these fails the update on AWS (Template Reference, AWS::KMS::Key).
IMMUTABLE = {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Origin": "AWS_KMS", "MultiRegion": False}
DEFAULT_PENDING_WINDOW = 30
DEFAULT_ROTATION_PERIOD = 365


def _policy_text(policy):
    """KeyPolicy is Json: an object or a string. KMS stores (and GetKeyPolicy returns) text."""
    if policy is None or isinstance(policy, str):
        return policy
    return json.dumps(policy)


def _immutable(props):
    values = {name: props.get(name, default) for name, default in IMMUTABLE.items()}
    values["MultiRegion"] = as_bool(values["MultiRegion"])
    return values


def _sync_tags(backend, key, tags):
    wanted = tags_to_dict(tags)
    current = backend.tagger.get_tag_dict_for_resource(key.id)
    stale = [name for name in current if name not in wanted]
    if stale:
        backend.untag_resource(key.arn, stale)
    if wanted:
        backend.tag_resource(key.arn, wanted)


def _validate(props):
    """Checked before anything changes, so a refused create or update leaves no trace."""
    fixed = _immutable(props)
    if as_bool(props.get("EnableKeyRotation")) and (fixed["KeySpec"], fixed["Origin"]) != ("SYMMETRIC_DEFAULT", "AWS_KMS"):
        raise ValidationError(
            message="EnableKeyRotation: automatic rotation needs a symmetric encryption key with Origin AWS_KMS")
    period = as_int(props.get("RotationPeriodInDays"), DEFAULT_ROTATION_PERIOD)
    if not 90 <= period <= 2560:
        raise ValidationError(message=f"RotationPeriodInDays must be between 90 and 2560, got {period}")
    window = as_int(props.get("PendingWindowInDays"), DEFAULT_PENDING_WINDOW)
    if not 7 <= window <= 30:
        raise ValidationError(message=f"PendingWindowInDays must be between 7 and 30, got {window}")
    return fixed


def _set_rotation(key, props):
    if not as_bool(props.get("EnableKeyRotation")):
        key.key_rotation_status = False
        return
    period = as_int(props.get("RotationPeriodInDays"), DEFAULT_ROTATION_PERIOD)
    if not key.key_rotation_status or getattr(key, "rotation_period_in_days", None) != period:
        key.rotation_enabled_at = utcnow()
    key.key_rotation_status = True
    key.rotation_period_in_days = period


def _apply(backend, key, props):
    """The properties AWS updates without interruption (also applied after creation)."""
    key.pending_window_in_days = as_int(props.get("PendingWindowInDays"), DEFAULT_PENDING_WINDOW)
    key.description = props.get("Description", "")
    _sync_tags(backend, key, props.get("Tags"))
    _set_rotation(key, props)
    if key.origin == "AWS_KMS":  # a key without material (EXTERNAL) stays PendingImport
        if as_bool(props.get("Enabled"), True):
            if key.key_state == "Disabled":
                backend.enable_key(key.id)
        elif key.key_state == "Enabled":
            backend.disable_key(key.id)


def create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = kms_backends[account_id][region_name]
    fixed = _validate(props)
    key = backend.create_key(
        policy=_policy_text(props.get("KeyPolicy")),  # None: KMS's default key policy
        key_usage=fixed["KeyUsage"],
        key_spec=fixed["KeySpec"],
        description=props.get("Description", ""),
        tags=None,
        multi_region=fixed["MultiRegion"],
        origin=fixed["Origin"],
    )
    if key.origin == "EXTERNAL":
        key.enabled, key.key_state = False, "PendingImport"
    _apply(backend, key, props)
    return key


def update_key(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    backend = kms_backends[account_id][region_name]
    key = original_resource
    now = {"KeySpec": key.key_spec, "KeyUsage": key.key_usage, "Origin": key.origin, "MultiRegion": key.multi_region}
    changed = [name for name, value in _validate(props).items() if now[name] != value]
    if changed:
        # AWS fails such an update whatever the UpdateReplacePolicy, so no key is deleted by accident.
        raise ValidationError(message=f"{TYPE} {key.id}: {', '.join(changed)} cannot be changed on an existing key")
    backend.put_key_policy(key.id, _policy_text(props.get("KeyPolicy")) or key.generate_default_policy())
    _apply(backend, key, props)
    return key


def _schedule_deletion(backend, key, window):
    if key.key_state != "PendingDeletion":
        backend.schedule_key_deletion(key.id, window)


def delete_key(self, account_id, region_name):
    backend = kms_backends[account_id][region_name]
    _schedule_deletion(backend, self, getattr(self, "pending_window_in_days", DEFAULT_PENDING_WINDOW))


def delete_key_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = kms_backends[account_id][region_name]
    key = backend.keys.get(backend.get_key_id(resource_name or ""))
    if key is not None:
        window = getattr(key, "pending_window_in_days", None)
        if window is None:
            window = as_int(properties(cloudformation_json).get("PendingWindowInDays"), DEFAULT_PENDING_WINDOW)
        _schedule_deletion(backend, key, window)


def has_cfn_attr(cls, attr):
    return attr in ("Arn", "KeyId")


def get_cfn_attribute(self, attribute_name):
    if attribute_name == "Arn":
        return self.arn
    if attribute_name == "KeyId":
        return self.id
    raise UnformattedGetAttTemplateException()


def enable_key_rotation(self):
    period = self._get_param("RotationPeriodInDays")
    if period is not None and not 90 <= int(period) <= 2560:
        raise ValidationError(message=f"RotationPeriodInDays must be between 90 and 2560, got {period}")
    result = original(KmsResponse, "enable_key_rotation")(self)
    key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
    key.rotation_period_in_days = int(period) if period is not None else DEFAULT_ROTATION_PERIOD
    key.rotation_enabled_at = utcnow()
    return result


def get_key_rotation_status(self):
    body = json.loads(original(KmsResponse, "get_key_rotation_status")(self))
    key = self.kms_backend.keys[self.kms_backend.get_key_id(self._get_param("KeyId"))]
    body["KeyId"] = key.arn
    if body.get("KeyRotationEnabled"):
        period = getattr(key, "rotation_period_in_days", None) or DEFAULT_ROTATION_PERIOD
        body["RotationPeriodInDays"] = period
        started = getattr(key, "rotation_enabled_at", None) or utcnow()
        body["NextRotationDate"] = unix_time(started + timedelta(days=period))
    return json.dumps(body)


def install():
    replace(Key, "create_from_cloudformation_json", create_key, "classmethod")
    replace(Key, "update_from_cloudformation_json", update_key, "classmethod")
    replace(Key, "delete_from_cloudformation_json", delete_key_by_id, "classmethod")
    replace(Key, "delete", delete_key)
    replace(Key, "has_cfn_attr", has_cfn_attr, "classmethod")
    replace(Key, "get_cfn_attribute", get_cfn_attribute)
    replace(KmsResponse, "enable_key_rotation", enable_key_rotation)
    replace(KmsResponse, "get_key_rotation_status", get_key_rotation_status)
