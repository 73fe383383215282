//! Availability zones and the VPC of §9: CIDRs, subnet placement, NAT gateways and
//! bastion SSH access.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{Ipv4Net, Ipv6Net};

use super::Sections;
use super::{at, env_zones, is_env_zone};
use crate::config::model::Subnet;
use crate::config::{FieldPath, Finding};

/// Prefix lengths AWS allows for a VPC's and a subnet's IPv4 CIDR block.
const MIN_PREFIX: u8 = 16;
const MAX_PREFIX: u8 = 28;

/// `availability_zones`: unique, and each a zone of `region`.
pub(super) fn check_zones(s: &Sections, out: &mut Vec<Finding>) {
    let (Some(zones), Some(region)) = (&s.availability_zones, &s.region) else {
        return;
    };
    for (i, zone) in zones.iter().enumerate() {
        let path = at(&format!("availability_zones[{i}]"));
        if let Some(first) = zones[..i].iter().position(|z| z == zone) {
            out.push(Finding::error(
                path,
                format!("{zone} is listed twice (first at availability_zones[{first}]); list each zone once"),
            ));
        } else if !is_zone_of_region(zone, region) {
            out.push(Finding::error(
                path,
                format!(
                    "{zone} is not an availability zone of region {region}; its zones are {region} followed by \
                     one letter, e.g. {region}a",
                    region = region
                ),
            ));
        }
    }
}

/// `eu-central-1a` is a zone of `eu-central-1`: the region name and one lowercase letter.
fn is_zone_of_region(zone: &str, region: &str) -> bool {
    zone.strip_prefix(region).is_some_and(|rest| rest.len() == 1 && rest.bytes().all(|b| b.is_ascii_lowercase()))
}

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let (Some(net), Some(zones)) = (&s.network, &s.availability_zones) else {
        return;
    };
    let vpc = check_vpc_cidr(&net.vpc_cidr, out);

    // Subnets in document order; the well-formed ones are remembered for overlaps.
    let lists: [(&str, &[Subnet]); 3] = [
        ("public_subnets", &net.public_subnets),
        ("private_subnets", &net.private_subnets),
        ("database_subnets", &net.database_subnets),
    ];
    let mut seen: Vec<(FieldPath, Ipv4Net)> = Vec::new();
    for (list, subnets) in lists {
        for (i, subnet) in subnets.iter().enumerate() {
            let base = format!("network.{list}[{i}]");
            let cidr_path = at(&format!("{base}.cidr"));
            if let Some(cidr) = check_subnet_cidr(&subnet.cidr, vpc, &cidr_path, out) {
                if let Some((earlier, other)) = seen.iter().find(|(_, other)| overlaps(cidr, *other)) {
                    out.push(Finding::error(
                        cidr_path.clone(),
                        format!(
                            "subnet {cidr} overlaps subnet {other} at {earlier}; subnets must not share addresses, \
                             use a range disjoint from every other subnet"
                        ),
                    ));
                }
                seen.push((cidr_path, cidr));
            }
            if !is_env_zone(zones, &subnet.availability_zone) {
                out.push(Finding::error(
                    at(&format!("{base}.availability_zone")),
                    format!(
                        "{} is not one of the environment's availability_zones ({}); use one of them or add it there",
                        subnet.availability_zone,
                        env_zones(zones)
                    ),
                ));
            }
        }
    }

    let public = net.public_subnets.len();
    if usize::from(net.nat_gateways) > public {
        out.push(Finding::error(
            at("network.nat_gateways"),
            format!(
                "{} NAT gateways but only {public} public subnet(s); each NAT gateway lives in its own public \
                 subnet, so use at most {public} or add public subnets",
                net.nat_gateways
            ),
        ));
    }

    let mut db_zones: Vec<&str> = net.database_subnets.iter().map(|s| s.availability_zone.as_str()).collect();
    db_zones.sort_unstable();
    db_zones.dedup();
    if db_zones.len() < 2 {
        out.push(Finding::error(
            at("network.database_subnets"),
            format!(
                "database subnets span only {} availability zone ({}); RDS DB subnet groups need subnets in at least \
                 2 zones, so place them in different zones",
                db_zones.len(),
                db_zones.join(", ")
            ),
        ));
    }

    for (i, range) in net.bastion_ssh_cidrs.iter().enumerate() {
        check_ssh_cidr(range, at(&format!("network.bastion_ssh_cidrs[{i}]")), out);
    }
}

/// Whether two networks share an address: for CIDR blocks, one contains the other.
fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Parses an IPv4 CIDR in canonical notation (no leading zeros, which some tools read
/// as octal), explaining what is wrong when it does not parse.
fn parse_v4(text: &str) -> Result<Ipv4Net, String> {
    if let Some((addr, prefix)) = text.split_once('/')
        && let Ok(addr) = Ipv4Addr::from_str(addr)
        && let Some(prefix) = parse_prefix_len(prefix)
        && let Ok(net) = Ipv4Net::new(addr, prefix)
    {
        return Ok(net);
    }
    if Ipv6Net::from_str(text).is_ok() || Ipv6Addr::from_str(text).is_ok() {
        return Err(format!("{text} is an IPv6 range; write an IPv4 CIDR such as 10.0.0.0/16"));
    }
    if let Ok(ip) = Ipv4Addr::from_str(text) {
        return Err(format!("{text} has no prefix length; write it as a CIDR, e.g. {ip}/32 for that one address"));
    }
    Err(format!(
        "{text} is not an IPv4 CIDR; write a.b.c.d/n with octets 0-255 (no leading zeros) and n 0-32, e.g. 10.0.0.0/16"
    ))
}

/// A prefix length: decimal digits without a leading zero (`0` itself aside).
fn parse_prefix_len(text: &str) -> Option<u8> {
    let canonical =
        text.len() <= 2 && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    if canonical { text.parse().ok() } else { None }
}

/// Host bits set (`10.0.0.1/16`): AWS rejects the block; suggest the network it meant.
fn host_bits_message(what: &str, net: Ipv4Net) -> Option<String> {
    (net.trunc() != net).then(|| {
        format!("{what} {net} has host bits set; a CIDR block starts at its network address, use {}", net.trunc())
    })
}

fn check_vpc_cidr(text: &str, out: &mut Vec<Finding>) -> Option<Ipv4Net> {
    let path = at("network.vpc_cidr");
    let vpc = match parse_v4(text) {
        Ok(vpc) => vpc,
        Err(message) => {
            out.push(Finding::error(path, message));
            return None;
        }
    };
    if let Some(message) = host_bits_message("VPC CIDR", vpc) {
        out.push(Finding::error(path, message));
        return None;
    }
    if !(MIN_PREFIX..=MAX_PREFIX).contains(&vpc.prefix_len()) {
        out.push(Finding::error(
            path,
            format!(
                "VPC CIDR {vpc} is a /{}; AWS allows VPC blocks from /{MIN_PREFIX} (65536 addresses) to \
                 /{MAX_PREFIX} (16 addresses)",
                vpc.prefix_len()
            ),
        ));
        return None;
    }
    Some(vpc)
}

/// Checks one subnet CIDR; returns it when it is well-formed (parses, no host bits)
/// so it takes part in the overlap check.
fn check_subnet_cidr(text: &str, vpc: Option<Ipv4Net>, path: &FieldPath, out: &mut Vec<Finding>) -> Option<Ipv4Net> {
    let subnet = match parse_v4(text) {
        Ok(subnet) => subnet,
        Err(message) => {
            out.push(Finding::error(path.clone(), message));
            return None;
        }
    };
    if let Some(message) = host_bits_message("subnet", subnet) {
        out.push(Finding::error(path.clone(), message));
        return None;
    }
    if !(MIN_PREFIX..=MAX_PREFIX).contains(&subnet.prefix_len()) {
        out.push(Finding::error(
            path.clone(),
            format!(
                "subnet {subnet} is a /{}; AWS allows subnets from /{MIN_PREFIX} to /{MAX_PREFIX}",
                subnet.prefix_len()
            ),
        ));
    }
    if let Some(vpc) = vpc
        && !vpc.contains(&subnet)
    {
        out.push(Finding::error(
            path.clone(),
            format!("subnet {subnet} is outside the VPC CIDR {vpc}; use a range inside it"),
        ));
    }
    Some(subnet)
}

fn check_ssh_cidr(text: &str, path: FieldPath, out: &mut Vec<Finding>) {
    let range = match parse_v4(text) {
        Ok(range) => range,
        Err(message) => {
            out.push(Finding::error(path, message));
            return;
        }
    };
    if range.prefix_len() == 0 {
        out.push(Finding::error(
            path,
            format!(
                "{range} opens SSH to the internet; name the admin ranges (e.g. the office's /32s), or leave \
                 bastion_ssh_cidrs empty and use SSM Session Manager"
            ),
        ));
    } else if let Some(message) = host_bits_message("SSH range", range) {
        out.push(Finding::error(path, message));
    }
}
