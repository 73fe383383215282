//! §6's cache invalidation path, as rendered for every environment: the primary's role
//! association (`FeatureName: Lambda`) with a role RDS of this account assumes and that may
//! invoke `database.cache_invalidator` only; the `lambda` interface endpoint in the
//! database subnets (which have no route out) behind its own Endpoint-SG; and nothing of
//! it without an invalidator.

mod common;

use common::stacks::{resources_of_type, security_group_rules, templates, templates_of};
use common::{ENVIRONMENTS, env_with, load_env};
use serde_json::{Value, json};

fn invalidator_arn(env: &str) -> Value {
    json!({"Fn::Sub": format!(
        "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:matbakh-{env}-cache-invalidator"
    )})
}

/// Every IAM statement of the template's roles (trust policies left out): (role id, statement).
fn role_statements(t: &Value) -> Vec<(&String, &Value)> {
    let mut out = Vec::new();
    for (id, role) in resources_of_type(t, "AWS::IAM::Role") {
        for policy in role["Properties"]["Policies"].as_array().into_iter().flatten() {
            for statement in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                out.push((id, statement));
            }
        }
    }
    out
}

#[test]
fn every_environment_names_a_cache_invalidator_that_uses_the_cache() {
    for env in ENVIRONMENTS {
        let config = load_env(env);
        assert_eq!(config.database.cache_invalidator.as_deref(), Some("cache-invalidator"), "{env}");
        let app = &templates(env)["app"];
        let functions = resources_of_type(app, "AWS::Lambda::Function");
        let function = functions
            .iter()
            .find(|(_, f)| f["Properties"]["FunctionName"] == format!("matbakh-{env}-cache-invalidator"))
            .unwrap_or_else(|| panic!("{env}: the app stack has no function matbakh-{env}-cache-invalidator"));
        let variables = &function.1["Properties"]["Environment"]["Variables"];
        for variable in ["REDIS_ENDPOINT", "REDIS_PORT", "REDIS_AUTH_SECRET_ARN"] {
            assert!(!variables[variable].is_null(), "{env}: the invalidator has no {variable}");
        }
    }
}

#[test]
fn rds_of_this_account_assumes_a_role_that_may_invoke_the_invalidator_only() {
    for env in ENVIRONMENTS {
        let data = &templates(env)["data"];
        let role = &data["Resources"]["CacheInvalidationRole"];
        assert_eq!(role["Type"], "AWS::IAM::Role", "{env}");
        assert_eq!(
            role["Properties"]["AssumeRolePolicyDocument"]["Statement"],
            json!([{
                "Sid": "AssumedByRds",
                "Effect": "Allow",
                "Principal": {"Service": "rds.amazonaws.com"},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"aws:SourceAccount": [{"Ref": "AWS::AccountId"}]}},
            }]),
            "{env}"
        );
        assert!(role["Properties"]["ManagedPolicyArns"].is_null(), "{env}: no managed policy");
        let statements: Vec<&Value> = role_statements(data)
            .into_iter()
            .filter(|(id, _)| *id == "CacheInvalidationRole")
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            statements,
            [&json!({
                "Sid": "InvokeCacheInvalidator",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [invalidator_arn(env)],
            })],
            "{env}"
        );
        // No other role of the data stack may call Lambda.
        let lambda_statements = role_statements(data)
            .into_iter()
            .filter(|(_, s)| s["Action"].as_array().unwrap().iter().any(|a| a.as_str().unwrap().starts_with("lambda:")))
            .count();
        assert_eq!(lambda_statements, 1, "{env}");
    }
}

#[test]
fn the_primary_alone_is_associated_with_the_role_for_the_lambda_feature() {
    for env in ENVIRONMENTS {
        let data = &templates(env)["data"];
        for (id, instance) in resources_of_type(data, "AWS::RDS::DBInstance") {
            let roles = &instance["Properties"]["AssociatedRoles"];
            if id == "Database" {
                assert_eq!(
                    *roles,
                    json!([{"RoleArn": {"Fn::GetAtt": ["CacheInvalidationRole", "Arn"]}, "FeatureName": "Lambda"}]),
                    "{env}"
                );
            } else {
                assert!(roles.is_null(), "{env}: replica {id} invokes nothing");
            }
        }
    }
}

#[test]
fn the_lambda_endpoint_sits_in_the_database_subnets_with_private_dns() {
    for env in ENVIRONMENTS {
        let network = &templates(env)["network"];
        let endpoints = resources_of_type(network, "AWS::EC2::VPCEndpoint");
        assert_eq!(endpoints.len(), 1, "{env}");
        let p = &endpoints[0].1["Properties"];
        let database_subnets: Vec<Value> = resources_of_type(network, "AWS::EC2::Subnet")
            .into_iter()
            .filter(|(id, _)| id.starts_with("Database"))
            .map(|(id, _)| json!({"Ref": id}))
            .collect();
        assert_eq!(database_subnets.len(), 3, "{env}");
        assert_eq!(p["SubnetIds"], json!(database_subnets), "{env}");
        assert_eq!(p["VpcEndpointType"], "Interface", "{env}");
        assert_eq!(p["ServiceName"], json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.lambda"}), "{env}");
        assert_eq!(p["PrivateDnsEnabled"], true, "{env}");
        assert_eq!(p["VpcId"], json!({"Ref": "Vpc"}), "{env}");
        assert_eq!(p["SecurityGroupIds"], json!([{"Fn::GetAtt": ["LambdaEndpointSecurityGroup", "GroupId"]}]), "{env}");
        assert!(p["PolicyDocument"].is_null(), "{env}: functions' own Lambda calls pass the endpoint too");
    }
}

/// (group, direction, port, peer group) of the rules that name Endpoint-SG or give RDS-SG
/// anything but PostgreSQL.
fn endpoint_rules(network: &Value) -> Vec<(String, &'static str, i64, String)> {
    let id = |v: &Value| v["Fn::GetAtt"][0].as_str().unwrap_or_default().to_owned();
    let mut out: Vec<_> = security_group_rules(network)
        .into_iter()
        .map(|r| {
            let group = id(&r.properties["GroupId"]);
            let peer = r.peer_group.map(id).unwrap_or_else(|| r.properties["CidrIp"].as_str().unwrap().to_owned());
            (group, r.direction, r.properties["FromPort"].as_i64().unwrap_or(-1), peer)
        })
        .filter(|(group, _, port, peer)| {
            group == "LambdaEndpointSecurityGroup"
                || peer == "LambdaEndpointSecurityGroup"
                || (group == "RdsSecurityGroup" && *port != 5432)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn https_reaches_the_endpoint_from_rds_sg_and_lambda_sg_only() {
    for env in ENVIRONMENTS {
        let network = &templates(env)["network"];
        let expected: Vec<(String, &str, i64, String)> = vec![
            ("LambdaEndpointSecurityGroup".into(), "in", 443, "LambdaSecurityGroup".into()),
            ("LambdaEndpointSecurityGroup".into(), "in", 443, "RdsSecurityGroup".into()),
            ("RdsSecurityGroup".into(), "out", 443, "LambdaEndpointSecurityGroup".into()),
        ];
        assert_eq!(endpoint_rules(network), expected, "{env}");
        for r in security_group_rules(network) {
            if r.peer_group.is_some_and(|g| g["Fn::GetAtt"][0] == "LambdaEndpointSecurityGroup")
                || r.properties["GroupId"]["Fn::GetAtt"][0] == "LambdaEndpointSecurityGroup"
            {
                assert_eq!(
                    (r.properties["IpProtocol"].as_str(), r.properties["ToPort"].as_i64()),
                    (Some("tcp"), Some(443))
                );
            }
        }
        let group = &network["Resources"]["LambdaEndpointSecurityGroup"]["Properties"];
        assert!(group["GroupDescription"].as_str().unwrap().starts_with("Endpoint-SG: "), "{env}");
        assert_eq!(group["SecurityGroupEgress"][0]["CidrIp"], "255.255.255.255/32", "{env}: no egress");
    }
}

#[test]
fn without_an_invalidator_there_is_no_role_association_endpoint_or_rule() {
    let env = env_with("dev", |e| e.database.cache_invalidator = None);
    let stacks = templates_of(&env);
    let data = &stacks["data"];
    assert!(data["Resources"]["CacheInvalidationRole"].is_null());
    assert!(data["Resources"]["Database"]["Properties"]["AssociatedRoles"].is_null());
    let network = &stacks["network"];
    assert!(resources_of_type(network, "AWS::EC2::VPCEndpoint").is_empty());
    assert!(network["Resources"]["LambdaEndpointSecurityGroup"].is_null());
    assert_eq!(endpoint_rules(network), []);
}

#[test]
fn the_endpoint_takes_one_database_subnet_per_zone() {
    let env = env_with("dev", |e| {
        e.network.database_subnets[2].availability_zone = "eu-central-1a".into();
    });
    let network = &templates_of(&env)["network"];
    let endpoint = resources_of_type(network, "AWS::EC2::VPCEndpoint")[0].1;
    assert_eq!(
        endpoint["Properties"]["SubnetIds"],
        json!([{"Ref": "DatabaseSubnet1"}, {"Ref": "DatabaseSubnet2"}]),
        "an interface endpoint takes one subnet per zone"
    );
}
