//! #14's credentials on the rendered templates of every environment: the master password
//! is RDS's (generated, kept and rotated in a secret under the RDS key); only the bootstrap
//! function can find and read it; the application, the Glue job and the analytics reads
//! each have their own user's secret.

mod common;

use common::stacks::templates;
use common::{ENVIRONMENTS, load_env};
use serde_json::{Value, json};

fn import(env: &str, stack: &str, export: &str) -> Value {
    json!({"Fn::ImportValue": format!("matbakh-{env}-{stack}-{export}")})
}

/// Every place in `node` (a template) that mentions `needle`, as JSON paths.
fn mentions(node: &Value, needle: &str, path: &str, found: &mut Vec<String>) {
    match node {
        Value::String(s) if s.contains(needle) => found.push(path.to_owned()),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                mentions(v, needle, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                mentions(v, needle, &format!("{path}.{k}"), found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_master_password_is_managed_by_rds_under_the_rds_key() {
    for env in ENVIRONMENTS {
        let data = templates(env).remove("data").unwrap();
        let db = &data["Resources"]["Database"]["Properties"];
        assert_eq!(db["MasterUsername"], load_env(env).database.master_username, "{env}");
        assert_eq!(db["MasterUsername"], "matbakh_admin", "{env}: not the application's matbakh_app");
        assert_eq!(db["ManageMasterUserPassword"], true, "{env}");
        assert_eq!(db["MasterUserSecret"], json!({"KmsKeyId": import(env, "security", "RdsKeyArn")}), "{env}");
        assert!(db.get("MasterUserPassword").is_none(), "{env}: no password in the template");
    }
}

#[test]
fn nothing_but_the_bootstrap_can_reach_the_master_credential() {
    for env in ENVIRONMENTS {
        for (stack, t) in templates(env) {
            // No output, variable or argument carries the master secret or its ARN.
            let mut found = Vec::new();
            mentions(&t, "MasterUserSecret.SecretArn", "", &mut found);
            mentions(&t, "rds!db-", "", &mut found);
            if stack == "app" {
                found.retain(|p| !p.starts_with(".Resources.DbBootstrapRole.Properties.Policies"));
            }
            assert!(found.is_empty(), "{env} {stack}: {found:?}");
            assert!(t.get("Outputs").is_none_or(|o| !o.to_string().contains("MasterUserSecret")), "{env} {stack}");
        }
        let app = templates(env).remove("app").unwrap();
        let readers: Vec<&String> = app["Resources"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::IAM::Role" && r.to_string().contains("rds!db-"))
            .map(|(id, _)| id)
            .collect();
        assert_eq!(readers, ["DbBootstrapRole"], "{env}");
        let statements =
            app["Resources"]["DbBootstrapRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .clone();
        let sid = |s: &str| statements.iter().find(|x| x["Sid"] == s).unwrap().clone();
        let instance = json!({"Fn::Sub": [
            "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:db:${Var0}",
            {"Var0": import(env, "data", "DatabaseInstanceIdentifier")}
        ]});
        let master = sid("ReadMasterSecret");
        assert_eq!(master["Action"], json!(["secretsmanager:GetSecretValue"]));
        assert_eq!(
            master["Condition"],
            json!({"StringEquals": {"secretsmanager:ResourceTag/aws:rds:primaryDBInstanceArn": [instance.clone()]}}),
            "{env}: only the secret RDS manages for this instance"
        );
        assert_eq!(sid("FindMasterSecret")["Resource"], json!([instance]), "{env}");
        let vars = &app["Resources"]["DbBootstrapFunction"]["Properties"]["Environment"]["Variables"];
        assert_eq!(vars["DB_INSTANCE_IDENTIFIER"], import(env, "data", "DatabaseInstanceIdentifier"));
        assert_eq!(vars["APP_SECRET_ARN"], import(env, "security", "RdsCredentialsSecretArn"));
        assert_eq!(vars["ETL_SECRET_ARN"], import(env, "security", "EtlCredentialsSecretArn"));
        assert_eq!(vars["ANALYTICS_SECRET_ARN"], import(env, "security", "AnalyticsCredentialsSecretArn"));
        assert_eq!(vars["MIGRATIONS_DIR"], "/opt/migrations");
        // Its migrations come as a layer of their own.
        let layers = app["Resources"]["DbBootstrapFunction"]["Properties"]["Layers"].as_array().unwrap().clone();
        assert!(layers.contains(&json!({"Ref": "MigrationsLayer"})), "{env}: {layers:?}");
        // No other function gets any of these.
        for (id, r) in app["Resources"].as_object().unwrap() {
            if r["Type"] == "AWS::Lambda::Function" && id != "DbBootstrapFunction" {
                let vars = &r["Properties"]["Environment"]["Variables"];
                for var in ["DB_INSTANCE_IDENTIFIER", "ETL_SECRET_ARN", "ANALYTICS_SECRET_ARN", "APP_SECRET_ARN"] {
                    assert!(vars.get(var).is_none(), "{env} {id}: {var}");
                }
            }
        }
    }
}

#[test]
fn each_user_has_its_own_generated_secret_and_the_glue_job_reads_etl_users() {
    for env in ENVIRONMENTS {
        let all = templates(env);
        let security = &all["security"]["Resources"];
        for (id, name, user) in [
            ("RdsCredentialsSecret", "rds-credentials", "matbakh_app"),
            ("EtlCredentialsSecret", "etl-credentials", "etl_user"),
            ("AnalyticsCredentialsSecret", "analytics-credentials", "matbakh_analytics"),
        ] {
            let p = &security[id]["Properties"];
            assert_eq!(p["Name"], format!("matbakh-{env}/{name}"));
            assert_eq!(p["KmsKeyId"], json!({"Fn::GetAtt": ["RdsKey", "Arn"]}));
            let template: Value =
                serde_json::from_str(p["GenerateSecretString"]["SecretStringTemplate"].as_str().unwrap()).unwrap();
            assert_eq!(template, json!({"username": user}), "{env} {name}");
            assert!(p.get("SecretString").is_none());
        }
        // Attached to the primary: host, port and engine for clients and rotation.
        let data = &all["data"]["Resources"];
        for (id, export) in [
            ("DatabaseSecretAttachment", "RdsCredentialsSecretArn"),
            ("EtlSecretAttachment", "EtlCredentialsSecretArn"),
            ("AnalyticsSecretAttachment", "AnalyticsCredentialsSecretArn"),
        ] {
            assert_eq!(data[id]["Properties"]["SecretId"], import(env, "security", export), "{env}");
            assert_eq!(data[id]["Properties"]["TargetId"], json!({"Ref": "Database"}));
        }
        let lake = &all["datalake"]["Resources"];
        let etl = import(env, "security", "EtlCredentialsSecretArn");
        assert_eq!(lake["RdsToS3Job"]["Properties"]["DefaultArguments"]["--RDS_SECRET_ID"], etl);
        assert_eq!(lake["RdsConnection"]["Properties"]["ConnectionInput"]["ConnectionProperties"]["SECRET_ID"], etl);
        assert!(!all["datalake"].to_string().contains("RdsCredentialsSecretArn"), "{env}: the Glue job is not the app");
    }
}
