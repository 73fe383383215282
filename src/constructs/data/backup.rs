//! §2's "35 days manual" backups: AWS Backup takes a daily snapshot of the primary and
//! keeps it `snapshot_retention_days` in the environment's vault, beyond the 1-35 days
//! RDS keeps its automated backups.
//!
//! The vault is encrypted with the RDS key: AWS Backup does not fully manage RDS, so an
//! RDS snapshot keeps the key of its instance whatever the vault's key is; a key of
//! its own would encrypt nothing of this vault and cost a key.

use crate::cfn::resources::backup::{
    BackupPlan, BackupRule, BackupSelection, BackupVault, Lifecycle, PlanDocument, Selection,
};
use crate::cfn::resources::iam::{Role, managed_policy, service_trust};
use crate::cfn::resources::rds::DbInstance;
use crate::cfn::resources::tag_map;
use crate::cfn::{DeletionPolicy, Handle, ResourceOptions, Str, Template};

use super::super::context::Context;

/// Daily at 00:00 UTC: three hours before the RDS backup window of every environment
/// (03:00-04:00), and done before the ETL job reads the primary at 02:00.
pub const SCHEDULE: &str = "cron(0 0 * * ? *)";
/// AWS Backup's smallest start window.
pub const START_WINDOW_MINUTES: u32 = 60;
/// A snapshot of the primary takes minutes; a job still running after three hours is
/// cancelled instead of overlapping the RDS backup window.
pub const COMPLETION_WINDOW_MINUTES: u32 = 180;

/// Adds the vault (under `key_arn`), the plan and the selection of `primary`.
pub fn add(ctx: &Context, t: &mut Template, primary: &Handle<DbInstance>, key_arn: Str) {
    let days = ctx.env.database.backup.snapshot_retention_days;
    let tags = || tag_map(ctx.tags("backup"));
    // Retain: deleting the stack must not take the recovery points with it (and AWS
    // Backup refuses to delete a vault that holds any).
    let vault = t.add_with(
        "BackupVault",
        BackupVault { backup_vault_name: ctx.name("rds"), encryption_key_arn: key_arn, backup_vault_tags: tags() },
        ResourceOptions::keep(DeletionPolicy::Retain),
    );
    let plan = t.add(
        "BackupPlan",
        BackupPlan {
            backup_plan: PlanDocument {
                backup_plan_name: ctx.name("rds"),
                backup_plan_rule: vec![BackupRule {
                    rule_name: format!("daily-{days}-days"),
                    target_backup_vault: vault.r#ref(),
                    schedule_expression: SCHEDULE.into(),
                    start_window_minutes: START_WINDOW_MINUTES,
                    completion_window_minutes: COMPLETION_WINDOW_MINUTES,
                    lifecycle: Lifecycle { delete_after_days: days },
                    recovery_point_tags: tags(),
                }],
            },
            backup_plan_tags: tags(),
        },
    );
    let role = t.add(
        "BackupRole",
        Role {
            role_name: None,
            description: format!("matbakh {}: AWS Backup snapshots the primary database", ctx.env.name),
            assume_role_policy_document: service_trust("backup.amazonaws.com"),
            managed_policy_arns: vec![managed_policy("service-role/AWSBackupServiceRolePolicyForBackup")],
            policies: Vec::new(),
            tags: ctx.tags("backup"),
        },
    );
    t.add(
        "BackupSelection",
        BackupSelection {
            backup_plan_id: plan.r#ref(),
            backup_selection: Selection {
                selection_name: ctx.name("primary"),
                iam_role_arn: role.arn(),
                resources: vec![Str::arn("rds", Str::concat([Str::lit("db:"), primary.r#ref()]))],
            },
        },
    );
}
