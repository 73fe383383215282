"""Athena through CloudFormation: AWS::Athena::WorkGroup (ours), created in moto's Athena
backend so GetWorkGroup and ListTagsForResource answer what the template says.

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: AWS::Athena::WorkGroup is not supported"
   At fault: moto/athena/models.py ``WorkGroup`` is no CloudFormationModel, so
   moto/cloudformation/parsing.py treats the type as a placeholder. Reproduction::

       {"Wg": {"Type": "AWS::Athena::WorkGroup", "Properties": {"Name": "wg",
           "WorkGroupConfiguration": {"EnforceWorkGroupConfiguration": true,
               "ResultConfiguration": {"OutputLocation": "s3://b/athena/",
                   "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": "arn:…"}}}}}}

   then ``get_work_group(WorkGroup="wg")``. Expected (Template Reference,
   AWS::Athena::WorkGroup: Ref = the name; GetAtt CreationTime,
   WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion; all but Name update in
   place; RecursiveDeleteOption decides whether a workgroup with named queries can be
   deleted): the workgroup. Actual: the answer's WorkGroup is null.

2. "Athena: GetWorkGroup reports a new CreationTime on every call and ignores State"
   At fault: ``AthenaBackend.get_work_group`` answers ``time.time()`` as CreationTime
   and the class attribute ``WorkGroup.state`` ("ENABLED"). Reproduction: two
   get_work_group calls. Expected: the same CreationTime (when the workgroup was
   created). Actual: two different times.

Still not emulated: DeleteWorkGroup without RecursiveDeleteOption refusing a workgroup
that still has named queries or prepared statements is enforced for CloudFormation
only (moto's DeleteWorkGroup API deletes regardless); engine versions other than the
default; capacity reservations.
"""

import time
from typing import Any

from moto.athena.exceptions import AthenaClientError
from moto.athena.models import AthenaBackend, athena_backends
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from ._cfn import Resource, already_exists, as_bool, model, not_in_place, properties, replace, sync_tags


def _athena(account_id: str, region_name: str) -> Any:
    return athena_backends[account_id][region_name]


def _configuration(props: dict[str, Any]) -> dict[str, Any]:
    """WorkGroupConfiguration, or the legacy WorkGroupConfigurationUpdates (same fields)."""
    config = dict(props.get("WorkGroupConfiguration") or props.get("WorkGroupConfigurationUpdates") or {})
    config.pop("RemoveBytesScannedCutoffPerQuery", None)
    if "BytesScannedCutoffPerQuery" in config:
        config["BytesScannedCutoffPerQuery"] = int(config["BytesScannedCutoffPerQuery"])
    for flag in ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled", "RequesterPaysEnabled"):
        if flag in config:
            config[flag] = as_bool(config[flag])
    return config


@model
class WorkGroup(Resource, CloudFormationModel):
    """Ref = the workgroup name."""

    TYPE = "AWS::Athena::WorkGroup"
    NAME_PROPERTY = "Name"
    REF = "name"

    def __init__(self, account_id: str, region_name: str, name: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.name, self.props = account_id, region_name, name, props

    @property
    def work_group(self) -> Any:
        return _athena(self.account_id, self.region_name).work_groups[self.name]

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("CreationTime", "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "CreationTime":
            return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(self.work_group.creation_time))
        if attribute_name == "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion":
            return self.work_group.configuration["EngineVersion"]["EffectiveEngineVersion"]
        raise UnformattedGetAttTemplateException()

    def _apply(self, props: dict[str, Any]) -> None:
        work_group = self.work_group
        work_group.description = props.get("Description")
        work_group.configuration = _configuration(props)
        # AWS's defaults, which moto fills in its constructor only.
        for key, default in (
            ("EnableMinimumEncryptionConfiguration", False),
            ("EnforceWorkGroupConfiguration", True),
            ("PublishCloudWatchMetricsEnabled", False),
            ("RequesterPaysEnabled", False),
        ):
            work_group.configuration.setdefault(key, default)
        engine = work_group.configuration.setdefault("EngineVersion", {})
        engine.setdefault("SelectedEngineVersion", "AUTO")
        engine["EffectiveEngineVersion"] = "Athena engine version 3"
        work_group.state = props.get("State", "ENABLED")
        backend = _athena(self.account_id, self.region_name)
        sync_tags(
            self.props.get("Tags"),
            props.get("Tags"),
            lambda keys: backend.tagger.untag_resource_using_names(work_group.arn, keys),
            lambda tags: backend.tagger.tag_resource(work_group.arn, [{"Key": k, "Value": v} for k, v in tags.items()]),
        )
        self.props = props

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = props.get("Name") or resource_name
        created = _athena(account_id, region_name).create_work_group(name, _configuration(props), props.get("Description"), [])
        if created is None:
            raise already_exists(cls.TYPE, name)
        created.creation_time = time.time()
        resource = cls(account_id, region_name, name, {})
        resource._apply(props)
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props.get("Name", original_resource.name) != original_resource.name:
            raise not_in_place(cls.TYPE, "Name")
        original_resource._apply(props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        recursive = as_bool(properties(cloudformation_json).get("RecursiveDeleteOption"))
        backend = _athena(account_id, region_name)
        work_group = backend.work_groups.get(resource_name)
        if work_group is None:
            return  # already gone counts as deleted
        queries = [q.id for q in backend.named_queries.values() if q.workgroup is work_group]
        statements = [s.statement_name for s in backend.prepared_statements.values() if s.workgroup is work_group]
        if (queries or statements) and not recursive:
            raise AthenaClientError(
                "InvalidRequestException",
                f"WorkGroup {resource_name} is not empty; set RecursiveDeleteOption to delete it with its contents"
            )
        for query_id in queries:
            del backend.named_queries[query_id]
        for statement in statements:
            del backend.prepared_statements[statement]
        backend.tagger.delete_all_tags_for_resource(work_group.arn)
        backend.delete_work_group(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.name, {"Properties": self.props}, self.account_id, self.region_name)


def _get_work_group(self: AthenaBackend, name: str) -> dict[str, Any] | None:
    if name not in self.work_groups:
        return None
    work_group = self.work_groups[name]
    if not hasattr(work_group, "creation_time"):
        work_group.creation_time = time.time()  # first seen: from now on stable
    return {
        "Name": work_group.name,
        "State": work_group.state,
        "Configuration": work_group.configuration,
        "Description": work_group.description,
        "CreationTime": work_group.creation_time,
    }


def install() -> None:
    replace(AthenaBackend, "get_work_group", _get_work_group)
