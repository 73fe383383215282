//! The `datalake` stack carries §7: the design's bucket, locked down and encrypted, with
//! Glacier only for `archive/`; the Glue job reading the RDS primary through a JDBC
//! connection and running the packaged script; Athena results encrypted.

mod common;

use common::stacks::{resources_of_type, security_group_rules, templates};
use common::{ENVIRONMENTS, load_env, render_env};
use matbakh_infra::synth::Format;
use serde_json::{Value, json};

fn datalake(env: &str) -> Value {
    templates(env).remove("datalake").unwrap()
}

fn key_arn() -> Value {
    json!({"Fn::GetAtt": ["DataLakeKey", "Arn"]})
}

#[test]
fn bucket_is_the_designs_encrypted_versioned_and_private() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        let bucket = &t["Resources"]["DataLakeBucket"];
        assert_eq!(bucket["Type"], "AWS::S3::Bucket");
        assert_eq!(bucket["DeletionPolicy"], "Retain", "{env}");
        assert_eq!(bucket["UpdateReplacePolicy"], "Retain", "{env}");
        let p = &bucket["Properties"];
        assert_eq!(p["BucketName"], format!("matbakh-data-lake-{env}"));
        assert_eq!(
            p["BucketEncryption"],
            json!({"ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn()},
                "BucketKeyEnabled": true}]})
        );
        assert_eq!(p["VersioningConfiguration"], json!({"Status": "Enabled"}));
        assert_eq!(
            p["PublicAccessBlockConfiguration"],
            json!({"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true,
                   "RestrictPublicBuckets": true})
        );
        assert_eq!(p["OwnershipControls"], json!({"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}));

        let key = &t["Resources"]["DataLakeKey"];
        assert_eq!(key["DeletionPolicy"], "Retain");
        assert_eq!(key["Properties"]["EnableKeyRotation"], true);
        assert_eq!(
            t["Resources"]["DataLakeKeyAlias"]["Properties"]["AliasName"],
            format!("alias/matbakh-{env}-data-lake")
        );
        assert_eq!(t["Outputs"]["BucketName"]["Value"], json!({"Ref": "DataLakeBucket"}));
        assert_eq!(t["Outputs"]["BucketArn"]["Value"], json!({"Fn::GetAtt": ["DataLakeBucket", "Arn"]}));
    }
}

#[test]
fn lifecycle_moves_only_archive_to_glacier() {
    for env in ENVIRONMENTS {
        let lake = load_env(env).datalake;
        let t = datalake(env);
        let rules =
            t["Resources"]["DataLakeBucket"]["Properties"]["LifecycleConfiguration"]["Rules"].as_array().unwrap();
        let transitioning: Vec<&Value> = rules.iter().filter(|r| r.get("Transitions").is_some()).collect();
        assert_eq!(transitioning.len(), 1, "{env}: one rule transitions");
        assert_eq!(transitioning[0]["Prefix"], "archive/");
        assert_eq!(
            transitioning[0]["Transitions"],
            json!([{"StorageClass": "GLACIER", "TransitionInDays": lake.archive_to_glacier_days}])
        );
        let rule = |key: &str| rules.iter().find(|r| r.get(key).is_some()).unwrap_or_else(|| panic!("{env}: {key}"));
        let noncurrent = rule("NoncurrentVersionExpiration");
        assert!(noncurrent.get("Prefix").is_none(), "{env}: old versions expire bucket-wide");
        assert_eq!(
            noncurrent["NoncurrentVersionExpiration"]["NoncurrentDays"],
            lake.noncurrent_version_expiration_days
        );
        assert_eq!(rule("AbortIncompleteMultipartUpload")["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"], 7);
        let results = rule("ExpirationInDays");
        assert_eq!(results["Prefix"], "athena-results/");
        assert_eq!(results["ExpirationInDays"], lake.athena.results_expiration_days);
        assert!(rules.iter().all(|r| r["Status"] == "Enabled"));
    }
    let days = |env: &str| {
        datalake(env)["Resources"]["DataLakeBucket"]["Properties"]["LifecycleConfiguration"]["Rules"][1]
            ["NoncurrentVersionExpiration"]["NoncurrentDays"]
            .clone()
    };
    assert_eq!((days("prod"), days("dev")), (json!(30), json!(7)));
}

#[test]
fn bucket_policy_refuses_requests_without_tls() {
    let t = datalake("prod");
    let policy = &t["Resources"]["DataLakeBucketPolicy"]["Properties"];
    assert_eq!(policy["Bucket"], json!({"Ref": "DataLakeBucket"}));
    assert_eq!(
        policy["PolicyDocument"]["Statement"],
        json!([{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": ["s3:*"],
            "Resource": [{"Fn::GetAtt": ["DataLakeBucket", "Arn"]}, {"Fn::Sub": "${DataLakeBucket.Arn}/*"}],
            "Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
        }])
    );
}

#[test]
fn glue_job_runs_the_packaged_script_from_the_assets_bucket() {
    for env in ENVIRONMENTS {
        let rendered = render_env(env, Format::Json);
        let asset =
            rendered.manifest.assets.iter().find(|a| a.id == "script/rds-to-s3").expect("the script is an asset");
        assert!(asset.s3_key.starts_with("assets/") && asset.s3_key.ends_with(".py"), "{}", asset.s3_key);
        let body = &rendered.stacks.iter().find(|s| s.id == "datalake").unwrap().body;
        let t: Value = serde_json::from_str(body).unwrap();
        let etl = load_env(env).datalake.etl;
        let job = &t["Resources"]["RdsToS3Job"]["Properties"];
        assert_eq!(
            job["Command"],
            json!({"Name": "glueetl", "PythonVersion": "3",
                   "ScriptLocation": {"Fn::Sub": format!(
                       "s3://matbakh-{env}-assets-${{AWS::AccountId}}-${{AWS::Region}}/{}", asset.s3_key)}})
        );
        assert_eq!(job["Name"], format!("matbakh-{env}-rds-to-s3"));
        assert_eq!(job["Role"], json!({"Fn::GetAtt": ["GlueJobRole", "Arn"]}));
        assert_eq!(job["GlueVersion"], etl.glue_version);
        assert_eq!(job["WorkerType"], etl.worker_type);
        assert_eq!(job["NumberOfWorkers"], etl.number_of_workers);
        assert_eq!(job["Timeout"], etl.timeout_minutes);
        assert_eq!(job["Connections"], json!({"Connections": [{"Ref": "RdsConnection"}]}));
        let args = &job["DefaultArguments"];
        assert_eq!(args["--S3_BUCKET"], json!({"Ref": "DataLakeBucket"}));
        assert_eq!(args["--enable-metrics"], "true");
        // A full export per run overwrites the prefix: no bookmarks, no dynamic overwrite.
        assert_eq!(args["--job-bookmark-option"], "job-bookmark-disable");
        assert!(args.get("--conf").is_none(), "{env}: no Spark overrides of the script's static overwrite");
        assert_eq!(job["ExecutionProperty"], json!({"MaxConcurrentRuns": 1}));
        assert_eq!(
            args["--RDS_SECRET_ID"],
            json!({"Fn::ImportValue": format!("matbakh-{env}-security-EtlCredentialsSecretArn")})
        );
        assert_eq!(
            args["--DATABASE_URL"],
            t["Resources"]["RdsConnection"]["Properties"]["ConnectionInput"]["ConnectionProperties"]["JDBC_CONNECTION_URL"]
        );

        // The role may read exactly that script object.
        let statements =
            t["Resources"]["GlueJobRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].clone();
        let read_script = statements.as_array().unwrap().iter().find(|s| s["Sid"] == "ReadJobScript").unwrap();
        assert_eq!(
            read_script["Resource"],
            json!([{"Fn::Sub": format!(
                "arn:${{AWS::Partition}}:s3:::matbakh-{env}-assets-${{AWS::AccountId}}-${{AWS::Region}}/{}",
                asset.s3_key)}])
        );

        let trigger = &t["Resources"]["RdsToS3Schedule"]["Properties"];
        assert_eq!(trigger["Type"], "SCHEDULED");
        assert_eq!(trigger["Schedule"], json!(etl.schedule.clone().unwrap()));
        assert_eq!(trigger["StartOnCreation"], true);
        assert_eq!(trigger["Actions"], json!([{"JobName": {"Ref": "RdsToS3Job"}}]));
    }
}

#[test]
fn glue_connection_reaches_the_primary_from_the_first_private_subnet() {
    let t = datalake("prod");
    let connection = &t["Resources"]["RdsConnection"]["Properties"];
    assert_eq!(connection["CatalogId"], json!({"Ref": "AWS::AccountId"}));
    let input = &connection["ConnectionInput"];
    assert_eq!(input["Name"], "matbakh-prod-rds");
    assert_eq!(input["ConnectionType"], "JDBC");
    assert_eq!(
        input["ConnectionProperties"],
        json!({
            "JDBC_CONNECTION_URL": {"Fn::Sub": ["jdbc:postgresql://${Var0}:${Var1}/matbakh", {
                "Var0": {"Fn::ImportValue": "matbakh-prod-data-DatabaseEndpointAddress"},
                "Var1": {"Fn::ImportValue": "matbakh-prod-data-DatabaseEndpointPort"}}]},
            "JDBC_ENFORCE_SSL": "true",
            "SECRET_ID": {"Fn::ImportValue": "matbakh-prod-security-EtlCredentialsSecretArn"},
        })
    );
    assert_eq!(
        input["PhysicalConnectionRequirements"],
        json!({
            "SubnetId": {"Fn::Select": ["0", {"Fn::Split": [",", {"Fn::ImportValue": "matbakh-prod-network-PrivateSubnetIds"}]}]},
            "AvailabilityZone": {"Fn::Select": ["0", {"Ref": "AvailabilityZones"}]},
            "SecurityGroupIdList": [{"Fn::GetAtt": ["GlueSecurityGroup", "GroupId"]}],
        })
    );
    assert_eq!(t["Parameters"]["AvailabilityZones"]["Default"], "eu-central-1a,eu-central-1b,eu-central-1c");
    let database = &t["Resources"]["GlueDatabase"]["Properties"];
    assert_eq!(database["DatabaseInput"]["Name"], "matbakh_prod");
}

/// (direction, group, protocol, from port, to port, peer) of a standalone rule.
type Rule = (&'static str, Value, String, Option<i64>, Option<i64>, Value);

fn rules(t: &Value) -> Vec<Rule> {
    security_group_rules(t)
        .into_iter()
        .map(|rule| {
            let p = rule.properties;
            let peer = rule.peer_group.unwrap_or(&p["CidrIp"]).clone();
            let protocol = p["IpProtocol"].as_str().unwrap().to_owned();
            (rule.direction, p["GroupId"].clone(), protocol, p["FromPort"].as_i64(), p["ToPort"].as_i64(), peer)
        })
        .collect()
}

#[test]
fn glue_security_group_has_exactly_the_rules_glue_and_the_etl_need() {
    let t = datalake("prod");
    let glue = json!({"Fn::GetAtt": ["GlueSecurityGroup", "GroupId"]});
    let rds = json!({"Fn::ImportValue": "matbakh-prod-network-RdsSecurityGroupId"});
    let tcp = "tcp".to_owned();
    assert_eq!(
        rules(&t),
        vec![
            ("in", glue.clone(), tcp.clone(), Some(0), Some(65535), glue.clone()),
            ("in", rds.clone(), tcp.clone(), Some(5432), Some(5432), glue.clone()),
            ("out", glue.clone(), tcp.clone(), Some(0), Some(65535), glue.clone()),
            ("out", glue.clone(), tcp.clone(), Some(443), Some(443), json!("0.0.0.0/0")),
            ("out", glue.clone(), tcp, Some(5432), Some(5432), rds),
        ]
    );
    let group = &t["Resources"]["GlueSecurityGroup"]["Properties"];
    assert_eq!(group["VpcId"], json!({"Fn::ImportValue": "matbakh-prod-network-VpcId"}));
    assert!(group["SecurityGroupIngress"].is_null());
    assert_eq!(group["SecurityGroupEgress"].as_array().unwrap().len(), 1, "only the no-traffic placeholder");
}

#[test]
fn glue_role_is_least_privilege() {
    let t = datalake("prod");
    let role = &t["Resources"]["GlueJobRole"]["Properties"];
    assert_eq!(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"], json!({"Service": "glue.amazonaws.com"}));
    assert!(role.get("ManagedPolicyArns").is_none(), "no AWSGlueServiceRole and its wildcards");
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
    // `*` only where AWS has no resource-level permissions.
    let wildcards: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Resource"].as_array().unwrap().contains(&json!("*")))
        .map(|s| &s["Sid"])
        .collect();
    assert_eq!(wildcards, [&json!("PublishJobMetrics"), &json!("DescribeJobNetwork")]);
    for s in statements {
        for action in s["Action"].as_array().unwrap() {
            assert!(!action.as_str().unwrap().ends_with(":*"), "{} grants a whole service", s["Sid"]);
        }
    }
    let by_sid = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("{sid}"));
    // Its two outputs only: the day's raw snapshot and the curated table.
    assert_eq!(
        by_sid("WriteOwnOutputs")["Resource"],
        json!([
            {"Fn::Sub": "${DataLakeBucket.Arn}/raw/rds-exports/*"},
            {"Fn::Sub": "${DataLakeBucket.Arn}/curated/business_partners/*"}
        ])
    );
    assert_eq!(by_sid("UseDataLakeKey")["Resource"], json!([key_arn()]));
    assert_eq!(
        by_sid("ReadDatabaseCredentials")["Resource"],
        json!([{"Fn::ImportValue": "matbakh-prod-security-EtlCredentialsSecretArn"}])
    );
    let decrypt = by_sid("DecryptDatabaseCredentials");
    assert_eq!(decrypt["Resource"], json!([{"Fn::ImportValue": "matbakh-prod-security-RdsKeyArn"}]));
    assert_eq!(
        decrypt["Condition"]["StringEquals"]["kms:ViaService"],
        json!([{"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}])
    );
    assert_eq!(
        by_sid("UseCatalogDatabase")["Resource"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"},
            {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:database/matbakh_prod"},
            {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:table/matbakh_prod/*"},
        ])
    );
    assert_eq!(
        by_sid("WriteJobLogs")["Resource"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws-glue/*"}])
    );
}

#[test]
fn athena_results_are_encrypted_and_the_workgroup_enforces_it() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        let workgroup = &t["Resources"]["AthenaWorkGroup"]["Properties"];
        assert_eq!(workgroup["Name"], format!("matbakh-{env}"));
        let config = &workgroup["WorkGroupConfiguration"];
        assert_eq!(
            config["ResultConfiguration"],
            json!({
                "OutputLocation": {"Fn::Sub": "s3://${DataLakeBucket}/athena-results/"},
                "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": key_arn()},
            })
        );
        assert_eq!(config["EnforceWorkGroupConfiguration"], true);
        assert_eq!(config["PublishCloudWatchMetricsEnabled"], true);
        assert_eq!(config["BytesScannedCutoffPerQuery"], load_env(env).datalake.athena.bytes_scanned_cutoff_per_query);
    }
}

#[test]
fn datalake_depends_on_the_stacks_it_reads_and_subscribes_to() {
    let deps = render_env("prod", Format::Json).manifest.stack("datalake").unwrap().depends_on.clone();
    // app and api: the log groups of the raw feeds and the roles archiving external APIs.
    assert_eq!(deps, ["api", "app", "data", "network", "security"]);
}

/// The columns of the design's `CREATE EXTERNAL TABLE business_partners_curated` (§7).
const BUSINESS_PARTNERS_DDL: &str = "business_id string, user_id string, business_name string, status string, \
                                     created_date timestamp, last_modified timestamp";

#[test]
fn curated_tables_are_parquet_with_the_designs_partition_projection() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        let years = load_env(env).datalake.partition_years;
        let all = resources_of_type(&t, "AWS::Glue::Table");
        let names: Vec<&Value> = all.iter().map(|(_, r)| &r["Properties"]["TableInput"]["Name"]).collect();
        assert_eq!(
            names,
            [
                &json!("business_partners_curated"),
                &json!("visibility_check_results_curated"),
                &json!("daily_kpis"),
                &json!("monthly_cohorts")
            ],
            "{env}"
        );
        let tables: Vec<_> = all
            .into_iter()
            .filter(|(_, r)| r["Properties"]["TableInput"]["Name"].as_str().unwrap().ends_with("_curated"))
            .collect();
        for ((_, table), prefix) in tables.iter().zip(["business_partners", "visibility_check_results"]) {
            let p = &table["Properties"];
            assert_eq!(p["CatalogId"], json!({"Ref": "AWS::AccountId"}));
            assert_eq!(p["DatabaseName"], json!({"Ref": "GlueDatabase"}));
            let input = &p["TableInput"];
            assert_eq!(input["TableType"], "EXTERNAL_TABLE");
            assert_eq!(
                input["PartitionKeys"],
                json!([{"Name": "year", "Type": "int"}, {"Name": "month", "Type": "int"}, {"Name": "day", "Type": "int"}])
            );
            let location = format!("s3://matbakh-data-lake-{env}/curated/{prefix}/");
            let storage = &input["StorageDescriptor"];
            assert_eq!(storage["Location"], location.as_str());
            assert_eq!(storage["InputFormat"], "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
            assert_eq!(storage["OutputFormat"], "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
            assert_eq!(
                storage["SerdeInfo"],
                json!({"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"})
            );
            let params = &input["Parameters"];
            assert_eq!(params["projection.enabled"], "true");
            assert_eq!(params["classification"], "parquet");
            assert_eq!(params["projection.year.type"], "integer");
            assert_eq!(params["projection.year.range"], format!("{},{}", years.first, years.last));
            assert_eq!(params["projection.month.type"], "integer");
            assert_eq!(params["projection.month.range"], "1,12");
            assert_eq!(params["projection.day.type"], "integer");
            assert_eq!(params["projection.day.range"], "1,31");
            assert_eq!(
                params["storage.location.template"],
                format!("{location}year=${{year}}/month=${{month}}/day=${{day}}/")
            );
        }
        let columns = |i: usize| -> Vec<(String, String)> {
            tables[i].1["Properties"]["TableInput"]["StorageDescriptor"]["Columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["Name"].as_str().unwrap().to_owned(), c["Type"].as_str().unwrap().to_owned()))
                .collect()
        };
        let expected: Vec<(String, String)> = BUSINESS_PARTNERS_DDL
            .split(", ")
            .map(|c| c.split_once(' ').map(|(n, t)| (n.to_owned(), t.to_owned())).unwrap())
            .collect();
        assert_eq!(columns(0), expected, "{env}");
        let vc: Vec<String> = columns(1).into_iter().map(|(n, _)| n).collect();
        for used in ["business_id", "created_date"] {
            assert!(vc.contains(&used.to_owned()), "{env}: the design's retention query reads vc.{used}");
        }
    }
    // The design's year range 2024-2030 is the default.
    assert_eq!(
        datalake("prod")["Resources"]["BusinessPartnersCuratedTable"]["Properties"]["TableInput"]["Parameters"]["projection.year.range"],
        "2024,2030"
    );
}

#[test]
fn the_glue_role_may_list_and_delete_what_the_overwrite_replaces() {
    let t = datalake("prod");
    let statements = t["Resources"]["GlueJobRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].clone();
    let by_sid = |sid: &str| statements.as_array().unwrap().iter().find(|s| s["Sid"] == sid).unwrap().clone();
    // The overwrite lists the prefix and deletes the previous run's objects.
    assert!(by_sid("ListDataLake")["Action"].as_array().unwrap().contains(&json!("s3:ListBucket")));
    assert!(by_sid("WriteOwnOutputs")["Action"].as_array().unwrap().contains(&json!("s3:DeleteObject")));
    assert!(by_sid("UseCatalogDatabase")["Action"].as_array().unwrap().contains(&json!("glue:GetTable")));
}

/// §1's QuickSight needs an account subscription: off in every shipped environment.
#[test]
fn no_shipped_environment_has_a_quicksight_data_source() {
    for env in ENVIRONMENTS {
        assert!(!load_env(env).datalake.quicksight.enabled, "{env}");
        let t = datalake(env);
        assert!(resources_of_type(&t, "AWS::QuickSight::DataSource").is_empty(), "{env}");
        assert!(!t.to_string().contains("quicksight"), "{env}");
    }
}

/// With `datalake.quicksight.enabled`, an Athena data source on the environment's
/// workgroup, shared with the configured principal for use only, whose queries run as a
/// role that reads `curated/` (never `raw/`), writes only the workgroup's results, uses
/// the lake's key only through S3, and sees only this database; nothing else changes.
#[test]
fn quicksight_reads_curated_through_the_workgroup_as_its_own_role() {
    for env in ENVIRONMENTS {
        let shipped = datalake(env);
        let t = common::stacks::templates_of(&common::switched_on(env)).remove("datalake").unwrap();

        let sources = resources_of_type(&t, "AWS::QuickSight::DataSource");
        assert_eq!(sources.len(), 1, "{env}");
        let p = &sources[0].1["Properties"];
        assert_eq!(p["AwsAccountId"], json!({"Ref": "AWS::AccountId"}));
        assert_eq!(p["DataSourceId"], format!("matbakh-{env}-athena"));
        assert_eq!(p["Type"], "ATHENA");
        assert_eq!(
            p["DataSourceParameters"],
            json!({"AthenaParameters": {"WorkGroup": {"Ref": "AthenaWorkGroup"},
                                        "RoleArn": {"Fn::GetAtt": ["QuickSightAthenaRole", "Arn"]}}})
        );
        assert_eq!(
            p["Permissions"],
            json!([{"Principal": common::QUICKSIGHT_ANALYSTS, "Actions": ["quicksight:DescribeDataSource",
                    "quicksight:DescribeDataSourcePermissions", "quicksight:PassDataSource"]}])
        );

        let role = &t["Resources"]["QuickSightAthenaRole"]["Properties"];
        assert_eq!(
            role["AssumeRolePolicyDocument"]["Statement"],
            json!([{"Sid": "AssumedByService", "Effect": "Allow", "Principal": {"Service": "quicksight.amazonaws.com"},
                    "Action": ["sts:AssumeRole"]}])
        );
        assert!(role.get("ManagedPolicyArns").is_none(), "{env}: no AWSQuicksightAthenaAccess and its wildcards");
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
        let by_sid = |sid: &str| statements.iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("{sid}"));
        let mut s3_resources = Vec::new();
        for s in statements {
            let actions: Vec<&str> = s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
            for action in &actions {
                assert!(!action.ends_with('*'), "{env}: {} grants {action}", s["Sid"]);
                assert!(
                    !action.starts_with("glue:")
                        || action.starts_with("glue:Get")
                        || action.starts_with("glue:BatchGet")
                );
            }
            if s["Resource"] == json!(["*"]) {
                assert_eq!(s["Sid"], "ListWorkGroupsAndCatalogs", "{env}: `*` only for list calls");
                assert!(actions.iter().all(|a| a.starts_with("athena:List")));
            }
            if actions.iter().any(|a| a.starts_with("s3:")) {
                s3_resources.extend(s["Resource"].as_array().unwrap().iter().cloned());
            }
            if actions.contains(&"s3:PutObject") {
                assert_eq!(s["Resource"], json!([{"Fn::Sub": "${DataLakeBucket.Arn}/athena-results/*"}]), "{env}");
            }
        }
        let mut objects: Vec<String> =
            s3_resources.iter().map(Value::to_string).filter(|r| r.contains("Arn}/")).collect();
        objects.sort();
        objects.dedup();
        assert_eq!(
            objects,
            [
                r#"{"Fn::Sub":"${DataLakeBucket.Arn}/athena-results/*"}"#,
                r#"{"Fn::Sub":"${DataLakeBucket.Arn}/curated/*"}"#
            ],
            "{env}: objects under curated/ and athena-results/ only"
        );
        assert_eq!(
            by_sid("ListCuratedAndResults")["Condition"],
            json!({"StringLike": {"s3:prefix": ["curated/*", "athena-results/*"]}})
        );
        assert_eq!(
            by_sid("QueryThroughTheWorkGroup")["Resource"],
            json!([{"Fn::Sub": format!("arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/matbakh-{env}")}])
        );
        let key = by_sid("UseTheLakeKeyThroughS3");
        assert_eq!(key["Resource"], json!([key_arn()]));
        assert_eq!(
            key["Condition"],
            json!({"StringEquals": {"kms:ViaService": [{"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}]}})
        );
        assert_eq!(
            by_sid("ReadTheLakeTables")["Resource"],
            json!([
                {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"},
                {"Fn::Sub": format!("arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:database/matbakh_{env}")},
                {"Fn::Sub": format!("arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:table/matbakh_{env}/*")},
            ])
        );

        // Everything the shipped stack has stays as it is.
        for (id, resource) in shipped["Resources"].as_object().unwrap() {
            assert_eq!(&t["Resources"][id], resource, "{env}: {id} changed");
        }
        assert_eq!(t["Resources"].as_object().unwrap().len(), shipped["Resources"].as_object().unwrap().len() + 2);
    }
}

#[test]
fn aggregates_have_tables_with_the_columns_of_the_designs_queries() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        for (id, name, columns) in [
            (
                "DailyKpisTable",
                "daily_kpis",
                json!([{"Name": "date", "Type": "date"}, {"Name": "total_leads", "Type": "bigint"},
                       {"Name": "completed_leads", "Type": "bigint"}, {"Name": "avg_score", "Type": "double"}]),
            ),
            (
                "MonthlyCohortsTable",
                "monthly_cohorts",
                json!([{"Name": "cohort_month", "Type": "timestamp"}, {"Name": "new_businesses", "Type": "bigint"}]),
            ),
        ] {
            let input = &t["Resources"][id]["Properties"]["TableInput"];
            assert_eq!(input["Name"], name, "{env}");
            let storage = &input["StorageDescriptor"];
            assert_eq!(storage["Location"], format!("s3://matbakh-data-lake-{env}/curated/aggregates/{name}/"));
            assert_eq!(storage["Columns"], columns, "{env} {name}");
            // Small, rewritten whole: no partitions, so no projection either.
            assert!(input.get("PartitionKeys").is_none(), "{env} {name}");
            assert!(input["Parameters"].get("projection.enabled").is_none(), "{env} {name}");
            assert_eq!(input["Parameters"]["classification"], "parquet");
        }
    }
}

fn import(env: &str, stack: &str, export: &str) -> Value {
    json!({"Fn::ImportValue": format!("matbakh-{env}-{stack}-{export}")})
}

#[test]
fn raw_log_feeds_subscribe_the_stage_and_every_function() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        let functions = load_env(env).functions.definitions;
        let subscriptions = resources_of_type(&t, "AWS::Logs::SubscriptionFilter");
        assert_eq!(subscriptions.len(), functions.len() + 1, "{env}: the stage and each function");
        let stream_of = |group: &Value| {
            let (_, s) = subscriptions
                .iter()
                .find(|(_, s)| s["Properties"]["LogGroupName"] == *group)
                .unwrap_or_else(|| panic!("{env}: no subscription of {group}"));
            assert_eq!(s["Properties"]["FilterPattern"], "", "every event");
            assert_eq!(s["Properties"]["FilterName"], "matbakh-data-lake-raw");
            assert_eq!(s["Properties"]["RoleArn"], json!({"Fn::GetAtt": ["LogFeedsSubscriptionRole", "Arn"]}));
            s["Properties"]["DestinationArn"].clone()
        };
        assert_eq!(
            stream_of(&import(env, "api", "AccessLogGroupName")),
            json!({"Fn::GetAtt": ["ApiLogsDeliveryStream", "Arn"]})
        );
        for f in &functions {
            let stem: String = f.name.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
            assert_eq!(
                stream_of(&import(env, "app", &format!("{stem}LogGroupName"))),
                json!({"Fn::GetAtt": ["LambdaLogsDeliveryStream", "Arn"]}),
                "{env} {}",
                f.name
            );
        }
    }
}

#[test]
fn delivery_streams_write_lines_by_day_under_their_raw_prefix_encrypted() {
    for env in ENVIRONMENTS {
        let t = datalake(env);
        for (id, feed) in [("ApiLogs", "api-logs"), ("LambdaLogs", "lambda-logs")] {
            let p = &t["Resources"][format!("{id}DeliveryStream")]["Properties"];
            assert_eq!(p["DeliveryStreamName"], format!("matbakh-{env}-{feed}"));
            assert_eq!(p["DeliveryStreamType"], "DirectPut");
            let d = &p["ExtendedS3DestinationConfiguration"];
            assert_eq!(d["BucketARN"], json!({"Fn::GetAtt": ["DataLakeBucket", "Arn"]}));
            assert_eq!(d["RoleARN"], json!({"Fn::GetAtt": [format!("{id}DeliveryRole"), "Arn"]}));
            let day = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/";
            assert_eq!(d["Prefix"], format!("raw/{feed}/{day}"));
            assert_eq!(
                d["ErrorOutputPrefix"],
                format!("raw/delivery-errors/{feed}/!{{firehose:error-output-type}}/{day}")
            );
            assert_eq!(d["EncryptionConfiguration"], json!({"KMSEncryptionConfig": {"AWSKMSKeyARN": key_arn()}}));
            assert_eq!((&d["CompressionFormat"], &d["FileExtension"]), (&json!("GZIP"), &json!(".log.gz")));
            // CloudWatch Logs sends gzip envelopes: decompress, keep the messages, one per line.
            assert_eq!(
                d["ProcessingConfiguration"],
                json!({"Enabled": true, "Processors": [
                    {"Type": "Decompression", "Parameters": [{"ParameterName": "CompressionFormat", "ParameterValue": "GZIP"}]},
                    {"Type": "CloudWatchLogProcessing",
                     "Parameters": [{"ParameterName": "DataMessageExtraction", "ParameterValue": "true"}]}]})
            );

            let role = &t["Resources"][format!("{id}DeliveryRole")]["Properties"];
            let trust = &role["AssumeRolePolicyDocument"]["Statement"][0];
            assert_eq!(trust["Principal"], json!({"Service": "firehose.amazonaws.com"}));
            assert_eq!(trust["Condition"], json!({"StringEquals": {"sts:ExternalId": [{"Ref": "AWS::AccountId"}]}}));
            let statements = role["Policies"][0]["PolicyDocument"]["Statement"].as_array().unwrap();
            let writes: Vec<&Value> = statements.iter().filter(|s| s["Sid"] == "WriteOwnPrefixes").collect();
            assert_eq!(
                writes[0]["Resource"],
                json!([{"Fn::Sub": format!("${{DataLakeBucket.Arn}}/raw/{feed}/*")},
                       {"Fn::Sub": format!("${{DataLakeBucket.Arn}}/raw/delivery-errors/{feed}/*")}]),
                "{env}: a feed writes its own prefixes only"
            );
            assert!(!writes[0]["Action"].as_array().unwrap().contains(&json!("s3:DeleteObject")));
        }
        let logs_role = &t["Resources"]["LogFeedsSubscriptionRole"]["Properties"];
        let trust = &logs_role["AssumeRolePolicyDocument"]["Statement"][0];
        assert_eq!(trust["Principal"], json!({"Service": "logs.amazonaws.com"}));
        assert_eq!(
            trust["Condition"],
            json!({"ArnLike": {"aws:SourceArn": [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*"}]}})
        );
        assert_eq!(
            logs_role["Policies"][0]["PolicyDocument"]["Statement"],
            json!([{"Sid": "PutIntoFeeds", "Effect": "Allow", "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
                    "Resource": [{"Fn::GetAtt": ["ApiLogsDeliveryStream", "Arn"]},
                                 {"Fn::GetAtt": ["LambdaLogsDeliveryStream", "Arn"]}]}])
        );
    }
}

#[test]
fn only_archiving_functions_may_write_raw_external_apis_and_nothing_else() {
    use matbakh_infra::config::model::Capability;
    for env in ENVIRONMENTS {
        let t = datalake(env);
        let archiving: Vec<String> = load_env(env)
            .functions
            .definitions
            .iter()
            .filter(|f| f.uses.contains(&Capability::ExternalApiArchive))
            .map(|f| f.name.clone())
            .collect();
        assert_eq!(archiving, ["api-core"], "{env}: the function holding the external API keys");
        let p = &t["Resources"]["ExternalApiArchivePolicy"]["Properties"];
        assert_eq!(p["Roles"], json!([import(env, "app", "ApiCoreRoleName")]));
        assert_eq!(
            p["PolicyDocument"]["Statement"],
            json!([
                {"Sid": "WriteExternalApiResponses", "Effect": "Allow", "Action": ["s3:PutObject"],
                 "Resource": [{"Fn::Sub": "${DataLakeBucket.Arn}/raw/external-apis/*"}]},
                {"Sid": "EncryptWithDataLakeKey", "Effect": "Allow", "Action": ["kms:GenerateDataKey"],
                 "Resource": [key_arn()],
                 "Condition": {"StringEquals": {"kms:ViaService": [{"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}]}}}
            ])
        );
        let app = templates(env).remove("app").unwrap();
        let vars = &app["Resources"]["ApiCoreFunction"]["Properties"]["Environment"]["Variables"];
        assert_eq!(vars["DATA_LAKE_BUCKET"], format!("matbakh-data-lake-{env}"));
        assert_eq!(vars["EXTERNAL_API_ARCHIVE_PREFIX"], "raw/external-apis/");
        assert!(
            app["Resources"]["VcStartFunction"]["Properties"]["Environment"]["Variables"]
                .get("DATA_LAKE_BUCKET")
                .is_none()
        );
    }
}
