//! `drift` end to end on the local AWS (moto plus `scripts/local_aws`, a server per
//! test): dev is deployed with `apply`, so every resource is what CloudFormation made
//! of the rendered templates; then people change things by hand through the service
//! APIs and drift has to name each change with the expected and the actual value.

mod common;

use aws_sdk_cloudformation::Client;
use common::moto::{Moto, physical_ids};
use serde_json::{Value, json};

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn resource<'a>(report: &'a Value, stack: &str, logical: &str) -> &'a Value {
    let s = report["stacks"].as_array().unwrap().iter().find(|s| s["id"] == stack).unwrap();
    s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["logical_id"] == logical)
        .unwrap_or_else(|| panic!("{stack}/{logical} not in the report"))
}

/// The difference drift reports for `property` of a modified resource.
fn difference<'a>(report: &'a Value, stack: &str, logical: &str, property: &str) -> &'a Value {
    let r = resource(report, stack, logical);
    assert_eq!(r["status"], "modified", "{stack}/{logical}: {r:#}");
    r["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["property"].as_str().is_some_and(|p| p.starts_with(property)))
        .unwrap_or_else(|| panic!("{stack}/{logical}: no difference on {property}: {r:#}"))
}

/// Real behaviour: after `apply`, the account matches the code (exit 0). Then someone,
/// by hand: changes the database's backup retention, opens SSH on the RDS group, turns
/// off key rotation, shrinks a function's memory, deletes a secret, turns off Redis
/// snapshots, weakens the Cognito password policy, reorders the WAF rules, makes a
/// public subnet assign public IPs and removes the rule letting Lambda reach Redis.
/// Drift names every one with expected and actual values and exits 2; the views, the
/// ignore file and the read-only promise hold.
#[tokio::test(flavor = "multi_thread")]
async fn drift_after_apply_is_clean_and_then_names_every_change_made_by_hand() {
    let (moto, ws) = Moto::with_dev_applied();

    let o = moto.cli(&["drift", "--env", "dev", "--output", "json"], ws.path());
    assert_eq!(o.status.code(), Some(0), "in sync right after apply: {}", text(&o));
    let clean: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(clean["summary"]["drift"], false);
    assert!(clean["summary"]["in_sync"].as_u64().unwrap() >= 50, "{:#}", clean["summary"]);
    assert!(clean.get("read_failures").is_none(), "{clean:#}");
    for stack in clean["stacks"].as_array().unwrap() {
        assert_eq!(stack["state"], "deployed", "{}", stack["name"]);
    }

    let config = moto.sdk_config().await;
    let cfn = Client::new(&config);
    let network = physical_ids(&cfn, "matbakh-dev-network").await;
    let security = physical_ids(&cfn, "matbakh-dev-security").await;
    let data = physical_ids(&cfn, "matbakh-dev-data").await;
    let cache = physical_ids(&cfn, "matbakh-dev-cache").await;
    let app = physical_ids(&cfn, "matbakh-dev-app").await;
    let auth = physical_ids(&cfn, "matbakh-dev-auth").await;
    let edge = physical_ids(&cfn, "matbakh-dev-edge").await;

    // By hand, through the service APIs.
    use aws_sdk_ec2::types::{AttributeBooleanValue, IpPermission, IpRange, UserIdGroupPair};
    let ec2 = aws_sdk_ec2::Client::new(&config);
    ec2.authorize_security_group_ingress()
        .group_id(&network["RdsSecurityGroup"])
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("203.0.113.0/24").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    ec2.modify_subnet_attribute()
        .subnet_id(&network["PublicSubnet1"])
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    ec2.revoke_security_group_ingress()
        .group_id(&network["RedisSecurityGroup"])
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(6379)
                .to_port(6379)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&network["LambdaSecurityGroup"]).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let rds = aws_sdk_rds::Client::new(&config);
    rds.modify_db_instance()
        .db_instance_identifier(&data["Database"])
        .backup_retention_period(3)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let kms = aws_sdk_kms::Client::new(&config);
    kms.disable_key_rotation().key_id(&security["RdsKey"]).send().await.unwrap();
    let lambda = aws_sdk_lambda::Client::new(&config);
    lambda
        .update_function_configuration()
        .function_name(&app["VcStartFunction"])
        .memory_size(512)
        .send()
        .await
        .unwrap();
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    secrets
        .delete_secret()
        .secret_id(&security["ExternalApiKeysSecret"])
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    let elasticache = aws_sdk_elasticache::Client::new(&config);
    elasticache
        .modify_replication_group()
        .replication_group_id(&cache["RedisCluster"])
        .snapshot_retention_limit(0)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&config);
    use aws_sdk_cognitoidentityprovider::types::{PasswordPolicyType, UserPoolPolicyType};
    cognito
        .update_user_pool()
        .user_pool_id(&auth["UserPool"])
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(PasswordPolicyType::builder().minimum_length(6).require_symbols(false).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    reverse_waf_rule_order(&aws_sdk_wafv2::Client::new(&config), &edge["ApiWebAcl"]).await;

    let o = moto.cli(&["drift", "--env", "dev", "--output", "json"], ws.path());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let after: Value = serde_json::from_slice(&o.stdout).unwrap();

    let ssh = difference(&after, "network", "RdsSecurityGroup", "SecurityGroupIngress");
    assert!(ssh.get("expected").is_none(), "an extra rule: nothing expected: {ssh}");
    assert_eq!(ssh["actual"], json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24"}));
    let subnet = difference(&after, "network", "PublicSubnet1", "MapPublicIpOnLaunch");
    assert_eq!((&subnet["expected"], &subnet["actual"]), (&json!(false), &json!(true)));
    let rule = resource(&after, "network", "RedisIngressFromLambda");
    assert_eq!(rule["status"], "deleted", "{rule:#}");
    let backups = difference(&after, "data", "Database", "BackupRetentionPeriod");
    assert_eq!((&backups["expected"], &backups["actual"]), (&json!(1), &json!(3)), "{backups}");
    let rotation = difference(&after, "security", "RdsKey", "EnableKeyRotation");
    assert_eq!((&rotation["expected"], &rotation["actual"]), (&json!(true), &json!(false)));
    let memory = difference(&after, "app", "VcStartFunction", "MemorySize");
    assert_eq!((&memory["expected"], &memory["actual"]), (&json!(1024), &json!(512)));
    assert_eq!(resource(&after, "security", "ExternalApiKeysSecret")["status"], "deleted");
    let snapshots = difference(&after, "cache", "RedisCluster", "SnapshotRetentionLimit");
    assert_eq!(snapshots["actual"], json!(0), "{snapshots}");
    assert!(snapshots["expected"].as_i64().unwrap() > 0, "{snapshots}");
    let password = difference(&after, "auth", "UserPool", "Policies");
    assert!(password["actual"].to_string().contains("\"MinimumLength\":6"), "{password}");
    assert!(!password["expected"].to_string().contains("\"MinimumLength\":6"), "{password}");
    let waf = difference(&after, "edge", "ApiWebAcl", "Rules");
    assert_ne!(waf["expected"], waf["actual"], "{waf}");
    assert_eq!(after["summary"]["deleted"], 2, "{:#}", after["summary"]);
    assert!(after["summary"]["modified"].as_u64().unwrap() >= 8, "{:#}", after["summary"]);

    // The human and markdown views carry the same, grouped by stack.
    let o = moto.cli(&["drift", "--env", "dev"], ws.path());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("[~] AWS::EC2::SecurityGroup RdsSecurityGroup"), "{out}");
    assert!(out.contains("[-] AWS::EC2::SecurityGroupIngress RedisIngressFromLambda"), "{out}");
    assert!(out.contains("[~] AWS::Lambda::Function VcStartFunction"), "{out}");
    // The report (stdout) ends with its summary; the header (account, region) is on stderr.
    assert!(String::from_utf8_lossy(&o.stdout).lines().last().unwrap().starts_with("Drift: "), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("drift dev in 123456789012 / eu-central-1\n"), "{out}");
    let o = moto.cli(&["drift", "--env", "dev", "--output", "markdown"], ws.path());
    assert_eq!(o.status.code(), Some(2));
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        md.contains("| `app` | `VcStartFunction` | AWS::Lambda::Function | modified | `MemorySize` | `1024` | `512` |"),
        "{md}"
    );

    // A reviewed ignore file accepts the SSH rule; the rest is still drift; a stale entry warns.
    let ignore = ws.path().join("drift-ignore.yaml");
    std::fs::write(
        &ignore,
        "- stack: network\n  resource: RdsSecurityGroup\n  property: SecurityGroupIngress\n  reason: migration weekend, OPS-412\n\
         - stack: network\n  resource: Vpc\n  reason: nothing to accept here\n",
    )
    .unwrap();
    let o = moto.cli(&["drift", "--env", "dev", "--output", "json", "--ignore", ignore.to_str().unwrap()], ws.path());
    assert_eq!(o.status.code(), Some(2));
    let ignored: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(resource(&ignored, "network", "RdsSecurityGroup")["status"], "in_sync");
    assert_eq!(resource(&ignored, "network", "RdsSecurityGroup")["ignored"][0]["reason"], "migration weekend, OPS-412");
    assert!(String::from_utf8_lossy(&o.stderr).contains("Vpc matches no difference (stale"), "{}", text(&o));

    // Secret values are never read, so never printed.
    let mut printed = String::new();
    for format in ["human", "json", "markdown"] {
        printed.push_str(&text(&moto.cli(&["drift", "--env", "dev", "--output", format], ws.path())));
    }
    for logical in ["RdsCredentialsSecret", "RedisAuthTokenSecret"] {
        let value = secrets.get_secret_value().secret_id(&security[logical]).send().await.unwrap();
        let value: Value = serde_json::from_str(value.secret_string().unwrap()).unwrap();
        let password = value["password"].as_str().or(value["token"].as_str()).unwrap_or_default();
        assert!(password.len() >= 16, "{logical} holds a generated secret");
        assert!(!printed.contains(password), "the value of {logical} reached an output");
    }
}

/// Reverses the order of a web ACL's rules (their priorities), as someone editing it in
/// the console would.
async fn reverse_waf_rule_order(waf: &aws_sdk_wafv2::Client, web_acl_ref: &str) {
    use aws_sdk_wafv2::types::Scope;
    // Ref of AWS::WAFv2::WebACL is `name|id|scope`.
    let parts: Vec<&str> = web_acl_ref.split('|').collect();
    let (name, id) = (parts[0], parts[1]);
    let got = waf.get_web_acl().name(name).id(id).scope(Scope::Regional).send().await.unwrap();
    let acl = got.web_acl().unwrap();
    let count = acl.rules().len() as i32;
    let rules: Vec<_> = acl
        .rules()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.priority = count - 1 - r.priority;
            r
        })
        .collect();
    waf.update_web_acl()
        .name(name)
        .id(id)
        .scope(Scope::Regional)
        .lock_token(got.lock_token().unwrap())
        .set_default_action(acl.default_action().cloned())
        .set_visibility_config(acl.visibility_config().cloned())
        .set_rules(Some(rules))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_an_error_with_exit_status_1() {
    let o = common::run_against_unreachable_endpoint(&["drift", "--env", "dev"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Connection refused") && err.contains("check the endpoint"), "{err}");
}
