"""SES: ``AWS::SES::EmailIdentity`` through CloudFormation as the CloudFormation Template
Reference and the SESv2 API Reference describe it.

Identities live in moto's SES backend (which its SESv2 backend shares), so SESv2
GetEmailIdentity / ListEmailIdentities and SES v1 ListIdentities /
GetIdentityDkimAttributes see what a template declared.

Upstream issues (as we would file them at getmoto/moto)
=======================================================

S1. No CloudFormation model for AWS::SES::EmailIdentity
    moto 5.2.5, ``moto/ses/models.py``: ``EmailIdentity`` is a ``BaseModel``, not a
    ``CloudFormationModel``. Reproduction::

        Identity: {Type: AWS::SES::EmailIdentity, Properties: {EmailIdentity: example.com,
                   DkimSigningAttributes: {NextSigningKeyLength: RSA_2048_BIT}}}
        Outputs: {Name: {Value: !GetAtt Identity.DkimDNSTokenName1}}

    Expected (AWS::SES::EmailIdentity reference): Ref = the identity; GetAtt
    DkimDNSTokenName1..3 / DkimDNSTokenValue1..3 are the Easy DKIM CNAME records
    (``<token>._domainkey.<domain>`` → ``<token>.dkim.amazonses.com``); GetEmailIdentity
    shows the identity. Actual: a placeholder; Ref is empty, GetAtt fails, SES has no
    identity.

S2. GetEmailIdentity returns no DKIM tokens for an Easy DKIM domain
    moto 5.2.5, ``moto/ses/models.py`` ``EmailIdentity.__init__`` builds ``DkimAttributes``
    without ``Tokens``; ``SESBackend.get_identity_dkim_attributes`` (v1) answers three fixed
    tokens, the same for every domain. Reproduction: ``sesv2.create_email_identity(
    EmailIdentity="example.com")``, ``sesv2.get_email_identity(EmailIdentity="example.com")``.
    Expected (SESv2 GetEmailIdentity, DkimAttributes.Tokens): the identity's three tokens,
    distinct per identity, the same ones v1 GetIdentityDkimAttributes returns. Actual: no
    ``Tokens``.

S3. CreateEmailIdentity overwrites an existing identity
    moto 5.2.5, ``moto/ses/models.py`` ``SESBackend.create_email_identity_v2`` replaces the
    entry. Reproduction: ``create_email_identity(EmailIdentity="example.com")`` twice.
    Expected (SESv2 CreateEmailIdentity errors): ``AlreadyExistsException`` the second time.
    Actual: success, the identity's DKIM state starts over. Our CloudFormation model refuses
    a create whose identity exists (as CloudFormation reports it); the API is left as moto has it.

Not emulated: verification itself (moto treats every identity as verified, so sending
works at once; on AWS a domain verifies once its DKIM records resolve), custom-key DKIM
(``DomainSigningPrivateKey``), MAIL FROM attributes, configuration sets' effect on sending.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.ses.models import SESBackend, ses_backends
from moto.sesv2.models import sesv2_backends

from ._cfn import Resource, already_exists, as_bool, model, properties, replaced

TYPE = "AWS::SES::EmailIdentity"
# A DKIM token: 32 lower-case letters and digits, as SES generates them.
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits


def _backend(account_id: str, region_name: str) -> SESBackend:
    return ses_backends[account_id][region_name]


def _apply(identity: Any, props: dict[str, Any]) -> None:
    """The updatable settings: DKIM signing on or off and the next key length
    (PutEmailIdentityDkimAttributes / PutEmailIdentityDkimSigningAttributes), feedback
    forwarding and the default configuration set."""
    dkim = identity.dkim_attributes
    if identity.identity_type == "DOMAIN":
        signing = props.get("DkimSigningAttributes") or {}
        dkim["NextSigningKeyLength"] = signing.get("NextSigningKeyLength", "RSA_2048_BIT")
        dkim["SigningEnabled"] = as_bool((props.get("DkimAttributes") or {}).get("SigningEnabled"), default=True)
    feedback = props.get("FeedbackAttributes") or {}
    identity.feedback_forwarding_status = as_bool(feedback.get("EmailForwardingEnabled"), default=True)
    identity.configuration_set_name = (props.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")


@model
class EmailIdentity(Resource, CloudFormationModel):
    """AWS::SES::EmailIdentity. EmailIdentity is createOnly (a change replaces); the other
    settings update in place. A domain gets Easy DKIM: three tokens of its own."""

    TYPE = TYPE
    NAME_PROPERTY = "EmailIdentity"
    REF = "name"

    def __init__(self, account_id: str, region: str, name: str, props: dict[str, Any]):
        self.account_id, self.region = account_id, region
        self.name = name
        self.props = props

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in {f"DkimDNSToken{kind}{i}" for kind in ("Name", "Value") for i in (1, 2, 3)}

    def get_cfn_attribute(self, attr: str) -> str:
        tokens = _backend(self.account_id, self.region).dkim_tokens.get(self.name)
        if not tokens or not self.has_cfn_attr(attr):
            raise UnformattedGetAttTemplateException()  # an address identity has no DKIM records
        token = tokens[int(attr[-1]) - 1]
        if attr.startswith("DkimDNSTokenName"):
            return f"{token}._domainkey.{self.name}"
        return f"{token}.dkim.amazonses.com"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        name = props["EmailIdentity"]
        backend = _backend(account_id, region_name)
        if name in backend.email_identities:
            raise already_exists(TYPE, name)  # S3
        identity = sesv2_backends[account_id][region_name].create_email_identity(
            name, None, props.get("DkimSigningAttributes") or {}, None
        )
        if identity.identity_type == "DOMAIN":
            tokens = ["".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(32)) for _ in range(3)]
            backend.dkim_tokens[name] = tokens  # what v1 GetIdentityDkimAttributes answers
            identity.dkim_attributes.update({"Tokens": tokens, "Status": "SUCCESS"})  # S2
        _apply(identity, props)
        return cls(account_id, region_name, name, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if props["EmailIdentity"] != original_resource.name:
            return replaced(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        _apply(_backend(account_id, region_name).email_identities[original_resource.name], props)
        original_resource.props = props
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        backend.email_identities.pop(resource_name, None)  # gone already counts as deleted
        backend.dkim_tokens.pop(resource_name, None)


def install() -> None:
    """Nothing to patch: the model registers itself."""
