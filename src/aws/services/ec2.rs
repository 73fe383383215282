//! EC2: VPCs, subnets and security groups, each read in one call for all ids (with an
//! id filter, so an id that no longer exists is simply missing from the answer).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, IpPermission, SecurityGroup, Subnet, Vpc};
use serde_json::{Map, Value, json};

use super::{LiveProperties, LiveState, ReadResult, put};
use crate::aws::AwsError;

/// EC2 accepts up to 200 filter values per filter.
const CHUNK: usize = 200;

fn filter(name: &str, ids: &[String]) -> Filter {
    Filter::builder().name(name).set_values(Some(ids.to_vec())).build()
}

/// Every id of `ids` is answered: found ones present, the rest absent.
fn answer(ids: &[String], found: BTreeMap<String, LiveProperties>) -> BTreeMap<String, LiveState> {
    let mut found = found;
    ids.iter().map(|id| (id.clone(), found.remove(id).map_or(LiveState::Absent, LiveState::Present))).collect()
}

pub async fn read_vpcs(client: &Client, ids: &[String]) -> ReadResult {
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let out = client
            .describe_vpcs()
            .filters(filter("vpc-id", chunk))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeVpcs", e))?;
        for v in out.vpcs() {
            found.insert(v.vpc_id().unwrap_or_default().to_owned(), vpc(v));
        }
    }
    Ok(answer(ids, found))
}

pub async fn read_subnets(client: &Client, ids: &[String]) -> ReadResult {
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let out = client
            .describe_subnets()
            .filters(filter("subnet-id", chunk))
            .send()
            .await
            .map_err(|e| AwsError::from_sdk("DescribeSubnets", e))?;
        for s in out.subnets() {
            found.insert(s.subnet_id().unwrap_or_default().to_owned(), subnet(s));
        }
    }
    Ok(answer(ids, found))
}

pub async fn read_security_groups(client: &Client, ids: &[String]) -> ReadResult {
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut next: Option<String> = None;
        loop {
            let out = client
                .describe_security_groups()
                .filters(filter("group-id", chunk))
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("DescribeSecurityGroups", e))?;
            for g in out.security_groups() {
                found.insert(g.group_id().unwrap_or_default().to_owned(), security_group(g));
            }
            next = out.next_token().map(str::to_owned);
            if next.is_none() {
                break;
            }
        }
    }
    Ok(answer(ids, found))
}

pub fn vpc(v: &Vpc) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "CidrBlock", v.cidr_block());
    put(&mut m, "InstanceTenancy", v.instance_tenancy().map(|t| t.as_str()));
    m
}

pub fn subnet(s: &Subnet) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "CidrBlock", s.cidr_block());
    put(&mut m, "AvailabilityZone", s.availability_zone());
    put(&mut m, "VpcId", s.vpc_id());
    put(&mut m, "MapPublicIpOnLaunch", s.map_public_ip_on_launch());
    m
}

pub fn security_group(g: &SecurityGroup) -> LiveProperties {
    let mut m = Map::new();
    put(&mut m, "GroupDescription", g.description());
    put(&mut m, "VpcId", g.vpc_id());
    m.insert("SecurityGroupIngress".into(), rules(g.ip_permissions(), "Source"));
    m.insert("SecurityGroupEgress".into(), rules(g.ip_permissions_egress(), "Destination"));
    m
}

/// One rule object per peer, in CloudFormation's shape (`SecurityGroupIngress` items
/// use `SourceSecurityGroupId`, egress items `DestinationSecurityGroupId`).
pub fn rules(permissions: &[IpPermission], peer: &str) -> Value {
    let mut out = Vec::new();
    for p in permissions {
        let base = |extra: (&str, Value), description: Option<&str>| {
            let mut r = Map::new();
            r.insert("IpProtocol".into(), json!(p.ip_protocol().unwrap_or("-1")));
            if let Some(f) = p.from_port() {
                r.insert("FromPort".into(), json!(f));
            }
            if let Some(t) = p.to_port() {
                r.insert("ToPort".into(), json!(t));
            }
            r.insert(extra.0.to_owned(), extra.1);
            if let Some(d) = description {
                r.insert("Description".into(), json!(d));
            }
            Value::Object(r)
        };
        for range in p.ip_ranges() {
            out.push(base(("CidrIp", json!(range.cidr_ip().unwrap_or_default())), range.description()));
        }
        for range in p.ipv6_ranges() {
            out.push(base(("CidrIpv6", json!(range.cidr_ipv6().unwrap_or_default())), range.description()));
        }
        for pair in p.user_id_group_pairs() {
            let key = format!("{peer}SecurityGroupId");
            out.push(base((&key, json!(pair.group_id().unwrap_or_default())), pair.description()));
        }
        for list in p.prefix_list_ids() {
            let key = format!("{peer}PrefixListId");
            out.push(base((&key, json!(list.prefix_list_id().unwrap_or_default())), list.description()));
        }
    }
    Value::Array(out)
}
