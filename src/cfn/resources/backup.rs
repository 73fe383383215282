//! `AWS::Backup::*`: a vault, a plan of backup rules, and the selection of resources a
//! plan backs up.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cfn::{Resource, Str};

/// `Ref` returns the vault name.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupVault {
    /// 2-50 of `a-zA-Z0-9-_`; createOnly.
    pub backup_vault_name: String,
    /// The KMS key of the vault's recovery points; createOnly.
    pub encryption_key_arn: Str,
    /// A `{key: value}` object.
    pub backup_vault_tags: BTreeMap<String, Str>,
}
impl Resource for BackupVault {
    const TYPE: &'static str = "AWS::Backup::BackupVault";
}

/// `Ref` returns the plan id.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupPlan {
    pub backup_plan: PlanDocument,
    /// A `{key: value}` object.
    pub backup_plan_tags: BTreeMap<String, Str>,
}
impl Resource for BackupPlan {
    const TYPE: &'static str = "AWS::Backup::BackupPlan";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PlanDocument {
    pub backup_plan_name: String,
    pub backup_plan_rule: Vec<BackupRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupRule {
    pub rule_name: String,
    /// The vault's name.
    pub target_backup_vault: Str,
    /// `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, in UTC.
    pub schedule_expression: String,
    /// Minutes after the scheduled time within which a job must start (at least 60).
    pub start_window_minutes: u32,
    /// Minutes after the start within which a job must finish, else AWS Backup cancels it.
    pub completion_window_minutes: u32,
    pub lifecycle: Lifecycle,
    /// Tags every recovery point of the rule gets.
    pub recovery_point_tags: BTreeMap<String, Str>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Lifecycle {
    /// Days after creation when a recovery point is deleted.
    pub delete_after_days: u32,
}

/// `Ref` returns the selection id. Every property is createOnly: a change replaces it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BackupSelection {
    pub backup_plan_id: Str,
    pub backup_selection: Selection,
}
impl Resource for BackupSelection {
    const TYPE: &'static str = "AWS::Backup::BackupSelection";
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Selection {
    /// `a-zA-Z0-9-_.:`
    pub selection_name: String,
    /// The role AWS Backup assumes to back the resources up.
    pub iam_role_arn: Str,
    /// ARNs of the resources backed up.
    pub resources: Vec<Str>,
}
