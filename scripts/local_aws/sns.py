"""SNS through CloudFormation: AWS::SNS::Topic (moto's model, handlers replaced),
AWS::SNS::Subscription and AWS::SNS::TopicPolicy (ours), all living in moto's SNS
backend: GetTopicAttributes, ListTagsForResource, ListSubscriptionsByTopic and
GetSubscriptionAttributes answer what the template says.

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: updating an AWS::SNS::Topic deletes and recreates it, losing its
   subscriptions and policy; Tags are never applied"
   At fault: moto/sns/models.py ``Topic.update_from_cloudformation_json`` calls
   ``original_resource.delete`` then ``create_from_cloudformation_json``: ``delete_topic``
   removes every subscription of the topic (those of AWS::SNS::Subscription resources
   too) and the policy an AWS::SNS::TopicPolicy set. ``create_from_cloudformation_json``
   passes the raw properties to ``SNSBackend.create_topic`` as attributes, which
   ``setattr``s ``Tags`` as ``topic.tags`` (ListTagsForResource reads ``topic._tags``).
   Reproduction: a topic with ``"Tags": [{"Key": "k", "Value": "v"}]`` and a
   Subscription resource; update the topic's DisplayName. Expected (Template
   Reference, AWS::SNS::Topic: DisplayName, KmsMasterKeyId, Tags "No interruption"):
   same topic, new DisplayName, subscription kept, ListTagsForResource shows k=v.
   Actual: no tags; ListSubscriptionsByTopic empty after the update. Also GetAtt
   TopicArn is unsupported (TopicName only), and creating a topic whose name exists
   returns the existing one (AWS CloudFormation: "already exists").

2. "CloudFormation: AWS::SNS::Subscription is not supported"
   At fault: no model (placeholder in moto/cloudformation/parsing.py): nothing is
   subscribed, Ref yields nothing. Expected: Subscribe(TopicArn, Protocol, Endpoint)
   with FilterPolicy, FilterPolicyScope, RawMessageDelivery, DeliveryPolicy,
   RedrivePolicy, SubscriptionRoleArn as subscription attributes; Ref = the subscription
   ARN; attribute updates in place (Protocol, Endpoint, TopicArn are createOnly);
   Unsubscribe on delete.

3. "CloudFormation: AWS::SNS::TopicPolicy is not supported"
   At fault: no model (placeholder): the topics keep their default policy. Expected:
   each topic of Topics gets PolicyDocument as its Policy attribute; Ref = the policy's
   generated Id; on delete the topics get their default policy back.

Still not emulated: email/https subscriptions stay "confirmed" (AWS: PendingConfirmation
until the endpoint confirms), DeliveryStatusLogging, DataProtectionPolicy,
TracingConfig, SignatureVersion, ArchivePolicy and ReplayPolicy are accepted but not
readable through GetTopicAttributes/GetSubscriptionAttributes (moto does not model them).
"""

import json
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.sns.exceptions import TopicNotFound
from moto.sns.models import Topic, sns_backends
from moto.sns.utils import make_arn_for_topic

from ._cfn import Resource, already_exists, as_bool, model, not_in_place, properties, replace, tags_to_dict


def _sns(account_id: str, region_name: str) -> Any:
    return sns_backends[account_id][region_name]


def _backend_of(arn: str) -> Any:
    """The SNS backend of the topic an ARN names (a subscription may be cross-region)."""
    _, _, _, region, account, _ = arn.split(":", 5)
    return _sns(account, region)


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


# --- Topic -------------------------------------------------------------------------


def _inline_subscriptions(props: dict[str, Any]) -> set[tuple[str, str]]:
    return {(s["Protocol"], s["Endpoint"]) for s in props.get("Subscription") or []}


def _topic_apply(topic: Topic, old: dict[str, Any], new: dict[str, Any]) -> None:
    topic.display_name = new.get("DisplayName", "")
    topic.kms_master_key_id = new.get("KmsMasterKeyId", "")
    topic.content_based_deduplication = as_bool(new.get("ContentBasedDeduplication"))
    topic._tags = tags_to_dict(new.get("Tags"))
    backend = topic.sns_backend
    for protocol, endpoint in _inline_subscriptions(old) - _inline_subscriptions(new):
        subscription = backend._find_subscription(topic.arn, endpoint, protocol)
        if subscription is not None:
            backend.unsubscribe(subscription.arn)
    for protocol, endpoint in _inline_subscriptions(new) - _inline_subscriptions(old):
        backend.subscribe(topic.arn, endpoint, protocol)
    topic._cfn_properties = new


def _topic_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = _sns(account_id, region_name)
    if make_arn_for_topic(account_id, resource_name, region_name) in backend.topics:
        raise already_exists("AWS::SNS::Topic", resource_name)
    fifo = {"FifoTopic": True} if as_bool(props.get("FifoTopic")) else {}
    topic = backend.create_topic(resource_name, fifo)
    _topic_apply(topic, {}, props)
    return topic


def _topic_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    old = getattr(original_resource, "_cfn_properties", {})
    if props.get("TopicName", original_resource.name) != original_resource.name or as_bool(
        props.get("FifoTopic")
    ) != as_bool(old.get("FifoTopic")):
        raise ValidationError(message="AWS::SNS::Topic: TopicName and FifoTopic are createOnly; the topic must be replaced")
    _topic_apply(original_resource, old, props)
    return original_resource


def _topic_delete_by_arn(cls, resource_name, cloudformation_json, account_id, region_name):
    _backend_of(resource_name).delete_topic(resource_name)  # its subscriptions go with it


TOPIC_ATTRIBUTES = {"TopicArn": lambda t: t.arn, "TopicName": lambda t: t.name}


def _topic_get_att(self, attribute_name):
    if attribute_name not in TOPIC_ATTRIBUTES:
        raise UnformattedGetAttTemplateException()
    return TOPIC_ATTRIBUTES[attribute_name](self)


# --- Subscription ------------------------------------------------------------------

SUBSCRIPTION_CREATE_ONLY = ["Endpoint", "Protocol", "TopicArn"]
# CloudFormation property -> subscription attribute, with the value AWS resets it to.
SUBSCRIPTION_ATTRIBUTES = {
    "FilterPolicyScope": None,  # first: FilterPolicy is validated against it
    "FilterPolicy": "",
    "RawMessageDelivery": "false",
    "DeliveryPolicy": "",
    "RedrivePolicy": "",
    "SubscriptionRoleArn": "",
}


@model
class Subscription(Resource, CloudFormationModel):
    """Ref = the subscription ARN."""

    TYPE = "AWS::SNS::Subscription"
    REF = "arn"
    ATTRIBUTES = {"Arn": "arn"}

    def __init__(self, arn: str, props: dict[str, Any]):
        self.arn, self.props = arn, props

    def _set_attributes(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        backend = _backend_of(self.props["TopicArn"])
        for name, reset in SUBSCRIPTION_ATTRIBUTES.items():
            if new.get(name) is not None:
                value = new[name]
                if name == "RawMessageDelivery":
                    value = "true" if as_bool(value) else "false"
                elif name in ("FilterPolicy", "DeliveryPolicy", "RedrivePolicy"):
                    value = _json(value)
                backend.set_subscription_attributes(self.arn, name, value)
            elif old.get(name) is not None and reset is not None:
                backend.set_subscription_attributes(self.arn, name, reset)
            elif old.get(name) is not None:
                backend.subscriptions[self.arn].attributes.pop(name, None)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _backend_of(props["TopicArn"])
        subscription = backend.subscribe(props["TopicArn"], props["Endpoint"], props["Protocol"])
        resource = cls(subscription.arn, props)
        resource._set_attributes({}, props)
        return resource

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        changed = [p for p in SUBSCRIPTION_CREATE_ONLY if props.get(p) != original_resource.props.get(p)]
        if changed:
            raise not_in_place(cls.TYPE, ", ".join(changed))
        original_resource._set_attributes(original_resource.props, props)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        topic_arn = resource_name.rsplit(":", 1)[0]
        _backend_of(topic_arn).unsubscribe(resource_name)


# --- TopicPolicy -------------------------------------------------------------------


@model
class TopicPolicy(Resource, CloudFormationModel):
    """Ref = the policy's Id (CloudFormation generates it: the resource name)."""

    TYPE = "AWS::SNS::TopicPolicy"
    ATTRIBUTES = {"Id": "id"}

    def __init__(self, policy_id: str, topics: list[str], document: Any):
        self.id, self.topics, self.document = policy_id, topics, document

    @staticmethod
    def _topic(arn: str) -> Topic | None:
        try:
            return _backend_of(arn).get_topic(arn)
        except TopicNotFound:
            return None

    def _apply(self, old_topics: list[str]) -> None:
        for arn in set(old_topics) - set(self.topics):
            topic = self._topic(arn)
            if topic is not None:  # back to SNS's default policy
                topic._policy_json = topic._create_default_topic_policy(
                    topic.sns_backend.region_name, topic.account_id, topic.name
                )
        for arn in self.topics:
            topic = _backend_of(arn).get_topic(arn)
            topic.policy = _json(self.document)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        policy = cls(resource_name, list(props["Topics"]), props["PolicyDocument"])
        policy._apply([])
        return policy

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        old_topics = original_resource.topics
        original_resource.topics, original_resource.document = list(props["Topics"]), props["PolicyDocument"]
        original_resource._apply(old_topics)
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        old_topics, self.topics = self.topics, []
        self._apply(old_topics)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        topics = [t for t in properties(cloudformation_json).get("Topics") or [] if isinstance(t, str)]
        cls(resource_name, topics, None).delete(account_id, region_name)


def install() -> None:
    replace(Topic, "create_from_cloudformation_json", _topic_create, kind="classmethod")
    replace(Topic, "update_from_cloudformation_json", _topic_update, kind="classmethod")
    replace(Topic, "delete_from_cloudformation_json", _topic_delete_by_arn, kind="classmethod")
    replace(Topic, "has_cfn_attr", lambda cls, attr: attr in TOPIC_ATTRIBUTES, kind="classmethod")
    replace(Topic, "get_cfn_attribute", _topic_get_att)
