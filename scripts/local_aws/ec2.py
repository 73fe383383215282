"""EC2 networking through CloudFormation: VPC, Subnet, InternetGateway,
VPCGatewayAttachment, EIP, NatGateway, RouteTable, Route, SubnetRouteTableAssociation,
SecurityGroup, SecurityGroupIngress, SecurityGroupEgress, VPCEndpoint; and instance launches (root
volumes from the image, as the bastion's Auto Scaling group needs).

moto's own backend objects stay the resources (DescribeVpcs & co. see them); we replace
moto's CloudFormation handlers where they are wrong and register our own model for the
types moto gets wrong structurally (VPCGatewayAttachment, SubnetRouteTableAssociation,
SecurityGroupIngress) or lacks (SecurityGroupEgress). Properties are applied per the
CloudFormation Template Reference; a property the registry schema marks createOnly makes
the update handler refuse (the engine replaces such resources: create new, delete old).

Upstream issues, as we would file them at getmoto/moto (all: moto 5.2.5)
------------------------------------------------------------------------

1. "CloudFormation: EC2 networking resources are dropped from the stack when modified"
   At fault: moto/ec2/models/vpcs.py VPC, subnets.py Subnet, internet_gateways.py
   InternetGateway, elastic_ip_addresses.py ElasticAddress, nat_gateways.py NatGateway,
   route_tables.py RouteTable and Route: no ``update_from_cloudformation_json``, so
   moto/cloudformation/parsing.py ``parse_and_update_resource`` returns None.
   Reproduction: create a stack with ``{"Vpc": {"Type": "AWS::EC2::VPC", "Properties":
   {"CidrBlock": "10.0.0.0/16"}}}``, update it adding ``"Tags": [{"Key": "k", "Value": "v"}]``.
   Expected (Template Reference, AWS::EC2::VPC: Tags "Update requires: No interruption"):
   the same VPC, tagged. Actual: the VPC stays untagged and DescribeStackResources no
   longer lists it. Same for Subnet MapPublicIpOnLaunch/Tags, EIP/NatGateway/RouteTable/
   InternetGateway Tags, Route targets (ReplaceRoute).

2. "CloudFormation: AWS::EC2::VPC ignores EnableDnsSupport and EnableDnsHostnames"
   At fault: vpcs.py ``VPC.create_from_cloudformation_json`` passes CidrBlock and
   InstanceTenancy only. Reproduction: VPC with ``"EnableDnsHostnames": true``, then
   ``describe_vpc_attribute(Attribute="enableDnsHostnames")``. Expected: true. Actual: false.
   Also: GetAtt CidrBlockAssociations returns moto's internal dicts (AWS: association ids),
   DefaultNetworkAcl and Ipv6CidrBlocks are unsupported; deleting the VPC does not refuse
   while non-default security groups or an attached internet gateway remain (AWS:
   DependencyViolation) and leaves its network ACLs behind.

3. "CloudFormation: AWS::EC2::Subnet ignores MapPublicIpOnLaunch, Tags survive only on
   create, GetAtt SubnetId/VpcId/CidrBlock unsupported, AvailabilityZone raises"
   At fault: subnets.py ``Subnet.create_from_cloudformation_json`` (passes VpcId,
   CidrBlock, AvailabilityZone only; without AvailabilityZone the subnet lands in
   us-east-1a whatever the region) and ``Subnet.get_cfn_attribute`` (only
   AvailabilityZone, which raises NotImplementedError and resolves to nothing).
   Reproduction: subnet with ``"MapPublicIpOnLaunch": true``; Outputs ``{"Fn::GetAtt":
   ["Subnet", "VpcId"]}``. Expected: DescribeSubnets MapPublicIpOnLaunch true; the VPC id.
   Actual: false; ValidationError "does not support attribute type VpcId".
   ``delete_subnet`` also ignores network interfaces still in the subnet (AWS:
   DependencyViolation) and leaves its route table / network ACL associations behind.

4. "CloudFormation: AWS::EC2::InternetGateway, EIP, NatGateway, RouteTable ignore Tags;
   EIP, NatGateway, RouteTable, Route cannot be deleted"
   At fault: ``create_from_cloudformation_json`` of InternetGateway (no properties read),
   ElasticAddress ("TODO: support tags"), NatGateway (SubnetId/AllocationId only),
   RouteTable (VpcId only); none of ElasticAddress, NatGateway, RouteTable, Route,
   InternetGateway has a delete handler, so DeleteStack (or removing them from the
   template) leaves them in DescribeAddresses/NatGateways/RouteTables/InternetGateways.
   EIP GetAtt PublicIp and NatGateway GetAtt NatGatewayId are unsupported; EIP without
   Domain is allocated as "standard" (AWS: VPC addresses only since EC2-Classic's end).
   Expected (Template Reference): tags applied; ``Fn::GetAtt [Eip, PublicIp]`` the address;
   the resources gone after delete (a deleted NAT gateway shows State "deleted", its
   network interface deleted and its Elastic IP disassociated).

5. "CloudFormation: AWS::EC2::VPCGatewayAttachment Ref is the VPC id and the gateway is
   never detached"
   At fault: vpn_gateway.py ``VPCGatewayAttachment``: ``physical_resource_id`` returns the
   VPC id (AWS: the attachment's id, ``IGW|vpc-…``, from the primary identifier
   AttachmentType + VpcId), no delete handler (the internet gateway stays attached, so
   deleting it fails with DependencyViolation), no update (InternetGatewayId is "No
   interruption").

6. "CloudFormation: AWS::EC2::Route has no delete/update handler; Ref format"
   At fault: route_tables.py ``Route``. Reproduction: change a route's NatGatewayId, or
   remove the route. Expected: ReplaceRoute / DeleteRoute. Actual: the route is dropped
   from the stack but stays in the route table. ``physical_resource_id`` is
   ``rtb-…~0.0.0.0/0``; AWS's composite identifier (RouteTableId, CidrBlock) reads
   ``rtb-…|0.0.0.0/0`` (CloudFormation joins a composite primary identifier with "|", as
   the Template Reference shows for AWS::EC2::SecurityGroupVpcAssociation:
   ``sg-id|vpc-id``). GetAtt CidrBlock unsupported.

7. "CloudFormation: AWS::EC2::SubnetRouteTableAssociation does not associate"
   At fault: subnets.py ``SubnetRouteTableAssociation.create_from_cloudformation_json``
   calls ``SubnetBackend.create_subnet_association``, which stores the pair in a dict that
   DescribeRouteTables never reads; ``physical_resource_id`` is the route table id (AWS:
   the association id ``rtbassoc-…``); no delete handler.
   Reproduction: route table + subnet + association; ``describe_route_tables``.
   Expected: the table's Associations list the subnet. Actual: main association only.

8. "CloudFormation: AWS::EC2::SecurityGroup ignores SecurityGroupEgress, drops rule
   descriptions and replaces the group on every update"
   At fault: security_groups.py ``SecurityGroup.create_from_cloudformation_json`` (reads
   SecurityGroupIngress only, with CidrIp but without Description; never
   SecurityGroupEgress), ``update_from_cloudformation_json`` (deletes the group and
   creates a new one: new GroupId, out-of-band rules and references lost),
   ``get_cfn_attribute`` (GroupId only). Reproduction: a VPC group with
   ``"SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
   "CidrIp": "0.0.0.0/0", "Description": "https"}]``. Expected (Template Reference,
   SecurityGroup: "When you specify egress rules, the default rule is removed"):
   IpPermissionsEgress = that rule only, with its description. Actual: only the default
   allow-all rule. Deleting a group still referenced by another group's rule succeeds
   (AWS: DependencyViolation).

9. "CloudFormation: AWS::EC2::SecurityGroupIngress has no physical id, cannot be deleted;
   AWS::EC2::SecurityGroupEgress is not supported"
   At fault: security_groups.py ``SecurityGroupIngress`` (no ``physical_resource_id``: Ref
   yields the Python object; no update/delete: the rule survives the stack); no model for
   AWS::EC2::SecurityGroupEgress (placeholder, the rule is never authorized). Expected:
   Ref = the security group rule id ``sgr-…``; Description updatable in place; delete
   revokes the rule.

``Fn::GetAZs``: fixed in local_aws/cloudformation.py (issue 21 there).

10. "RevokeSecurityGroupIngress/Egress: a rule with a source group is not found unless the
   request repeats its description"
   At fault: moto/ec2/models/security_groups.py ``SecurityGroupRule.__eq__`` compares the
   whole ``source_group`` dict, which holds the rule's Description and UserId.
   Reproduction: authorize tcp 6379 from group B with ``Description: "x"``, then
   ``revoke_security_group_ingress(IpPermissions=[{"IpProtocol": "tcp", "FromPort": 6379,
   "ToPort": 6379, "UserIdGroupPairs": [{"GroupId": B}]}])``. Expected (EC2 API Reference,
   RevokeSecurityGroupIngress: "you must specify ... protocol, port range and source; the
   description is not needed"): the rule is revoked. Actual: InvalidPermission.NotFound.

11. "RunInstances: an EBS mapping of the image's root device without VolumeSize or
   SnapshotId fails with MissingParameter size/snapshot"
   At fault: moto/ec2/models/instances.py ``Instance.add_block_device`` passes the mapping's
   size straight to ``create_volume``. Reproduction: ``run_instances(ImageId=<an Amazon
   Linux AMI>, BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True,
   "VolumeType": "gp3"}}], MinCount=1, MaxCount=1)`` (or the same mapping in a launch
   template an Auto Scaling group launches from). Expected (EC2 API Reference,
   EbsBlockDevice: VolumeSize "defaults to the snapshot size"; a mapping of a device the
   AMI maps overrides only what it sets): the root volume is created from the image's
   snapshot, with the mapping's encryption and type. Actual: MissingParameter (from the
   request validation in moto/ec2/responses/instances.py ``_validate_block_device_mapping``
   as well).

12. "RunInstances from a launch template ignores the template's MetadataOptions and
   IamInstanceProfile"
   At fault: moto/ec2/models/instances.py ``InstanceBackend.run_instances`` takes only
   UserData, InstanceType, KeyName and security groups from the template; the instance
   profile is associated by the response layer from request parameters only, so instances
   an Auto Scaling group launches never get one. Reproduction: a launch template with
   ``"MetadataOptions": {"HttpTokens": "required"}`` and ``"IamInstanceProfile": {"Arn":
   <profile>}``, then ``run_instances(LaunchTemplate={"LaunchTemplateId": …},
   MinCount=1, MaxCount=1)`` and DescribeInstances. Expected (EC2 User Guide, "Launch an
   instance from a launch template": the template's parameters apply unless the request
   overrides them): HttpTokens ``required``, the profile associated. Actual: ``optional``,
   no profile. Likewise the template's BlockDeviceMappings are added *beside* a default
   8 GiB ``/dev/sda1`` root volume, whatever the image's root device (``/dev/xvda`` on
   Amazon Linux): expected one root volume, at the image's root device, with the
   mapping's settings; with mappings in the request itself, moto creates no root volume
   at all unless a mapping names it.

13. "TerminateInstances leaves the primary network interface RunInstances created, so the
   subnet can never be deleted"
   At fault: moto/ec2/models/instances.py ``Instance.prep_nics`` creates the primary
   interface with ``delete_on_termination`` false unless the request's
   NetworkInterfaces say true. Reproduction: ``run_instances(SubnetId=s, MinCount=1,
   MaxCount=1)``, ``terminate_instances``, then ``describe_network_interfaces`` (still
   listed) / DeleteSubnet with moto's dependency check. Expected (EC2 User Guide, "Network
   interfaces": the primary interface an instance launch creates is deleted when the
   instance terminates): no interface left. Actual: it stays, ``available``.

14. "The default EBS encryption key alias/aws/ebs is a customer managed key"
   At fault: moto/ec2/models/elastic_block_store.py ``EBSBackend.
   _create_default_encryption_key`` creates it with KMS's ``create_key``, so DescribeKey
   says ``KeyManager: CUSTOMER``. Reproduction: ``create_volume(Size=8, Encrypted=True,
   AvailabilityZone=...)``, then DescribeKey on ``alias/aws/ebs``. Expected (KMS Developer
   Guide, "AWS managed keys": created by the service on first use, ``KeyManager: AWS``):
   ``AWS``. Actual: ``CUSTOMER``, so an account seems to own one more customer key per
   region where anything encrypted EBS with the default key.

15. "CloudFormation: AWS::EC2::VPCEndpoint cannot be updated or deleted, ignores Tags; an
   interface endpoint's network interfaces have the wrong address, groups and owner"
   At fault: moto/ec2/models/vpcs.py ``VPCEndPoint`` (``create_from_cloudformation_json``
   drops Tags; no ``update_from_cloudformation_json`` / ``delete_from_cloudformation_json``;
   no ``get_cfn_attribute``) and ``EC2Backend.create_vpc_endpoint`` (each interface is
   created with ``random_private_ip()``, an address of 10.0.0.0/8 whatever the subnet's
   range, in the VPC's default group instead of the endpoint's SecurityGroupIds, without
   description, ``RequesterManaged`` false); ``VPCEndPoint.modify`` adds subnets without
   interfaces; the DNS name reads ``vpce-….com.amazonaws.<region>.<service>``.
   Reproduction: a stack with ``{"E": {"Type": "AWS::EC2::VPCEndpoint", "Properties":
   {"VpcId": v, "ServiceName": "com.amazonaws.eu-central-1.lambda", "VpcEndpointType":
   "Interface", "SubnetIds": [s], "SecurityGroupIds": [g], "Tags": [{"Key": "k", "Value":
   "v"}]}}}``; DescribeVpcEndpoints, DescribeNetworkInterfaces; then delete the stack.
   Expected (Template Reference, AWS::EC2::VPCEndpoint: SubnetIds, SecurityGroupIds,
   PolicyDocument, PrivateDnsEnabled and Tags update without interruption; GetAtt Id,
   DnsEntries ``hostedzone:dnsname``, NetworkInterfaceIds, CreationTimestamp. EC2 User
   Guide, "Access an AWS service using an interface VPC endpoint": one requester-managed
   interface per subnet, "VPC Endpoint Interface vpce-…", in the endpoint's security groups,
   with an address of the subnet; DNS names ``vpce-…-….<service>.<region>.vpce.amazonaws.com``):
   the tagged endpoint, interfaces in the subnet's range and group ``g``, the endpoint
   deleted with the stack. Actual: untagged, addresses outside the subnet, the default
   group; DeleteStack leaves the endpoint ``available``.

Still not emulated: IPv6 (Ipv6CidrBlock(s), AssignIpv6AddressOnCreation beyond storing
it), IPAM pools, NAT secondary addresses and private NAT, VPN/transit/carrier gateways
beyond what moto's create_route accepts, prefix-list rule descriptions, security group
rule limits per ENI, rule ids of inline rules (EC2 keeps them; CloudFormation returns
none).
"""

import copy
import json
from typing import Any, Callable

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import (
    DependencyViolationError,
    EC2ClientError,
    InvalidAssociationIdError,
    InvalidRouteError,
    ResourceAlreadyAssociatedError,
)
from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_block_store import EBSBackend
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.instances import Instance, InstanceBackend
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.security_groups import SecurityGroup, SecurityGroupRule
from moto.ec2.models.subnets import Subnet
from moto.ec2.models.vpcs import VPC, VPCEndPoint
from moto.ec2.responses.instances import InstanceResponse

from ._cfn import Resource, as_bool, model, original, properties, replace, sync_tags, tags_to_dict


def _ec2(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


def _sync_tags(backend: Any, resource_id: str, old: Any, new: Any) -> None:
    sync_tags(
        old,
        new,
        lambda keys: backend.delete_tag_keys([resource_id], keys),
        lambda tags: backend.create_tags([resource_id], tags),
    )


def _in_place(resource_type: str, old: dict[str, Any], new: dict[str, Any], create_only: list[str]) -> None:
    """Refuses an update that changes a createOnly property (registry schema): AWS
    replaces such resources, which is the engine's job (create new, delete old)."""
    changed = [name for name in create_only if old.get(name) != new.get(name)]
    if changed:
        raise ValidationError(
            message=f"{resource_type}: {', '.join(changed)} cannot be updated in place "
            "(createOnly); the resource must be replaced"
        )


def _get_att(obj: Any, attributes: dict[str, Any], name: str) -> Any:
    if name not in attributes:
        raise UnformattedGetAttTemplateException()
    return attributes[name](obj)


def _bind(owner: type, attributes: dict[str, Any]) -> None:
    """Installs has_cfn_attr / get_cfn_attribute answering exactly ``attributes``."""
    replace(owner, "has_cfn_attr", lambda cls, attr: attr in attributes, kind="classmethod")
    replace(owner, "get_cfn_attribute", lambda self, attr: _get_att(self, attributes, attr))


def _cfn_props(obj: Any) -> dict[str, Any]:
    """The properties the resource was last created/updated with."""
    return getattr(obj, "_cfn_properties", {})


def _in_place_update(resource_type: str, create_only: list[str], apply: Callable[[Any, dict, dict], None]):
    """The update handler of a type updated in place by ``apply(resource, old, new)``
    (which records ``new`` as the resource's properties), once ``_in_place`` allows it."""

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        _in_place(resource_type, _cfn_props(original_resource), props, create_only)
        apply(original_resource, _cfn_props(original_resource), props)
        return original_resource

    return update


def _apply_tags(resource: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    """For types whose only in-place change is their Tags."""
    _sync_tags(resource.ec2_backend, resource.id, old.get("Tags"), new.get("Tags"))
    resource._cfn_properties = new


# --- VPC ---------------------------------------------------------------------------

VPC_CREATE_ONLY = ["CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"]


def _vpc_apply(vpc: VPC, old: dict[str, Any], new: dict[str, Any]) -> None:
    # AWS defaults: DNS support on, DNS hostnames off (for non-default VPCs).
    vpc.enable_dns_support = as_bool(new.get("EnableDnsSupport"), True)
    vpc.enable_dns_hostnames = as_bool(new.get("EnableDnsHostnames"), False)
    tenancy = new.get("InstanceTenancy", "default")
    if tenancy != vpc.instance_tenancy:
        vpc.modify_vpc_tenancy(tenancy)  # AWS only allows dedicated -> default
    _sync_tags(vpc.ec2_backend, vpc.id, old.get("Tags"), new.get("Tags"))
    vpc._cfn_properties = new


def _vpc_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    vpc = _ec2(account_id, region_name).create_vpc(
        cidr_block=props["CidrBlock"], instance_tenancy=props.get("InstanceTenancy", "default")
    )
    _vpc_apply(vpc, {}, props)
    return vpc


_vpc_update = _in_place_update("AWS::EC2::VPC", VPC_CREATE_ONLY, _vpc_apply)


def _vpc_delete(self, account_id=None, region_name=None):
    backend = self.ec2_backend
    if any(igw.vpc is not None and igw.vpc.id == self.id for igw in backend.internet_gateways.values()):
        raise DependencyViolationError(f"The vpc '{self.id}' has dependencies and cannot be deleted.")
    if any(not group.is_default for group in backend.groups[self.id].values()):
        raise DependencyViolationError(f"The vpc '{self.id}' has dependencies and cannot be deleted.")
    backend.delete_vpc(self.id)
    for acl_id in [acl.id for acl in backend.network_acls.values() if acl.vpc_id == self.id]:
        del backend.network_acls[acl_id]


def _vpc_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    vpc = _ec2(account_id, region_name).vpcs.get(resource_name)
    if vpc is not None:  # already gone counts as deleted (as CloudFormation does)
        _vpc_delete(vpc)


VPC_ATTRIBUTES = {
    "CidrBlock": lambda v: v.cidr_block,
    "CidrBlockAssociations": lambda v: [a["association_id"] for a in v.get_cidr_block_association_set()],
    "DefaultNetworkAcl": lambda v: next(
        acl.id for acl in v.ec2_backend.network_acls.values() if acl.vpc_id == v.id and acl.default
    ),
    "DefaultSecurityGroup": lambda v: v.ec2_backend.get_default_security_group(v.id).id,
    "Ipv6CidrBlocks": lambda v: [a["cidr_block"] for a in v.get_cidr_block_association_set(ipv6=True)],
    "VpcId": lambda v: v.id,
}


# --- Subnet ------------------------------------------------------------------------

SUBNET_CREATE_ONLY = ["VpcId", "AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "OutpostArn", "Ipv6Native"]


def _subnet_apply(subnet: Subnet, old: dict[str, Any], new: dict[str, Any]) -> None:
    subnet.map_public_ip_on_launch = as_bool(new.get("MapPublicIpOnLaunch"), False)
    subnet.assign_ipv6_address_on_creation = as_bool(new.get("AssignIpv6AddressOnCreation"), False)
    options = new.get("PrivateDnsNameOptionsOnLaunch") or {}
    for key in ("HostnameType", "EnableResourceNameDnsARecord", "EnableResourceNameDnsAAAARecord"):
        if key in options:
            value = options[key] if key == "HostnameType" else as_bool(options[key])
            subnet.private_dns_name_options_on_launch[key] = value
    _sync_tags(subnet.ec2_backend, subnet.id, old.get("Tags"), new.get("Tags"))
    subnet._cfn_properties = new


def _subnet_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = _ec2(account_id, region_name)
    zones = backend.describe_availability_zones()
    zone = props.get("AvailabilityZone")
    if not zone and props.get("AvailabilityZoneId"):
        zone = next(z.name for z in zones if z.zone_id == props["AvailabilityZoneId"])
    # Without a zone AWS picks one of the region's (moto: us-east-1a whatever the region).
    subnet = backend.create_subnet(
        vpc_id=props["VpcId"],
        cidr_block=props.get("CidrBlock"),
        ipv6_cidr_block=props.get("Ipv6CidrBlock"),
        availability_zone=zone or zones[0].name,
        ipv6_native=as_bool(props.get("Ipv6Native")),
    )
    # Only a default VPC's subnets are default for their zone.
    subnet.default_for_az = False
    _subnet_apply(subnet, {}, props)
    return subnet


_subnet_update = _in_place_update("AWS::EC2::Subnet", SUBNET_CREATE_ONLY, _subnet_apply)


def _subnet_delete(self, account_id=None, region_name=None):
    backend = self.ec2_backend
    if any(eni.subnet.id == self.id for eni in backend.enis.values()):
        raise DependencyViolationError(f"The subnet '{self.id}' has dependencies and cannot be deleted.")
    # Its explicit route table and network ACL associations go with it.
    for table in backend.route_tables.values():
        for association_id, target in list(table._associations.items()):
            if target == self.id:
                del table._associations[association_id]
    for acl in backend.network_acls.values():
        for association_id, association in list(acl._associations.items()):
            if association.subnet_id == self.id:
                del acl._associations[association_id]
    backend.delete_subnet(self.id)


def _subnet_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = _ec2(account_id, region_name)
    found = [s for s in backend.describe_subnets() if s.id == resource_name]
    if found:
        _subnet_delete(found[0])


def _network_acl_association(subnet: Subnet) -> str:
    for acl in subnet.ec2_backend.network_acls.values():
        for association in acl._associations.values():
            if association.subnet_id == subnet.id:
                return association.id
    return ""


SUBNET_ATTRIBUTES = {
    "AvailabilityZone": lambda s: s.availability_zone,
    "AvailabilityZoneId": lambda s: s.availability_zone_id,
    "CidrBlock": lambda s: s.cidr_block,
    "Ipv6CidrBlocks": lambda s: [a["ipv6CidrBlock"] for a in s.ipv6_cidr_block_association_set],
    "NetworkAclAssociationId": _network_acl_association,
    "OutpostArn": lambda s: "",
    "SubnetId": lambda s: s.id,
    "VpcId": lambda s: s.vpc_id,
}


# --- InternetGateway ---------------------------------------------------------------


def _igw_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    igw = _ec2(account_id, region_name).create_internet_gateway()
    _sync_tags(igw.ec2_backend, igw.id, None, props.get("Tags"))
    igw._cfn_properties = props
    return igw


_igw_update = _in_place_update("AWS::EC2::InternetGateway", [], _apply_tags)


def _igw_delete(self, account_id=None, region_name=None):
    # Refuses while attached (DependencyViolation), as AWS does.
    self.ec2_backend.delete_internet_gateway(self.id)


def _igw_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    igw = _ec2(account_id, region_name).internet_gateways.get(resource_name)
    if igw is not None:
        _igw_delete(igw)


# --- VPCGatewayAttachment ----------------------------------------------------------


@model
class VpcGatewayAttachment(Resource, CloudFormationModel):
    """Ref = the attachment id: its primary identifier (AttachmentType, VpcId) joined
    with "|", e.g. ``IGW|vpc-…``."""

    TYPE = "AWS::EC2::VPCGatewayAttachment"
    ATTRIBUTES = {"AttachmentType": "attachment_type"}

    def __init__(self, account_id: str, region_name: str, props: dict[str, Any]):
        self.account_id, self.region_name = account_id, region_name
        self.vpc_id = props["VpcId"]
        self.internet_gateway_id = props.get("InternetGatewayId")
        self.vpn_gateway_id = props.get("VpnGatewayId")

    @property
    def attachment_type(self) -> str:
        return "IGW" if self.internet_gateway_id else "VPN"

    @property
    def physical_resource_id(self) -> str:
        return f"{self.attachment_type}|{self.vpc_id}"

    def _attach(self) -> None:
        backend = _ec2(self.account_id, self.region_name)
        if self.internet_gateway_id:
            backend.attach_internet_gateway(internet_gateway_id=self.internet_gateway_id, vpc_id=self.vpc_id)
        else:
            backend.attach_vpn_gateway(vpn_gateway_id=self.vpn_gateway_id, vpc_id=self.vpc_id)

    def _detach(self) -> None:
        backend = _ec2(self.account_id, self.region_name)
        if self.internet_gateway_id:
            igw = backend.internet_gateways.get(self.internet_gateway_id)
            if igw is not None and igw.vpc is not None and igw.vpc.id == self.vpc_id:
                backend.detach_internet_gateway(self.internet_gateway_id, self.vpc_id)
        else:
            backend.detach_vpn_gateway(vpn_gateway_id=self.vpn_gateway_id, vpc_id=self.vpc_id)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        attachment = cls(account_id, region_name, properties(cloudformation_json))
        attachment._attach()
        return attachment

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        _in_place("AWS::EC2::VPCGatewayAttachment", {"VpcId": original_resource.vpc_id}, props, ["VpcId"])
        # Changing the gateway is "No interruption": detach the old one, attach the new one.
        if (props.get("InternetGatewayId"), props.get("VpnGatewayId")) != (
            original_resource.internet_gateway_id,
            original_resource.vpn_gateway_id,
        ):
            original_resource._detach()
            original_resource.internet_gateway_id = props.get("InternetGatewayId")
            original_resource.vpn_gateway_id = props.get("VpnGatewayId")
            original_resource._attach()
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        kind, _, vpc_id = resource_name.partition("|")
        backend = _ec2(account_id, region_name)
        if kind == "IGW":
            for igw in backend.internet_gateways.values():
                if igw.vpc is not None and igw.vpc.id == vpc_id:
                    backend.detach_internet_gateway(igw.id, vpc_id)
        else:
            for vgw in backend.vpn_gateways.values():
                if getattr(vgw.attachments.get(vpc_id), "state", None) == "attached":
                    backend.detach_vpn_gateway(vgw.id, vpc_id)

    def delete(self, account_id: str, region_name: str) -> None:
        self._detach()


# --- EIP ---------------------------------------------------------------------------

EIP_CREATE_ONLY = ["NetworkBorderGroup", "TransferAddress", "IpamPoolId", "Address", "Domain"]


def _eip_associate(eip: ElasticAddress, instance_id: str | None) -> None:
    backend = eip.ec2_backend
    current = eip.instance.id if eip.instance else None
    if current == instance_id:
        return
    if eip.association_id or eip.instance:
        backend.disassociate_address(address=eip.public_ip)
    if instance_id:
        backend.associate_address(backend.get_instance_by_id(instance_id), address=eip.public_ip)


def _eip_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = _ec2(account_id, region_name)
    # Since EC2-Classic's retirement every Elastic IP is a VPC address.
    eip = backend.allocate_address(domain=props.get("Domain") or "vpc", address=props.get("Address"))
    _sync_tags(backend, eip.allocation_id, None, props.get("Tags"))
    _eip_associate(eip, props.get("InstanceId"))
    eip._cfn_properties = props
    return eip


def _eip_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    old = _cfn_props(original_resource)
    _in_place("AWS::EC2::EIP", old, props, EIP_CREATE_ONLY)
    _sync_tags(original_resource.ec2_backend, original_resource.allocation_id, old.get("Tags"), props.get("Tags"))
    _eip_associate(original_resource, props.get("InstanceId"))
    original_resource._cfn_properties = props
    return original_resource


def _eip_delete(self, account_id=None, region_name=None):
    if self.eni is not None and self.instance is None:
        # e.g. still the address of a NAT gateway
        raise EC2ClientError("InvalidIPAddress.InUse", f"Address {self.public_ip} is in use.")
    self.ec2_backend.release_address(address=self.public_ip)


def _eip_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    found = [a for a in _ec2(account_id, region_name).addresses if a.public_ip == resource_name]
    if found:
        _eip_delete(found[0])


EIP_ATTRIBUTES = {"AllocationId": lambda e: e.allocation_id, "PublicIp": lambda e: e.public_ip}


# --- NatGateway --------------------------------------------------------------------

NAT_CREATE_ONLY = ["VpcId", "SubnetId", "ConnectivityType", "AllocationId", "PrivateIpAddress", "AvailabilityMode"]


def _nat_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    nat = _ec2(account_id, region_name).create_nat_gateway(
        props["SubnetId"],
        props.get("AllocationId"),
        tags=tags_to_dict(props.get("Tags")),
        connectivity_type=props.get("ConnectivityType", "public"),
    )
    nat._cfn_properties = props
    return nat


_nat_update = _in_place_update("AWS::EC2::NatGateway", NAT_CREATE_ONLY, _apply_tags)


def _nat_delete(self, account_id=None, region_name=None):
    """AWS keeps a deleted NAT gateway visible for about an hour in State "deleted"; its
    network interface is deleted and its Elastic IP disassociated."""
    backend = self.ec2_backend
    if self.state == "deleted":
        return
    for address in backend.addresses:
        if address.eni is not None and address.eni.id == self._eni.id:
            backend.disassociate_address(address=address.public_ip)
    if self._eni.id in backend.enis:
        backend.delete_network_interface(self._eni.id)
    backend.delete_nat_gateway(self.id)


def _nat_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    nat = _ec2(account_id, region_name).nat_gateways.get(resource_name)
    if nat is not None:
        _nat_delete(nat)


NAT_ATTRIBUTES = {"NatGatewayId": lambda n: n.id, "EniId": lambda n: n._eni.id}


# --- RouteTable --------------------------------------------------------------------


def _rtb_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    table = _ec2(account_id, region_name).create_route_table(vpc_id=props["VpcId"])
    _sync_tags(table.ec2_backend, table.id, None, props.get("Tags"))
    table._cfn_properties = props
    return table


_rtb_update = _in_place_update("AWS::EC2::RouteTable", ["VpcId"], _apply_tags)


def _rtb_delete(self, account_id=None, region_name=None):
    # Refuses while subnets are associated (DependencyViolation), as AWS does.
    self.ec2_backend.delete_route_table(self.id)


def _rtb_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    table = _ec2(account_id, region_name).route_tables.get(resource_name)
    if table is not None:
        _rtb_delete(table)


# --- Route -------------------------------------------------------------------------

ROUTE_CREATE_ONLY = ["RouteTableId", "DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId"]
ROUTE_TARGETS = {
    "GatewayId": "gateway_id",
    "NatGatewayId": "nat_gateway_id",
    "InstanceId": "instance_id",
    "NetworkInterfaceId": "interface_id",
    "EgressOnlyInternetGatewayId": "egress_only_igw_id",
    "TransitGatewayId": "transit_gateway_id",
    "VpcPeeringConnectionId": "vpc_peering_connection_id",
}


def _route_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    targets = {arg: props.get(name) for name, arg in ROUTE_TARGETS.items()}
    route = _ec2(account_id, region_name).create_route(
        route_table_id=props["RouteTableId"],
        destination_cidr_block=props.get("DestinationCidrBlock"),
        destination_ipv6_cidr_block=props.get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id=props.get("DestinationPrefixListId"),
        carrier_gateway_id=props.get("CarrierGatewayId"),
        vpc_endpoint_id=props.get("VpcEndpointId"),
        **targets,
    )
    route._cfn_properties = props
    return route


def _route_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    _in_place("AWS::EC2::Route", _cfn_props(original_resource), props, ROUTE_CREATE_ONLY)
    # A new target is ReplaceRoute on the same route.
    _ec2(account_id, region_name).replace_route(
        route_table_id=props["RouteTableId"],
        destination_cidr_block=props.get("DestinationCidrBlock"),
        destination_ipv6_cidr_block=props.get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id=props.get("DestinationPrefixListId"),
        **{arg: props.get(name) for name, arg in ROUTE_TARGETS.items()},
    )
    original_resource._cfn_properties = props
    return original_resource


def _route_delete(self, account_id=None, region_name=None):
    backend = self.route_table.ec2_backend
    if self.route_table.id not in backend.route_tables:
        return  # went with its table
    try:
        backend.delete_route(
            self.route_table.id,
            self.destination_cidr_block,
            self.destination_ipv6_cidr_block,
            self.destination_prefix_list.id if self.destination_prefix_list else None,
        )
    except InvalidRouteError:
        pass  # already gone


def _route_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    table_id, _, destination = resource_name.partition("|")
    table = _ec2(account_id, region_name).route_tables.get(table_id)
    for route in list(table.routes) if table else []:
        if destination in (route.destination_cidr_block, route.destination_ipv6_cidr_block):
            _route_delete(route)


def _route_id(self) -> str:
    destination = self.destination_cidr_block or self.destination_ipv6_cidr_block
    if destination is None and self.destination_prefix_list is not None:
        destination = self.destination_prefix_list.id
    return f"{self.route_table.id}|{destination}"


# --- SubnetRouteTableAssociation ---------------------------------------------------


@model
class SubnetRouteTableAssociation(Resource, CloudFormationModel):
    """Ref = the association id (``rtbassoc-…``). A subnet has at most one explicit
    association: creating one for a subnet associated elsewhere moves it
    (ReplaceRouteTableAssociation), which is also how a replacement (create new, delete
    old) ends with the subnet on the new table."""

    TYPE = "AWS::EC2::SubnetRouteTableAssociation"
    ATTRIBUTES = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, association_id: str, route_table_id: str, subnet_id: str):
        self.account_id, self.region_name = account_id, region_name
        self.id, self.route_table_id, self.subnet_id = association_id, route_table_id, subnet_id

    @staticmethod
    def _current(backend: Any, subnet_id: str) -> tuple[str, str] | None:
        """(association id, route table id) of the subnet's explicit association."""
        for table in backend.route_tables.values():
            for association_id, target in table._associations.items():
                if target == subnet_id:
                    return association_id, table.id
        return None

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _ec2(account_id, region_name)
        table_id, subnet_id = props["RouteTableId"], props["SubnetId"]
        backend.get_route_table(table_id)
        backend.get_subnet(subnet_id)
        current = cls._current(backend, subnet_id)
        if current is None:
            association_id = backend.associate_route_table(table_id, subnet_id=subnet_id)
        elif current[1] == table_id:
            raise ResourceAlreadyAssociatedError(subnet_id)
        else:
            association_id = backend.replace_route_table_association(current[0], table_id)
        return cls(account_id, region_name, association_id, table_id, subnet_id)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        if (props["RouteTableId"], props["SubnetId"]) == (original_resource.route_table_id, original_resource.subnet_id):
            return original_resource
        # Both properties are createOnly: the association is replaced (new id).
        new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return new

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        try:
            _ec2(account_id, region_name).disassociate_route_table(resource_name)
        except InvalidAssociationIdError:
            pass  # already gone (moved by a replacement, or its subnet deleted)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.id, {}, self.account_id, self.region_name)


# --- Security groups ---------------------------------------------------------------

SG_CREATE_ONLY = ["GroupDescription", "GroupName", "VpcId"]
PROTOCOLS = {"tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp", "icmp": "icmp", "1": "icmp", "-1": "-1", "all": "-1"}
ALLOW_ALL_EGRESS = {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}


def _peer(rule: dict[str, Any], backend: Any, vpc_id: str | None) -> tuple[str, str]:
    """The rule's other side as (kind, value); a group name is resolved to its id."""
    for name, kind in (
        ("CidrIp", "CidrIp"),
        ("CidrIpv6", "CidrIpv6"),
        ("SourceSecurityGroupId", "GroupId"),
        ("DestinationSecurityGroupId", "GroupId"),
        ("SourcePrefixListId", "PrefixListId"),
        ("DestinationPrefixListId", "PrefixListId"),
    ):
        if rule.get(name):
            return kind, rule[name]
    if rule.get("SourceSecurityGroupName"):
        group = backend.get_security_group_by_name_or_id(rule["SourceSecurityGroupName"], vpc_id)
        return "GroupId", group.id if group else rule["SourceSecurityGroupName"]
    raise ValidationError(message=f"security group rule without a peer: {rule}")


def _rule_key(rule: dict[str, Any], backend: Any, vpc_id: str | None) -> tuple:
    protocol = PROTOCOLS.get(str(rule["IpProtocol"]).lower(), str(rule["IpProtocol"]))
    ports = (None, None) if protocol == "-1" else (int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1)))
    return (protocol, *ports, *_peer(rule, backend, vpc_id))


def _key_of(rule: SecurityGroupRule) -> tuple:
    if rule.ip_range.get("CidrIp"):
        peer = ("CidrIp", rule.ip_range["CidrIp"])
    elif rule.ip_range.get("CidrIpv6"):
        peer = ("CidrIpv6", rule.ip_range["CidrIpv6"])
    elif rule.source_group:
        peer = ("GroupId", rule.source_group.get("GroupId"))
    else:
        peer = ("PrefixListId", rule.prefix_list_id)
    ports = (None, None) if rule.ip_protocol == "-1" else (rule.from_port, rule.to_port)
    return (rule.ip_protocol, *ports, *peer)


def _find_rule(group: SecurityGroup, egress: bool, key: tuple) -> SecurityGroupRule | None:
    rules = group.egress_rules if egress else group.ingress_rules
    return next((r for r in rules if _key_of(r) == key), None)


def _authorize(backend: Any, group: SecurityGroup, rule: dict[str, Any], egress: bool) -> SecurityGroupRule:
    kind, peer = _peer(rule, backend, group.vpc_id)
    entry = {kind: peer}
    if rule.get("Description") is not None:
        entry["Description"] = rule["Description"]
    ip_ranges = [entry] if kind in ("CidrIp", "CidrIpv6") else []
    groups = [entry] if kind == "GroupId" else []
    prefix_lists = [entry] if kind == "PrefixListId" else []
    authorize = backend.authorize_security_group_egress if egress else backend.authorize_security_group_ingress
    added, _ = authorize(
        group_name_or_id=group.id,
        ip_protocol=str(rule["IpProtocol"]),
        from_port=rule.get("FromPort"),
        to_port=rule.get("ToPort"),
        ip_ranges=ip_ranges,
        source_groups=groups,
        prefix_list_ids=prefix_lists,
        vpc_id=group.vpc_id,
    )
    return added[0]


def _revoke(group: SecurityGroup, egress: bool, rule_id: str) -> None:
    if egress:
        group.egress_rules = [r for r in group.egress_rules if r.id != rule_id]
    else:
        group.ingress_rules = [r for r in group.ingress_rules if r.id != rule_id]


def _describe(rule: SecurityGroupRule, description: str | None) -> None:
    """UpdateSecurityGroupRuleDescriptions*: the description lives with the peer."""
    target = rule.source_group if rule.source_group else rule.ip_range
    if description is None:
        target.pop("Description", None)
    else:
        target["Description"] = description


def _desired(props: dict[str, Any], egress: bool) -> list[dict[str, Any]]:
    """The rules the template asks for; without egress rules, AWS's default allow-all
    egress rule (every group is a VPC group since EC2-Classic's end)."""
    if not egress:
        return props.get("SecurityGroupIngress") or []
    return props.get("SecurityGroupEgress") or [ALLOW_ALL_EGRESS]


def _sync_rules(group: SecurityGroup, old: dict[str, Any], new: dict[str, Any], egress: bool) -> None:
    """Applies the difference between the old and the new template's rules, as
    CloudFormation does: rules neither template has (out-of-band ones, those of
    SecurityGroupIngress/Egress resources) stay, and a template rule removed out of band
    is not put back (that is drift)."""
    backend = group.ec2_backend
    before = {_rule_key(r, backend, group.vpc_id): r for r in _desired(old, egress)}
    after = {_rule_key(r, backend, group.vpc_id): r for r in _desired(new, egress)}
    for key in before.keys() - after.keys():
        existing = _find_rule(group, egress, key)
        if existing is not None:
            _revoke(group, egress, existing.id)
    for key, rule in after.items():
        existing = _find_rule(group, egress, key)
        if key not in before and existing is None:
            _authorize(backend, group, rule, egress)
        elif existing is not None and (key not in before or before[key].get("Description") != rule.get("Description")):
            _describe(existing, rule.get("Description"))


def _sg_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    backend = _ec2(account_id, region_name)
    group = backend.create_security_group(
        name=props.get("GroupName") or resource_name,
        description=props.get("GroupDescription"),
        vpc_id=props.get("VpcId"),
    )
    # Ref: the group id in a VPC; the group name when the template names no VpcId.
    group._cfn_ref = group.id if props.get("VpcId") else group.name
    _sync_tags(backend, group.id, None, props.get("Tags"))
    if props.get("SecurityGroupEgress"):
        group.egress_rules = []  # "When you specify egress rules, the default rule is removed"
    for egress in (True, False):
        for rule in _desired(props, egress):
            if _find_rule(group, egress, _rule_key(rule, backend, group.vpc_id)) is None:
                _authorize(backend, group, rule, egress)
    group._cfn_properties = props
    return group


def _sg_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = properties(cloudformation_json)
    old = _cfn_props(original_resource)
    _in_place("AWS::EC2::SecurityGroup", old, props, SG_CREATE_ONLY)
    _sync_tags(original_resource.ec2_backend, original_resource.id, old.get("Tags"), props.get("Tags"))
    _sync_rules(original_resource, old, props, egress=False)
    _sync_rules(original_resource, old, props, egress=True)
    original_resource._cfn_properties = props
    return original_resource


def _sg_delete(self, account_id=None, region_name=None):
    backend = self.ec2_backend
    for other in backend.describe_security_groups():
        if other.id == self.id:
            continue
        for rule in other.ingress_rules + other.egress_rules:
            if rule.source_group.get("GroupId") == self.id:
                raise DependencyViolationError(
                    f"resource {self.id} has a dependent object"  # AWS's wording
                )
    backend.delete_security_group(group_id=self.id)


def _sg_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    group = _ec2(account_id, region_name).get_security_group_by_name_or_id(resource_name)
    if group is not None:
        _sg_delete(group)


SG_ATTRIBUTES = {"GroupId": lambda g: g.id, "VpcId": lambda g: g.vpc_id}


class _SecurityGroupRuleModel(Resource):
    """SecurityGroupIngress / SecurityGroupEgress: one rule, Ref = its ``sgr-…`` id.
    Every property but Description is createOnly."""

    EGRESS = False
    CREATE_ONLY: list[str] = []
    ATTRIBUTES = {"Id": "id"}

    def __init__(self, account_id: str, region_name: str, group_id: str, rule_id: str, props: dict[str, Any]):
        self.account_id, self.region_name = account_id, region_name
        self.group_id, self.id, self.props = group_id, rule_id, props

    def _rule(self) -> tuple[SecurityGroup | None, SecurityGroupRule | None]:
        group = _ec2(self.account_id, self.region_name).get_security_group_from_id(self.group_id)
        return group, group.get_rule(self.id) if group else None

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = properties(cloudformation_json)
        backend = _ec2(account_id, region_name)
        if props.get("GroupId"):
            group = backend.describe_security_groups(group_ids=[props["GroupId"]])[0]
        else:  # a default-VPC group named by GroupName (ingress only)
            group = backend.describe_security_groups(groupnames=[props["GroupName"]])[0]
        rule = _authorize(backend, group, props, cls.EGRESS)
        return cls(account_id, region_name, group.id, rule.id, props)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = properties(cloudformation_json)
        _in_place(cls.TYPE, original_resource.props, props, cls.CREATE_ONLY)
        _, rule = original_resource._rule()
        if rule is not None:
            _describe(rule, props.get("Description"))
        original_resource.props = props
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        group, rule = self._rule()
        if rule is not None:  # a rule (or group) already gone counts as deleted
            _revoke(group, self.EGRESS, rule.id)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        for group in _ec2(account_id, region_name).describe_security_groups():
            if group.get_rule(resource_name) is not None:
                _revoke(group, cls.EGRESS, resource_name)


@model
class SecurityGroupIngress(_SecurityGroupRuleModel, CloudFormationModel):
    EGRESS = False
    TYPE = "AWS::EC2::SecurityGroupIngress"
    CREATE_ONLY = [
        "GroupName", "IpProtocol", "SourceSecurityGroupId", "SourcePrefixListId", "ToPort", "CidrIp",
        "SourceSecurityGroupName", "SourceSecurityGroupOwnerId", "FromPort", "GroupId", "CidrIpv6",
    ]  # fmt: skip


@model
class SecurityGroupEgress(_SecurityGroupRuleModel, CloudFormationModel):
    EGRESS = True
    TYPE = "AWS::EC2::SecurityGroupEgress"
    CREATE_ONLY = [
        "IpProtocol", "DestinationSecurityGroupId", "ToPort", "CidrIp", "FromPort", "GroupId", "CidrIpv6",
        "DestinationPrefixListId",
    ]  # fmt: skip


# --- VPCEndpoint -------------------------------------------------------------------

VPCE_CREATE_ONLY = [
    "ServiceName", "VpcEndpointType", "VpcId", "ServiceNetworkArn", "ResourceConfigurationArn", "ServiceRegion",
]


def _vpce_policy(props: dict[str, Any]) -> str | None:
    policy = props.get("PolicyDocument")
    return json.dumps(policy) if isinstance(policy, dict) else policy


def _vpce_interfaces(endpoint: VPCEndPoint, subnet_ids: list[str]) -> None:
    """One requester-managed interface per subnet, in the endpoint's groups, with an
    address of the subnet; interfaces of subnets no longer listed are deleted."""
    backend = endpoint.ec2_backend
    by_subnet = {backend.enis[i].subnet.id: i for i in endpoint.network_interface_ids if i in backend.enis}
    for subnet_id, eni_id in by_subnet.items():
        if subnet_id not in subnet_ids:
            backend.enis.pop(eni_id, None)
    kept = []
    for subnet_id in subnet_ids:
        if subnet_id in by_subnet:
            eni = backend.enis[by_subnet[subnet_id]]
        else:
            eni = backend.create_network_interface(
                backend.get_subnet(subnet_id), None, description=f"VPC Endpoint Interface {endpoint.id}"
            )
            eni.requester_managed = True
        eni._group_set = [backend.get_security_group_from_id(g) for g in endpoint.security_group_ids]
        kept.append(eni.id)
    endpoint.network_interface_ids = kept
    endpoint.subnet_ids = list(subnet_ids)


def _vpce_apply(endpoint: VPCEndPoint, old: dict[str, Any], new: dict[str, Any]) -> None:
    endpoint.policy_document = _vpce_policy(new) or json.dumps(VPCEndPoint.DEFAULT_POLICY)
    endpoint.private_dns_enabled = as_bool(new.get("PrivateDnsEnabled"), False)
    endpoint.security_group_ids = list(new.get("SecurityGroupIds") or [])
    if (endpoint.vpc_endpoint_type or "").lower() == "interface":
        _vpce_interfaces(endpoint, list(new.get("SubnetIds") or []))
    _sync_tags(endpoint.ec2_backend, endpoint.id, old.get("Tags"), new.get("Tags"))
    endpoint._cfn_properties = new


def _vpce_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = properties(cloudformation_json)
    endpoint_type = props.get("VpcEndpointType", "Gateway")
    interface = endpoint_type.lower() == "interface"
    endpoint = _ec2(account_id, region_name).create_vpc_endpoint(
        vpc_id=props["VpcId"],
        service_name=props["ServiceName"],
        endpoint_type=endpoint_type,
        policy_document=_vpce_policy(props),
        route_table_ids=list(props.get("RouteTableIds") or []),
        subnet_ids=[] if interface else list(props.get("SubnetIds") or []),  # interfaces: _vpce_interfaces
        security_group_ids=list(props.get("SecurityGroupIds") or []),
    )
    if interface:
        service = props["ServiceName"].split(".")[-1]
        suffix = endpoint.dns_entries[0]["dns_name"].split(".")[0].rsplit("-", 1)[-1]
        endpoint.dns_entries[0]["dns_name"] = f"{endpoint.id}-{suffix}.{service}.{region_name}.vpce.amazonaws.com"
    _vpce_apply(endpoint, {}, props)
    return endpoint


_vpce_update = _in_place_update("AWS::EC2::VPCEndpoint", VPCE_CREATE_ONLY, _vpce_apply)


def _vpce_delete(self, account_id=None, region_name=None):
    # Deletes the interfaces too; the endpoint stays listed as "deleted" for a while, as in AWS.
    self.ec2_backend.delete_vpc_endpoints([self.id])


def _vpce_delete_by_id(cls, resource_name, cloudformation_json, account_id, region_name):
    endpoint = _ec2(account_id, region_name).vpc_end_points.get(resource_name)
    if endpoint is not None and endpoint.state != "deleted":
        _vpce_delete(endpoint)


VPCE_ATTRIBUTES = {
    "Id": lambda e: e.id,
    "DnsEntries": lambda e: [f"{d['hosted_zone_id']}:{d['dns_name']}" for d in e.dns_entries],
    "NetworkInterfaceIds": lambda e: list(e.network_interface_ids),
    "CreationTimestamp": lambda e: e.creation_timestamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
}


# --- install -----------------------------------------------------------------------


def _handlers(owner: type, create, update, delete, delete_by_id, attributes: dict[str, Any] | None) -> None:
    replace(owner, "create_from_cloudformation_json", create, kind="classmethod")
    replace(owner, "update_from_cloudformation_json", update, kind="classmethod")
    replace(owner, "delete_from_cloudformation_json", delete_by_id, kind="classmethod")
    replace(owner, "delete", delete)
    if attributes is not None:
        _bind(owner, attributes)


def _rule_equals(self: SecurityGroupRule, other: SecurityGroupRule) -> bool:
    """moto's rule equality, with a source group matched by its id or name only: EC2
    matches a rule by protocol, ports and source; the description is not part of it."""
    def source(rule: SecurityGroupRule) -> tuple:
        group = rule.source_group or {}
        return (group.get("GroupId"), group.get("GroupName") if not group.get("GroupId") else None)

    if source(self) != source(other):
        return False
    plain = copy.copy(other)
    plain.source_group = self.source_group
    return original(SecurityGroupRule, "__eq__")(self, plain)


def _add_block_device(self, size, device_path, snapshot_id, *args, **kwargs):
    # A mapping of the image's root device inherits the image's snapshot (issue 11).
    if size is None and snapshot_id is None:
        image = self.ec2_backend.amis.get(self.image_id)
        if image is not None and image.root_device_name == device_path:
            snapshot_id = image.ebs_snapshot.id
    return original(Instance, "add_block_device")(self, size, device_path, snapshot_id, *args, **kwargs)


def _validate_block_device_mapping(device_mapping):
    # Size and snapshot may come from the image (issue 11): the launch refuses a device
    # the image does not map and the request gives neither for.
    if "NoDevice" in device_mapping or "Ebs" not in device_mapping:
        return original(InstanceResponse, "_validate_block_device_mapping")(device_mapping)
    return None


def _setup_defaults(self):
    # The root volume is the image's root device, made from the image's snapshot (issue 12).
    image = self.ec2_backend.amis.get(self.image_id)
    if image is None:
        return original(Instance, "setup_defaults")(self)
    volume = self.ec2_backend.create_volume(size=None, snapshot_id=image.ebs_snapshot.id, zone_name=self._placement.zone)
    self.ec2_backend.attach_volume(volume.id, self.id, image.root_device_name, True)


def _run_instances(self, image_id, count, user_data, security_group_names, **kwargs):
    # A launch template's metadata options, instance profile and block devices apply (issue 12).
    template = self._get_template_from_args(kwargs["launch_template"]).data if kwargs.get("launch_template") else {}
    if not kwargs.get("metadata_options") and template.get("MetadataOptions"):
        kwargs["metadata_options"] = template["MetadataOptions"]
    if not kwargs.get("block_device_mappings") and template.get("BlockDeviceMappings"):
        kwargs["block_device_mappings"] = template["BlockDeviceMappings"]
    reservation = original(InstanceBackend, "run_instances")(self, image_id, count, user_data, security_group_names, **kwargs)
    mapped = {m.get("DeviceName") for m in kwargs.get("block_device_mappings") or []}
    for instance in reservation.instances:
        if not kwargs.get("nics"):  # interfaces the launch created go with the instance (issue 13)
            for nic in instance.nics.values():
                nic.delete_on_termination = True
        image = self.amis.get(instance.image_id)
        if mapped and image is not None and image.root_device_name not in mapped:
            _setup_defaults(instance)
    profile = template.get("IamInstanceProfile") or {}
    if profile and not (kwargs.get("iam_instance_profile_name") or kwargs.get("iam_instance_profile_arn")):
        for instance in reservation.instances:
            self.associate_iam_instance_profile(instance.id, profile.get("Name"), profile.get("Arn"))
    return reservation


def _create_default_encryption_key(self):
    # The service's default key is AWS managed (issue 14).
    from moto.kms import kms_backends

    arn = original(EBSBackend, "_create_default_encryption_key")(self)
    kms_backends[self.account_id][self.region_name].describe_key(arn).key_manager = "AWS"
    return arn


def install() -> None:
    replace(EBSBackend, "_create_default_encryption_key", _create_default_encryption_key)
    replace(Instance, "add_block_device", _add_block_device)
    replace(InstanceBackend, "run_instances", _run_instances)
    replace(Instance, "setup_defaults", _setup_defaults)
    replace(InstanceResponse, "_validate_block_device_mapping", _validate_block_device_mapping, "staticmethod")
    replace(SecurityGroupRule, "__eq__", _rule_equals)
    _handlers(VPC, _vpc_create, _vpc_update, _vpc_delete, _vpc_delete_by_id, VPC_ATTRIBUTES)
    _handlers(Subnet, _subnet_create, _subnet_update, _subnet_delete, _subnet_delete_by_id, SUBNET_ATTRIBUTES)
    _handlers(
        InternetGateway, _igw_create, _igw_update, _igw_delete, _igw_delete_by_id,
        {"InternetGatewayId": lambda i: i.id},
    )  # fmt: skip
    _handlers(ElasticAddress, _eip_create, _eip_update, _eip_delete, _eip_delete_by_id, EIP_ATTRIBUTES)
    _handlers(NatGateway, _nat_create, _nat_update, _nat_delete, _nat_delete_by_id, NAT_ATTRIBUTES)
    _handlers(RouteTable, _rtb_create, _rtb_update, _rtb_delete, _rtb_delete_by_id, {"RouteTableId": lambda t: t.id})
    _handlers(
        Route, _route_create, _route_update, _route_delete, _route_delete_by_id,
        {"CidrBlock": lambda r: r.destination_cidr_block},
    )  # fmt: skip
    replace(Route, "physical_resource_id", _route_id, kind="property")
    _handlers(SecurityGroup, _sg_create, _sg_update, _sg_delete, _sg_delete_by_id, SG_ATTRIBUTES)
    _handlers(VPCEndPoint, _vpce_create, _vpce_update, _vpce_delete, _vpce_delete_by_id, VPCE_ATTRIBUTES)
    replace(SecurityGroup, "physical_resource_id", lambda g: getattr(g, "_cfn_ref", g.id), kind="property")
