"""AWS Backup through CloudFormation: AWS::Backup::BackupVault, BackupPlan and
BackupSelection (ours), created in moto's Backup backend, plus the backup selection API
(GetBackupSelection, ListBackupSelections) and DeleteBackupPlan refusing a plan that
still has selections.

What AWS documents (CloudFormation Template Reference, AWS Backup API Reference):
- BackupVault: Ref = the vault name; GetAtt BackupVaultName, BackupVaultArn. Name and
  EncryptionKeyArn are createOnly; BackupVaultTags update in place.
- BackupPlan: Ref = BackupPlanId; GetAtt BackupPlanId, BackupPlanArn, VersionId. The
  template's ``BackupPlan`` is the API's plan with ``BackupPlanRule`` for ``Rules`` and
  ``TargetBackupVault`` for ``TargetBackupVaultName``; it updates in place
  (UpdateBackupPlan: same id and ARN, a new VersionId).
- BackupSelection: Ref = the selection id; GetAtt Id, SelectionId, BackupPlanId; every
  property is createOnly (the type has no update handler). DeleteBackupPlan fails while
  the plan has selections ("Related backup plan selections must be deleted prior to
  backup plan deletion").

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: AWS::Backup::BackupVault, BackupPlan and BackupSelection are not
   supported" -- moto/backup/models.py ``Vault`` and ``Plan`` are no CloudFormationModels
   and there is no selection model, so moto/cloudformation/parsing.py treats the types
   as placeholders. Reproduction::

       {"V": {"Type": "AWS::Backup::BackupVault", "Properties": {"BackupVaultName": "v"}},
        "P": {"Type": "AWS::Backup::BackupPlan", "Properties": {"BackupPlan": {
            "BackupPlanName": "p", "BackupPlanRule": [{"RuleName": "daily",
                "TargetBackupVault": {"Ref": "V"}, "Lifecycle": {"DeleteAfterDays": 35}}]}}}}

   then ``describe_backup_vault(BackupVaultName="v")`` and ``list_backup_plans()``.
   Expected: the vault and the plan with its rule. Actual: ResourceNotFoundException and [].

2. "Backup: no backup selections" -- moto/backup/responses.py has no
   CreateBackupSelection, GetBackupSelection, ListBackupSelections or
   DeleteBackupSelection, and ``delete_backup_plan`` deletes a plan whatever is
   assigned to it. Reproduction: ``get_backup_selection(BackupPlanId=…, SelectionId=…)``.
   Expected: the selection. Actual: the request is not routed to any handler.

Still not emulated: backup jobs (no schedule runs, no recovery points, so a vault is
always empty and deletable), vault access policies, notifications and locks through
CloudFormation, CreateBackupSelection / DeleteBackupSelection / UpdateBackupPlan as API
calls (CloudFormation changes the backend directly), ListOfTags / Conditions matching.
"""

import json
from typing import Any

from moto.backup import responses as backup_responses
from moto.backup.exceptions import InvalidRequestException, ResourceNotFoundException
from moto.backup.models import BackupBackend, Plan, backup_backends
from moto.core.common_models import CloudFormationModel
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

from ._cfn import Resource, already_exists, model, not_in_place, original, properties, replace, sync_tags


def _backup(account_id: str, region_name: str) -> Any:
    return backup_backends[account_id][region_name]


def _selections(backend: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """plan id -> selection id -> selection record; lives on the backend, so a reset clears it."""
    if not hasattr(backend, "selections"):
        backend.selections = {}
    return backend.selections


def _tags(props: dict[str, Any], key: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in (props.get(key) or {}).items()}


def _updated(resource: Any, backend: Any, props: dict[str, Any], key: str) -> Any:
    """Ends an in-place update: the template's tags under ``key`` applied, the new
    properties kept; returns the resource."""
    arn, old = resource.arn, resource.props
    sync_tags(old.get(key), props.get(key), lambda keys: backend.untag_resource(arn, keys), lambda tags: backend.tag_resource(arn, tags))
    resource.props = props
    return resource


@model
class BackupVault(Resource, CloudFormationModel):
    TYPE = "AWS::Backup::BackupVault"
    NAME_PROPERTY = "BackupVaultName"
    REF = "name"
    ATTRIBUTES = {"BackupVaultName": "name", "BackupVaultArn": "arn"}

    def __init__(self, account_id: str, region_name: str, vault: Any, props: dict[str, Any]):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.name, self.arn = vault.backup_vault_name, vault.backup_vault_arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _backup(account_id, region_name)
        name = props.get("BackupVaultName") or resource_name
        if name in backend.vaults:
            raise already_exists(cls.TYPE, name)
        vault = backend.create_backup_vault(name, _tags(props, "BackupVaultTags"), props.get("EncryptionKeyArn"), None)
        return cls(account_id, region_name, vault, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        for key in ("BackupVaultName", "EncryptionKeyArn"):
            if props.get(key) != old.get(key):
                raise not_in_place(cls.TYPE, key)
        return _updated(original_resource, _backup(account_id, region_name), props, "BackupVaultTags")

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backup(account_id, region_name)
        if resource_name in backend.vaults:
            backend.tagger.delete_all_tags_for_resource(backend.vaults[resource_name].backup_vault_arn)
            backend.delete_backup_vault(resource_name)


def _plan_document(props: dict[str, Any]) -> dict[str, Any]:
    """The template's BackupPlan as the API's (CreateBackupPlan's BackupPlanInput)."""
    template = props["BackupPlan"]
    rules = []
    for rule in template.get("BackupPlanRule") or []:
        rule = dict(rule)
        rule["TargetBackupVaultName"] = rule.pop("TargetBackupVault")
        for key in ("StartWindowMinutes", "CompletionWindowMinutes"):
            if key in rule:
                rule[key] = int(rule[key])
        if "Lifecycle" in rule:
            rule["Lifecycle"] = {k: v if isinstance(v, bool) else int(v) for k, v in rule["Lifecycle"].items()}
        rules.append(rule)
    document = {"BackupPlanName": template["BackupPlanName"], "Rules": rules}
    if template.get("AdvancedBackupSettings"):
        document["AdvancedBackupSettings"] = template["AdvancedBackupSettings"]
    return document


@model
class BackupPlan(Resource, CloudFormationModel):
    TYPE = "AWS::Backup::BackupPlan"
    REF = "plan_id"
    ATTRIBUTES = {"BackupPlanId": "plan_id", "BackupPlanArn": "arn", "VersionId": "version_id"}

    def __init__(self, account_id: str, region_name: str, plan: Any, props: dict[str, Any]):
        self.account_id, self.region_name, self.props, self.plan = account_id, region_name, props, plan
        self.plan_id, self.arn = plan.backup_plan_id, plan.backup_plan_arn

    @property
    def version_id(self) -> str:
        return self.plan.version_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _backup(account_id, region_name)
        plan = backend.create_backup_plan(_plan_document(props), _tags(props, "BackupPlanTags"), None)
        return cls(account_id, region_name, plan, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        backend = _backup(account_id, region_name)
        # UpdateBackupPlan: the same plan, a new version (a Plan built for it fills in the
        # rule defaults and ids as CreateBackupPlan does).
        revised = Plan(_plan_document(props), original_resource.plan.creator_request_id, backend)
        plan = original_resource.plan
        plan.backup_plan, plan.version_id = revised.backup_plan, revised.version_id
        plan.advanced_backup_settings = revised.advanced_backup_settings
        return _updated(original_resource, backend, props, "BackupPlanTags")

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backup(account_id, region_name)
        plan = backend.plans.get(resource_name)
        if plan is not None and plan.deletion_date is None:
            backend.delete_backup_plan(resource_name)


@model
class BackupSelection(Resource, CloudFormationModel):
    TYPE = "AWS::Backup::BackupSelection"
    REF = "selection_id"
    ATTRIBUTES = {"Id": "selection_id", "SelectionId": "selection_id", "BackupPlanId": "plan_id"}

    def __init__(self, account_id: str, region_name: str, plan_id: str, selection_id: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.plan_id, self.selection_id = plan_id, selection_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _backup(account_id, region_name)
        plan_id = props["BackupPlanId"]
        plan = backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan {plan_id}")
        selection_id = str(mock_random.uuid4())
        _selections(backend).setdefault(plan_id, {})[selection_id] = {
            "BackupSelection": dict(props["BackupSelection"]),
            "SelectionId": selection_id,
            "BackupPlanId": plan_id,
            "CreationDate": unix_time(),
        }
        return cls(account_id, region_name, plan_id, selection_id, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        if properties(cloudformation_json) != original_resource.props:
            raise not_in_place(cls.TYPE, "BackupPlanId and BackupSelection")
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        for by_id in _selections(_backup(account_id, region_name)).values():
            by_id.pop(resource_name, None)


# ------------------------------------------------------------------------------ backend and API


def delete_backup_plan(self: BackupBackend, backup_plan_id: str) -> Any:
    if _selections(self).get(backup_plan_id):
        raise InvalidRequestException(msg="Related backup plan selections must be deleted prior to backup plan deletion")
    return original(BackupBackend, "delete_backup_plan")(self, backup_plan_id)


def _selection_path(response: Any) -> tuple[str, str]:
    """(plan id, selection id or "") of ``/backup/plans/{id}/selections/{selection}``."""
    plan_id, _, rest = response.path.split("/backup/plans/", 1)[1].partition("/selections")
    return plan_id, rest.strip("/")


def _get_backup_selection_response(self: Any) -> str:
    plan_id, selection_id = _selection_path(self)
    found = _selections(self.backup_backend).get(plan_id, {}).get(selection_id)
    if found is None:
        raise ResourceNotFoundException(msg=f"Failed reading backup selection {selection_id} of plan {plan_id}")
    return json.dumps(found)


def _list_backup_selections_response(self: Any) -> str:
    plan_id, _ = _selection_path(self)
    listed = [
        {
            "SelectionId": s["SelectionId"],
            "SelectionName": s["BackupSelection"]["SelectionName"],
            "BackupPlanId": plan_id,
            "CreationDate": s["CreationDate"],
            "IamRoleArn": s["BackupSelection"].get("IamRoleArn"),
        }
        for s in _selections(self.backup_backend).get(plan_id, {}).values()
    ]
    return json.dumps({"BackupSelectionsList": listed})


def install() -> None:
    replace(BackupBackend, "delete_backup_plan", delete_backup_plan)
    replace(backup_responses.BackupResponse, "get_backup_selection", _get_backup_selection_response)
    replace(backup_responses.BackupResponse, "list_backup_selections", _list_backup_selections_response)
