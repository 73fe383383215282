//! `AWS::EC2::*`: VPC, subnets, gateways, routes, security groups and VPC endpoints.

use serde::Serialize;

use super::Tag;
use crate::attributes;
use crate::cfn::{List, Resource, Str};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    pub cidr_block: Str,
    pub enable_dns_hostnames: bool,
    pub enable_dns_support: bool,
    pub tags: Vec<Tag>,
}
impl Resource for Vpc {
    const TYPE: &'static str = "AWS::EC2::VPC";
}
attributes!(Vpc { default_security_group => "DefaultSecurityGroup" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub vpc_id: Str,
    pub cidr_block: Str,
    pub availability_zone: Str,
    pub map_public_ip_on_launch: bool,
    pub tags: Vec<Tag>,
}
impl Resource for Subnet {
    const TYPE: &'static str = "AWS::EC2::Subnet";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateway {
    pub tags: Vec<Tag>,
}
impl Resource for InternetGateway {
    const TYPE: &'static str = "AWS::EC2::InternetGateway";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcGatewayAttachment {
    pub vpc_id: Str,
    pub internet_gateway_id: Str,
}
impl Resource for VpcGatewayAttachment {
    const TYPE: &'static str = "AWS::EC2::VPCGatewayAttachment";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Eip {
    /// Always `vpc`: the address is for a NAT gateway in this VPC.
    pub domain: &'static str,
    pub tags: Vec<Tag>,
}
impl Resource for Eip {
    const TYPE: &'static str = "AWS::EC2::EIP";
}
attributes!(Eip { allocation_id => "AllocationId" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateway {
    pub allocation_id: Str,
    pub subnet_id: Str,
    pub tags: Vec<Tag>,
}
impl Resource for NatGateway {
    const TYPE: &'static str = "AWS::EC2::NatGateway";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub vpc_id: Str,
    pub tags: Vec<Tag>,
}
impl Resource for RouteTable {
    const TYPE: &'static str = "AWS::EC2::RouteTable";
}

/// Where a route sends traffic: exactly one target, by construction.
#[derive(Serialize)]
pub enum RouteTarget {
    #[serde(rename = "GatewayId")]
    InternetGateway(Str),
    #[serde(rename = "NatGatewayId")]
    NatGateway(Str),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    pub route_table_id: Str,
    pub destination_cidr_block: Str,
    #[serde(flatten)]
    pub target: RouteTarget,
}
impl Resource for Route {
    const TYPE: &'static str = "AWS::EC2::Route";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetRouteTableAssociation {
    pub subnet_id: Str,
    pub route_table_id: Str,
}
impl Resource for SubnetRouteTableAssociation {
    const TYPE: &'static str = "AWS::EC2::SubnetRouteTableAssociation";
}

/// An IP protocol with its port range: `All` has no ports, TCP always has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traffic {
    Tcp {
        from: u16,
        to: u16,
    },
    All,
    /// ICMP type/code; used only by the placeholder rule that removes default egress.
    Icmp {
        kind: u16,
        code: u16,
    },
}

impl Traffic {
    pub fn tcp(port: u16) -> Traffic {
        Traffic::Tcp { from: port, to: port }
    }

    fn fields(self) -> (&'static str, Option<i32>, Option<i32>) {
        match self {
            Traffic::Tcp { from, to } => ("tcp", Some(from.into()), Some(to.into())),
            Traffic::All => ("-1", None, None),
            Traffic::Icmp { kind, code } => ("icmp", Some(kind.into()), Some(code.into())),
        }
    }
}

/// A rule written inside a security group (peer is a CIDR range).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CidrRule {
    pub ip_protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    pub cidr_ip: String,
    pub description: String,
}

impl CidrRule {
    pub fn new(traffic: Traffic, cidr: &str, description: &str) -> CidrRule {
        let (ip_protocol, from_port, to_port) = traffic.fields();
        CidrRule { ip_protocol, from_port, to_port, cidr_ip: cidr.to_owned(), description: description.to_owned() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_description: String,
    pub vpc_id: Str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_group_ingress: Vec<CidrRule>,
    /// Never empty: CloudFormation adds allow-all egress when no egress rule is given.
    pub security_group_egress: Vec<CidrRule>,
    pub tags: Vec<Tag>,
}
impl Resource for SecurityGroup {
    const TYPE: &'static str = "AWS::EC2::SecurityGroup";
}
attributes!(SecurityGroup { group_id => "GroupId" });

/// Where inbound traffic may come from: exactly one of a CIDR range or a group.
#[derive(Serialize)]
pub enum Source {
    #[serde(rename = "CidrIp")]
    Cidr(String),
    #[serde(rename = "SourceSecurityGroupId")]
    Group(Str),
}

/// Where outbound traffic may go: exactly one of a CIDR range or a group.
#[derive(Serialize)]
pub enum Destination {
    #[serde(rename = "CidrIp")]
    Cidr(String),
    #[serde(rename = "DestinationSecurityGroupId")]
    Group(Str),
}

/// A standalone ingress rule (its own resource, so groups can reference each other
/// without a cycle).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIngress {
    pub group_id: Str,
    pub ip_protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(flatten)]
    pub source: Source,
    pub description: String,
}
impl Resource for SecurityGroupIngress {
    const TYPE: &'static str = "AWS::EC2::SecurityGroupIngress";
}

impl SecurityGroupIngress {
    pub fn new(group: Str, traffic: Traffic, source: Source, description: &str) -> Self {
        let (ip_protocol, from_port, to_port) = traffic.fields();
        SecurityGroupIngress {
            group_id: group,
            ip_protocol,
            from_port,
            to_port,
            source,
            description: description.to_owned(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupEgress {
    pub group_id: Str,
    pub ip_protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(flatten)]
    pub destination: Destination,
    pub description: String,
}
impl Resource for SecurityGroupEgress {
    const TYPE: &'static str = "AWS::EC2::SecurityGroupEgress";
}

impl SecurityGroupEgress {
    pub fn new(group: Str, traffic: Traffic, destination: Destination, description: &str) -> Self {
        let (ip_protocol, from_port, to_port) = traffic.fields();
        SecurityGroupEgress {
            group_id: group,
            ip_protocol,
            from_port,
            to_port,
            destination,
            description: description.to_owned(),
        }
    }
}

/// A launch template; only the instance settings the bastion needs are modelled.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplate {
    pub launch_template_data: LaunchTemplateData,
    /// The template's own tags (resource type `launch-template`).
    pub tag_specifications: Vec<TagSpecification>,
}
impl Resource for LaunchTemplate {
    const TYPE: &'static str = "AWS::EC2::LaunchTemplate";
}
attributes!(LaunchTemplate { latest_version_number => "LatestVersionNumber" });

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    pub image_id: Str,
    pub instance_type: Str,
    pub iam_instance_profile: IamInstanceProfileSpecification,
    pub security_group_ids: Vec<Str>,
    pub metadata_options: MetadataOptions,
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    pub tag_specifications: Vec<TagSpecification>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamInstanceProfileSpecification {
    pub arn: Str,
}

/// Instance metadata service settings; `http_tokens: "required"` is IMDSv2 only.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetadataOptions {
    pub http_endpoint: &'static str,
    pub http_tokens: &'static str,
    pub http_put_response_hop_limit: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlockDeviceMapping {
    pub device_name: Str,
    pub ebs: Ebs,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ebs {
    pub encrypted: bool,
    pub volume_type: &'static str,
    pub delete_on_termination: bool,
}

/// Tags a launch applies to what it creates (`instance`, `volume`, …).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagSpecification {
    pub resource_type: &'static str,
    pub tags: Vec<Tag>,
}

/// An interface endpoint of an AWS service: network interfaces in `subnet_ids` (one subnet
/// per zone) behind `security_group_ids`; with private DNS, the service's regional host
/// name resolves to them inside the VPC.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InterfaceEndpoint {
    pub vpc_id: Str,
    /// `com.amazonaws.<region>.<service>`
    pub service_name: Str,
    /// Always `Interface`.
    pub vpc_endpoint_type: &'static str,
    pub private_dns_enabled: bool,
    pub subnet_ids: List,
    pub security_group_ids: Vec<Str>,
    pub tags: Vec<Tag>,
}
impl Resource for InterfaceEndpoint {
    const TYPE: &'static str = "AWS::EC2::VPCEndpoint";
}
