"""Glue through CloudFormation: AWS::Glue::Database, Table, Connection, Job, Trigger
(ours), created in moto's Glue backend so GetDatabase, GetTable, GetConnection, GetJob,
GetTrigger and GetTags answer what the template says.

Upstream issue, as we would file it at getmoto/moto (moto 5.2.5)
----------------------------------------------------------------

1. "CloudFormation: AWS::Glue::Database, Table, Connection, Job and Trigger are not supported"
   At fault: moto/glue/models.py ``FakeDatabase``, ``FakeTable``, ``FakeConnection``,
   ``FakeJob``, ``FakeTrigger`` are no CloudFormationModels, so moto/cloudformation/parsing.py treats
   the types as placeholders: nothing is created, Ref yields nothing. Reproduction::

       {"Db": {"Type": "AWS::Glue::Database", "Properties": {
           "CatalogId": {"Ref": "AWS::AccountId"}, "DatabaseInput": {"Name": "db"}}},
        "T": {"Type": "AWS::Glue::Table", "Properties": {"CatalogId": {"Ref": "AWS::AccountId"},
           "DatabaseName": {"Ref": "Db"}, "TableInput": {"Name": "t", "TableType": "EXTERNAL_TABLE"}}},
        "Job": {"Type": "AWS::Glue::Job", "Properties": {"Name": "j", "Role": "arn:aws:iam::123456789012:role/r",
           "Command": {"Name": "glueetl", "ScriptLocation": "s3://b/k.py"}}}}

   then ``get_database(Name="db")``, ``get_table(DatabaseName="db", Name="t")``,
   ``get_job(JobName="j")``. Expected (Template Reference: Ref = the database / table /
   connection / job / trigger name; all but the names, a table's DatabaseName and
   CatalogId, a trigger's Type/WorkflowName and a connection's CatalogId update in
   place; a table update is UpdateTable, a new table version): the
   resources with the template's properties. Actual: EntityNotFoundException.
   (moto also has no UpdateJob, UpdateTrigger, UpdateConnection or DeleteConnection; the
   handlers below change the backend objects directly.)

Still not emulated: the capacity AWS derives for a job (MaxCapacity/AllocatedCapacity
from WorkerType x NumberOfWorkers, default Timeout), the Hive lower-casing of database
names, Tags on databases/connections (not CloudFormation properties), job bookmarks,
triggers actually firing.
"""

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.glue.exceptions import DatabaseNotFoundException, TableNotFoundException
from moto.glue.models import glue_backends
from moto.glue.utils import Action, Predicate

from ._cfn import Resource, already_exists, as_bool, as_int, model, not_in_place, properties, sync_tags, tags_to_dict


def _glue(account_id: str, region_name: str) -> Any:
    return glue_backends[account_id][region_name]


class _Named(Resource):
    """The four types share: Ref = the name, no GetAtt, createOnly name."""

    REF = "name"

    def __init__(self, account_id: str, region_name: str, name: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.name, self.props = account_id, region_name, name, props

    @property
    def backend(self) -> Any:
        return _glue(self.account_id, self.region_name)

    @classmethod
    def _same_name(cls, original: "_Named", name: str) -> None:
        if name != original.name:
            raise not_in_place(cls.TYPE, "the name")

    @classmethod
    def _free_name(cls, props: dict[str, Any], resource_name: str, taken: dict[str, Any]) -> str:
        """The Name property (else the generated name), refused when ``taken`` has it."""
        name = props.get("Name") or resource_name
        if name in taken:
            raise already_exists(cls.TYPE, name)
        return name

    def _retag(self, arn: str, old: Any, new: Any) -> None:
        sync_tags(
            old, new, lambda keys: self.backend.untag_resource(arn, keys), lambda tags: self.backend.tag_resource(arn, tags)
        )

    @staticmethod
    def _delete_tagged(backend: Any, store: dict[str, Any], name: str, delete: Any) -> None:
        """Deletes ``store[name]`` (by ``delete(name)``) with its tags; gone counts as deleted."""
        found = store.get(name)
        if found is not None:
            backend.tagger.delete_all_tags_for_resource(found.arn)
            delete(name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.name, {}, self.account_id, self.region_name)


@model
class Database(_Named, CloudFormationModel):
    TYPE = "AWS::Glue::Database"

    @staticmethod
    def _input(props: dict[str, Any]) -> dict[str, Any]:
        database_input = dict(props["DatabaseInput"])
        database_input.setdefault("Name", props.get("DatabaseName"))
        return database_input

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        database_input = cls._input(props)
        _glue(account_id, region_name).create_database(database_input["Name"], database_input)
        return cls(account_id, region_name, database_input["Name"], props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        database_input = cls._input(props)
        cls._same_name(original_resource, database_input["Name"])  # Glue cannot rename a database
        original_resource.backend.update_database(original_resource.name, database_input)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _glue(account_id, region_name).delete_database(resource_name)
        except DatabaseNotFoundException:
            pass  # already gone counts as deleted


@model
class Table(_Named, CloudFormationModel):
    TYPE = "AWS::Glue::Table"

    def __init__(self, account_id: str, region_name: str, name: str, props: dict[str, Any]):
        super().__init__(account_id, region_name, name, props)
        self.database_name = props["DatabaseName"]

    @staticmethod
    def _input(props: dict[str, Any], name: str) -> dict[str, Any]:
        table_input = dict(props.get("TableInput") or {})
        table_input["Name"] = table_input.get("Name") or name
        return table_input

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        table_input = cls._input(props, resource_name.lower())  # Glue lower-cases table names
        _glue(account_id, region_name).create_table(props["DatabaseName"], table_input["Name"], table_input)
        return cls(account_id, region_name, table_input["Name"], props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        table_input = cls._input(props, original_resource.name)
        cls._same_name(original_resource, table_input["Name"])
        if (props["DatabaseName"], props.get("CatalogId")) != (old["DatabaseName"], old.get("CatalogId")):
            raise not_in_place(cls.TYPE, "DatabaseName and CatalogId")
        original_resource.backend.update_table(original_resource.database_name, original_resource.name, table_input)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        database_name = properties(cloudformation_json).get("DatabaseName")
        if database_name:
            cls._drop(_glue(account_id, region_name), database_name, resource_name)

    @staticmethod
    def _drop(backend: Any, database_name: str, name: str) -> None:
        try:
            backend.delete_table(database_name, name)
        except (DatabaseNotFoundException, TableNotFoundException):
            pass  # already gone (with its database) counts as deleted

    def delete(self, account_id: str, region_name: str) -> None:
        self._drop(self.backend, self.database_name, self.name)


@model
class Connection(_Named, CloudFormationModel):
    TYPE = "AWS::Glue::Connection"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        connection_input = dict(props["ConnectionInput"])
        connection_input.setdefault("Name", resource_name)
        _glue(account_id, region_name).create_connection(props.get("CatalogId", account_id), connection_input, {})
        return cls(account_id, region_name, connection_input["Name"], props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        connection_input = dict(props["ConnectionInput"])
        connection_input.setdefault("Name", original_resource.name)
        cls._same_name(original_resource, connection_input["Name"])
        if props.get("CatalogId", account_id) != original_resource.props.get("CatalogId", account_id):
            raise not_in_place(cls.TYPE, "CatalogId")
        connection = original_resource.backend.connections[original_resource.name]
        connection.connection_input = connection_input
        connection.description = connection_input.get("Description")
        connection.connection_properties = connection_input.get("ConnectionProperties", {})
        connection.spark_properties = connection_input.get("SparkProperties", {})
        connection.athena_properties = connection_input.get("AthenaProperties", {})
        connection.python_properties = connection_input.get("PythonProperties", {})
        connection.updated_time = utcnow()
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _glue(account_id, region_name)
        connection = backend.connections.pop(resource_name, None)  # moto has no DeleteConnection
        if connection is not None:
            backend.tagger.delete_all_tags_for_resource(connection.arn)


# Job property -> FakeJob attribute (moto's names), for create and update alike.
JOB_FIELDS = {
    "Role": "role",
    "Command": "command",
    "Description": "description",
    "LogUri": "log_uri",
    "ExecutionProperty": "execution_property",
    "DefaultArguments": "default_arguments",
    "NonOverridableArguments": "non_overridable_arguments",
    "Connections": "connections",
    "MaxRetries": "max_retries",
    "AllocatedCapacity": "allocated_capacity",
    "Timeout": "timeout",
    "MaxCapacity": "max_capacity",
    "SecurityConfiguration": "security_configuration",
    "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version",
    "NumberOfWorkers": "number_of_workers",
    "WorkerType": "worker_type",
    "ExecutionClass": "execution_class",
}
JOB_INTS = {"MaxRetries", "AllocatedCapacity", "Timeout", "NumberOfWorkers"}


def _job_values(props: dict[str, Any]) -> dict[str, Any]:
    values = {attr: props.get(prop) for prop, attr in JOB_FIELDS.items()}
    for prop in JOB_INTS:
        values[JOB_FIELDS[prop]] = as_int(props.get(prop))
    if props.get("MaxCapacity") is not None:
        values["max_capacity"] = float(props["MaxCapacity"])
    return values


@model
class Job(_Named, CloudFormationModel):
    TYPE = "AWS::Glue::Job"
    NAME_PROPERTY = "Name"

    @property
    def arn(self) -> str:
        return self.backend.get_job(self.name).arn

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _glue(account_id, region_name)
        name = cls._free_name(props, resource_name, backend.jobs)
        backend.create_job(
            name=name,
            tags=tags_to_dict(props.get("Tags")),
            code_gen_configuration_nodes=None,
            source_control_details=None,
            **_job_values(props),
        )
        return cls(account_id, region_name, name, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        cls._same_name(original_resource, props.get("Name", original_resource.name))
        job = original_resource.backend.get_job(original_resource.name)
        for attr, value in _job_values(props).items():
            setattr(job, attr, value)
        job.execution_property = job.execution_property or {}
        job.default_arguments = job.default_arguments or {}
        job.execution_class = job.execution_class or "STANDARD"
        job.last_modified_on = utcnow()
        original_resource._retag(job.arn, original_resource.props.get("Tags"), props.get("Tags"))
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _glue(account_id, region_name)
        cls._delete_tagged(backend, backend.jobs, resource_name, backend.delete_job)


@model
class Trigger(_Named, CloudFormationModel):
    TYPE = "AWS::Glue::Trigger"
    NAME_PROPERTY = "Name"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _glue(account_id, region_name)
        name = cls._free_name(props, resource_name, backend.triggers)
        backend.create_trigger(
            name=name,
            workflow_name=props.get("WorkflowName"),
            trigger_type=props["Type"],
            schedule=props.get("Schedule"),
            predicate=Predicate(props["Predicate"]) if props.get("Predicate") else None,
            actions=[Action(a) for a in props.get("Actions") or []],
            description=props.get("Description"),
            start_on_creation=as_bool(props.get("StartOnCreation")),
            tags=tags_to_dict(props.get("Tags")),
            event_batching_condition=props.get("EventBatchingCondition"),
        )
        return cls(account_id, region_name, name, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old = original_resource.props
        cls._same_name(original_resource, props.get("Name", original_resource.name))
        if (props["Type"], props.get("WorkflowName")) != (old["Type"], old.get("WorkflowName")):
            raise not_in_place(cls.TYPE, "Type and WorkflowName")
        trigger = original_resource.backend.get_trigger(original_resource.name)
        trigger.schedule = props.get("Schedule")
        trigger.predicate = Predicate(props["Predicate"]) if props.get("Predicate") else None
        trigger.actions = [Action(a) for a in props.get("Actions") or []]
        trigger.description = props.get("Description")
        trigger.event_batching_condition = props.get("EventBatchingCondition")
        # StartOnCreation is write-only and acts at creation only: the state stays.
        original_resource._retag(trigger.arn, old.get("Tags"), props.get("Tags"))
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _glue(account_id, region_name)
        cls._delete_tagged(backend, backend.triggers, resource_name, backend.delete_trigger)


def install() -> None:
    """Nothing to patch: the models register themselves when this module is imported."""
