//! The `app` stack (§3, §5) as rendered: arm64 functions in the private subnets with
//! imported connection settings, one least-privilege role each, versions behind a `live`
//! alias, and code assets that change a template exactly when the code changes.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::stacks::resources_of_type;
use common::{ENVIRONMENTS, load_env, render_env, repo_root};
use matbakh_infra::assets::AssetKind;
use matbakh_infra::config::model::{Capability, FunctionKind};
use matbakh_infra::constructs;
use matbakh_infra::synth::{Format, Rendered, render};
use serde_json::{Value, json};

fn app_template(rendered: &Rendered) -> Value {
    let stack = rendered.stacks.iter().find(|s| s.id == "app").expect("an app stack");
    serde_json::from_str(&stack.body).unwrap()
}

fn app(env: &str) -> Value {
    app_template(&render_env(env, Format::Json))
}

fn stem(name: &str) -> String {
    matbakh_infra::constructs::app::logical_stem(name)
}

fn import(name: &str) -> Value {
    json!({ "Fn::ImportValue": name })
}

#[test]
fn functions_are_arm64_node24_traced_in_the_private_subnets_behind_lambda_sg() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let config = load_env(env);
        // The runtime is one the tool's own lifecycle rule does not warn about (nodejs22.x
        // is deprecated from 2027-04-30; its successor is nodejs24.x).
        let file = common::repo_root().join(format!("stacks/{env}.yaml"));
        let warnings = matbakh_infra::config::load::load_file(&file).expect("valid").warnings;
        assert!(warnings.iter().all(|w| !w.to_string().contains("runtime")), "{env}: {warnings:?}");
        let functions = resources_of_type(&t, "AWS::Lambda::Function");
        assert_eq!(functions.len(), config.functions.definitions.len(), "{env}");
        for (id, f) in functions {
            let p = &f["Properties"];
            assert_eq!(p["Architectures"], json!(["arm64"]), "{env}/{id}");
            assert_eq!(p["Runtime"], "nodejs24.x", "{env}/{id}");
            assert_eq!(p["TracingConfig"], json!({"Mode": "Active"}), "{env}/{id}");
            assert_eq!(p["KmsKeyArn"], import(&format!("matbakh-{env}-security-LambdaKeyArn")), "{env}/{id}");
            assert_eq!(
                p["VpcConfig"],
                json!({
                    "SecurityGroupIds": [import(&format!("matbakh-{env}-network-LambdaSecurityGroupId"))],
                    "SubnetIds": {"Fn::Split": [",", import(&format!("matbakh-{env}-network-PrivateSubnetIds"))]},
                }),
                "{env}/{id}"
            );
            assert!(p["FunctionName"].as_str().unwrap().starts_with(&format!("matbakh-{env}-")), "{env}/{id}");
            assert_eq!(
                p["Code"]["S3Bucket"],
                json!({"Fn::Sub": format!("matbakh-{env}-assets-${{AWS::AccountId}}-${{AWS::Region}}")})
            );
        }
    }
}

#[test]
fn timeouts_follow_the_kind_of_function() {
    let t = app("prod");
    let mut seen = BTreeSet::new();
    for f in &load_env("prod").functions.definitions {
        let timeout = &t["Resources"][format!("{}Function", stem(&f.name))]["Properties"]["Timeout"];
        let expected = match f.kind {
            FunctionKind::Api => 30,
            FunctionKind::Background => 900,
            FunctionKind::Trigger => 5,
        };
        assert_eq!(timeout, &json!(expected), "{}", f.name);
        seen.insert(expected);
    }
    assert_eq!(seen, BTreeSet::from([5, 30, 900]), "prod has every kind");
}

#[test]
fn every_function_has_its_own_named_role_log_group_version_and_live_alias() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let config = load_env(env);
        assert_eq!(
            resources_of_type(&t, "AWS::IAM::Role").len(),
            config.functions.definitions.len(),
            "{env}: one role each"
        );
        for f in &config.functions.definitions {
            let s = stem(&f.name);
            let r = &t["Resources"];
            let role = &r[format!("{s}Role")]["Properties"];
            assert_eq!(role["RoleName"], format!("matbakh-{env}-app-{}", f.name));
            assert!(role.get("ManagedPolicyArns").is_none(), "{env}/{}: inline policies only", f.name);
            assert_eq!(
                r[format!("{s}Function")]["Properties"]["Role"],
                json!({"Fn::GetAtt": [format!("{s}Role"), "Arn"]})
            );
            let log_group = &r[format!("{s}LogGroup")]["Properties"];
            assert_eq!(log_group["LogGroupName"], format!("/aws/lambda/matbakh-{env}-{}", f.name));
            assert_eq!(log_group["RetentionInDays"], json!(config.functions.log_retention_days));
            assert_eq!(r[format!("{s}Function")]["DependsOn"], json!([format!("{s}LogGroup")]));
            let versions: Vec<&String> = r
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| k.strip_prefix(&format!("{s}Version")).is_some_and(|h| h.len() == 10))
                .collect();
            assert_eq!(versions.len(), 1, "{env}/{}: one version", f.name);
            let alias = &r[format!("{s}LiveAlias")]["Properties"];
            assert_eq!(alias["Name"], "live");
            assert_eq!(alias["FunctionVersion"], json!({"Fn::GetAtt": [versions[0], "Version"]}));
            for (key, value) in [
                ("FunctionName", json!({"Ref": format!("{s}Function")})),
                ("FunctionArn", json!({"Fn::GetAtt": [format!("{s}Function"), "Arn"]})),
                ("AliasArn", json!({"Ref": format!("{s}LiveAlias")})),
            ] {
                let output = &t["Outputs"][format!("{s}{key}")];
                assert_eq!(output["Value"], value, "{env}/{}: {key}", f.name);
                assert_eq!(output["Export"]["Name"], format!("matbakh-{env}-app-{s}{key}"));
            }
        }
    }
}

/// Actions that have no resource-level permissions, so AWS only accepts them on "*".
fn needs_star(action: &str) -> bool {
    action.starts_with("ec2:Describe") || action.starts_with("xray:Put")
}

#[test]
fn only_actions_without_resource_permissions_are_allowed_on_star() {
    for env in ENVIRONMENTS {
        let t = app(env);
        for (id, role) in resources_of_type(&t, "AWS::IAM::Role") {
            for policy in role["Properties"]["Policies"].as_array().unwrap() {
                for statement in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                    assert_eq!(statement["Effect"], "Allow");
                    let resources = statement["Resource"].as_array().unwrap();
                    let actions: Vec<&str> =
                        statement["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
                    assert!(actions.iter().all(|a| !a.contains('*')), "{env}/{id}: wildcard action in {actions:?}");
                    if resources.contains(&json!("*")) {
                        assert_eq!(resources.len(), 1);
                        assert!(actions.iter().all(|a| needs_star(a)), "{env}/{id}: {actions:?} on *");
                    }
                }
            }
        }
    }
}

/// `Sid` → statement of a function's policy.
fn statements(t: &Value, function: &str) -> BTreeMap<String, Value> {
    let policies = &t["Resources"][format!("{}Role", stem(function))]["Properties"]["Policies"];
    policies[0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["Sid"].as_str().unwrap().to_owned(), s.clone()))
        .collect()
}

#[test]
fn roles_grant_exactly_what_the_functions_use() {
    let t = app("prod");
    // pre-sign-up uses nothing: logs, ENIs, traces and its environment key only.
    let base = [
        "DecryptEnvironment",
        "DescribeNetworkInterfaces",
        "ManageVpcNetworkInterfaces",
        "WriteOwnLogs",
        "WriteTraces",
    ];
    assert_eq!(statements(&t, "pre-sign-up").keys().map(String::as_str).collect::<Vec<_>>(), base);
    let logs = &statements(&t, "pre-sign-up")["WriteOwnLogs"];
    assert_eq!(logs["Resource"], json!([{"Fn::GetAtt": ["PreSignUpLogGroup", "Arn"]}]));

    let s = statements(&t, "post-confirmation");
    assert_eq!(s["ReadOwnSecrets"]["Resource"], json!([import("matbakh-prod-security-RdsCredentialsSecretArn")]));
    assert_eq!(s["DecryptOwnSecrets"]["Resource"], json!([import("matbakh-prod-security-RdsKeyArn")]));
    assert_eq!(
        s["DecryptOwnSecrets"]["Condition"],
        json!({"StringEquals": {"kms:ViaService": [{"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}]}})
    );
    // The identity of this stack, by reference (so the function waits for it).
    assert_eq!(
        s["SendMailFromOwnIdentity"]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}"}])
    );
    assert_eq!(
        s["SendMailFromOwnIdentity"]["Condition"],
        json!({"StringEquals": {"ses:FromAddress": ["welcome@matbakh.app"]}})
    );

    let s = statements(&t, "vc-bedrock-run");
    assert_eq!(
        s["InvokeConfiguredModels"]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0"}])
    );
    assert!(!s.contains_key("ReadUserPoolId"));

    let s = statements(&t, "api-core");
    assert_eq!(
        s["ReadOwnSecrets"]["Resource"],
        json!([
            import("matbakh-prod-security-RdsCredentialsSecretArn"),
            import("matbakh-prod-security-RedisAuthTokenSecretArn"),
            import("matbakh-prod-security-ExternalApiKeysSecretArn"),
        ])
    );
    assert!(!s.contains_key("ReadUserPoolId"), "sign_in reads the pool id itself");
    assert_eq!(
        s["ReadSignInSettings"]["Resource"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/matbakh/prod/auth/user-pool-id"},
            {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/matbakh/prod/auth/api-client-id"},
        ])
    );
    let s = statements(&t, "admin-overview");
    assert_eq!(
        s["ReadUserPoolId"]["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/matbakh/prod/auth/user-pool-id"}])
    );
}

/// §4's /auth routes: the functions that use `sign_in` (api-core) get the names of the
/// parameters holding the pool and `api` client ids, may read exactly those, and export
/// their role's name for the `auth` stack to grant sign-in on the pool. The app stack
/// itself grants no Cognito action: it cannot name the pool.
#[test]
fn sign_in_functions_get_the_id_parameters_and_export_their_role() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let config = load_env(env);
        let signing_in: Vec<&str> = config
            .functions
            .definitions
            .iter()
            .filter(|f| f.uses.contains(&Capability::SignIn))
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(signing_in, ["api-core"], "{env}");
        for f in &config.functions.definitions {
            let stem = stem(&f.name);
            let vars = &t["Resources"][format!("{stem}Function")]["Properties"]["Environment"]["Variables"];
            let exported = t["Outputs"].get(format!("{stem}RoleName"));
            if f.name == "api-core" {
                assert_eq!(vars["COGNITO_USER_POOL_ID_PARAMETER"], format!("/matbakh/{env}/auth/user-pool-id"));
                assert_eq!(vars["COGNITO_API_CLIENT_ID_PARAMETER"], format!("/matbakh/{env}/auth/api-client-id"));
                let read = &statements(&t, &f.name)["ReadSignInSettings"];
                assert_eq!(read["Action"], json!(["ssm:GetParameter"]));
                assert_eq!(read["Resource"].as_array().unwrap().len(), 2);
                let exported = exported.unwrap_or_else(|| panic!("{env}: api-core's role name is not exported"));
                assert_eq!(exported["Value"], json!({"Ref": "ApiCoreRole"}));
                assert_eq!(exported["Export"]["Name"], format!("matbakh-{env}-app-ApiCoreRoleName"));
            } else {
                assert!(vars.get("COGNITO_API_CLIENT_ID_PARAMETER").is_none(), "{env}/{}", f.name);
                assert!(exported.is_none(), "{env}/{}: exports its role without sign_in", f.name);
            }
            let actions: Vec<String> = statements(&t, &f.name)
                .values()
                .flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()))
                .collect();
            assert!(actions.iter().all(|a| !a.starts_with("cognito-idp:")), "{env}/{}: {actions:?}", f.name);
        }
    }
}

/// The SES identity (functions.ses_identity) is a resource of this stack with Easy DKIM;
/// its DKIM records are outputs (no hosted zone is configured), its ARN an export for
/// the user pool, and the welcome mail's permission names it.
#[test]
fn the_ses_identity_has_easy_dkim_and_the_mail_permission_names_it() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let config = load_env(env);
        let identities = resources_of_type(&t, "AWS::SES::EmailIdentity");
        assert_eq!(identities.len(), 1, "{env}");
        let (id, identity) = identities[0];
        assert_eq!(id, "SesIdentity");
        let p = &identity["Properties"];
        assert_eq!(p["EmailIdentity"], config.functions.ses_identity.as_str());
        assert!(!config.functions.ses_identity.contains('@'), "{env}: the environment sends from a domain");
        assert!(config.functions.email_from.ends_with(&format!("@{}", config.functions.ses_identity)));
        assert_eq!(p["DkimSigningAttributes"], json!({"NextSigningKeyLength": "RSA_2048_BIT"}));
        assert_eq!(p["DkimAttributes"], json!({"SigningEnabled": true}));
        for i in 1..=3 {
            let record = &t["Outputs"][format!("DkimRecord{i}")]["Value"]["Fn::Sub"];
            assert_eq!(
                record,
                &json!(format!("${{SesIdentity.DkimDNSTokenName{i}}} CNAME ${{SesIdentity.DkimDNSTokenValue{i}}}")),
                "{env}"
            );
        }
        let arn =
            json!({"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}"});
        let export = &t["Outputs"]["SesIdentityArn"];
        assert_eq!(export["Value"], arn);
        assert_eq!(export["Export"]["Name"], format!("matbakh-{env}-app-SesIdentityArn"));
        for f in config.functions.definitions.iter().filter(|f| f.uses.contains(&Capability::Email)) {
            assert_eq!(
                statements(&t, &f.name)["SendMailFromOwnIdentity"]["Resource"],
                json!([arn]),
                "{env}/{}",
                f.name
            );
        }
    }
    // staging and prod share an account and region, where an identity exists once.
    let (staging, prod) = (load_env("staging"), load_env("prod"));
    assert_eq!((&staging.account, &staging.region), (&prod.account, &prod.region));
    assert_ne!(staging.functions.ses_identity, prod.functions.ses_identity);
}

/// Variables that carry another stack's resource: they must be imports, never literals.
const IMPORTED: [(&str, Capability); 8] = [
    ("RDS_ENDPOINT", Capability::Database),
    ("RDS_PORT", Capability::Database),
    ("RDS_READER_ENDPOINTS", Capability::Database),
    ("DB_SECRET_ARN", Capability::Database),
    ("REDIS_ENDPOINT", Capability::Cache),
    ("REDIS_PORT", Capability::Cache),
    ("REDIS_AUTH_SECRET_ARN", Capability::Cache),
    ("EXTERNAL_API_KEYS_SECRET_ARN", Capability::ExternalApiKeys),
];

/// Whether a value is built only from `Fn::ImportValue`s (possibly joined).
fn is_imported(v: &Value) -> bool {
    if v.get("Fn::ImportValue").is_some() {
        return true;
    }
    v["Fn::Join"][1].as_array().is_some_and(|items| !items.is_empty() && items.iter().all(is_imported))
}

#[test]
fn connection_settings_are_imports_set_only_for_what_a_function_uses() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let config = load_env(env);
        for f in &config.functions.definitions {
            let vars = &t["Resources"][format!("{}Function", stem(&f.name))]["Properties"]["Environment"]["Variables"];
            let vars = vars.as_object().unwrap();
            for (name, capability) in IMPORTED {
                let replicas = !config.database.read_replicas.is_empty();
                // The bootstrap connects to the primary too (as the master user, not with DB_SECRET_ARN).
                let bootstrap =
                    f.uses.contains(&Capability::DatabaseBootstrap) && ["RDS_ENDPOINT", "RDS_PORT"].contains(&name);
                let expected =
                    (f.uses.contains(&capability) && (name != "RDS_READER_ENDPOINTS" || replicas)) || bootstrap;
                assert_eq!(vars.contains_key(name), expected, "{env}/{}: {name}", f.name);
                if let Some(value) = vars.get(name) {
                    assert!(is_imported(value), "{env}/{}: {name} = {value} is not an import", f.name);
                }
            }
            let node_env = if env == "prod" { "production" } else { "development" };
            assert_eq!(vars["NODE_ENV"], node_env);
            assert_eq!(vars["MATBAKH_ENVIRONMENT"], env, "the metrics' Environment dimension");
            assert!(vars.keys().all(|k| !k.starts_with("POWERTOOLS")));
        }
    }
    let t = app("prod");
    let vc = &t["Resources"]["VcStartFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        vc["RDS_READER_ENDPOINTS"],
        json!({"Fn::Join": [",", [
            import("matbakh-prod-data-AnalyticsReplicaEndpointAddress"),
            import("matbakh-prod-data-ReportingReplicaEndpointAddress"),
        ]]})
    );
    let admin = &t["Resources"]["AdminOverviewFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(admin["COGNITO_USER_POOL_ID_PARAMETER"], "/matbakh/prod/auth/user-pool-id");
    let mail = &t["Resources"]["PostConfirmationFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(mail["SES_FROM_ADDRESS"], "welcome@matbakh.app");
}

#[test]
fn provisioned_concurrency_only_on_vc_start_in_prod() {
    for env in ENVIRONMENTS {
        let t = app(env);
        let provisioned: Vec<(&String, &Value)> = resources_of_type(&t, "AWS::Lambda::Alias")
            .into_iter()
            .filter_map(|(id, a)| a["Properties"].get("ProvisionedConcurrencyConfig").map(|c| (id, c)))
            .collect();
        if env == "prod" {
            assert_eq!(provisioned.len(), 1);
            assert_eq!(provisioned[0].0, "VcStartLiveAlias");
            assert_eq!(provisioned[0].1, &json!({"ProvisionedConcurrentExecutions": 10}));
        } else {
            assert!(provisioned.is_empty(), "{env}: {provisioned:?}");
        }
    }
}

#[test]
fn layers_are_arm64_node22_and_referenced_by_the_functions_that_list_them() {
    let t = app("prod");
    for (id, layer) in resources_of_type(&t, "AWS::Lambda::LayerVersion") {
        assert_eq!(layer["Properties"]["CompatibleRuntimes"], json!(["nodejs24.x"]), "{id}");
        assert_eq!(layer["Properties"]["CompatibleArchitectures"], json!(["arm64"]), "{id}");
    }
    for f in &load_env("prod").functions.definitions {
        let layers = &t["Resources"][format!("{}Function", stem(&f.name))]["Properties"]["Layers"];
        let mut expected: Vec<Value> = f.layers.iter().map(|l| json!({"Ref": format!("{}Layer", stem(l))})).collect();
        // The bootstrap also gets the migrations, as a layer of their own.
        if load_env("prod").database.bootstrap.is_some_and(|b| b.function == f.name) {
            expected.push(json!({"Ref": "MigrationsLayer"}));
        }
        if expected.is_empty() {
            assert!(layers.is_null(), "{}", f.name);
        } else {
            assert_eq!(layers, &json!(expected), "{}", f.name);
        }
    }
}

fn s3_keys(t: &Value) -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        let code = if r["Type"] == "AWS::Lambda::LayerVersion" {
            &r["Properties"]["Content"]
        } else {
            &r["Properties"]["Code"]
        };
        if let Some(key) = code["S3Key"].as_str() {
            keys.insert(id.clone(), key.to_owned());
        }
    }
    keys
}

#[test]
fn same_content_gives_the_same_keys_in_every_environment_and_run() {
    let dev = s3_keys(&app("dev"));
    assert_eq!(dev, s3_keys(&app("dev")), "rendering twice");
    assert_eq!(dev, s3_keys(&app("prod")), "the same code has the same key in every environment");
    assert!(dev.values().all(|k| k.starts_with("assets/") && k.ends_with(".zip")));
}

#[test]
fn manifest_lists_every_function_and_layer_asset_once() {
    let rendered = render_env("prod", Format::Json);
    let config = load_env("prod");
    let ids: Vec<(&str, AssetKind)> = rendered
        .manifest
        .assets
        .iter()
        .filter(|a| a.kind != AssetKind::Script)
        .map(|a| (a.id.as_str(), a.kind))
        .collect();
    let mut expected: Vec<(String, AssetKind)> =
        config.functions.layers.iter().map(|l| (format!("layer/{}", l.name), AssetKind::Layer)).collect();
    expected.push(("layer/migrations".to_owned(), AssetKind::Layer));
    expected.extend(config.functions.definitions.iter().map(|f| (format!("function/{}", f.name), AssetKind::Function)));
    let expected: Vec<(&str, AssetKind)> = expected.iter().map(|(id, k)| (id.as_str(), *k)).collect();
    assert_eq!(ids, expected);
    let keys = s3_keys(&app_template(&rendered));
    for asset in rendered.manifest.assets.iter().filter(|a| a.kind != AssetKind::Script) {
        assert!(keys.values().any(|k| k == &asset.s3_key), "{} is not referenced", asset.id);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn render_from(base: &Path) -> Rendered {
    render(&constructs::build(&load_env("prod"), base).expect("builds"), Format::Json).expect("renders")
}

#[test]
fn one_changed_byte_changes_only_that_functions_key_and_version() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("examples"), &dir.path().join("examples"));
    let before = render_from(dir.path());
    let handler = dir.path().join("examples/functions/vc-start/index.js");
    let mut bytes = std::fs::read(&handler).unwrap();
    let last = bytes.last_mut().unwrap();
    *last = if *last == b'\n' { b' ' } else { b'\n' };
    std::fs::write(&handler, bytes).unwrap();
    let after = render_from(dir.path());

    // Every other template is byte-identical.
    for (b, a) in before.stacks.iter().zip(&after.stacks) {
        if b.id != "app" {
            assert_eq!(b.body, a.body, "{} changed", b.id);
        }
    }
    let (b, a) = (app_template(&before), app_template(&after));
    let ids = |t: &Value| t["Resources"].as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
    let removed: Vec<String> = ids(&b).difference(&ids(&a)).cloned().collect();
    let added: Vec<String> = ids(&a).difference(&ids(&b)).cloned().collect();
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(removed[0].starts_with("VcStartVersion") && added[0].starts_with("VcStartVersion"));
    assert_eq!(b["Outputs"], a["Outputs"]);
    for id in ids(&b).intersection(&ids(&a)) {
        let (rb, ra) = (&b["Resources"][id], &a["Resources"][id]);
        match id.as_str() {
            "VcStartFunction" => {
                assert_ne!(rb["Properties"]["Code"]["S3Key"], ra["Properties"]["Code"]["S3Key"]);
                let mut rb = rb.clone();
                rb["Properties"]["Code"]["S3Key"] = ra["Properties"]["Code"]["S3Key"].clone();
                assert_eq!(&rb, ra);
            }
            "VcStartLiveAlias" => {
                assert_eq!(ra["Properties"]["FunctionVersion"], json!({"Fn::GetAtt": [&added[0], "Version"]}));
                let mut rb = rb.clone();
                rb["Properties"]["FunctionVersion"] = ra["Properties"]["FunctionVersion"].clone();
                assert_eq!(&rb, ra);
            }
            _ => assert_eq!(rb, ra, "{id} changed"),
        }
    }
    // The manifest changes in that one asset only.
    let changed: Vec<&str> = before
        .manifest
        .assets
        .iter()
        .zip(&after.manifest.assets)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.id.as_str())
        .collect();
    assert_eq!(changed, ["function/vc-start"]);
}
