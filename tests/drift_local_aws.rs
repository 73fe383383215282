//! `drift` against the local AWS (moto, started by each test).
//!
//! moto 5.2.5 deploys only dev's `network` stack with the production templates (see
//! shared/notes/moto-fidelity.md), so:
//! - the end-to-end CLI test deploys `network` with CreateStack, exactly as
//!   plan_local_aws does, changes things out of band through the EC2 API, and checks
//!   `drift`'s exit status and report;
//! - the other stacks' types (KMS keys, secrets, the RDS instance, a Lambda function)
//!   are created through their service APIs with the properties the rendered template
//!   specifies, and a stand-in for CloudFormation says "this stack is deployed as
//!   rendered, with these physical ids" (everything else — the network stack, exports,
//!   drift detection — goes to moto's real CloudFormation). The real service readers
//!   then read moto. Each test says which real behaviour it stands for.

mod common;
#[path = "support/local_aws.rs"]
mod local_aws;

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};

use aws_sdk_cloudformation::Client;
use common::moto::{Moto, workspace};
use common::{render_env, repo_root};
use local_aws::create_stack;
use matbakh_infra::aws::AwsError;
use matbakh_infra::aws::cloudformation::{
    ChangeSet, ChangeSetRequest, CloudFormationApi, LiveOutput, LiveStack, SdkCloudFormation,
};
use matbakh_infra::aws::services::SdkReaders;
use matbakh_infra::aws::stack_drift::{DriftDetection, ResourceDriftResult, StackDriftApi, StackResource};
use matbakh_infra::drift::expected::Scope;
use matbakh_infra::drift::model::{DriftReport, ResourceDrift, ResourceStatus};
use matbakh_infra::drift::{DriftOptions, exit_status, make_drift, render};
use matbakh_infra::style::Style;
use matbakh_infra::synth::{Format, Rendered};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "eu-central-1";

/// Creates dev's network stack the way apply does: every parameter passed explicitly.
async fn create_network(client: &Client, rendered: &Rendered) -> Value {
    let network = rendered.stack("network").unwrap();
    create_stack(client, &network.name, &network.body, &network.body).await;
    serde_json::from_str(&network.body).unwrap()
}

/// Logical id → physical id of a stack's resources, as moto lists them.
async fn physical_ids(client: &Client, stack: &str) -> BTreeMap<String, String> {
    let out = client.list_stack_resources().stack_name(stack).send().await.unwrap();
    out.stack_resource_summaries()
        .iter()
        .filter(|r| !r.logical_resource_id().unwrap_or_default().is_empty())
        .map(|r| (r.logical_resource_id().unwrap().to_owned(), r.physical_resource_id().unwrap_or_default().to_owned()))
        .collect()
}

/// moto keeps a new group's default allow-all egress rule and does not apply a group's
/// inline `SecurityGroupEgress`; CloudFormation on AWS replaces the default with the
/// declared rules. This puts each group into the state AWS leaves it in after the deploy.
async fn settle_egress_as_aws_does(ec2: &aws_sdk_ec2::Client, template: &Value, ids: &BTreeMap<String, String>) {
    use aws_sdk_ec2::types::{IpPermission, IpRange};
    for (logical, r) in template["Resources"].as_object().unwrap() {
        let Some(rules) = r["Properties"]["SecurityGroupEgress"].as_array() else { continue };
        let group = &ids[logical];
        ec2.revoke_security_group_egress()
            .group_id(group)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("-1")
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build(),
            )
            .send()
            .await
            .expect("default egress revoked");
        for rule in rules {
            ec2.authorize_security_group_egress()
                .group_id(group)
                .ip_permissions(
                    IpPermission::builder()
                        .ip_protocol(rule["IpProtocol"].as_str().unwrap())
                        .from_port(rule["FromPort"].as_i64().unwrap() as i32)
                        .to_port(rule["ToPort"].as_i64().unwrap() as i32)
                        .ip_ranges(IpRange::builder().cidr_ip(rule["CidrIp"].as_str().unwrap()).build())
                        .build(),
                )
                .send()
                .await
                .expect("declared egress authorized");
        }
    }
}

fn text(o: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn resource<'a>(report: &'a Value, stack: &str, logical: &str) -> &'a Value {
    let s = report["stacks"].as_array().unwrap().iter().find(|s| s["id"] == stack).unwrap();
    s["resources"].as_array().unwrap().iter().find(|r| r["logical_id"] == logical).unwrap()
}

/// Real behaviour: after a deploy, the network stack is in sync; someone then opens SSH
/// on the bastion group, makes a public subnet assign public IPs and removes the rule
/// letting Lambda reach Redis — each shows with expected and actual values, exit 2.
/// The other nine stacks cannot be created on moto (see the module comment): they are
/// reported missing, which is drift too.
#[tokio::test(flavor = "multi_thread")]
async fn drift_of_dev_on_the_local_aws_finds_out_of_band_changes() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let client = Client::new(&config);
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let rendered = render_env("dev", Format::Json);
    let template = create_network(&client, &rendered).await;
    let ids = physical_ids(&client, "matbakh-dev-network").await;
    settle_egress_as_aws_does(&ec2, &template, &ids).await;

    // As deployed: the network stack is in sync, and says how much it did not check.
    let o = moto.cli(&["drift", "--env", "dev"], &repo_root());
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "nine stacks are missing: {out}");
    let network_line = out.lines().find(|l| l.starts_with("matbakh-dev-network: ")).unwrap();
    assert!(network_line.starts_with("matbakh-dev-network: in sync ("), "{out}");
    assert!(network_line.contains(" not checked)"), "{network_line}");
    assert_eq!(out.matches("the stack does not exist; run apply").count(), 9, "{out}");
    assert_eq!(out.matches("CloudFormation drift detection is not supported by this endpoint").count(), 1, "{out}");
    // moto's placeholders (standalone egress rules) are said to be unchecked, and why.
    assert!(out.contains("the local AWS does not emulate AWS::EC2::SecurityGroupEgress"), "{out}");

    let o = moto.cli(&["drift", "--env", "dev", "--output", "json"], &repo_root());
    let before: Value = serde_json::from_slice(&o.stdout).expect("drift JSON");
    assert_eq!(before["format_version"], 1);
    assert_eq!(resource(&before, "network", "BastionSecurityGroup")["status"], "in_sync");
    assert_eq!(resource(&before, "network", "PublicSubnet1")["status"], "in_sync");
    assert_eq!(resource(&before, "network", "RedisIngressFromLambda")["status"], "in_sync");
    assert_eq!(resource(&before, "network", "Vpc")["status"], "in_sync");
    let network = before["stacks"].as_array().unwrap().iter().find(|s| s["id"] == "network").unwrap();
    assert!(network["template"]["changes"]["resources"].as_array().unwrap().is_empty(), "no template drift");

    // Out of band.
    use aws_sdk_ec2::types::{AttributeBooleanValue, IpPermission, IpRange, UserIdGroupPair};
    ec2.authorize_security_group_ingress()
        .group_id(&ids["BastionSecurityGroup"])
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("203.0.113.0/24").description("temporary").build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    ec2.modify_subnet_attribute()
        .subnet_id(&ids["PublicSubnet1"])
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .unwrap();
    ec2.revoke_security_group_ingress()
        .group_id(&ids["RedisSecurityGroup"])
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(6379)
                .to_port(6379)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&ids["LambdaSecurityGroup"]).build())
                .build(),
        )
        .send()
        .await
        .unwrap();

    let o = moto.cli(&["drift", "--env", "dev", "--output", "json"], &repo_root());
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let after: Value = serde_json::from_slice(&o.stdout).unwrap();
    let bastion = resource(&after, "network", "BastionSecurityGroup");
    assert_eq!(bastion["status"], "modified");
    assert_eq!(bastion["differences"][0]["property"], "SecurityGroupIngress");
    assert!(bastion["differences"][0].get("expected").is_none(), "an extra rule: nothing expected");
    assert_eq!(
        bastion["differences"][0]["actual"],
        json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24"})
    );
    let subnet = resource(&after, "network", "PublicSubnet1");
    assert_eq!(subnet["status"], "modified");
    assert_eq!(
        subnet["differences"],
        json!([{"property": "MapPublicIpOnLaunch", "expected": false, "actual": true, "source": "service_api"}])
    );
    let rule = resource(&after, "network", "RedisIngressFromLambda");
    assert_eq!(rule["status"], "deleted");
    assert!(rule["detail"].as_str().unwrap().contains(&ids["RedisSecurityGroup"]), "{rule}");
    assert_eq!(after["summary"]["modified"], 2);
    assert_eq!(after["summary"]["deleted"], 1);

    // The human and markdown views carry the same, grouped by stack.
    let o = moto.cli(&["drift", "--env", "dev"], &repo_root());
    let out = text(&o);
    assert!(out.contains("matbakh-dev-network: drift — 2 modified, 1 deleted ("), "{out}");
    assert!(out.contains("[~] AWS::EC2::SecurityGroup BastionSecurityGroup"), "{out}");
    assert!(
        out.contains("actual:   {\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"CidrIp\":\"203.0.113.0/24\"}"),
        "{out}"
    );
    assert!(out.contains("[-] AWS::EC2::SecurityGroupIngress RedisIngressFromLambda"), "{out}");
    let o = moto.cli(&["drift", "--env", "dev", "--output", "markdown"], &repo_root());
    assert_eq!(o.status.code(), Some(2));
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        md.contains(
            "| `network` | `PublicSubnet1` | AWS::EC2::Subnet | modified | `MapPublicIpOnLaunch` | `false` | `true` |"
        ),
        "{md}"
    );

    // A reviewed ignore file accepts the SSH range; the rest is still drift; a stale entry warns.
    let ws = workspace();
    let ignore = ws.path().join("drift-ignore.yaml");
    std::fs::write(
        &ignore,
        "- stack: network\n  resource: BastionSecurityGroup\n  property: SecurityGroupIngress\n  reason: migration weekend, OPS-412\n\
         - stack: network\n  resource: Vpc\n  reason: nothing to accept here\n",
    )
    .unwrap();
    let o = moto.cli(&["drift", "--env", "dev", "--output", "json", "--ignore", ignore.to_str().unwrap()], ws.path());
    assert_eq!(o.status.code(), Some(2));
    let ignored: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(resource(&ignored, "network", "BastionSecurityGroup")["status"], "in_sync");
    assert_eq!(
        resource(&ignored, "network", "BastionSecurityGroup")["ignored"][0]["reason"],
        "migration weekend, OPS-412"
    );
    assert_eq!(ignored["summary"]["modified"], 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("Vpc matches no difference (stale"), "{}", text(&o));

    // Drift changed nothing: same rules as before the runs, no stacks made.
    let stacks = client.list_stacks().send().await.unwrap();
    assert_eq!(stacks.stack_summaries().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_endpoint_is_an_error_with_exit_status_1() {
    let o = common::run_against_unreachable_endpoint(&["drift", "--env", "dev"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Connection refused") && err.contains("check the endpoint"), "{err}");
}

// ---------------------------------------------------------------------------------
// Library level: service-API readers against moto, CloudFormation stood in for.

/// A stack "deployed as rendered" whose resources were created through the service APIs.
struct Stood {
    stack: LiveStack,
    body: String,
    resources: Vec<StackResource>,
}

/// CloudFormation: the stood-in stacks from memory, everything else from moto.
struct Hybrid {
    real: SdkCloudFormation,
    stood: BTreeMap<String, Stood>,
}

impl Hybrid {
    /// Stands in for `stack_id` of `rendered`, deployed with `physical` ids (logical →
    /// physical; resources not named are not listed), exporting what those ids resolve.
    fn stand_in(&mut self, rendered: &Rendered, stack_id: &str, physical: &[(&str, String)]) {
        let s = rendered.stack(stack_id).unwrap();
        let template: Value = serde_json::from_str(&s.body).unwrap();
        let resources: Vec<StackResource> = physical
            .iter()
            .map(|(logical, id)| StackResource {
                logical_id: (*logical).to_owned(),
                physical_id: id.clone(),
                resource_type: template["Resources"][*logical]["Type"].as_str().unwrap().to_owned(),
                status: "CREATE_COMPLETE".into(),
            })
            .collect();
        let scope = Scope {
            region: REGION.into(),
            account_id: ACCOUNT.into(),
            partition: "aws".into(),
            resources: resources
                .iter()
                .map(|r| (r.logical_id.clone(), (r.resource_type.clone(), r.physical_id.clone())))
                .collect(),
            ..Scope::default()
        };
        let outputs = template["Outputs"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(key, o)| {
                let value = scope.resolve(&o["Value"]).ok()?;
                Some(LiveOutput {
                    key: key.clone(),
                    value: value.as_str()?.to_owned(),
                    export_name: o["Export"]["Name"].as_str().map(str::to_owned),
                })
            })
            .collect();
        let stack = LiveStack {
            name: s.name.clone(),
            id: format!("arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{}/1", s.name),
            status: "CREATE_COMPLETE".into(),
            status_reason: None,
            last_updated: "2026-11-20T10:00:00Z".into(),
            parameters: template["Parameters"]
                .as_object()
                .map(|p| p.iter().map(|(k, v)| (k.clone(), v["Default"].as_str().unwrap().to_owned())).collect())
                .unwrap_or_default(),
            outputs,
            tags: BTreeMap::new(),
            termination_protection: false,
        };
        self.stood.insert(s.name.clone(), Stood { stack, body: s.body.clone(), resources });
    }
}

impl CloudFormationApi for Hybrid {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        match self.stood.get(name) {
            Some(s) => Ok(Some(s.stack.clone())),
            None => self.real.describe_stack(name).await,
        }
    }
    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        match self.stood.get(name) {
            Some(s) => Ok(s.body.clone()),
            None => self.real.get_template(name).await,
        }
    }
    async fn create_change_set(&self, _: ChangeSetRequest) -> Result<String, AwsError> {
        panic!("drift must never create a change set")
    }
    async fn describe_change_set(&self, _: &str) -> Result<ChangeSet, AwsError> {
        panic!("drift must never read change sets")
    }
    async fn delete_change_set(&self, _: &str) -> Result<(), AwsError> {
        panic!("drift must never delete anything")
    }
}

impl StackDriftApi for Hybrid {
    async fn list_stack_resources(&self, stack: &str) -> Result<Vec<StackResource>, AwsError> {
        match self.stood.get(stack) {
            Some(s) => Ok(s.resources.clone()),
            None => self.real.list_stack_resources(stack).await,
        }
    }
    // Drift detection goes to moto, which does not implement it.
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, AwsError> {
        self.real.detect_stack_drift(stack).await
    }
    async fn describe_drift_detection(&self, id: &str) -> Result<DriftDetection, AwsError> {
        self.real.describe_drift_detection(id).await
    }
    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDriftResult>, AwsError> {
        self.real.describe_resource_drifts(stack).await
    }
}

struct Local {
    moto: Moto,
    config: aws_config::SdkConfig,
    rendered: Rendered,
    network: BTreeMap<String, String>,
    cfn: Hybrid,
}

impl Local {
    async fn start() -> Local {
        let moto = Moto::start();
        let config = moto.sdk_config().await;
        let rendered = render_env("dev", Format::Json);
        let client = Client::new(&config);
        create_network(&client, &rendered).await;
        let network = physical_ids(&client, "matbakh-dev-network").await;
        let cfn = Hybrid { real: SdkCloudFormation::new(&config), stood: BTreeMap::new() };
        Local { moto, config, rendered, network, cfn }
    }

    fn template(&self, stack: &str) -> Value {
        serde_json::from_str(&self.rendered.stack(stack).unwrap().body).unwrap()
    }

    async fn drift(&self) -> DriftReport {
        let reader = SdkReaders::new(&self.config);
        make_drift(&self.cfn, &self.cfn, &reader, &self.rendered, &DriftOptions::default()).await.expect("drift runs")
    }

    /// Creates a KMS key as the security template declares `logical`; returns its id.
    async fn create_key(&self, logical: &str) -> String {
        let kms = aws_sdk_kms::Client::new(&self.config);
        let p = &self.template("security")["Resources"][logical]["Properties"];
        let scope =
            Scope { region: REGION.into(), account_id: ACCOUNT.into(), partition: "aws".into(), ..Scope::default() };
        let policy = scope.resolve(&p["KeyPolicy"]).unwrap();
        let id = kms
            .create_key()
            .description(p["Description"].as_str().unwrap())
            .policy(policy.to_string())
            .send()
            .await
            .unwrap()
            .key_metadata()
            .unwrap()
            .key_id()
            .to_owned();
        kms.enable_key_rotation()
            .key_id(&id)
            .rotation_period_in_days(p["RotationPeriodInDays"].as_i64().unwrap() as i32)
            .send()
            .await
            .unwrap();
        id
    }
}

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{id}")
}

fn drift_of<'a>(report: &'a DriftReport, stack: &str, logical: &str) -> &'a ResourceDrift {
    let s = report.stacks.iter().find(|s| s.id == stack).unwrap();
    s.resources.iter().find(|r| r.logical_id == logical).unwrap()
}

fn all_outputs(report: &DriftReport) -> String {
    format!("{}{}{}", render::human(report, &Style::plain()), render::markdown(report), report.to_json())
}

/// Real behaviour: the security stack's keys and secrets as CloudFormation creates
/// them (moto cannot: `AWS::KMS::Key` with `Tags` crashes it and secrets are
/// placeholders). Then someone turns key rotation off and deletes a secret.
/// Secret values are never read, so never printed.
#[tokio::test(flavor = "multi_thread")]
async fn keys_and_secrets_drift_is_found_and_secret_values_never_appear() {
    let mut local = Local::start().await;
    let security = local.template("security");
    let rds_key = local.create_key("RdsKey").await;
    let lambda_key = local.create_key("LambdaKey").await;
    let sm = aws_sdk_secretsmanager::Client::new(&local.config);
    let mut secret_values = Vec::new();
    let mut physical = vec![("RdsKey", rds_key.clone()), ("LambdaKey", lambda_key.clone())];
    for (logical, key) in [
        ("RdsCredentialsSecret", &rds_key),
        ("ExternalApiKeysSecret", &lambda_key),
        ("RedisAuthTokenSecret", &lambda_key),
    ] {
        let p = &security["Resources"][logical]["Properties"];
        let value = format!("{{\"password\":\"drift-test-secret-{logical}-Zq81x\"}}");
        let arn = sm
            .create_secret()
            .name(p["Name"].as_str().unwrap())
            .description(p["Description"].as_str().unwrap())
            .kms_key_id(key_arn(key))
            .secret_string(&value)
            .send()
            .await
            .unwrap()
            .arn()
            .unwrap()
            .to_owned();
        secret_values.push(value);
        physical.push((logical, arn));
    }
    local.cfn.stand_in(&local.rendered, "security", &physical);

    let report = local.drift().await;
    for (logical, _) in &physical {
        let r = drift_of(&report, "security", logical);
        assert_eq!(r.status, ResourceStatus::InSync, "{logical}: {r:?}");
        assert!(r.compared >= 3, "{logical}: {r:?}");
    }
    // moto reports no rotation period: said, not guessed.
    assert!(
        drift_of(&report, "security", "RdsKey").not_compared.iter().any(|n| n.property == "RotationPeriodInDays"),
        "{:?}",
        drift_of(&report, "security", "RdsKey")
    );

    let kms = aws_sdk_kms::Client::new(&local.config);
    kms.disable_key_rotation().key_id(&rds_key).send().await.unwrap();
    let external = &physical.iter().find(|(l, _)| *l == "ExternalApiKeysSecret").unwrap().1;
    sm.delete_secret().secret_id(external).force_delete_without_recovery(true).send().await.unwrap();

    let report = local.drift().await;
    assert_eq!(exit_status(&report), 2);
    let key = drift_of(&report, "security", "RdsKey");
    assert_eq!(key.status, ResourceStatus::Modified);
    assert_eq!(key.differences.len(), 1, "{key:?}");
    assert_eq!(key.differences[0].property, "EnableKeyRotation");
    assert_eq!(key.differences[0].expected, Some(json!(true)));
    assert_eq!(key.differences[0].actual, Some(json!(false)));
    assert!(matches!(drift_of(&report, "security", "ExternalApiKeysSecret").status, ResourceStatus::Deleted { .. }));
    assert_eq!(drift_of(&report, "security", "LambdaKey").status, ResourceStatus::InSync);
    let out = all_outputs(&report);
    for value in &secret_values {
        assert!(!out.contains(value.as_str()), "a secret value reached an output");
        assert!(!out.contains("drift-test-secret-"), "a secret value reached an output");
    }
    drop(local.moto);
}

/// Real behaviour: the data stack's database as CloudFormation creates it (moto cannot:
/// a DBInstance with a Ref'd DBParameterGroup crashes it). Then someone changes the
/// backup retention by hand (ModifyDBInstance applies at once).
#[tokio::test(flavor = "multi_thread")]
async fn a_database_changed_by_hand_shows_expected_and_actual() {
    let mut local = Local::start().await;
    let rds_key = local.create_key("RdsKey").await;
    local.cfn.stand_in(&local.rendered, "security", &[("RdsKey", rds_key.clone())]);
    let data = local.template("data");
    let p = &data["Resources"]["Database"]["Properties"];
    let rds = aws_sdk_rds::Client::new(&local.config);
    let params = data["Resources"]["PostgresParameters"]["Properties"].clone();
    rds.create_db_parameter_group()
        .db_parameter_group_name("matbakh-dev-postgresparameters-1")
        .db_parameter_group_family(params["Family"].as_str().unwrap())
        .description(params["Description"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let subnets: Vec<String> = (1..=3).map(|i| local.network[&format!("DatabaseSubnet{i}")].clone()).collect();
    rds.create_db_subnet_group()
        .db_subnet_group_name("matbakh-dev-databasesubnetgroup-1")
        .db_subnet_group_description("matbakh dev database subnets")
        .set_subnet_ids(Some(subnets))
        .send()
        .await
        .unwrap();
    let s = |k: &str| p[k].as_str().unwrap().to_owned();
    let i = |k: &str| p[k].as_i64().or_else(|| p[k].as_str().and_then(|v| v.parse().ok())).unwrap() as i32;
    let b = |k: &str| p[k].as_bool().unwrap();
    rds.create_db_instance()
        .db_instance_identifier(s("DBInstanceIdentifier"))
        .db_instance_class(s("DBInstanceClass"))
        .engine(s("Engine"))
        .engine_version(s("EngineVersion"))
        .db_name(s("DBName"))
        .master_username("matbakh_app")
        .master_user_password("never-printed-Pw-8842")
        .allocated_storage(i("AllocatedStorage"))
        .max_allocated_storage(i("MaxAllocatedStorage"))
        .storage_type(s("StorageType"))
        .backup_retention_period(i("BackupRetentionPeriod"))
        .preferred_backup_window(s("PreferredBackupWindow"))
        .preferred_maintenance_window(s("PreferredMaintenanceWindow"))
        .multi_az(b("MultiAZ"))
        .storage_encrypted(b("StorageEncrypted"))
        .kms_key_id(key_arn(&rds_key))
        .deletion_protection(b("DeletionProtection"))
        .publicly_accessible(b("PubliclyAccessible"))
        .auto_minor_version_upgrade(b("AutoMinorVersionUpgrade"))
        .copy_tags_to_snapshot(b("CopyTagsToSnapshot"))
        .monitoring_interval(i("MonitoringInterval"))
        .monitoring_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/matbakh-dev-enhancedmonitoringrole-1"))
        .enable_performance_insights(b("EnablePerformanceInsights"))
        .set_enable_cloudwatch_logs_exports(Some(vec!["postgresql".into(), "upgrade".into()]))
        .availability_zone("eu-central-1a")
        .db_parameter_group_name("matbakh-dev-postgresparameters-1")
        .db_subnet_group_name("matbakh-dev-databasesubnetgroup-1")
        .vpc_security_group_ids(&local.network["RdsSecurityGroup"])
        .port(i("Port"))
        .send()
        .await
        .unwrap();
    local.cfn.stand_in(
        &local.rendered,
        "data",
        &[
            ("Database", s("DBInstanceIdentifier")),
            ("PostgresParameters", "matbakh-dev-postgresparameters-1".into()),
            ("DatabaseSubnetGroup", "matbakh-dev-databasesubnetgroup-1".into()),
            ("EnhancedMonitoringRole", "matbakh-dev-enhancedmonitoringrole-1".into()),
        ],
    );

    let report = local.drift().await;
    let db = drift_of(&report, "data", "Database");
    assert_eq!(db.status, ResourceStatus::InSync, "{db:?}");
    assert!(db.compared >= 20, "{db:?}");

    rds.modify_db_instance()
        .db_instance_identifier(s("DBInstanceIdentifier"))
        .backup_retention_period(7)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    let report = local.drift().await;
    let db = drift_of(&report, "data", "Database");
    assert_eq!(db.status, ResourceStatus::Modified);
    assert_eq!(db.differences.len(), 1, "{db:?}");
    assert_eq!(db.differences[0].property, "BackupRetentionPeriod");
    assert_eq!(db.differences[0].expected, Some(json!(1)));
    assert_eq!(db.differences[0].actual, Some(json!(7)));
    assert!(!all_outputs(&report).contains("never-printed-Pw-8842"));
}

/// Creates an IAM role on moto with the Query API (this crate has no IAM SDK; moto
/// does not check signatures). Lambda on moto refuses a role that does not exist.
fn create_role(endpoint: &str, name: &str) {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let body = format!(
        "Action=CreateRole&Version=2010-05-08&RoleName={}&AssumeRolePolicyDocument={}",
        encode(name),
        encode(policy)
    );
    let host = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20261120/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "CreateRole: {answer}");
}

/// Real behaviour: the app stack's function as CloudFormation deploys it from its asset
/// (moto cannot create the app stack: its imports come from stacks it cannot create).
/// Then someone raises the memory by hand. The code hash matches the asset; environment
/// variables are compared by name only and their values never printed.
#[tokio::test(flavor = "multi_thread")]
async fn a_function_changed_by_hand_shows_expected_and_actual() {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{
        Architecture, Environment, FunctionCode, Runtime, TracingConfig, TracingMode, VpcConfig,
    };
    let mut local = Local::start().await;
    let lambda_key = local.create_key("LambdaKey").await;
    local.cfn.stand_in(&local.rendered, "security", &[("LambdaKey", lambda_key.clone())]);
    let app = local.template("app");
    let p = &app["Resources"]["VcStartFunction"]["Properties"];
    let asset_key = p["Code"]["S3Key"].as_str().unwrap();
    let zip = local.rendered.assets.iter().find(|a| a.s3_key == asset_key).expect("the function's asset").bytes.clone();
    create_role(&local.moto.endpoint, "matbakh-dev-app-vcstartrole-1");
    let env_secret = "drift-test-env-value-Kp3Zr9";
    let mut env = Environment::builder();
    for key in p["Environment"]["Variables"].as_object().unwrap().keys() {
        env = env.variables(key, format!("{env_secret}-{key}"));
    }
    let private: Vec<String> = (1..=3).map(|i| local.network[&format!("PrivateSubnet{i}")].clone()).collect();
    let lambda = aws_sdk_lambda::Client::new(&local.config);
    lambda
        .create_function()
        .function_name(p["FunctionName"].as_str().unwrap())
        .description(p["Description"].as_str().unwrap())
        .runtime(Runtime::from(p["Runtime"].as_str().unwrap()))
        .role(format!("arn:aws:iam::{ACCOUNT}:role/matbakh-dev-app-vcstartrole-1"))
        .handler(p["Handler"].as_str().unwrap())
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .memory_size(p["MemorySize"].as_i64().unwrap() as i32)
        .timeout(p["Timeout"].as_i64().unwrap() as i32)
        .architectures(Architecture::from("arm64"))
        .environment(env.build())
        .kms_key_arn(key_arn(&lambda_key))
        .vpc_config(
            VpcConfig::builder()
                .set_subnet_ids(Some(private))
                .security_group_ids(&local.network["LambdaSecurityGroup"])
                .build(),
        )
        .tracing_config(TracingConfig::builder().mode(TracingMode::Active).build())
        .send()
        .await
        .unwrap();
    lambda
        .put_function_concurrency()
        .function_name(p["FunctionName"].as_str().unwrap())
        .reserved_concurrent_executions(p["ReservedConcurrentExecutions"].as_i64().unwrap() as i32)
        .send()
        .await
        .unwrap();
    local.cfn.stand_in(
        &local.rendered,
        "app",
        &[
            ("VcStartFunction", p["FunctionName"].as_str().unwrap().to_owned()),
            ("VcStartRole", "matbakh-dev-app-vcstartrole-1".into()),
        ],
    );

    let report = local.drift().await;
    let f = drift_of(&report, "app", "VcStartFunction");
    assert_eq!(f.status, ResourceStatus::InSync, "{f:?}");
    assert!(f.compared >= 12, "{f:?}");
    // Layers are not listed in this stand-in: not compared, with why.
    assert!(f.not_compared.iter().any(|n| n.property == "Layers"), "{f:?}");

    lambda
        .update_function_configuration()
        .function_name(p["FunctionName"].as_str().unwrap())
        .memory_size(2048)
        .send()
        .await
        .unwrap();
    let report = local.drift().await;
    let f = drift_of(&report, "app", "VcStartFunction");
    assert_eq!(f.status, ResourceStatus::Modified);
    assert_eq!(f.differences.len(), 1, "{f:?}");
    assert_eq!(f.differences[0].property, "MemorySize");
    assert_eq!(f.differences[0].expected, Some(json!(1024)));
    assert_eq!(f.differences[0].actual, Some(json!(2048)));
    let out = all_outputs(&report);
    assert!(!out.contains(env_secret), "an environment value reached an output");
    assert!(out.contains("MemorySize"));
}

/// Real behaviour: the cache, auth and edge stacks' stateful resources as CloudFormation
/// creates them (on moto they are placeholders: created through their APIs here). Then
/// someone raises the snapshot retention, weakens the password policy (UpdateUserPool
/// resets what it is not given, as on AWS) and swaps two WAF rules' order. The Redis
/// AUTH token is never read back, so never printed; moto lacks cache parameter groups,
/// which are reported as not checked, with why.
#[tokio::test(flavor = "multi_thread")]
async fn cache_auth_and_edge_drift_through_their_apis() {
    use aws_sdk_cognitoidentityprovider::types::{
        AliasAttributeType, DeletionProtectionType, LambdaConfigType, PasswordPolicyType, SmsConfigurationType,
        SmsMfaConfigType, SoftwareTokenMfaConfigType, UserPoolMfaType, UserPoolPolicyType, VerifiedAttributeType,
    };
    use aws_sdk_wafv2::types::{
        AllowAction, BlockAction, CountryCode, DefaultAction, GeoMatchStatement, ManagedRuleGroupStatement, NoneAction,
        OverrideAction, RateBasedStatement, RateBasedStatementAggregateKeyType, Rule, RuleAction, Scope as WafScope,
        Statement, VisibilityConfig,
    };
    let mut local = Local::start().await;

    // Cache: the replication group as the template declares it.
    let cache = local.template("cache");
    let p = &cache["Resources"]["RedisCluster"]["Properties"];
    let token = "drift-test-redis-auth-token-Xw93kLq0";
    let ec = aws_sdk_elasticache::Client::new(&local.config);
    let s = |k: &str| p[k].as_str().unwrap().to_owned();
    ec.create_replication_group()
        .replication_group_id(s("ReplicationGroupId"))
        .replication_group_description(s("ReplicationGroupDescription"))
        .engine(s("Engine"))
        .engine_version(s("EngineVersion"))
        .cache_node_type(s("CacheNodeType"))
        .num_node_groups(p["NumNodeGroups"].as_i64().unwrap() as i32)
        .replicas_per_node_group(p["ReplicasPerNodeGroup"].as_i64().unwrap() as i32)
        .automatic_failover_enabled(p["AutomaticFailoverEnabled"].as_bool().unwrap())
        .multi_az_enabled(p["MultiAZEnabled"].as_bool().unwrap())
        .at_rest_encryption_enabled(p["AtRestEncryptionEnabled"].as_bool().unwrap())
        .transit_encryption_enabled(p["TransitEncryptionEnabled"].as_bool().unwrap())
        .auth_token(token)
        .snapshot_retention_limit(p["SnapshotRetentionLimit"].as_i64().unwrap() as i32)
        .snapshot_window(s("SnapshotWindow"))
        .cluster_mode(aws_sdk_elasticache::types::ClusterMode::from(s("ClusterMode").as_str()))
        .port(6379)
        .send()
        .await
        .unwrap();
    local.cfn.stand_in(
        &local.rendered,
        "cache",
        &[("RedisCluster", s("ReplicationGroupId")), ("RedisParameters", "matbakh-dev-redisparameters-1".into())],
    );

    // Auth: the app's live aliases (for the triggers), then the user pool.
    let app = local.template("app");
    let resources = app["Resources"].as_object().unwrap();
    let aliases: Vec<(&str, String)> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Lambda::Alias")
        .map(|(logical, r)| {
            let function = r["Properties"]["FunctionName"]["Ref"].as_str().unwrap();
            let name = resources[function]["Properties"]["FunctionName"].as_str().unwrap();
            (logical.as_str(), format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:live"))
        })
        .collect();
    local.cfn.stand_in(&local.rendered, "app", &aliases);
    let trigger = |f: &str| aliases.iter().find(|(_, arn)| arn.contains(&format!("-{f}:live"))).unwrap().1.clone();
    let auth = local.template("auth");
    let p = &auth["Resources"]["UserPool"]["Properties"];
    let pp = &p["Policies"]["PasswordPolicy"];
    let policy = |min: i32| {
        UserPoolPolicyType::builder()
            .password_policy(
                PasswordPolicyType::builder()
                    .minimum_length(min)
                    .require_uppercase(pp["RequireUppercase"].as_bool().unwrap())
                    .require_lowercase(pp["RequireLowercase"].as_bool().unwrap())
                    .require_numbers(pp["RequireNumbers"].as_bool().unwrap())
                    .require_symbols(pp["RequireSymbols"].as_bool().unwrap())
                    .temporary_password_validity_days(pp["TemporaryPasswordValidityDays"].as_i64().unwrap() as i32)
                    .build(),
            )
            .build()
    };
    let sms = SmsConfigurationType::builder()
        .sns_caller_arn(format!("arn:aws:iam::{ACCOUNT}:role/matbakh-dev-auth-cognitosmsrole-1"))
        .external_id(p["SmsConfiguration"]["ExternalId"].as_str().unwrap())
        .sns_region(REGION)
        .build();
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&local.config);
    let pool = cognito
        .create_user_pool()
        .pool_name(p["UserPoolName"].as_str().unwrap())
        .policies(policy(pp["MinimumLength"].as_i64().unwrap() as i32))
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .alias_attributes(AliasAttributeType::Email)
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_configuration(sms.clone())
        .lambda_config(
            LambdaConfigType::builder()
                .pre_sign_up(trigger("pre-sign-up"))
                .post_confirmation(trigger("post-confirmation"))
                .pre_authentication(trigger("pre-authentication"))
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    cognito
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .sms_mfa_configuration(SmsMfaConfigType::builder().sms_configuration(sms).build())
        .software_token_mfa_configuration(SoftwareTokenMfaConfigType::builder().enabled(true).build())
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    local.cfn.stand_in(&local.rendered, "auth", &[("UserPool", pool_id.clone())]);

    // Edge: the web ACL with the template's rules.
    let edge = local.template("edge");
    let p = &edge["Resources"]["ApiWebAcl"]["Properties"];
    let visibility = |name: &str| {
        VisibilityConfig::builder()
            .sampled_requests_enabled(true)
            .cloud_watch_metrics_enabled(true)
            .metric_name(name)
            .build()
            .unwrap()
    };
    let rule = |r: &Value, priority: i32| {
        let st = &r["Statement"];
        let statement = if let Some(m) = st.get("ManagedRuleGroupStatement") {
            Statement::builder().managed_rule_group_statement(
                ManagedRuleGroupStatement::builder()
                    .vendor_name(m["VendorName"].as_str().unwrap())
                    .name(m["Name"].as_str().unwrap())
                    .build()
                    .unwrap(),
            )
        } else if let Some(rb) = st.get("RateBasedStatement") {
            Statement::builder().rate_based_statement(
                RateBasedStatement::builder()
                    .limit(rb["Limit"].as_i64().unwrap())
                    .aggregate_key_type(RateBasedStatementAggregateKeyType::Ip)
                    .build()
                    .unwrap(),
            )
        } else {
            let codes = st["GeoMatchStatement"]["CountryCodes"].as_array().unwrap();
            Statement::builder().geo_match_statement(
                GeoMatchStatement::builder()
                    .set_country_codes(Some(codes.iter().map(|c| CountryCode::from(c.as_str().unwrap())).collect()))
                    .build(),
            )
        };
        let name = r["Name"].as_str().unwrap();
        let b = Rule::builder()
            .name(name)
            .priority(priority)
            .statement(statement.build())
            .visibility_config(visibility(name));
        let b = if r.get("OverrideAction").is_some() {
            b.override_action(OverrideAction::builder().none(NoneAction::builder().build()).build())
        } else {
            b.action(RuleAction::builder().block(BlockAction::builder().build()).build())
        };
        b.build().unwrap()
    };
    let declared = p["Rules"].as_array().unwrap();
    let rules = |swap: bool| -> Vec<Rule> {
        declared
            .iter()
            .map(|r| {
                let mut priority = r["Priority"].as_i64().unwrap() as i32;
                if swap && priority >= 3 {
                    priority = 7 - priority; // RateLimitRule 3 ↔ GeoBlockRule 4
                }
                rule(r, priority)
            })
            .collect()
    };
    let waf = aws_sdk_wafv2::Client::new(&local.config);
    let name = p["Name"].as_str().unwrap();
    let created = waf
        .create_web_acl()
        .name(name)
        .description(p["Description"].as_str().unwrap())
        .scope(WafScope::Regional)
        .default_action(DefaultAction::builder().allow(AllowAction::builder().build()).build())
        .visibility_config(visibility(name))
        .set_rules(Some(rules(false)))
        .send()
        .await
        .unwrap();
    let acl_id = created.summary().unwrap().id().unwrap().to_owned();
    local.cfn.stand_in(&local.rendered, "edge", &[("ApiWebAcl", format!("{name}|{acl_id}|REGIONAL"))]);

    let report = local.drift().await;
    let redis = drift_of(&report, "cache", "RedisCluster");
    assert_eq!(redis.status, ResourceStatus::InSync, "{redis:?}");
    assert!(redis.compared >= 10, "{redis:?}");
    // moto has no member clusters: engine version and security groups are said unread.
    assert!(redis.not_compared.iter().any(|n| n.property == "EngineVersion"), "{redis:?}");
    assert!(
        matches!(&drift_of(&report, "cache", "RedisParameters").status,
            ResourceStatus::NotChecked { reason } if reason.contains("does not implement DescribeCacheParameters")),
        "{:?}",
        drift_of(&report, "cache", "RedisParameters")
    );
    let pool = drift_of(&report, "auth", "UserPool");
    assert_eq!(pool.status, ResourceStatus::InSync, "{pool:?}");
    assert!(pool.compared >= 8, "{pool:?}");
    let acl = drift_of(&report, "edge", "ApiWebAcl");
    assert_eq!(acl.status, ResourceStatus::InSync, "{acl:?}");
    assert_eq!(acl.compared, 4, "{acl:?}");

    // Out of band.
    ec.modify_replication_group()
        .replication_group_id(s("ReplicationGroupId"))
        .snapshot_retention_limit(5)
        .apply_immediately(true)
        .send()
        .await
        .unwrap();
    cognito.update_user_pool().user_pool_id(&pool_id).policies(policy(6)).send().await.unwrap();
    let lock = waf
        .get_web_acl()
        .name(name)
        .id(&acl_id)
        .scope(WafScope::Regional)
        .send()
        .await
        .unwrap()
        .lock_token()
        .unwrap()
        .to_owned();
    waf.update_web_acl()
        .name(name)
        .id(&acl_id)
        .scope(WafScope::Regional)
        .lock_token(lock)
        .default_action(DefaultAction::builder().allow(AllowAction::builder().build()).build())
        .visibility_config(visibility(name))
        .set_rules(Some(rules(true)))
        .send()
        .await
        .unwrap();

    let report = local.drift().await;
    let redis = drift_of(&report, "cache", "RedisCluster");
    assert_eq!(redis.status, ResourceStatus::Modified);
    assert_eq!(redis.differences.len(), 1, "{redis:?}");
    assert_eq!(redis.differences[0].property, "SnapshotRetentionLimit");
    assert_eq!(
        (redis.differences[0].expected.clone(), redis.differences[0].actual.clone()),
        (Some(json!(1)), Some(json!(5)))
    );
    let pool = drift_of(&report, "auth", "UserPool");
    assert_eq!(pool.status, ResourceStatus::Modified);
    let policies = pool.differences.iter().find(|d| d.property == "Policies").expect("password policy drift");
    assert_eq!(policies.expected.as_ref().unwrap()["PasswordPolicy"]["MinimumLength"], 8);
    assert_eq!(policies.actual.as_ref().unwrap()["PasswordPolicy"]["MinimumLength"], 6);
    let acl = drift_of(&report, "edge", "ApiWebAcl");
    assert_eq!(acl.status, ResourceStatus::Modified);
    let changed: Vec<&str> = acl.differences.iter().map(|d| d.property.as_str()).collect();
    assert_eq!(changed, ["Rules[RateLimitRule]", "Rules[GeoBlockRule]"], "{acl:?}");
    assert_eq!(acl.differences[0].expected.as_ref().unwrap()["Priority"], 3);
    assert_eq!(acl.differences[0].actual.as_ref().unwrap()["Priority"], 4);
    assert!(!all_outputs(&report).contains(token), "the AUTH token reached an output");
}
