//! The `data` stack (§2): RDS PostgreSQL, Multi-AZ, encrypted with the RDS key, TLS
//! enforced, `pg_cron` loaded, credentials from Secrets Manager, the read replicas, and
//! AWS Backup's daily snapshots of the primary ([`backup`]), and the primary's role for
//! invoking the cache invalidator ([`cache_invalidation`], §6).

mod backup;
pub mod cache_invalidation;

use std::collections::BTreeMap;

use crate::cfn::resources::iam::{Role, managed_policy, service_trust};
use crate::cfn::resources::rds::{self, DbInstance, DbParameterGroup, DbSubnetGroup, ManagedMaster, Primary, Storage};
use crate::cfn::resources::secretsmanager::SecretTargetAttachment;
use crate::cfn::{DeletionPolicy, Export, Handle, ResourceOptions, Stack};
use crate::config::model::PreloadLibrary;

use super::context::{Context, pascal_case};
use super::network::NetworkExports;
use super::security::SecurityExports;

/// What other stacks import from `data`.
pub struct DataExports {
    pub endpoint_address: Export,
    pub endpoint_port: Export,
    pub instance_identifier: Export,
    pub replica_endpoints: Vec<(String, Export)>,
    /// Replica name → its fixed DBInstanceIdentifier (CloudWatch's dimension).
    pub replica_identifiers: Vec<(String, String)>,
}

pub fn build(ctx: &Context, network: &NetworkExports, security: &SecurityExports) -> (Stack, DataExports) {
    let env = ctx.env;
    let db = &env.database;
    let mut stack = Stack::new(
        "data",
        ctx.stack_name("data"),
        format!("matbakh {}: RDS PostgreSQL with read replicas and AWS Backup (design section 2)", env.name),
    );
    let subnet_ids = stack.import_list(&network.database_subnet_ids);
    let rds_sg = stack.import(&network.rds_sg);
    let key_arn = stack.import(&security.rds_key_arn);
    // The database users' secrets get the instance's host, port and engine (what clients
    // and rotation read) through attachments.
    let user_secrets = [
        ("DatabaseSecretAttachment", stack.import(&security.rds_credentials_arn)),
        ("EtlSecretAttachment", stack.import(&security.etl_credentials_arn)),
        ("AnalyticsSecretAttachment", stack.import(&security.analytics_credentials_arn)),
    ];
    let t = &mut stack.template;
    let zones = ctx.zones(t);

    let subnet_group = t.add(
        "DatabaseSubnetGroup",
        DbSubnetGroup {
            description: format!("matbakh {} database subnets", env.name),
            subnet_ids,
            tags: ctx.tags("database"),
        },
    );

    let major = db.engine_version.split('.').next().unwrap_or_default();
    let mut parameters = BTreeMap::new();
    parameters.insert("rds.force_ssl".to_owned(), if db.settings.force_ssl { "1" } else { "0" }.to_owned());
    parameters.insert("ssl_min_protocol_version".to_owned(), db.settings.tls_min_version.as_str().to_owned());
    if !db.settings.preload_libraries.is_empty() {
        let libraries: Vec<&str> = db.settings.preload_libraries.iter().map(|l| l.as_str()).collect();
        parameters.insert("shared_preload_libraries".to_owned(), libraries.join(","));
    }
    if db.settings.preload_libraries.contains(&PreloadLibrary::PgCron) {
        // pg_cron schedules jobs in one database; the design's cron.schedule runs in the app's.
        parameters.insert("cron.database_name".to_owned(), db.database_name.clone());
    }
    let parameter_group = t.add(
        "PostgresParameters",
        DbParameterGroup {
            description: format!("matbakh {} PostgreSQL {major}: TLS enforced, pg_cron", env.name),
            family: format!("postgres{major}"),
            parameters,
            tags: ctx.tags("postgres"),
        },
    );

    let monitoring_role = (db.monitoring.enhanced_monitoring_interval_seconds > 0).then(|| {
        t.add(
            "EnhancedMonitoringRole",
            Role {
                role_name: None,
                description: "Lets RDS publish enhanced monitoring metrics to CloudWatch Logs".into(),
                assume_role_policy_document: service_trust("monitoring.rds.amazonaws.com"),
                managed_policy_arns: vec![managed_policy("service-role/AmazonRDSEnhancedMonitoringRole")],
                policies: Vec::new(),
                tags: ctx.tags("rds-monitoring"),
            },
        )
    });

    let instance = |identifier: String, class: &str, role: rds::Role, az: Option<&String>, tag: &str| DbInstance {
        identifier,
        instance_class: class.to_owned(),
        engine: "postgres",
        engine_version: db.engine_version.clone(),
        role,
        availability_zone: az.map(|z| zones.select(z)),
        db_parameter_group_name: parameter_group.r#ref(),
        vpc_security_groups: vec![rds_sg.clone()],
        maintenance_window: db.maintenance_window.clone(),
        monitoring_interval: db.monitoring.enhanced_monitoring_interval_seconds,
        monitoring_role_arn: monitoring_role.as_ref().map(Handle::<Role>::arn),
        enable_performance_insights: db.monitoring.performance_insights_retention_days.is_some(),
        performance_insights_kms_key_id: db.monitoring.performance_insights_retention_days.map(|_| key_arn.clone()),
        performance_insights_retention_days: db.monitoring.performance_insights_retention_days,
        cloudwatch_logs_exports: db.monitoring.log_exports.iter().map(|e| e.as_str()).collect(),
        deletion_protection: db.deletion_protection,
        publicly_accessible: false,
        auto_minor_version_upgrade: true,
        copy_tags_to_snapshot: true,
        iam_database_authentication: false,
        tags: ctx.tags(tag),
    };

    let primary = Primary {
        db_name: db.database_name.clone(),
        master: ManagedMaster { username: db.master_username.clone(), secret_kms_key_id: key_arn.clone() },
        db_subnet_group_name: subnet_group.r#ref(),
        backup_retention_days: db.backup.retention_days,
        backup_window: db.backup.window.clone(),
        multi_az: db.multi_az,
        storage: Storage {
            allocated_gib: db.storage.allocated_gib.to_string(),
            max_allocated_gib: db.storage.max_allocated_gib,
            storage_type: "gp3",
            iops: db.storage.iops,
            throughput_mibps: db.storage.throughput_mibps,
            encrypted: true,
        },
        kms_key_id: key_arn.clone(),
        port: db.port.to_string(),
        associated_roles: db.cache_invalidator.iter().map(|f| cache_invalidation::add(ctx, t, f)).collect(),
    };
    let az = if db.multi_az { None } else { db.availability_zone.as_ref() };
    let database = t.add_with(
        "Database",
        instance(ctx.prefix(), &db.instance_class, rds::Role::Primary(Box::new(primary)), az, "postgres"),
        ResourceOptions::keep(DeletionPolicy::Snapshot),
    );
    for (id, secret_id) in user_secrets {
        t.add(
            id,
            SecretTargetAttachment { secret_id, target_id: database.r#ref(), target_type: "AWS::RDS::DBInstance" },
        );
    }
    backup::add(ctx, t, &database, key_arn.clone());

    let replicas: Vec<(String, String, Handle<DbInstance>)> = db
        .read_replicas
        .iter()
        .map(|r| {
            let class = r.instance_class.as_deref().unwrap_or(&db.instance_class);
            let id = format!("{}Replica", pascal_case(&r.name));
            let identifier = ctx.name(&r.name);
            let handle = t.add_with(
                &id,
                instance(
                    identifier.clone(),
                    class,
                    rds::Role::ReplicaOf(database.r#ref()),
                    Some(&r.availability_zone),
                    &format!("postgres-{}", r.name),
                ),
                // RDS refuses a final snapshot of a read replica (DeleteDBInstance requires
                // SkipFinalSnapshot), and its data is the primary's, which is snapshotted.
                ResourceOptions::keep(DeletionPolicy::Delete),
            );
            (r.name.clone(), identifier, handle)
        })
        .collect();

    let exports = DataExports {
        endpoint_address: stack.export(
            "DatabaseEndpointAddress",
            "Host name of the primary",
            database.endpoint_address(),
        ),
        endpoint_port: stack.export("DatabaseEndpointPort", "Port of the primary", database.endpoint_port()),
        instance_identifier: stack.export("DatabaseInstanceIdentifier", "Identifier of the primary", database.r#ref()),
        replica_endpoints: replicas
            .iter()
            .map(|(name, _, h)| {
                let key = format!("{}ReplicaEndpointAddress", pascal_case(name));
                (
                    name.clone(),
                    stack.export(&key, &format!("Host name of the {name} read replica"), h.endpoint_address()),
                )
            })
            .collect(),
        replica_identifiers: replicas.iter().map(|(name, identifier, _)| (name.clone(), identifier.clone())).collect(),
    };
    (stack, exports)
}
