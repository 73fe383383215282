//! The per-environment configuration, as written in `stacks/<env>.yaml`.
//!
//! These types are the YAML contract: `schemas/environment.schema.json` is generated
//! from them (`matbakh-infra schema`), unknown fields are rejected, and the doc
//! comments become the descriptions editors show. Value ranges that a JSON Schema can
//! express are declared here; rules that relate fields live in `config::rules`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use self::values::*;

mod api;
mod auth;
mod datalake;
mod edge;
mod functions;
mod observability;
pub mod values;

pub use api::*;
pub use auth::*;
pub use datalake::*;
pub use edge::*;
pub use functions::*;
pub use observability::*;

/// One environment of the matbakh platform (dev, staging or prod).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// Environment name, the file's name without `.yaml`; stacks are named
    /// `matbakh-<name>-<stack>`.
    #[schemars(regex(pattern = ENV_NAME.pattern), extend("examples" = ["dev", "staging", "prod"]))]
    pub name: String,
    /// The AWS account (12 digits, quoted) the environment deploys to. `plan`, `apply`
    /// and `drift` ask STS who the credentials belong to and refuse to touch another
    /// account.
    #[schemars(regex(pattern = ACCOUNT_ID.pattern), extend("examples" = ["123456789012"]))]
    pub account: String,
    /// AWS region all stacks are deployed to.
    #[schemars(regex(pattern = REGION.pattern), extend("examples" = ["eu-central-1"]))]
    pub region: String,
    /// Availability zones the environment spans (the design uses three), each a zone
    /// of `region`.
    #[schemars(length(min = 1, max = 6), inner(regex(pattern = AVAILABILITY_ZONE.pattern)))]
    #[schemars(extend("examples" = [["eu-central-1a", "eu-central-1b", "eu-central-1c"]]))]
    pub availability_zones: Vec<String>,
    /// Tags added to every resource that takes tags (on top of `project`, `environment`,
    /// `managed-by` and `Name`). AWS limits: 50 tags per resource, so at most 46 here;
    /// keys up to 128 characters and not starting with `aws:`, values up to 256 characters.
    #[serde(default)]
    #[schemars(extend(
        "maxProperties" = values::MAX_TAGS,
        "propertyNames" = { "minLength": 1, "maxLength": 128, "pattern": TAG_KEY.pattern },
        "additionalProperties" = { "type": "string", "maxLength": 256 },
    ))]
    #[schemars(extend("examples" = [{"cost-center": "engineering", "owner": "platform-team"}]))]
    pub tags: BTreeMap<String, String>,
    /// Production safeguards applied by `apply`: termination protection on every stack
    /// and a stack policy that denies replacing or deleting stateful resources (RDS,
    /// Redis, KMS keys, secrets, the Cognito pool, buckets) unless `--allow-replace`
    /// names them.
    #[serde(default)]
    pub protected: bool,
    /// The VPC (stack `network`): subnets over the availability zones, NAT gateways,
    /// bastion access.
    pub network: Network,
    /// KMS keys and Secrets Manager secrets (stack `security`).
    pub security: Security,
    /// RDS PostgreSQL, the primary and its read replicas (stack `database`).
    pub database: Database,
    /// ElastiCache Redis in cluster mode (stack `cache`).
    pub cache: Cache,
    /// The Lambda functions and their layers (stack `app`).
    pub functions: Functions,
    /// The Cognito user pool and its app clients (stack `auth`).
    pub auth: Auth,
    /// The API Gateway REST API and its routes (stack `api`).
    pub api: Api,
    /// The WAF web ACL in front of the API (stack `edge`).
    pub edge: Edge,
    /// The CloudWatch dashboard, alarms and SNS alerting (stack `observability`).
    pub observability: Observability,
    /// The S3 data lake, Glue ETL job and Athena workgroup (stack `datalake`).
    pub datalake: DataLake,
}

/// The VPC of §9: public, private and database subnets over the availability zones.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// IPv4 CIDR of the VPC, /16 to /28, e.g. `10.0.0.0/16`.
    #[schemars(regex(pattern = VPC_CIDR.pattern), extend("examples" = ["10.0.0.0/16"]))]
    pub vpc_cidr: String,
    /// NAT gateways, one per public subnet from the first; private subnets route
    /// through the NAT gateway in their own zone where there is one.
    #[schemars(range(min = 1, max = 6), extend("examples" = [1]))]
    pub nat_gateways: u8,
    /// Subnets with a route to the internet gateway (NAT gateways, load balancers).
    #[schemars(length(min = 1, max = 6))]
    pub public_subnets: Vec<Subnet>,
    /// Subnets for Lambda functions and the Redis cluster, routed through NAT.
    #[schemars(length(min = 1, max = 6))]
    pub private_subnets: Vec<Subnet>,
    /// Isolated subnets for the database instances (no route out of the VPC).
    #[schemars(length(min = 2, max = 6))]
    pub database_subnets: Vec<Subnet>,
    /// CIDR ranges allowed to reach the bastion over SSH (port 22). Empty: no inbound
    /// access at all (reach the bastion through SSM Session Manager instead).
    #[serde(default)]
    #[schemars(inner(regex(pattern = SSH_CIDR.pattern)), extend("examples" = [["203.0.113.10/32"]]))]
    pub bastion_ssh_cidrs: Vec<String>,
    /// The bastion host of §9 (database administration through Bastion-SG): off unless
    /// enabled.
    #[serde(default)]
    pub bastion: Bastion,
}

/// An SSM-managed bastion: one arm64 Amazon Linux 2023 instance in a private subnet (an
/// Auto Scaling group of one, so a lost instance or zone is replaced), no public IP, no
/// SSH key, IMDSv2 only, encrypted root volume. Operators connect with Session Manager
/// (`aws ssm start-session`, port forwarding to the database).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bastion {
    /// Whether the environment has a bastion.
    #[serde(default)]
    pub enabled: bool,
    /// A Graviton (arm64) instance type.
    #[serde(default = "default_bastion_instance_type")]
    #[schemars(regex(pattern = GRAVITON_INSTANCE_TYPE.pattern), extend("examples" = ["t4g.nano"]))]
    pub instance_type: String,
}

impl Default for Bastion {
    fn default() -> Self {
        Bastion { enabled: false, instance_type: default_bastion_instance_type() }
    }
}

fn default_bastion_instance_type() -> String {
    "t4g.nano".into()
}

/// One subnet: an address block in one availability zone.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    /// IPv4 CIDR inside the VPC CIDR, /16 to /28, e.g. `10.0.1.0/24`; subnets may not
    /// overlap.
    #[schemars(regex(pattern = VPC_CIDR.pattern), extend("examples" = ["10.0.1.0/24"]))]
    pub cidr: String,
    /// One of the environment's `availability_zones`.
    #[schemars(regex(pattern = AVAILABILITY_ZONE.pattern), extend("examples" = ["eu-central-1a"]))]
    pub availability_zone: String,
}

/// KMS keys and Secrets Manager secrets of §9.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// Key for the databases, their backups and the database credentials.
    pub rds_key: KmsKey,
    /// Key for Lambda environment variables, the external API keys and the Redis auth token.
    pub lambda_key: KmsKey,
    /// The `rds-credentials` secret of the application user (§9 `matbakh_app`): user name
    /// here, password generated by Secrets Manager. The `etl-credentials` (`etl_user`, §7)
    /// and `analytics-credentials` (`matbakh_analytics`) secrets are generated alike.
    pub rds_credentials: RdsCredentials,
    /// The `external-api-keys` secret: created empty; operators set the values.
    pub external_api_keys: ExternalApiKeys,
    /// The Redis AUTH token, generated by Secrets Manager.
    pub redis_auth_token: GeneratedToken,
}

/// A customer-managed KMS key with automatic rotation.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KmsKey {
    /// What the key protects (the key's description in KMS).
    #[schemars(extend("examples" = ["Encryption key for RDS databases"]))]
    pub description: String,
    /// Days between automatic rotations (rotation is always on).
    #[serde(default = "default_rotation_days")]
    #[schemars(range(min = 90, max = 2560))]
    pub rotation_period_days: u32,
    /// Waiting period before a scheduled deletion takes effect.
    #[serde(default = "default_pending_window")]
    #[schemars(range(min = 7, max = 30))]
    pub pending_window_days: u32,
}

fn default_rotation_days() -> u32 {
    365
}

fn default_pending_window() -> u32 {
    30
}

/// The application user's credentials (never the master user's, which RDS manages).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RdsCredentials {
    /// The application's database user (§9: `matbakh_app`).
    #[schemars(regex(pattern = IDENTIFIER.pattern), extend("examples" = ["matbakh_app"]))]
    pub username: String,
    /// Length of the generated password.
    #[serde(default = "default_password_length")]
    #[schemars(range(min = 16, max = 128))]
    pub password_length: u32,
}

fn default_password_length() -> u32 {
    32
}

/// The keys of the third-party services the functions call.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExternalApiKeys {
    /// Names of the keys operators are expected to set (documentation only; values
    /// never appear in YAML or templates).
    #[schemars(extend("examples" = [["google_client_id", "google_client_secret"]]))]
    pub expected_keys: Vec<String>,
}

/// A secret value Secrets Manager generates.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GeneratedToken {
    /// Length of the generated token (Redis AUTH tokens: 16 to 128).
    #[schemars(range(min = 16, max = 128), extend("examples" = [64]))]
    pub length: u32,
}

/// RDS PostgreSQL of §2.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// PostgreSQL version, `MAJOR.MINOR` (e.g. `15.14`), quoted so YAML keeps it a
    /// string; one RDS offers.
    #[schemars(regex(pattern = POSTGRES_VERSION.pattern), extend("examples" = ["15.14"]))]
    pub engine_version: String,
    /// Instance class of the primary, e.g. `db.r6g.xlarge`.
    #[schemars(regex(pattern = DB_INSTANCE_CLASS.pattern), extend("examples" = ["db.r6g.xlarge", "db.t4g.medium"]))]
    pub instance_class: String,
    /// Name of the application database.
    #[schemars(regex(pattern = IDENTIFIER.pattern), extend("examples" = ["matbakh"]))]
    pub database_name: String,
    /// Port PostgreSQL listens on.
    #[serde(default = "default_postgres_port")]
    #[schemars(range(min = 1150, max = 65535))]
    pub port: u16,
    /// Allocated gp3 storage and its autoscaling limit.
    pub storage: DatabaseStorage,
    /// A synchronous standby in another zone.
    pub multi_az: bool,
    /// Zone of the primary when `multi_az` is off (RDS picks the zones when it is on).
    #[serde(default)]
    #[schemars(regex(pattern = AVAILABILITY_ZONE.pattern), extend("examples" = ["eu-central-1a"]))]
    pub availability_zone: Option<String>,
    /// Automated backups: how long they are kept and when they are taken.
    pub backup: Backup,
    /// Weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi`; it may not overlap
    /// the backup window.
    #[schemars(regex(pattern = WEEKLY_WINDOW.pattern), extend("examples" = ["sun:04:30-sun:05:30"]))]
    pub maintenance_window: String,
    /// Enhanced monitoring, Performance Insights and log exports.
    pub monitoring: DatabaseMonitoring,
    /// Refuse deleting the instances (turn it off before removing the database).
    pub deletion_protection: bool,
    /// Server-side settings: TLS and preloaded extensions.
    pub settings: DatabaseSettings,
    /// Read replicas of the primary (§2: analytics and reporting), at most 5.
    #[serde(default)]
    #[schemars(length(max = 5))]
    pub read_replicas: Vec<ReadReplica>,
    /// The function (of `functions.definitions`, using `cache`) that §6's cache
    /// invalidation trigger invokes through RDS's `aws_lambda` extension: the primary gets
    /// a role that may invoke this function only, and the database subnets an HTTPS path
    /// to Lambda (an interface endpoint). Omit it for no invalidation path.
    #[serde(default)]
    #[schemars(regex(pattern = RESOURCE_NAME.pattern), extend("examples" = ["cache-invalidator"]))]
    pub cache_invalidator: Option<String>,
    /// Name of the master user (createOnly: a new name replaces the instance). Its password
    /// is generated, stored and rotated by RDS in a secret encrypted with the RDS key, and
    /// only `bootstrap`'s function may read it; the application logs in as `matbakh_app`.
    #[serde(default = "default_master_username")]
    #[schemars(regex(pattern = IDENTIFIER.pattern), extend("examples" = ["matbakh_admin"]))]
    pub master_username: String,
    /// The database's roles and migrations, applied from inside the VPC by a function
    /// (`examples/functions/db-bootstrap`). Omit it to manage the database by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<DatabaseBootstrap>,
}

fn default_postgres_port() -> u16 {
    5432
}

fn default_master_username() -> String {
    "matbakh_admin".into()
}

/// The database bootstrap: the function that creates the roles and applies the migrations.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseBootstrap {
    /// A function of `functions.definitions` that uses `database_bootstrap` (the only one
    /// that may: it reads the master credential).
    #[schemars(extend("examples" = ["db-bootstrap"]))]
    pub function: String,
    /// Folder of versioned migrations `NNN_name.sql`, relative to the repository root;
    /// shipped to the function as a layer (`/opt/migrations`).
    #[schemars(extend("examples" = ["examples/migrations"]))]
    pub migrations: String,
}

/// gp3 storage with autoscaling.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseStorage {
    /// Allocated storage in GiB.
    #[schemars(range(min = 20, max = 65536), extend("examples" = [100]))]
    pub allocated_gib: u32,
    /// Storage autoscaling upper limit in GiB; RDS requires at least 10% above `allocated_gib`.
    #[schemars(range(min = 20, max = 65536), extend("examples" = [500]))]
    pub max_allocated_gib: u32,
    /// Provisioned IOPS. gp3 on RDS PostgreSQL: not settable below 400 GiB (baseline
    /// 3000); from 400 GiB the baseline is 12000 and the range 12000-64000.
    #[serde(default)]
    #[schemars(extend("examples" = [12000]))]
    pub iops: Option<u32>,
    /// Provisioned throughput in MiB/s; gp3 from 400 GiB: 500-4000 (baseline 500).
    #[serde(default)]
    #[schemars(extend("examples" = [500]))]
    pub throughput_mibps: Option<u32>,
}

/// Automated RDS backups, and AWS Backup's daily snapshots of the primary.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Days automated backups are kept (1-35).
    #[schemars(range(min = 1, max = 35), extend("examples" = [7]))]
    pub retention_days: u32,
    /// Daily backup window in UTC, `hh24:mi-hh24:mi`, at least 30 minutes.
    #[schemars(regex(pattern = DAILY_WINDOW.pattern), extend("examples" = ["03:00-04:00"]))]
    pub window: String,
    /// Days AWS Backup keeps the primary's daily snapshots (§2 "35 days manual"), kept
    /// in the environment's backup vault apart from the automated backups above.
    #[serde(default = "default_snapshot_retention_days")]
    #[schemars(range(min = 1, max = 36500), extend("examples" = [35]))]
    pub snapshot_retention_days: u32,
}

fn default_snapshot_retention_days() -> u32 {
    35
}

/// What RDS reports about the database.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseMonitoring {
    /// Enhanced monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30 or 60.
    #[schemars(extend("enum" = MONITORING_INTERVALS), extend("examples" = [60]))]
    pub enhanced_monitoring_interval_seconds: u32,
    /// Performance Insights retention in days: 7 (free tier), 31 × 1-23 (31, 62, … 713)
    /// or 731 (2 years); omit to turn it off.
    #[serde(default)]
    #[schemars(transform = insights_retention_enum, extend("examples" = [7]))]
    pub performance_insights_retention_days: Option<u32>,
    /// Database logs exported to CloudWatch Logs.
    #[serde(default = "default_log_exports")]
    pub log_exports: Vec<PostgresLogExport>,
}

fn default_log_exports() -> Vec<PostgresLogExport> {
    vec![PostgresLogExport::Postgresql, PostgresLogExport::Upgrade]
}

/// A PostgreSQL log RDS can export (`iam` is the IAM authentication error log).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PostgresLogExport {
    Postgresql,
    Upgrade,
    Iam,
}

impl PostgresLogExport {
    pub fn as_str(self) -> &'static str {
        match self {
            PostgresLogExport::Postgresql => "postgresql",
            PostgresLogExport::Upgrade => "upgrade",
            PostgresLogExport::Iam => "iam-db-auth-error",
        }
    }
}

/// Server parameters of the database's parameter group.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Reject connections without TLS (`rds.force_ssl`).
    pub force_ssl: bool,
    /// Oldest TLS version accepted (`ssl_min_protocol_version`).
    pub tls_min_version: TlsVersion,
    /// Libraries loaded at server start (`shared_preload_libraries`); `pg_cron` runs the
    /// design's `cron.schedule` jobs.
    pub preload_libraries: Vec<PreloadLibrary>,
}

/// A TLS protocol version.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum TlsVersion {
    #[serde(rename = "TLSv1.2")]
    Tls12,
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// A library PostgreSQL loads at server start.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PreloadLibrary {
    PgCron,
    PgStatStatements,
    AutoExplain,
}

impl PreloadLibrary {
    pub fn as_str(self) -> &'static str {
        match self {
            PreloadLibrary::PgCron => "pg_cron",
            PreloadLibrary::PgStatStatements => "pg_stat_statements",
            PreloadLibrary::AutoExplain => "auto_explain",
        }
    }
}

/// A read replica of the primary.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReadReplica {
    /// Short name, used in the instance identifier `matbakh-<env>-<name>`.
    #[schemars(regex(pattern = REPLICA_NAME.pattern), extend("examples" = ["analytics"]))]
    pub name: String,
    /// What the replica serves (becomes its description tag).
    #[schemars(extend("examples" = ["Analytics and reporting queries"]))]
    pub purpose: String,
    /// One of the environment's `availability_zones`.
    #[schemars(regex(pattern = AVAILABILITY_ZONE.pattern), extend("examples" = ["eu-central-1b"]))]
    pub availability_zone: String,
    /// Instance class; defaults to the primary's.
    #[serde(default)]
    #[schemars(regex(pattern = DB_INSTANCE_CLASS.pattern), extend("examples" = ["db.r6g.large"]))]
    pub instance_class: Option<String>,
}

/// ElastiCache Redis of §6, cluster mode enabled.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cache {
    /// Redis engine version, `MAJOR.MINOR` (e.g. `7.1`), quoted so YAML keeps it a string.
    #[schemars(extend("enum" = REDIS_VERSIONS))]
    pub engine_version: String,
    /// Node type, e.g. `cache.r6g.large`.
    #[schemars(regex(pattern = CACHE_NODE_TYPE.pattern), extend("examples" = ["cache.r6g.large", "cache.t4g.small"]))]
    pub node_type: String,
    /// Number of shards (node groups), 1-500.
    #[schemars(range(min = 1, max = 500), extend("examples" = [1]))]
    pub shards: u32,
    /// Replicas per shard, 0-5.
    #[schemars(range(max = 5))]
    pub replicas_per_shard: u32,
    /// Spread primaries and replicas over zones, with automatic failover.
    pub multi_az: bool,
    /// Port Redis listens on.
    #[serde(default = "default_redis_port")]
    #[schemars(range(min = 1024, max = 65535))]
    pub port: u16,
    /// Days automatic snapshots are kept (0 turns them off).
    #[schemars(range(min = 0, max = 35))]
    pub snapshot_retention_days: u32,
    /// Daily snapshot window in UTC, `hh24:mi-hh24:mi`, at least 60 minutes.
    #[schemars(regex(pattern = DAILY_WINDOW.pattern), extend("examples" = ["03:00-05:00"]))]
    pub snapshot_window: String,
    /// Weekly maintenance window in UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 60 minutes;
    /// it may not overlap the snapshot window.
    #[schemars(regex(pattern = WEEKLY_WINDOW.pattern), extend("examples" = ["sun:05:30-sun:06:30"]))]
    pub maintenance_window: String,
    /// Settings of the cluster's parameter group.
    pub parameters: CacheParameters,
}

fn default_redis_port() -> u16 {
    6379
}

/// Redis settings of the cluster's parameter group.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CacheParameters {
    /// Which keys Redis evicts when memory is full.
    pub maxmemory_policy: MaxmemoryPolicy,
    /// Seconds an idle client connection stays open (0: forever).
    pub timeout_seconds: u32,
    /// Seconds between TCP keepalive probes (0: off).
    pub tcp_keepalive_seconds: u32,
}

/// Redis `maxmemory-policy`: which keys are evicted when memory is full.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum MaxmemoryPolicy {
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    Noeviction,
}

impl MaxmemoryPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            MaxmemoryPolicy::AllkeysLru => "allkeys-lru",
            MaxmemoryPolicy::AllkeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::AllkeysRandom => "allkeys-random",
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
            MaxmemoryPolicy::Noeviction => "noeviction",
        }
    }
}
