"""CloudWatch through CloudFormation: AWS::CloudWatch::Alarm (ours) and
AWS::CloudWatch::Dashboard (moto's model, handlers replaced), both in moto's CloudWatch
backend: DescribeAlarms, ListTagsForResource and GetDashboard answer what the template
says.

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: AWS::CloudWatch::Alarm is not supported"
   At fault: moto/cloudwatch/models.py ``Alarm`` is a plain BaseModel, so
   moto/cloudformation/parsing.py treats the type as a placeholder: no alarm is put, Ref
   yields nothing, ``Fn::GetAtt [Alarm, Arn]`` in Outputs answers 500.
   Reproduction::

       {"Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
           "AlarmName": "a", "Namespace": "AWS/Lambda", "MetricName": "Errors",
           "Dimensions": [{"Name": "FunctionName", "Value": "f"}], "Statistic": "Sum",
           "Period": 300, "EvaluationPeriods": 2, "Threshold": 10,
           "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}}}

   then ``describe_alarms(AlarmNames=["a"])``. Expected (Template Reference,
   AWS::CloudWatch::Alarm: Ref = alarm name, GetAtt Arn; every property but AlarmName
   updatable without interruption): the alarm with these properties. Actual: no alarm.

2. "CloudFormation: updating an AWS::CloudWatch::Dashboard without DashboardName
   renames it"
   At fault: ``Dashboard.create_from_cloudformation_json`` names an unnamed dashboard
   ``uuid4()`` (not the name CloudFormation generated and passed in) and
   ``update_from_cloudformation_json`` deletes it and creates another with a new uuid:
   the physical id changes on every update. Dashboard also lacks
   ``cloudformation_name_type`` and ``has_cfn_attr`` (answers True for any attribute).
   Expected: PutDashboard on the same name (DashboardBody is "No interruption").

Still not emulated: alarm evaluation (state stays OK / INSUFFICIENT_DATA as moto sets
it), composite alarms (AWS::CloudWatch::CompositeAlarm), anomaly-detection thresholds.
"""

from typing import Any

from moto.cloudwatch.models import Dashboard, Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from ._cfn import Resource, already_exists, as_bool, as_int, model, not_in_place, properties, replace, sync_tags


def _cloudwatch(account_id: str, region_name: str) -> Any:
    return cloudwatch_backends[account_id][region_name]


def _query(metric: dict[str, Any]) -> MetricDataQuery:
    """One item of the alarm's Metrics (a MetricDataQuery)."""
    stat = None
    if metric.get("MetricStat"):
        source = metric["MetricStat"]
        inner = source["Metric"]
        stat = MetricStat(
            metric=Metric(
                metric_name=inner.get("MetricName"),
                namespace=inner.get("Namespace"),
                dimensions=[Dimension(d["Name"], d["Value"]) for d in inner.get("Dimensions") or []],
            ),
            period=as_int(source.get("Period")),
            stat=source.get("Stat"),
            unit=source.get("Unit"),
        )
    return MetricDataQuery(
        query_id=metric["Id"],
        label=metric.get("Label"),
        period=as_int(metric.get("Period")),
        return_data=as_bool(metric.get("ReturnData"), True),
        expression=metric.get("Expression"),
        metric_stat=stat,
    )


@model
class MetricAlarm(Resource, CloudFormationModel):
    """Ref = the alarm name; GetAtt Arn."""

    TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    REF = "name"
    ATTRIBUTES = {"Arn": "arn"}

    def __init__(self, account_id: str, region_name: str, name: str):
        self.account_id, self.region_name, self.name = account_id, region_name, name
        self.props: dict[str, Any] = {}

    @property
    def alarm(self) -> Any:
        return _cloudwatch(self.account_id, self.region_name).alarms[self.name]

    @property
    def arn(self) -> str:
        return self.alarm.alarm_arn

    def _put(self, props: dict[str, Any]) -> None:
        """PutMetricAlarm: creates the alarm or overwrites its configuration."""
        backend = _cloudwatch(self.account_id, self.region_name)
        previous = backend.alarms.get(self.name)
        threshold = props.get("Threshold")
        alarm = backend.put_metric_alarm(
            name=self.name,
            namespace=props.get("Namespace"),
            metric_name=props.get("MetricName"),
            metric_data_queries=[_query(m) for m in props.get("Metrics") or []] or None,
            comparison_operator=props["ComparisonOperator"],
            evaluation_periods=as_int(props["EvaluationPeriods"]),
            datapoints_to_alarm=as_int(props.get("DatapointsToAlarm")),
            period=as_int(props.get("Period")),
            threshold=float(threshold) if threshold is not None else None,
            statistic=props.get("Statistic"),
            extended_statistic=props.get("ExtendedStatistic"),
            description=props.get("AlarmDescription"),
            dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions") or []],
            alarm_actions=list(props.get("AlarmActions") or []),
            ok_actions=list(props.get("OKActions") or []),
            insufficient_data_actions=list(props.get("InsufficientDataActions") or []),
            unit=props.get("Unit"),
            actions_enabled=as_bool(props.get("ActionsEnabled"), True),
            treat_missing_data=props.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=props.get("ThresholdMetricId"),
        )
        if previous is not None:
            # Reconfiguring an alarm keeps its state and history.
            for field in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history"):
                setattr(alarm, field, getattr(previous, field))
        sync_tags(
            self.props.get("Tags"),
            props.get("Tags"),
            lambda keys: backend.untag_resource(alarm.alarm_arn, keys),
            lambda tags: backend.tag_resource(alarm.alarm_arn, tags),
        )
        self.props = props

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        resource = cls(account_id, region_name, props.get("AlarmName") or resource_name)
        if resource.name in _cloudwatch(account_id, region_name).alarms:
            raise already_exists(cls.TYPE, resource.name)
        resource._put(props)
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props.get("AlarmName", original_resource.name) != original_resource.name:
            raise not_in_place(cls.TYPE, "AlarmName")
        original_resource._put(props)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _cloudwatch(account_id, region_name)
        alarm = backend.alarms.get(resource_name)
        if alarm is not None:
            backend.tagger.delete_all_tags_for_resource(alarm.alarm_arn)
            backend.delete_alarms([resource_name])

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.name, {}, self.account_id, self.region_name)


# --- Dashboard ---------------------------------------------------------------------


def _dashboard_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    name = props.get("DashboardName") or resource_name
    backend = _cloudwatch(account_id, region_name)
    if name in backend.dashboards:
        raise already_exists("AWS::CloudWatch::Dashboard", name)
    return backend.put_dashboard(name=name, body=props["DashboardBody"])


def _dashboard_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    if props.get("DashboardName", original_resource.name) != original_resource.name:
        raise not_in_place("AWS::CloudWatch::Dashboard", "DashboardName")
    return _cloudwatch(account_id, region_name).put_dashboard(name=original_resource.name, body=props["DashboardBody"])


def _dashboard_delete(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _cloudwatch(account_id, region_name)
    if resource_name in backend.dashboards:
        backend.delete_dashboards([resource_name])


def install() -> None:
    replace(Dashboard, "cloudformation_name_type", lambda: "DashboardName", kind="staticmethod")
    replace(Dashboard, "create_from_cloudformation_json", _dashboard_create, kind="classmethod")
    replace(Dashboard, "update_from_cloudformation_json", _dashboard_update, kind="classmethod")
    replace(Dashboard, "delete_from_cloudformation_json", _dashboard_delete, kind="classmethod")
    replace(Dashboard, "has_cfn_attr", lambda cls, attr: False, kind="classmethod")
