//! The `network` stack (§9): VPC, subnets over the zones, internet and NAT gateways,
//! route tables, the five security groups with exactly the design's rules, and the
//! bastion where the environment enables it (`bastion.rs`), and the Lambda interface
//! endpoint of the cache invalidation path where the environment has one
//! ([`lambda_endpoint`]).
//!
//! Every rule is its own `SecurityGroupIngress`/`SecurityGroupEgress` resource: groups
//! reference each other, and CloudFormation revokes standalone rules when a group's
//! embedded rule list changes, so the two styles are never mixed on one group. Each
//! group embeds only a constant placeholder egress rule, which removes the allow-all
//! egress CloudFormation would otherwise add ("Outbound: None" in the design).

use crate::cfn::resources::ec2::{
    CidrRule, Destination, Eip, InternetGateway, NatGateway, Route, RouteTable, RouteTarget, SecurityGroup,
    SecurityGroupEgress, SecurityGroupIngress, Source, Subnet, SubnetRouteTableAssociation, Traffic, Vpc,
    VpcGatewayAttachment,
};
use crate::cfn::{Export, Handle, List, ListExport, ResourceOptions, Stack, Str, Template};
use crate::config::model::Subnet as SubnetConfig;

use super::context::Context;

mod lambda_endpoint;

/// What other stacks import from `network`.
pub struct NetworkExports {
    pub vpc_id: Export,
    pub public_subnet_ids: ListExport,
    pub private_subnet_ids: ListExport,
    pub database_subnet_ids: ListExport,
    pub alb_sg: Export,
    pub lambda_sg: Export,
    pub rds_sg: Export,
    pub redis_sg: Export,
    pub bastion_sg: Export,
}

const ANYWHERE: &str = "0.0.0.0/0";

pub fn build(ctx: &Context) -> (Stack, NetworkExports) {
    let env = ctx.env;
    let net = &env.network;
    let mut stack = Stack::new(
        "network",
        ctx.stack_name("network"),
        format!("matbakh {}: VPC, subnets, gateways, routes and security groups (design section 9)", env.name),
    );
    let t = &mut stack.template;
    let zones = ctx.zones(t);

    let vpc = t.add(
        "Vpc",
        Vpc {
            cidr_block: net.vpc_cidr.as_str().into(),
            enable_dns_hostnames: true,
            enable_dns_support: true,
            tags: ctx.tags("vpc"),
        },
    );
    let igw = t.add("InternetGateway", InternetGateway { tags: ctx.tags("igw") });
    let attachment = t.add(
        "InternetGatewayAttachment",
        VpcGatewayAttachment { vpc_id: vpc.r#ref(), internet_gateway_id: igw.r#ref() },
    );

    let subnets = |t: &mut Template, tier: &str, list: &[SubnetConfig]| -> Vec<Handle<Subnet>> {
        list.iter()
            .enumerate()
            .map(|(i, s)| {
                t.add(
                    &format!("{tier}Subnet{}", i + 1),
                    Subnet {
                        vpc_id: vpc.r#ref(),
                        cidr_block: s.cidr.as_str().into(),
                        availability_zone: zones.select(&s.availability_zone),
                        map_public_ip_on_launch: false,
                        tags: ctx.tags(&format!("{}-{}", tier.to_lowercase(), s.availability_zone)),
                    },
                )
            })
            .collect()
    };
    let public = subnets(t, "Public", &net.public_subnets);
    let private = subnets(t, "Private", &net.private_subnets);
    let database = subnets(t, "Database", &net.database_subnets);

    // Public tier: one route table with the default route to the internet gateway.
    let public_rt = t.add("PublicRouteTable", RouteTable { vpc_id: vpc.r#ref(), tags: ctx.tags("public") });
    t.add_with(
        "PublicDefaultRoute",
        Route {
            route_table_id: public_rt.r#ref(),
            destination_cidr_block: ANYWHERE.into(),
            target: RouteTarget::InternetGateway(igw.r#ref()),
        },
        ResourceOptions::default().depends_on(&attachment),
    );
    associate(t, "Public", &public, |_| public_rt.r#ref());

    // NAT gateways in the first `nat_gateways` public subnets.
    let nats: Vec<(String, Handle<NatGateway>)> = net
        .public_subnets
        .iter()
        .zip(&public)
        .take(usize::from(net.nat_gateways))
        .enumerate()
        .map(|(i, (cfg, subnet))| {
            let n = i + 1;
            let eip = t.add_with(
                &format!("NatEip{n}"),
                Eip { domain: "vpc", tags: ctx.tags(&format!("nat-{}", cfg.availability_zone)) },
                ResourceOptions::default().depends_on(&attachment),
            );
            let nat = t.add(
                &format!("NatGateway{n}"),
                NatGateway {
                    allocation_id: eip.allocation_id(),
                    subnet_id: subnet.r#ref(),
                    tags: ctx.tags(&format!("nat-{}", cfg.availability_zone)),
                },
            );
            (cfg.availability_zone.clone(), nat)
        })
        .collect();

    // Private tier: a route table per subnet, default route through the NAT gateway in
    // the same zone, or the first one when that zone has none.
    let private_rts: Vec<Handle<RouteTable>> = net
        .private_subnets
        .iter()
        .enumerate()
        .map(|(i, cfg)| {
            let n = i + 1;
            let rt = t.add(
                &format!("PrivateRouteTable{n}"),
                RouteTable { vpc_id: vpc.r#ref(), tags: ctx.tags(&format!("private-{}", cfg.availability_zone)) },
            );
            let nat = nats.iter().find(|(az, _)| *az == cfg.availability_zone).or(nats.first()).map(|(_, h)| h);
            if let Some(nat) = nat {
                t.add(
                    &format!("PrivateDefaultRoute{n}"),
                    Route {
                        route_table_id: rt.r#ref(),
                        destination_cidr_block: ANYWHERE.into(),
                        target: RouteTarget::NatGateway(nat.r#ref()),
                    },
                );
            }
            rt
        })
        .collect();
    associate(t, "Private", &private, |i| private_rts[i].r#ref());

    // Database tier: isolated, no route out of the VPC.
    let database_rt = t.add("DatabaseRouteTable", RouteTable { vpc_id: vpc.r#ref(), tags: ctx.tags("database") });
    associate(t, "Database", &database, |_| database_rt.r#ref());

    let groups = security_groups(ctx, t, &vpc);
    if net.bastion.enabled {
        super::bastion::add(ctx, t, &private, &groups.bastion);
    }
    if env.database.cache_invalidator.is_some() {
        lambda_endpoint::add(ctx, t, &vpc, &net.database_subnets, &database, &groups);
    }

    let exports = NetworkExports {
        vpc_id: stack.export("VpcId", "VPC id", vpc.r#ref()),
        public_subnet_ids: stack.export_list("PublicSubnetIds", "Public subnet ids", refs(&public)),
        private_subnet_ids: stack.export_list("PrivateSubnetIds", "Private subnet ids (Lambda, Redis)", refs(&private)),
        database_subnet_ids: stack.export_list("DatabaseSubnetIds", "Database subnet ids", refs(&database)),
        alb_sg: stack.export("AlbSecurityGroupId", "ALB-SG", groups.alb.group_id()),
        lambda_sg: stack.export("LambdaSecurityGroupId", "Lambda-SG", groups.lambda.group_id()),
        rds_sg: stack.export("RdsSecurityGroupId", "RDS-SG", groups.rds.group_id()),
        redis_sg: stack.export("RedisSecurityGroupId", "Redis-SG", groups.redis.group_id()),
        bastion_sg: stack.export("BastionSecurityGroupId", "Bastion-SG", groups.bastion.group_id()),
    };
    (stack, exports)
}

fn refs(subnets: &[Handle<Subnet>]) -> List {
    List::items(subnets.iter().map(Handle::r#ref))
}

fn associate(t: &mut Template, tier: &str, subnets: &[Handle<Subnet>], table: impl Fn(usize) -> Str) {
    for (i, subnet) in subnets.iter().enumerate() {
        t.add(
            &format!("{tier}Subnet{}RouteTableAssociation", i + 1),
            SubnetRouteTableAssociation { subnet_id: subnet.r#ref(), route_table_id: table(i) },
        );
    }
}

struct Groups {
    alb: Handle<SecurityGroup>,
    lambda: Handle<SecurityGroup>,
    rds: Handle<SecurityGroup>,
    redis: Handle<SecurityGroup>,
    bastion: Handle<SecurityGroup>,
}

/// A security group without rules of its own: its rules are standalone resources, and a
/// placeholder egress rule that matches no traffic removes the default allow-all egress.
fn group(
    ctx: &Context,
    t: &mut Template,
    vpc: &Handle<Vpc>,
    id: &str,
    name: &str,
    description: &str,
) -> Handle<SecurityGroup> {
    t.add(
        id,
        SecurityGroup {
            group_description: format!("{name}: {description}"),
            vpc_id: vpc.r#ref(),
            security_group_ingress: Vec::new(),
            security_group_egress: vec![CidrRule::new(
                Traffic::Icmp { kind: 252, code: 86 },
                "255.255.255.255/32",
                "Placeholder that matches no traffic: removes the default allow-all egress",
            )],
            tags: ctx.tags(&name.to_lowercase()),
        },
    )
}

fn security_groups(ctx: &Context, t: &mut Template, vpc: &Handle<Vpc>) -> Groups {
    let env = ctx.env;
    let mut group = |id: &str, name: &str, description: &str| group(ctx, t, vpc, id, name, description);
    let g = Groups {
        alb: group("AlbSecurityGroup", "ALB-SG", "load balancer, HTTPS and HTTP from the internet"),
        lambda: group("LambdaSecurityGroup", "Lambda-SG", "Lambda functions"),
        rds: group("RdsSecurityGroup", "RDS-SG", "PostgreSQL instances"),
        redis: group("RedisSecurityGroup", "Redis-SG", "Redis cluster"),
        bastion: group("BastionSecurityGroup", "Bastion-SG", "bastion host for database administration"),
    };
    let pg = Traffic::tcp(env.database.port);
    let redis = Traffic::tcp(env.cache.port);

    ingress(t, "AlbIngressHttps", &g.alb, Traffic::tcp(443), Source::Cidr(ANYWHERE.into()), "HTTPS from the internet");
    ingress(
        t,
        "AlbIngressHttp",
        &g.alb,
        Traffic::tcp(80),
        Source::Cidr(ANYWHERE.into()),
        "HTTP from the internet, redirected to HTTPS",
    );
    egress(
        t,
        "AlbEgressToLambda",
        &g.alb,
        Traffic::All,
        Destination::Group(g.lambda.group_id()),
        "All traffic to Lambda-SG",
    );

    ingress(
        t,
        "LambdaIngressFromAlb",
        &g.lambda,
        Traffic::tcp(443),
        Source::Group(g.alb.group_id()),
        "HTTPS from ALB-SG",
    );
    egress(t, "LambdaEgressToRds", &g.lambda, pg, Destination::Group(g.rds.group_id()), "PostgreSQL to RDS-SG");
    egress(t, "LambdaEgressToRedis", &g.lambda, redis, Destination::Group(g.redis.group_id()), "Redis to Redis-SG");
    egress(
        t,
        "LambdaEgressHttps",
        &g.lambda,
        Traffic::tcp(443),
        Destination::Cidr(ANYWHERE.into()),
        "HTTPS to external APIs",
    );

    ingress(t, "RdsIngressFromLambda", &g.rds, pg, Source::Group(g.lambda.group_id()), "PostgreSQL from Lambda-SG");
    ingress(
        t,
        "RdsIngressFromBastion",
        &g.rds,
        pg,
        Source::Group(g.bastion.group_id()),
        "PostgreSQL from Bastion-SG (admin access)",
    );

    ingress(t, "RedisIngressFromLambda", &g.redis, redis, Source::Group(g.lambda.group_id()), "Redis from Lambda-SG");

    // Bastion-SG has no rules in §9 beyond being a source for RDS-SG; it may reach the
    // database, and SSH only from the ranges the environment names (none by default).
    egress(
        t,
        "BastionEgressToRds",
        &g.bastion,
        pg,
        Destination::Group(g.rds.group_id()),
        "PostgreSQL to RDS-SG (admin access)",
    );
    if env.network.bastion.enabled {
        // Session Manager: the agent calls the ssm, ssmmessages and ec2messages
        // endpoints over HTTPS (through the NAT gateways).
        egress(
            t,
            "BastionEgressHttps",
            &g.bastion,
            Traffic::tcp(443),
            Destination::Cidr(ANYWHERE.into()),
            "HTTPS to Systems Manager (Session Manager)",
        );
    }
    for (i, cidr) in env.network.bastion_ssh_cidrs.iter().enumerate() {
        let id = format!("BastionIngressSsh{}", i + 1);
        ingress(t, &id, &g.bastion, Traffic::tcp(22), Source::Cidr(cidr.clone()), "SSH from an admin range");
    }
    g
}

fn ingress(
    t: &mut Template,
    id: &str,
    group: &Handle<SecurityGroup>,
    traffic: Traffic,
    from: Source,
    description: &str,
) {
    t.add(id, SecurityGroupIngress::new(group.group_id(), traffic, from, description));
}

fn egress(
    t: &mut Template,
    id: &str,
    group: &Handle<SecurityGroup>,
    traffic: Traffic,
    to: Destination,
    description: &str,
) {
    t.add(id, SecurityGroupEgress::new(group.group_id(), traffic, to, description));
}
