//! The network path of §6's cache invalidation: the primary calls the Lambda API
//! (`aws_lambda.invoke`) from the database subnets, which have no route out of the VPC, so
//! the environment gets a `lambda` interface endpoint there, with its own Endpoint-SG.
//!
//! Private DNS makes `lambda.<region>.amazonaws.com` resolve to the endpoint everywhere in
//! the VPC, so every VPC caller of the Lambda API uses it: Endpoint-SG admits HTTPS from
//! RDS-SG (the trigger) and from Lambda-SG (a function invoking another, which would
//! otherwise have gone through the NAT gateways).

use crate::cfn::resources::ec2::{Destination, InterfaceEndpoint, Source, Subnet, Traffic, Vpc};
use crate::cfn::{Handle, List, Pseudo, Str, Template};
use crate::config::model::Subnet as SubnetConfig;

use super::super::context::Context;
use super::{Groups, egress, group, ingress};

/// Adds the endpoint in the database subnets (the first of each zone: an interface
/// endpoint takes one subnet per zone), Endpoint-SG and the rules to and from it.
pub(super) fn add(
    ctx: &Context,
    t: &mut Template,
    vpc: &Handle<Vpc>,
    configs: &[SubnetConfig],
    subnets: &[Handle<Subnet>],
    groups: &Groups,
) {
    let endpoint_sg = group(ctx, t, vpc, "LambdaEndpointSecurityGroup", "Endpoint-SG", "Lambda interface endpoint");
    let https = || Traffic::tcp(443);
    ingress(
        t,
        "EndpointIngressFromRds",
        &endpoint_sg,
        https(),
        Source::Group(groups.rds.group_id()),
        "HTTPS from RDS-SG (aws_lambda.invoke of the cache invalidator)",
    );
    ingress(
        t,
        "EndpointIngressFromLambda",
        &endpoint_sg,
        https(),
        Source::Group(groups.lambda.group_id()),
        "HTTPS from Lambda-SG (private DNS sends the functions' Lambda API calls here)",
    );
    egress(
        t,
        "RdsEgressToEndpoint",
        &groups.rds,
        https(),
        Destination::Group(endpoint_sg.group_id()),
        "HTTPS to Endpoint-SG (aws_lambda.invoke of the cache invalidator)",
    );

    let mut zones: Vec<&str> = Vec::new();
    let mut one_per_zone = Vec::new();
    for (config, subnet) in configs.iter().zip(subnets) {
        if !zones.contains(&config.availability_zone.as_str()) {
            zones.push(&config.availability_zone);
            one_per_zone.push(subnet.r#ref());
        }
    }
    t.add(
        "LambdaEndpoint",
        InterfaceEndpoint {
            vpc_id: vpc.r#ref(),
            service_name: Str::concat([Str::lit("com.amazonaws."), Pseudo::Region.into(), Str::lit(".lambda")]),
            vpc_endpoint_type: "Interface",
            private_dns_enabled: true,
            subnet_ids: List::items(one_per_zone),
            security_group_ids: vec![endpoint_sg.group_id()],
            tags: ctx.tags("lambda-endpoint"),
        },
    );
}
