//! The rendered stacks carry the design's requirements (§2, §6, §9 and issue #3):
//! subnets and security-group rules exactly as specified, stateful resources protected,
//! encryption and TLS on, no secret values anywhere, cross-stack references as exports.

mod common;

use common::stacks::{resources_of_type, security_group_rules, templates, templates_of};
use common::{ENVIRONMENTS, env_with, load_env, render_env};
use matbakh_infra::synth::Format;
use serde_json::{Value, json};

#[test]
fn stacks_are_named_per_environment_and_ordered_by_dependencies() {
    for env in ENVIRONMENTS {
        let rendered = render_env(env, Format::Json);
        let names: Vec<&str> = rendered.manifest.stacks.iter().map(|s| s.name.as_str()).collect();
        let ids = ["network", "security", "data", "cache", "app", "auth", "api", "edge", "observability", "datalake"];
        let expected: Vec<String> = ids.iter().map(|id| format!("matbakh-{env}-{id}")).collect();
        assert_eq!(names, expected);
        let deps = |id: &str| rendered.manifest.stack(id).unwrap().depends_on.clone();
        let none: Vec<String> = Vec::new();
        assert_eq!(deps("network"), none);
        assert_eq!(deps("security"), none);
        assert_eq!(deps("data"), ["network", "security"]);
        assert_eq!(deps("cache"), ["network", "security"]);
        // The edges issue #4 names: app after network, security, data, cache; api after app and auth.
        assert_eq!(deps("app"), ["cache", "data", "network", "security"]);
        assert_eq!(deps("auth"), ["app"]);
        assert_eq!(deps("api"), ["app", "auth"]);
        assert_eq!(deps("edge"), ["api"]);
        // The API is named in config (the ApiName dimension): no import, no edge.
        assert_eq!(deps("observability"), ["app", "data"]);
        // app and api: the log groups its raw feeds subscribe to, the roles it grants.
        assert_eq!(deps("datalake"), ["api", "app", "data", "network", "security"]);
    }
}

#[test]
fn network_has_the_subnets_of_section_9() {
    let t = &templates("prod")["network"];
    let subnets = resources_of_type(t, "AWS::EC2::Subnet");
    let cidrs = |prefix: &str| -> Vec<(String, Value)> {
        subnets
            .iter()
            .filter(|(id, _)| id.starts_with(prefix))
            .map(|(_, r)| {
                (r["Properties"]["CidrBlock"].as_str().unwrap().to_owned(), r["Properties"]["AvailabilityZone"].clone())
            })
            .collect()
    };
    let az = |i: usize| json!({"Fn::Select": [i.to_string(), {"Ref": "AvailabilityZones"}]});
    assert_eq!(cidrs("Public"), [("10.0.1.0/24".into(), az(0)), ("10.0.2.0/24".into(), az(1))]);
    assert_eq!(
        cidrs("Private"),
        [("10.0.10.0/24".into(), az(0)), ("10.0.11.0/24".into(), az(1)), ("10.0.12.0/24".into(), az(2))]
    );
    assert_eq!(
        cidrs("Database"),
        [("10.0.20.0/24".into(), az(0)), ("10.0.21.0/24".into(), az(1)), ("10.0.22.0/24".into(), az(2))]
    );
    assert_eq!(t["Parameters"]["AvailabilityZones"]["Default"], "eu-central-1a,eu-central-1b,eu-central-1c");
    assert_eq!(resources_of_type(t, "AWS::EC2::VPC")[0].1["Properties"]["CidrBlock"], "10.0.0.0/16");
    assert_eq!(resources_of_type(t, "AWS::EC2::NatGateway").len(), 2);
    assert_eq!(resources_of_type(&templates("dev")["network"], "AWS::EC2::NatGateway").len(), 1);
    // Database subnets are isolated: their route table has no route at all.
    let routes = resources_of_type(t, "AWS::EC2::Route");
    assert!(routes.iter().all(|(_, r)| r["Properties"]["RouteTableId"] != json!({"Ref": "DatabaseRouteTable"})));
    assert_eq!(routes.len(), 1 + 3, "one public default route and one per private subnet");
}

/// (group, direction, protocol, port, peer) of every security-group rule.
fn rules(t: &Value) -> Vec<(String, &'static str, String, Option<i64>, String)> {
    let group_name = |v: &Value| v["Fn::GetAtt"][0].as_str().unwrap().trim_end_matches("SecurityGroup").to_owned();
    let mut out: Vec<_> = security_group_rules(t)
        .into_iter()
        .map(|rule| {
            let p = rule.properties;
            let peer = match rule.peer_group {
                Some(group) => group_name(group),
                None => p["CidrIp"].as_str().unwrap().to_owned(),
            };
            (
                group_name(&p["GroupId"]),
                rule.direction,
                p["IpProtocol"].as_str().unwrap().to_owned(),
                p["FromPort"].as_i64(),
                peer,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn security_groups_have_exactly_the_rules_of_section_9() {
    let t = &templates("prod")["network"];
    let tcp = |port| ("tcp".to_owned(), Some(port));
    let expected: Vec<(String, &str, String, Option<i64>, String)> = vec![
        ("Alb", "in", tcp(443), "0.0.0.0/0"),
        ("Alb", "in", tcp(80), "0.0.0.0/0"),
        ("Alb", "out", ("-1".to_owned(), None), "Lambda"),
        ("Bastion", "out", tcp(5432), "Rds"),
        ("Bastion", "out", tcp(443), "0.0.0.0/0"),
        ("Lambda", "in", tcp(443), "Alb"),
        ("Lambda", "out", tcp(5432), "Rds"),
        ("Lambda", "out", tcp(6379), "Redis"),
        ("Lambda", "out", tcp(443), "0.0.0.0/0"),
        ("Rds", "in", tcp(5432), "Lambda"),
        ("Rds", "in", tcp(5432), "Bastion"),
        ("Redis", "in", tcp(6379), "Lambda"),
        // Beyond §9: the cache invalidation path of §6 (tests/cache_invalidation.rs).
        ("LambdaEndpoint", "in", tcp(443), "Rds"),
        ("LambdaEndpoint", "in", tcp(443), "Lambda"),
        ("Rds", "out", tcp(443), "LambdaEndpoint"),
    ]
    .into_iter()
    .map(|(g, d, (proto, port), peer)| (g.to_owned(), d, proto, port, peer.to_owned()))
    .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(rules(t), expected);
    // No group has an embedded rule other than the placeholder that removes default egress.
    for (id, g) in resources_of_type(t, "AWS::EC2::SecurityGroup") {
        assert!(g["Properties"]["SecurityGroupIngress"].is_null(), "{id} embeds ingress rules");
        assert_eq!(g["Properties"]["SecurityGroupEgress"][0]["CidrIp"], "255.255.255.255/32", "{id}");
        assert_eq!(g["Properties"]["SecurityGroupEgress"].as_array().unwrap().len(), 1, "{id}");
    }
}

/// §9's bastion: an SSM-managed instance in the private subnets, reached only through
/// Session Manager (no public IP, no key pair, no inbound rule), IMDSv2 only.
#[test]
fn bastion_is_an_ssm_managed_private_instance() {
    for env in ENVIRONMENTS {
        let t = &templates(env)["network"];
        let config = load_env(env).network.bastion;
        assert!(config.enabled, "{env} enables the bastion");
        let groups = resources_of_type(t, "AWS::AutoScaling::AutoScalingGroup");
        assert_eq!(groups.len(), 1, "{env}");
        let group = &groups[0].1["Properties"];
        assert_eq!(
            (&group["MinSize"], &group["MaxSize"], &group["DesiredCapacity"]),
            (&json!("1"), &json!("1"), &json!("1"))
        );
        let private: Vec<Value> = resources_of_type(t, "AWS::EC2::Subnet")
            .into_iter()
            .filter(|(id, _)| id.starts_with("Private"))
            .map(|(id, _)| json!({"Ref": id}))
            .collect();
        assert_eq!(group["VPCZoneIdentifier"], json!(private), "{env}: private subnets only");
        assert_eq!(
            group["LaunchTemplate"],
            json!({"LaunchTemplateId": {"Ref": "BastionLaunchTemplate"},
                   "Version": {"Fn::GetAtt": ["BastionLaunchTemplate", "LatestVersionNumber"]}})
        );
        let data = &t["Resources"]["BastionLaunchTemplate"]["Properties"]["LaunchTemplateData"];
        assert_eq!(data["InstanceType"], json!(config.instance_type));
        assert_eq!(data["ImageId"], json!({"Ref": "BastionImageId"}));
        assert_eq!(t["Parameters"]["BastionImageId"]["Type"], "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>");
        assert_eq!(
            t["Parameters"]["BastionImageId"]["Default"],
            "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
        );
        assert_eq!(data["SecurityGroupIds"], json!([{"Fn::GetAtt": ["BastionSecurityGroup", "GroupId"]}]));
        assert_eq!(data["MetadataOptions"]["HttpTokens"], "required", "{env}: IMDSv2 only");
        assert!(data["KeyName"].is_null() && data["NetworkInterfaces"].is_null(), "{env}: no key, no public address");
        assert_eq!(data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true);
        assert_eq!(data["IamInstanceProfile"], json!({"Arn": {"Fn::GetAtt": ["BastionInstanceProfile", "Arn"]}}));
        let profile = &t["Resources"]["BastionInstanceProfile"]["Properties"];
        assert_eq!(profile["Roles"], json!([{"Ref": "BastionRole"}]));
        let role = &t["Resources"]["BastionRole"]["Properties"];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "ec2.amazonaws.com"})
        );
        let policies = role["ManagedPolicyArns"].as_array().unwrap();
        assert_eq!(policies.len(), 1);
        assert!(policies[0].to_string().contains(":iam::aws:policy/AmazonSSMManagedInstanceCore"), "{policies:?}");
        assert!(role["Policies"].is_null(), "{env}: nothing beyond Session Manager");
        // Bastion-SG: no inbound rule; out only to the database and HTTPS for Systems Manager.
        let bastion_rules: Vec<_> = rules(t).into_iter().filter(|r| r.0 == "Bastion").collect();
        assert!(bastion_rules.iter().all(|r| r.1 == "out"), "{env}: {bastion_rules:?}");
    }
}

#[test]
fn without_a_bastion_there_is_no_instance_and_no_https_egress() {
    let t = &templates_of(&env_with("dev", |e| e.network.bastion.enabled = false))["network"];
    for kind in ["AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate", "AWS::IAM::InstanceProfile"] {
        assert!(resources_of_type(t, kind).is_empty(), "{kind}");
    }
    assert!(t["Parameters"]["BastionImageId"].is_null());
    assert_eq!(rules(t).into_iter().filter(|r| r.0 == "Bastion").count(), 1, "only 5432 to RDS-SG");
}

#[test]
fn stateful_resources_keep_their_data() {
    for env in ENVIRONMENTS {
        for (stack, t) in templates(env) {
            for (id, r) in t["Resources"].as_object().unwrap() {
                let policy = |p: &str| r[p].as_str().map(str::to_owned);
                let expected = match r["Type"].as_str().unwrap() {
                    "AWS::RDS::DBInstance" if r["Properties"]["SourceDBInstanceIdentifier"].is_null() => {
                        Some("Snapshot")
                    }
                    // RDS refuses a final snapshot of a read replica.
                    "AWS::RDS::DBInstance" => Some("Delete"),
                    "AWS::ElastiCache::ReplicationGroup" => Some("Snapshot"),
                    "AWS::KMS::Key" | "AWS::SecretsManager::Secret" => Some("Retain"),
                    _ => None,
                };
                if let Some(expected) = expected {
                    assert_eq!(policy("DeletionPolicy").as_deref(), Some(expected), "{env}/{stack}/{id}");
                    assert_eq!(policy("UpdateReplacePolicy").as_deref(), Some(expected), "{env}/{stack}/{id}");
                }
            }
        }
    }
}

#[test]
fn database_follows_section_2() {
    let t = &templates("prod")["data"];
    let db = &t["Resources"]["Database"]["Properties"];
    for (key, value) in [
        ("DBInstanceClass", json!("db.r6g.xlarge")),
        ("Engine", json!("postgres")),
        ("MultiAZ", json!(true)),
        ("AllocatedStorage", json!("500")),
        ("MaxAllocatedStorage", json!(1000)),
        ("StorageType", json!("gp3")),
        ("StorageEncrypted", json!(true)),
        ("BackupRetentionPeriod", json!(7)),
        ("PreferredBackupWindow", json!("03:00-04:00")),
        ("MonitoringInterval", json!(60)),
        ("PerformanceInsightsRetentionPeriod", json!(7)),
        ("DeletionProtection", json!(true)),
        ("PubliclyAccessible", json!(false)),
        ("KmsKeyId", json!({"Fn::ImportValue": "matbakh-prod-security-RdsKeyArn"})),
        ("VPCSecurityGroups", json!([{"Fn::ImportValue": "matbakh-prod-network-RdsSecurityGroupId"}])),
    ] {
        assert_eq!(db[key], value, "Database.{key}");
    }
    assert!(db["EngineVersion"].as_str().unwrap().starts_with("15."));
    // The master password is RDS's own secret (#14), never in the template.
    assert!(db.get("MasterUserPassword").is_none());
    assert_eq!(db["ManageMasterUserPassword"], true);
    let params = &t["Resources"]["PostgresParameters"]["Properties"];
    assert_eq!(params["Family"], "postgres15");
    assert_eq!(params["Parameters"]["rds.force_ssl"], "1");
    assert!(params["Parameters"]["shared_preload_libraries"].as_str().unwrap().contains("pg_cron"));
    assert_eq!(params["Parameters"]["cron.database_name"], "matbakh");
    let replica_azs: Vec<(&str, &Value)> = ["AnalyticsReplica", "ReportingReplica"]
        .iter()
        .map(|id| {
            let p = &t["Resources"][*id]["Properties"];
            assert_eq!(p["SourceDBInstanceIdentifier"], json!({"Ref": "Database"}));
            // In RDS-SG like the primary: the default group is unreachable from Lambda-SG.
            assert_eq!(p["VPCSecurityGroups"], db["VPCSecurityGroups"], "{id}");
            (*id, &p["AvailabilityZone"]["Fn::Select"][0])
        })
        .collect();
    assert_eq!(replica_azs, [("AnalyticsReplica", &json!("1")), ("ReportingReplica", &json!("2"))]);
    assert!(templates("dev")["data"]["Resources"].get("AnalyticsReplica").is_none());
}

#[test]
fn cache_follows_section_6() {
    let t = &templates("prod")["cache"];
    let rg = &t["Resources"]["RedisCluster"]["Properties"];
    for (key, value) in [
        ("ClusterMode", json!("enabled")),
        ("NumNodeGroups", json!(3)),
        ("ReplicasPerNodeGroup", json!(1)),
        ("CacheNodeType", json!("cache.r6g.large")),
        ("MultiAZEnabled", json!(true)),
        ("AutomaticFailoverEnabled", json!(true)),
        ("AtRestEncryptionEnabled", json!(true)),
        ("TransitEncryptionEnabled", json!(true)),
        ("SnapshotRetentionLimit", json!(5)),
        ("SnapshotWindow", json!("03:00-05:00")),
    ] {
        assert_eq!(rg[key], value, "RedisCluster.{key}");
    }
    assert!(rg["AuthToken"]["Fn::Sub"][0].as_str().unwrap().starts_with("{{resolve:secretsmanager:"));
    let params = &t["Resources"]["RedisParameters"]["Properties"]["Properties"];
    assert_eq!(
        params,
        &json!({"cluster-enabled": "yes", "maxmemory-policy": "allkeys-lru", "tcp-keepalive": "60", "timeout": "300"})
    );
}

#[test]
fn keys_rotate_and_secrets_are_generated_or_empty() {
    let t = &templates("prod")["security"];
    for (id, key) in resources_of_type(t, "AWS::KMS::Key") {
        assert_eq!(key["Properties"]["EnableKeyRotation"], true, "{id}");
        let statements = key["Properties"]["KeyPolicy"]["Statement"].as_array().unwrap();
        assert_eq!(statements[0]["Action"], json!(["kms:*"]), "{id} keeps root administration");
    }
    for (id, secret) in resources_of_type(t, "AWS::SecretsManager::Secret") {
        assert!(secret["Properties"].get("SecretString").is_none(), "{id} must not carry a value");
        assert!(!secret["Properties"]["KmsKeyId"].is_null(), "{id} uses a customer-managed key");
    }
    let rds = &t["Resources"]["RdsCredentialsSecret"]["Properties"];
    assert_eq!(rds["GenerateSecretString"]["GenerateStringKey"], "password");
    assert_eq!(rds["KmsKeyId"], json!({"Fn::GetAtt": ["RdsKey", "Arn"]}));
    assert!(t["Resources"]["ExternalApiKeysSecret"]["Properties"].get("GenerateSecretString").is_none());
}

#[test]
fn imports_only_name_exports_that_exist() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let exports: Vec<String> = all
            .values()
            .flat_map(|t| t["Outputs"].as_object().into_iter().flatten())
            .filter_map(|(_, o)| o["Export"]["Name"].as_str().map(str::to_owned))
            .collect();
        for (stack, t) in &all {
            let text = t.to_string();
            for part in text.split("\"Fn::ImportValue\":\"").skip(1) {
                let name = &part[..part.find('"').unwrap()];
                assert!(exports.iter().any(|e| e == name), "{env}/{stack} imports missing export {name}");
            }
        }
    }
}
