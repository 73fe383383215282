//! The `data` stack keeps §2's "35 days manual" backups: AWS Backup snapshots the
//! primary daily into a vault encrypted with the RDS key and keeps each snapshot for the
//! environment's `snapshot_retention_days` (default 35).

mod common;

use common::stacks::{resources_of_type, templates};
use common::{ENVIRONMENTS, load_env};
use serde_json::{Value, json};

fn data(env: &str) -> Value {
    templates(env).remove("data").unwrap()
}

#[test]
fn the_vault_is_encrypted_with_the_rds_key_and_kept() {
    for env in ENVIRONMENTS {
        let t = data(env);
        let vaults = resources_of_type(&t, "AWS::Backup::BackupVault");
        assert_eq!(vaults.len(), 1, "{env}");
        let (id, vault) = vaults[0];
        assert_eq!(id, "BackupVault");
        assert_eq!(vault["DeletionPolicy"], "Retain", "{env}: recovery points outlive the stack");
        let p = &vault["Properties"];
        assert_eq!(p["BackupVaultName"], format!("matbakh-{env}-rds"));
        assert_eq!(p["EncryptionKeyArn"], json!({"Fn::ImportValue": format!("matbakh-{env}-security-RdsKeyArn")}));
        assert_eq!(
            p["EncryptionKeyArn"], t["Resources"]["Database"]["Properties"]["KmsKeyId"],
            "{env}: the primary's own key"
        );
        assert_eq!(p["BackupVaultTags"]["environment"], env);
    }
}

#[test]
fn the_plan_takes_a_daily_snapshot_kept_for_the_configured_days() {
    for env in ENVIRONMENTS {
        let t = data(env);
        let days = load_env(env).database.backup.snapshot_retention_days;
        let plan = &t["Resources"]["BackupPlan"]["Properties"]["BackupPlan"];
        assert_eq!(plan["BackupPlanName"], format!("matbakh-{env}-rds"));
        let rules = plan["BackupPlanRule"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "{env}");
        let rule = &rules[0];
        assert_eq!(rule["RuleName"], format!("daily-{days}-days"));
        assert_eq!(rule["TargetBackupVault"], json!({"Ref": "BackupVault"}));
        assert_eq!(rule["ScheduleExpression"], "cron(0 0 * * ? *)", "{env}: daily");
        assert_eq!(rule["StartWindowMinutes"], 60);
        assert_eq!(rule["CompletionWindowMinutes"], 180);
        assert_eq!(rule["Lifecycle"], json!({"DeleteAfterDays": days}));
    }
    // §2: 35 days; dev keeps fewer.
    let days = |env: &str| load_env(env).database.backup.snapshot_retention_days;
    assert_eq!((days("prod"), days("staging"), days("dev")), (35, 35, 7));
}

#[test]
fn the_selection_is_the_primary_backed_up_by_a_role_with_the_aws_backup_policy() {
    for env in ENVIRONMENTS {
        let t = data(env);
        let selection = &t["Resources"]["BackupSelection"]["Properties"];
        assert_eq!(selection["BackupPlanId"], json!({"Ref": "BackupPlan"}));
        let body = &selection["BackupSelection"];
        assert_eq!(body["SelectionName"], format!("matbakh-{env}-primary"));
        assert_eq!(body["IamRoleArn"], json!({"Fn::GetAtt": ["BackupRole", "Arn"]}));
        assert_eq!(
            body["Resources"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:${Database}"}]),
            "{env}: the primary only, not the replicas"
        );
        let role = &t["Resources"]["BackupRole"]["Properties"];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
            json!({"Service": "backup.amazonaws.com"})
        );
        assert_eq!(
            role["ManagedPolicyArns"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"}])
        );
        assert!(role.get("Policies").is_none_or(|p| p.as_array().unwrap().is_empty()));
    }
}
