//! The `app` stack (§5, §3): the application Lambdas and the Cognito triggers.
//!
//! Per function: an arm64 `AWS::Lambda::Function` in the private subnets behind Lambda-SG
//! with its environment encrypted by the Lambda key and X-Ray tracing on, its own log
//! group with the configured retention, its own execution role (named, so the Lambda key
//! policy in `security` can grant it by name pattern) with inline policies scoped to the
//! resources its `uses` capabilities name, and a published `Version` behind a `live`
//! alias that API Gateway and Cognito invoke (so provisioned concurrency applies).
//!
//! Where the design differs (§5 "Lambda Configuration"): the runtime comes from the
//! configuration (nodejs20.x is deprecated), connection settings are imported from the
//! stacks that own them instead of written as literals, and `COGNITO_USER_POOL_ID` becomes
//! the name of an SSM parameter (see [`user_pool_id_parameter`]).
//!
//! The stack also holds the environment's SES sending identity (see `mail`): the welcome
//! mail's permission and the user pool (in `auth`) refer to it.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::assets::{AssetError, AssetKind, AssetSet};
use crate::cfn::resources::iam::{InlinePolicy, PolicyDocument, Role, Statement, service_trust};
use crate::cfn::resources::lambda::{
    Alias, Architecture, Environment, Function, LayerVersion, ProvisionedConcurrency, S3Code, TracingConfig,
    TracingMode, Version, VpcConfig,
};
use crate::cfn::resources::logs::LogGroup;
use crate::cfn::{Export, Handle, List, Pseudo, ResourceOptions, Stack, Str};
use crate::config::model::{Capability, Function as FunctionConfig};

use super::cache::CacheExports;
use super::context::Context;
use super::data::DataExports;
use super::kms::via_service;
use super::network::NetworkExports;
use super::security::SecurityExports;

/// What other stacks import from `app`, per function name (e.g. `vc-start`).
pub struct AppExports {
    pub functions: BTreeMap<String, FunctionExports>,
    /// ARN of the SES identity `functions.ses_identity` (the user pool sends from it).
    pub ses_identity_arn: Export,
}

pub struct FunctionExports {
    /// Deployed function name, `matbakh-<env>-<name>`.
    pub name: Export,
    /// ARN of the function (unqualified).
    pub arn: Export,
    /// ARN of the `live` alias: API integrations and triggers invoke the alias, so
    /// provisioned concurrency applies to them.
    pub alias_arn: Export,
    /// Name of the function's log group (the data lake subscribes to it, §7 `raw/lambda-logs/`).
    pub log_group_name: Export,
    /// Name of the execution role, for functions that use a capability whose permission
    /// another stack grants on its own resources, which this stack cannot import:
    /// `sign_in` (the `auth` stack, on its user pool) and `external_api_archive` (the
    /// `datalake` stack, on its bucket).
    pub role_name: Option<Export>,
    /// Its `uses`, so those stacks pick the functions they grant to.
    pub uses: Vec<Capability>,
}

/// Capabilities another stack grants: functions with one export their role's name.
const GRANTED_ELSEWHERE: [Capability; 2] = [Capability::SignIn, Capability::ExternalApiArchive];

/// Environment variables this stack sets itself (from `uses` and the environment name).
/// Configuration may not set them; `config::rules` checks that against this list.
pub const GENERATED_VARIABLES: [&str; 22] = [
    "NODE_ENV",
    "MATBAKH_ENVIRONMENT",
    "RDS_ENDPOINT",
    "RDS_PORT",
    "RDS_READER_ENDPOINTS",
    "DB_SECRET_ARN",
    "REDIS_ENDPOINT",
    "REDIS_PORT",
    "REDIS_AUTH_SECRET_ARN",
    "EXTERNAL_API_KEYS_SECRET_ARN",
    "COGNITO_USER_POOL_ID_PARAMETER",
    "COGNITO_API_CLIENT_ID_PARAMETER",
    "SES_FROM_ADDRESS",
    "BEDROCK_MODEL_IDS",
    "DATA_LAKE_BUCKET",
    "EXTERNAL_API_ARCHIVE_PREFIX",
    "DB_NAME",
    "DB_INSTANCE_IDENTIFIER",
    "APP_SECRET_ARN",
    "ETL_SECRET_ARN",
    "ANALYTICS_SECRET_ARN",
    "MIGRATIONS_DIR",
];

/// Where the migrations layer's files are in the bootstrap function (`/opt/<dir>`).
const MIGRATIONS_LAYER_DIR: &str = "migrations";

/// The alias API Gateway and Cognito invoke.
pub const LIVE_ALIAS: &str = "live";

/// The SSM parameter the `auth` stack writes the user pool id to. Functions cannot import
/// the pool id: `auth` already imports the trigger alias ARNs from this stack, and
/// CloudFormation exports cannot form a cycle. So functions get the parameter's name and
/// read it at run time (`ssm:GetParameter` on exactly that parameter).
pub fn user_pool_id_parameter(env_name: &str) -> String {
    format!("/matbakh/{env_name}/auth/user-pool-id")
}

/// The SSM parameter the `auth` stack writes the id of its server-side `api` app client
/// to (the client `sign_in` functions sign users in with), for the same reason.
pub fn api_client_id_parameter(env_name: &str) -> String {
    format!("/matbakh/{env_name}/auth/api-client-id")
}

/// The logical-id stem of a function or layer: `vc-start` → `VcStart`.
pub fn logical_stem(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The other stacks' exports the functions' settings and policies come from.
struct Sources<'a> {
    network: &'a NetworkExports,
    security: &'a SecurityExports,
    data: &'a DataExports,
    cache: &'a CacheExports,
    /// ARN of this stack's SES identity.
    ses_identity_arn: Str,
}

/// A layer in this stack: its version, and its content hash for the functions' versions.
struct LayerRef {
    handle: Handle<LayerVersion>,
    sha256: String,
}

pub fn build(
    ctx: &Context,
    network: &NetworkExports,
    security: &SecurityExports,
    data: &DataExports,
    cache: &CacheExports,
    assets: &mut AssetSet,
) -> Result<(Stack, AppExports), AssetError> {
    let env = ctx.env;
    let mut stack = Stack::new(
        "app",
        ctx.stack_name("app"),
        format!("matbakh {}: Lambda functions, layers and Cognito triggers (design sections 3 and 5)", env.name),
    );
    let ses_identity_arn = super::mail::ses_identity(ctx, &mut stack);
    let sources = Sources { network, security, data, cache, ses_identity_arn: ses_identity_arn.clone() };

    let mut layers = BTreeMap::new();
    for layer in &env.functions.layers {
        let asset = assets.add_dir(&format!("layer/{}", layer.name), AssetKind::Layer, &layer.path)?;
        stack.uses_asset(&asset.s3_key);
        let handle = stack.template.add(
            &format!("{}Layer", logical_stem(&layer.name)),
            LayerVersion {
                layer_name: ctx.name(&layer.name),
                description: layer.description.clone(),
                content: S3Code { s3_bucket: ctx.assets_bucket(), s3_key: asset.s3_key.clone() },
                compatible_runtimes: vec![env.functions.runtime.clone()],
                compatible_architectures: vec![Architecture::Arm64],
            },
        );
        layers.insert(layer.name.clone(), LayerRef { handle, sha256: asset.sha256.clone() });
    }

    // The bootstrap's migrations, as a layer of their own: a new migration publishes a new
    // layer version and so a new version of the function, nothing else.
    let migrations = match &env.database.bootstrap {
        Some(bootstrap) => {
            let asset = assets.add_dir_under(
                "layer/migrations",
                AssetKind::Layer,
                &bootstrap.migrations,
                MIGRATIONS_LAYER_DIR,
            )?;
            stack.uses_asset(&asset.s3_key);
            let handle = stack.template.add(
                "MigrationsLayer",
                LayerVersion {
                    layer_name: ctx.name("migrations"),
                    description: format!(
                        "Database migrations from {} (/opt/{MIGRATIONS_LAYER_DIR})",
                        bootstrap.migrations
                    ),
                    content: S3Code { s3_bucket: ctx.assets_bucket(), s3_key: asset.s3_key.clone() },
                    compatible_runtimes: vec![env.functions.runtime.clone()],
                    compatible_architectures: vec![Architecture::Arm64],
                },
            );
            Some((bootstrap.function.clone(), LayerRef { handle, sha256: asset.sha256.clone() }))
        }
        None => None,
    };

    let mut functions = BTreeMap::new();
    for f in &env.functions.definitions {
        let own_layers = migrations.as_ref().filter(|(name, _)| *name == f.name).map(|(_, layer)| layer);
        let exports = function(ctx, &mut stack, &sources, &layers, own_layers, f, assets)?;
        functions.insert(f.name.clone(), exports);
    }
    let ses_identity_arn = stack.export("SesIdentityArn", "ARN of the SES sending identity", ses_identity_arn);
    Ok((stack, AppExports { functions, ses_identity_arn }))
}

fn function(
    ctx: &Context,
    stack: &mut Stack,
    sources: &Sources,
    layers: &BTreeMap<String, LayerRef>,
    migrations: Option<&LayerRef>,
    f: &FunctionConfig,
    assets: &mut AssetSet,
) -> Result<FunctionExports, AssetError> {
    let env = ctx.env;
    let code = assets.add_dir(&format!("function/{}", f.name), AssetKind::Function, &f.code)?;
    let (code_key, code_sha) = (code.s3_key.clone(), code.sha256.clone());
    stack.uses_asset(&code_key);
    let stem = logical_stem(&f.name);
    let name = ctx.name(&f.name);

    let lambda_key = stack.import(&sources.security.lambda_key_arn);
    let subnets = stack.import_list(&sources.network.private_subnet_ids);
    let lambda_sg = stack.import(&sources.network.lambda_sg);
    let (variables, capability_statements) = capabilities(ctx, stack, sources, f);

    let t = &mut stack.template;
    // Created by us, not by Lambda on first write, so the retention applies from the start
    // and the role needs no logs:CreateLogGroup. Logs are not kept past the stack.
    let log_group = t.add(
        &format!("{stem}LogGroup"),
        LogGroup {
            log_group_name: Str::lit(format!("/aws/lambda/{name}")),
            retention_in_days: env.functions.log_retention_days,
            kms_key_id: None,
            tags: ctx.tags(&format!("{}-logs", f.name)),
        },
    );

    let mut statements = vec![
        Statement::allow("WriteOwnLogs", &["logs:CreateLogStream", "logs:PutLogEvents"], vec![log_group.arn()]),
        // Describe calls have no resource-level permissions in EC2: they only work on "*".
        // DescribeSubnets is in AWSLambdaVPCAccessExecutionRole since its v3 (2024).
        Statement::allow(
            "DescribeNetworkInterfaces",
            &["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            vec![Str::lit("*")],
        ),
        // Lambda creates the function's ENIs with this role and checks the permission against
        // not-yet-existing interfaces (`network-interface/*`) when the function is created, so
        // the most we can narrow it to is EC2 resources of this account and region.
        Statement::allow(
            "ManageVpcNetworkInterfaces",
            &[
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            vec![Str::arn("ec2", "*/*")],
        ),
        // X-Ray has no resource-level permissions: trace segments can only be sent to "*".
        Statement::allow("WriteTraces", &["xray:PutTraceSegments", "xray:PutTelemetryRecords"], vec![Str::lit("*")]),
        // The environment variables are encrypted with the Lambda key (KmsKeyArn).
        Statement::allow("DecryptEnvironment", &["kms:Decrypt"], vec![lambda_key.clone()]),
    ];
    statements.extend(capability_statements);

    let role = t.add(
        &format!("{stem}Role"),
        Role {
            role_name: Some(ctx.name(&format!("app-{}", f.name))),
            description: format!("Execution role of {name}: its log group, VPC access, tracing and what it uses"),
            assume_role_policy_document: service_trust("lambda.amazonaws.com"),
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "least-privilege".into(),
                policy_document: PolicyDocument::new(statements),
            }],
            tags: ctx.tags(&format!("app-{}", f.name)),
        },
    );

    let function_layers: Vec<&LayerRef> = f.layers.iter().filter_map(|l| layers.get(l)).chain(migrations).collect();
    let function = Function {
        function_name: name.clone(),
        description: f.description.clone(),
        runtime: env.functions.runtime.clone(),
        architectures: vec![Architecture::Arm64],
        handler: f.handler.clone(),
        memory_size: f.memory_mb,
        timeout: f.kind.timeout_seconds(),
        role: role.arn(),
        code: S3Code { s3_bucket: ctx.assets_bucket(), s3_key: code_key },
        layers: function_layers.iter().map(|l| l.handle.arn()).collect(),
        environment: Some(Environment { variables }),
        kms_key_arn: Some(lambda_key),
        vpc_config: Some(VpcConfig { security_group_ids: vec![lambda_sg], subnet_ids: subnets }),
        tracing_config: TracingConfig { mode: TracingMode::Active },
        reserved_concurrent_executions: f.reserved_concurrency,
        tags: ctx.tags(&f.name),
    };
    let fingerprint = version_fingerprint(&function, &code_sha, &function_layers);
    let function = t.add_with(&format!("{stem}Function"), function, ResourceOptions::default().depends_on(&log_group));

    // Versions are immutable: a new logical id publishes a new one, and the alias moves to it.
    let version = t.add(
        &format!("{stem}Version{fingerprint}"),
        Version { function_name: function.r#ref(), description: format!("{name}, code {}", &code_sha[..12]) },
    );
    let alias = t.add(
        &format!("{stem}LiveAlias"),
        Alias {
            name: LIVE_ALIAS.into(),
            description: format!("What API Gateway and Cognito invoke; moves to each new version of {name}"),
            function_name: function.r#ref(),
            function_version: version.version(),
            provisioned_concurrency_config: f
                .provisioned_concurrency
                .map(|n| ProvisionedConcurrency { provisioned_concurrent_executions: n }),
        },
    );

    Ok(FunctionExports {
        name: stack.export(&format!("{stem}FunctionName"), &format!("Name of {name}"), function.r#ref()),
        arn: stack.export(&format!("{stem}FunctionArn"), &format!("ARN of {name}"), function.arn()),
        alias_arn: stack.export(
            &format!("{stem}AliasArn"),
            &format!("ARN of the {LIVE_ALIAS} alias of {name}"),
            alias.r#ref(),
        ),
        log_group_name: stack.export(
            &format!("{stem}LogGroupName"),
            &format!("Log group of {name}"),
            log_group.r#ref(),
        ),
        role_name: f.uses.iter().any(|c| GRANTED_ELSEWHERE.contains(c)).then(|| {
            stack.export(
                &format!("{stem}RoleName"),
                &format!("Execution role of {name}; other stacks grant it access to their resources"),
                role.r#ref(),
            )
        }),
        uses: f.uses.clone(),
    })
}

/// A short hash of what a published version captures: the code, the layers' content and
/// the function's configuration as rendered. Tags and reserved concurrency are left out:
/// they are not part of a version, and a new `Version` resource over an unchanged function
/// would get the same version number back from Lambda, which CloudFormation would then
/// delete with the old resource. Imported values (endpoints) are hashed as the import
/// expressions, so a changed endpoint reaches `$LATEST` but publishes no new version until
/// code or configuration changes too.
fn version_fingerprint(function: &Function, code_sha: &str, layers: &[&LayerRef]) -> String {
    let mut config = serde_json::to_value(function).expect("function properties serialize");
    let object = config.as_object_mut().expect("function properties are an object");
    object.remove("Tags");
    object.remove("ReservedConcurrentExecutions");
    let mut hash = Sha256::new();
    hash.update(code_sha.as_bytes());
    for layer in layers {
        hash.update(b"\0layer:");
        hash.update(layer.sha256.as_bytes());
    }
    hash.update(b"\0config:");
    hash.update(config.to_string().as_bytes());
    hex::encode(hash.finalize())[..10].to_owned()
}

/// The environment variables and policy statements of a function's `uses` capabilities:
/// each capability adds exactly its connection settings and the permissions to use them.
fn capabilities(
    ctx: &Context,
    stack: &mut Stack,
    sources: &Sources,
    f: &FunctionConfig,
) -> (BTreeMap<String, Str>, Vec<Statement>) {
    let env = ctx.env;
    let mut vars: BTreeMap<String, Str> = f.environment.iter().map(|(k, v)| (k.clone(), Str::lit(v.clone()))).collect();
    let node_env = if env.name == "prod" { "production" } else { "development" };
    vars.insert("NODE_ENV".into(), Str::lit(node_env));
    // The `Environment` dimension of the custom metrics (shared-utils `metrics.js`).
    vars.insert("MATBAKH_ENVIRONMENT".into(), Str::lit(env.name.clone()));

    let mut statements = Vec::new();
    let mut secrets = Vec::new();
    let mut secret_keys = Vec::new();
    let mut uses: Vec<Capability> = f.uses.clone();
    uses.sort_unstable();
    uses.dedup();
    for capability in uses {
        match capability {
            Capability::Database => {
                let data = sources.data;
                vars.insert("RDS_ENDPOINT".into(), stack.import(&data.endpoint_address));
                vars.insert("RDS_PORT".into(), stack.import(&data.endpoint_port));
                if !data.replica_endpoints.is_empty() {
                    let readers = data.replica_endpoints.iter().map(|(_, e)| stack.import(e)).collect();
                    vars.insert("RDS_READER_ENDPOINTS".into(), Str::join(",", List::Items(readers)));
                }
                let secret = stack.import(&sources.security.rds_credentials_arn);
                vars.insert("DB_SECRET_ARN".into(), secret.clone());
                secrets.push(secret);
                secret_keys.push(stack.import(&sources.security.rds_key_arn));
            }
            Capability::Cache => {
                vars.insert("REDIS_ENDPOINT".into(), stack.import(&sources.cache.endpoint_address));
                vars.insert("REDIS_PORT".into(), stack.import(&sources.cache.endpoint_port));
                let secret = stack.import(&sources.security.redis_auth_token_arn);
                vars.insert("REDIS_AUTH_SECRET_ARN".into(), secret.clone());
                secrets.push(secret);
                secret_keys.push(stack.import(&sources.security.lambda_key_arn));
            }
            Capability::ExternalApiKeys => {
                let secret = stack.import(&sources.security.external_api_keys_arn);
                vars.insert("EXTERNAL_API_KEYS_SECRET_ARN".into(), secret.clone());
                secrets.push(secret);
                secret_keys.push(stack.import(&sources.security.lambda_key_arn));
            }
            Capability::UserPool => {
                let parameter = user_pool_id_parameter(&env.name);
                statements.push(Statement::allow(
                    "ReadUserPoolId",
                    &["ssm:GetParameter"],
                    vec![Str::arn("ssm", format!("parameter{parameter}"))],
                ));
                vars.insert("COGNITO_USER_POOL_ID_PARAMETER".into(), Str::lit(parameter));
            }
            Capability::SignIn => {
                let parameters = [user_pool_id_parameter(&env.name), api_client_id_parameter(&env.name)];
                statements.push(Statement::allow(
                    "ReadSignInSettings",
                    &["ssm:GetParameter"],
                    parameters.iter().map(|p| Str::arn("ssm", format!("parameter{p}"))).collect(),
                ));
                let [pool, client] = parameters;
                vars.insert("COGNITO_USER_POOL_ID_PARAMETER".into(), Str::lit(pool));
                vars.insert("COGNITO_API_CLIENT_ID_PARAMETER".into(), Str::lit(client));
            }
            Capability::Email => {
                let functions = &env.functions;
                statements.push(
                    Statement::allow(
                        "SendMailFromOwnIdentity",
                        &["ses:SendEmail", "ses:SendRawEmail"],
                        vec![sources.ses_identity_arn.clone()],
                    )
                    .when(
                        "StringEquals",
                        "ses:FromAddress",
                        vec![Str::lit(functions.email_from.clone())],
                    ),
                );
                vars.insert("SES_FROM_ADDRESS".into(), Str::lit(functions.email_from.clone()));
            }
            Capability::Bedrock => {
                let models = &env.functions.bedrock_model_ids;
                let arns = models.iter().map(|id| foundation_model_arn(id)).collect();
                statements.push(Statement::allow("InvokeConfiguredModels", &["bedrock:InvokeModel"], arns));
                vars.insert("BEDROCK_MODEL_IDS".into(), Str::lit(models.join(",")));
            }
            Capability::DatabaseBootstrap => {
                let (data, security) = (sources.data, sources.security);
                vars.insert("RDS_ENDPOINT".into(), stack.import(&data.endpoint_address));
                vars.insert("RDS_PORT".into(), stack.import(&data.endpoint_port));
                vars.insert("DB_NAME".into(), Str::lit(env.database.database_name.clone()));
                vars.insert("MIGRATIONS_DIR".into(), Str::lit(format!("/opt/{MIGRATIONS_LAYER_DIR}")));
                // The master secret's ARN is in no output or variable: the function reads it
                // from the instance (DescribeDBInstances) and may read only the secret RDS
                // manages for this instance (RDS names it `rds!db-…` and tags it with the
                // instance's ARN).
                let identifier = stack.import(&data.instance_identifier);
                let instance_arn = Str::arn("rds", Str::concat([Str::lit("db:"), identifier.clone()]));
                vars.insert("DB_INSTANCE_IDENTIFIER".into(), identifier);
                statements.push(Statement::allow(
                    "FindMasterSecret",
                    &["rds:DescribeDBInstances"],
                    vec![instance_arn.clone()],
                ));
                statements.push(
                    Statement::allow(
                        "ReadMasterSecret",
                        &["secretsmanager:GetSecretValue"],
                        vec![Str::arn("secretsmanager", "secret:rds!db-*")],
                    )
                    .when(
                        "StringEquals",
                        "secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn",
                        vec![instance_arn],
                    ),
                );
                for (var, export) in [
                    ("APP_SECRET_ARN", &security.rds_credentials_arn),
                    ("ETL_SECRET_ARN", &security.etl_credentials_arn),
                    ("ANALYTICS_SECRET_ARN", &security.analytics_credentials_arn),
                ] {
                    let secret = stack.import(export);
                    vars.insert(var.into(), secret.clone());
                    secrets.push(secret);
                }
                // The master secret (RDS's) and the users' secrets are under the RDS key.
                secret_keys.push(stack.import(&security.rds_key_arn));
            }
            Capability::ExternalApiArchive => {
                vars.insert("DATA_LAKE_BUCKET".into(), Str::lit(super::datalake::bucket_name(&env.name)));
                vars.insert("EXTERNAL_API_ARCHIVE_PREFIX".into(), Str::lit(super::datalake::EXTERNAL_APIS_PREFIX));
            }
        }
    }
    if !secrets.is_empty() {
        statements.push(Statement::allow("ReadOwnSecrets", &["secretsmanager:GetSecretValue"], secrets));
        secret_keys.dedup();
        // Only through Secrets Manager: the role cannot decrypt RDS-key data (snapshots,
        // Performance Insights) directly. The Lambda key is listed even though the
        // environment statement covers it, so dropping KmsKeyArn cannot break secrets.
        statements.push(Statement::allow("DecryptOwnSecrets", &["kms:Decrypt"], secret_keys).when(
            "StringEquals",
            "kms:ViaService",
            vec![via_service("secretsmanager")],
        ));
    }
    (vars, statements)
}

/// Foundation models are AWS-owned: their ARNs have a region but no account.
fn foundation_model_arn(model_id: &str) -> Str {
    Str::concat([
        Str::lit("arn:"),
        Pseudo::Partition.into(),
        Str::lit(":bedrock:"),
        Pseudo::Region.into(),
        Str::lit(format!("::foundation-model/{model_id}")),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_stems_are_pascal_case() {
        assert_eq!(logical_stem("vc-start"), "VcStart");
        assert_eq!(logical_stem("pre-sign-up"), "PreSignUp");
        assert_eq!(logical_stem("api"), "Api");
    }

    #[test]
    fn user_pool_parameters_are_per_environment() {
        assert_eq!(user_pool_id_parameter("dev"), "/matbakh/dev/auth/user-pool-id");
        assert_eq!(api_client_id_parameter("prod"), "/matbakh/prod/auth/api-client-id");
    }

    fn prod() -> crate::config::Environment {
        serde_yaml::from_str(include_str!("../../stacks/prod.yaml")).expect("stacks/prod.yaml deserializes")
    }

    /// The config rules forbid exactly the names this stack generates: every variable of a
    /// rendered function is either configured or in GENERATED_VARIABLES, and each of those
    /// is generated for some prod function.
    #[test]
    fn generated_variables_are_exactly_the_listed_ones() {
        let mut env = prod();
        for f in &mut env.functions.definitions {
            f.uses = vec![
                Capability::Database,
                Capability::Cache,
                Capability::ExternalApiKeys,
                Capability::UserPool,
                Capability::SignIn,
                Capability::Email,
                Capability::Bedrock,
                Capability::ExternalApiArchive,
                Capability::DatabaseBootstrap,
            ];
        }
        // Only the stacks `app` imports from, so the test does not depend on later stacks.
        let ctx = Context::new(&env);
        let (_, network) = super::super::network::build(&ctx);
        let (_, security) = super::super::security::build(&ctx);
        let (_, data) = super::super::data::build(&ctx, &network, &security);
        let (_, cache) = super::super::cache::build(&ctx, &network, &security);
        let mut assets = AssetSet::new(env!("CARGO_MANIFEST_DIR"));
        let (stack, _) = build(&ctx, &network, &security, &data, &cache, &mut assets).unwrap();
        let app = stack.template.to_value();
        let vc = &app["Resources"]["VcStartFunction"]["Properties"]["Environment"]["Variables"];
        let keys: Vec<&str> = vc.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed = GENERATED_VARIABLES.to_vec();
        listed.sort_unstable();
        assert_eq!(keys, listed);
    }

    #[test]
    fn version_fingerprint_ignores_tags_and_reserved_concurrency_but_not_code_layers_or_config() {
        let function = |memory: u32, reserved: Option<u32>, tag: &str| Function {
            function_name: "f".into(),
            description: "d".into(),
            runtime: "nodejs22.x".into(),
            architectures: vec![Architecture::Arm64],
            handler: "index.handler".into(),
            memory_size: memory,
            timeout: 30,
            role: Str::lit("arn:aws:iam::123456789012:role/r"),
            code: S3Code { s3_bucket: Str::lit("b"), s3_key: "k".into() },
            layers: Vec::new(),
            environment: None,
            kms_key_arn: None,
            vpc_config: None,
            tracing_config: TracingConfig { mode: TracingMode::Active },
            reserved_concurrent_executions: reserved,
            tags: crate::cfn::resources::tags([("owner", Str::lit(tag))]),
        };
        let base = version_fingerprint(&function(128, None, "a"), "sha", &[]);
        assert_eq!(base.len(), 10);
        assert_eq!(base, version_fingerprint(&function(128, Some(5), "b"), "sha", &[]));
        assert_ne!(base, version_fingerprint(&function(256, None, "a"), "sha", &[]));
        assert_ne!(base, version_fingerprint(&function(128, None, "a"), "sha2", &[]));
        let mut template = crate::cfn::Template::new("t");
        let handle = template.add(
            "L",
            LayerVersion {
                layer_name: "l".into(),
                description: "d".into(),
                content: S3Code { s3_bucket: Str::lit("b"), s3_key: "k".into() },
                compatible_runtimes: Vec::new(),
                compatible_architectures: Vec::new(),
            },
        );
        let layer = |sha: &str| LayerRef { handle: handle.clone(), sha256: sha.into() };
        let (one, two) = (layer("1"), layer("2"));
        assert_ne!(
            version_fingerprint(&function(128, None, "a"), "sha", &[&one]),
            version_fingerprint(&function(128, None, "a"), "sha", &[&two]),
            "new layer content publishes a new version even though the layer's logical id stays"
        );
    }
}
