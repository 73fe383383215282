"""WAFv2 through CloudFormation, created in moto's own wafv2 backend so GetWebACL,
ListWebACLs, GetWebACLForResource and GetLoggingConfiguration show what the template declared
(the drift reader src/aws/services/wafv2.rs reads GetWebACL's default action and rules).

| type | Ref | Fn::GetAtt |
|---|---|---|
| AWS::WAFv2::WebACL | ``Name|Id|Scope`` | Arn, Id, Capacity, LabelNamespace |
| AWS::WAFv2::WebACLAssociation | ``ResourceArn|WebACLArn`` (see below) | - |
| AWS::WAFv2::LoggingConfiguration | the web ACL's ARN | ManagedByFirewallManager |

The Template Reference's Ref text for WebACLAssociation is a copy of WebACL's (``name|id|scope``)
that cannot apply to an association (it has no name, id or scope); we return its registry
primary identifier (ResourceArn, WebACLArn) joined with ``|`` as CloudFormation does for
multi-part identifiers (WebACL's ``Name|Id|Scope`` is the same convention).

Updates of a WebACL go through UpdateWebACL with the web ACL's current lock token (what
CloudFormation's handler does: GetWebACL, then UpdateWebACL). Name and Scope are createOnly;
both association properties are createOnly; a logging configuration's ResourceArn is.

Upstream issues (getmoto/moto), as we would file them
=====================================================

1. "CloudFormation: AWS::WAFv2::WebACL, WebACLAssociation and LoggingConfiguration are not
   supported" (moto 5.2.5, moto/wafv2/models.py: FakeWebACL, FakeLoggingConfiguration are
   ``BaseModel``s; there is no CloudFormation model). Reproduction (notes row 10)::

       "Acl": {"Type": "AWS::WAFv2::WebACL", "Properties": {"Name": "a", "Scope": "REGIONAL",
         "DefaultAction": {"Allow": {}}, "VisibilityConfig": {"SampledRequestsEnabled": true,
         "CloudWatchMetricsEnabled": true, "MetricName": "a"}}},
       "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Acl", "Arn"]}}}

   Expected (Template Reference AWS::WAFv2::WebACL): the web ACL exists (GetWebACL), Ref is
   ``a|<id>|REGIONAL``, GetAtt Arn its ARN. Actual: skipped as unsupported; the GetAtt fails
   with "GetAtt references undefined resource Acl".

2. "wafv2: UpdateWebACL merges instead of replacing" (``WAFV2Backend.update_web_acl`` /
   ``FakeWebACL.update``). Reproduction: create_web_acl with two rules and a Description,
   then ``update_web_acl(..., Rules=[], LockToken=...)`` without Description. Expected (API
   reference UpdateWebACL: "This operation completely replaces the mutable specifications
   that you already have for the web ACL with the ones that you provide to this call"): no
   rules, no description. Actual: both rules and the description are kept (``if rules`` /
   ``is not None`` checks), so an out-of-band removal of every rule is invisible to drift.

3. "wafv2: AssociateWebACL leaves the resource associated with its previous web ACL"
   (``WAFV2Backend.associate_web_acl`` appends to the new ACL's list only). Reproduction:
   associate a stage with ACL A, then with ACL B; get_web_acl_for_resource. Expected (WAF
   Developer Guide, "Restrictions on multiple associations": "You can associate each AWS
   resource with only one web ACL"): the resource ends with one web ACL, B (AssociateWebACL
   moves it; CloudFormation's replacement of an association, new one first, relies on it).
   Actual: A, which still lists the resource and is found first.

Fixed here: 1 by our models, 2 and 3 by replacing the backend methods (so the API and
CloudFormation both behave as AWS documents).

Not emulated: rule statements are stored as the template writes them (CloudFormation and the
API share the shapes, except blob fields such as ByteMatchStatement.SearchString, which are not
base64-converted); Capacity (WCUs) is moto's constant 3, not computed from the rules; WebACL
DataProtectionConfig, ApplicationConfig, OnSourceDDoSProtectionConfig, ChallengeConfig's
immunity evaluation; managed rule groups are not checked to exist; deleting an associated web
ACL is not refused (AWS: WAFAssociatedItemException); PutLoggingConfiguration's destination
rules (name prefix ``aws-waf-logs-``, no ``:*`` suffix) are not checked; logs are not written.
"""

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.wafv2.exceptions import WAFNonexistentItemException, WAFOptimisticLockException
from moto.wafv2.models import GLOBAL_REGION, FakeRule, WAFV2Backend, wafv2_backends

from ._cfn import Resource, as_bool, model, properties, replace

# Properties of a web ACL that UpdateWebACL replaces (API name = CloudFormation name).
WEB_ACL_MUTABLE = (
    "DefaultAction",
    "Rules",
    "Description",
    "VisibilityConfig",
    "CustomResponseBodies",
    "CaptchaConfig",
    "ChallengeConfig",
    "TokenDomains",
    "AssociationConfig",
)


def backend_for(account_id: str, region_name: str, scope: str = "REGIONAL") -> WAFV2Backend:
    # moto keeps CLOUDFRONT-scoped entities in its "global" region (as its responses do).
    return wafv2_backends[account_id][GLOBAL_REGION if scope == "CLOUDFRONT" else region_name]


def _replacing(cls: Any, original: Any, props: dict[str, Any], new_name: str, account_id: str, region_name: str) -> Any:
    """A createOnly property changed: the engine should replace; if it calls the update
    handler anyway, create the new resource, then delete the old one (never drop it)."""
    if all(props.get(p) == original.props.get(p) for p in cls.CREATE_ONLY):
        return None
    new = cls.create_from_cloudformation_json(new_name, {"Properties": props}, account_id, region_name)
    original.delete(account_id, region_name)
    return new


@model
class WebACL(Resource, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACL"
    NAME_PROPERTY = "Name"
    CREATE_ONLY = ("Name", "Scope")

    def __init__(self, account_id: str, region_name: str, props: dict[str, Any], name: str):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.name, self.scope = name, props.get("Scope", "REGIONAL")
        self.id = self.arn = ""

    @property
    def backend(self) -> WAFV2Backend:
        return backend_for(self.account_id, self.region_name, self.scope)

    @property
    def physical_resource_id(self) -> str:
        return f"{self.name}|{self.id}|{self.scope}"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Id", "Capacity", "LabelNamespace")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        acl = self.backend.get_web_acl(self.arn, None, None)
        values = {"Arn": acl.arn, "Id": acl.id, "Capacity": acl.capacity, "LabelNamespace": acl.label_namespace}
        if attribute_name not in values:
            raise UnformattedGetAttTemplateException()
        return values[attribute_name]

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        p = properties(cloudformation_json)
        handle = cls(account_id, region_name, p, p.get("Name") or resource_name)
        acl = handle.backend.create_web_acl(
            handle.name,
            p["VisibilityConfig"],
            p["DefaultAction"],
            handle.scope,
            p.get("Description"),  # type: ignore[arg-type]
            list(p.get("Tags") or []),
            list(p.get("Rules") or []),
            p.get("AssociationConfig"),
            p.get("CaptchaConfig"),
            p.get("ChallengeConfig"),
            p.get("CustomResponseBodies"),
            p.get("TokenDomains"),
        )
        handle.id, handle.arn = acl.id, acl.arn
        return handle

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        p = properties(cloudformation_json)
        new = _replacing(cls, original_resource, p, new_resource_name, account_id, region_name)
        if new is not None:
            return new
        backend = original_resource.backend
        acl = backend.get_web_acl(original_resource.arn, None, None)
        # CloudFormation's handler reads the lock token (GetWebACL) and passes it on.
        backend.update_web_acl(
            acl.name,
            acl.id,
            *(p.get(k) for k in WEB_ACL_MUTABLE[:4]),
            acl.lock_token,
            *(p.get(k) for k in WEB_ACL_MUTABLE[4:]),
        )
        backend.tagging_service.delete_all_tags_for_resource(acl.arn)
        backend.tag_resource(acl.arn, list(p.get("Tags") or []))
        original_resource.props = p
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        name, acl_id, scope = resource_name.split("|")
        backend = backend_for(account_id, region_name, scope)
        for acl in list(backend.wacls.values()):
            if acl.name == name and acl.id == acl_id:
                backend.delete_web_acl(name, scope, acl_id, acl.lock_token)
                backend.tagging_service.delete_all_tags_for_resource(acl.arn)


@model
class WebACLAssociation(Resource, CloudFormationModel):
    TYPE = "AWS::WAFv2::WebACLAssociation"
    CREATE_ONLY = ("ResourceArn", "WebACLArn")

    def __init__(self, account_id: str, region_name: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.resource_arn, self.web_acl_arn = props["ResourceArn"], props["WebACLArn"]

    @property
    def physical_resource_id(self) -> str:
        return f"{self.resource_arn}|{self.web_acl_arn}"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        handle = cls(account_id, region_name, properties(cloudformation_json))
        backend_for(account_id, region_name).associate_web_acl(handle.web_acl_arn, handle.resource_arn)
        return handle

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        p = properties(cloudformation_json)
        return _replacing(cls, original_resource, p, new_resource_name, account_id, region_name) or original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        resource_arn, web_acl_arn = resource_name.split("|", 1)
        backend = backend_for(account_id, region_name)
        current = backend.get_web_acl_for_resource(resource_arn)
        # DisassociateWebACL is keyed by the resource only: leave a newer association alone
        # (a replacement creates the new association before deleting the old one).
        if current is not None and current.arn == web_acl_arn:
            backend.disassociate_web_acl(resource_arn)


@model
class LoggingConfiguration(Resource, CloudFormationModel):
    TYPE = "AWS::WAFv2::LoggingConfiguration"
    REF = "resource_arn"
    ATTRIBUTES = {"ManagedByFirewallManager": "managed_by_firewall_manager"}
    CREATE_ONLY = ("ResourceArn",)

    def __init__(self, account_id: str, region_name: str, props: dict[str, Any]):
        self.account_id, self.region_name, self.props = account_id, region_name, props
        self.resource_arn = props["ResourceArn"]

    @property
    def managed_by_firewall_manager(self) -> Any:
        return self._backend().get_logging_configuration(self.resource_arn).managed_by_firewall_manager

    def _backend(self) -> WAFV2Backend:
        # Logging configurations live with their web ACL (a global one for CLOUDFRONT).
        scope = "CLOUDFRONT" if ":global/" in self.resource_arn else "REGIONAL"
        return backend_for(self.account_id, self.region_name, scope)

    def _put(self, p: dict[str, Any]) -> None:
        self._backend().put_logging_configuration(
            self.resource_arn,
            list(p["LogDestinationConfigs"]),
            p.get("RedactedFields"),
            as_bool(p.get("ManagedByFirewallManager")),
            p.get("LoggingFilter"),  # type: ignore[arg-type]
        )

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        handle = cls(account_id, region_name, properties(cloudformation_json))
        handle._put(handle.props)
        return handle

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        p = properties(cloudformation_json)
        new = _replacing(cls, original_resource, p, new_resource_name, account_id, region_name)
        if new is not None:
            return new
        original_resource._put(p)  # PutLoggingConfiguration replaces the configuration
        original_resource.props = p
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[no-untyped-def]
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        backend = cls(account_id, region_name, {"ResourceArn": resource_name})._backend()
        backend.logging_configurations.pop(resource_name, None)


def _update_web_acl(
    self: WAFV2Backend,
    name: str,
    _id: str,
    default_action: dict[str, Any] | None,
    rules: list[dict[str, Any]] | None,
    description: str | None,
    visibility_config: dict[str, Any] | None,
    lock_token: str,
    custom_response_bodies: dict[str, Any] | None,
    captcha_config: dict[str, Any] | None,
    challenge_config: dict[str, Any] | None,
    token_domains: list[str] | None,
    association_config: dict[str, Any] | None,
) -> str:
    """UpdateWebACL replaces every mutable specification with the request's (issue 2)."""
    acl = self.get_web_acl(None, name, _id)
    if acl.lock_token != lock_token:
        raise WAFOptimisticLockException()
    acl.default_action = default_action  # type: ignore[assignment]
    acl.visibility_config = visibility_config  # type: ignore[assignment]
    acl.rules = [FakeRule(**{camelcase_to_underscores(k): v for k, v in rule.items()}) for rule in rules or []]
    acl.description = description or ""
    acl.custom_response_bodies = custom_response_bodies
    acl.captcha_config = captcha_config
    acl.challenge_config = challenge_config
    acl.token_domains = token_domains
    acl.association_config = association_config
    acl.lock_token = acl._generate_lock_token()
    return acl.lock_token


def _associate_web_acl(self: WAFV2Backend, web_acl_arn: str, resource_arn: str) -> None:
    """A resource has at most one web ACL: associating moves it (issue 3)."""
    if web_acl_arn not in self.wacls:
        raise WAFNonexistentItemException()
    for acl in self.wacls.values():
        if resource_arn in acl.associated_resources:
            acl.associated_resources.remove(resource_arn)
    self.wacls[web_acl_arn].associated_resources.append(resource_arn)
    stage = self._find_apigw_stage(resource_arn)
    if stage:
        stage.web_acl_arn = web_acl_arn


def install() -> None:
    replace(WAFV2Backend, "update_web_acl", _update_web_acl)
    replace(WAFV2Backend, "associate_web_acl", _associate_web_acl)
