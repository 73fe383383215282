//! What drift compares per resource type, and how: the managed properties with the
//! value CloudFormation uses when the template leaves them out, derived properties
//! (replica set, environment variable names, code hash, AUTH enabled, key state,
//! rotation), and normalisation: numbers and numeric strings alike, order-insensitive
//! sets (security-group rules, auto-verified attributes, subnets), WAF rules by
//! priority, KMS keys by key id, key policies statement by statement.
//!
//! Security-group rules are compared by what they allow (protocol, ports, peer); their
//! descriptions are not compared, as they change no access.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::expected::{Scope, Unresolved, scalar_text};
use super::model::{NotCompared, PropertyDrift, Source};
use crate::aws::services::wafv2;
use crate::aws::services::{LiveProperties, UNREAD};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Equal as values; `"20"` equals `20`, `"true"` equals `true`.
    Scalar,
    CaseInsensitive,
    /// Order does not matter; each missing or extra item is a difference.
    Set,
    /// Order matters.
    Ordered,
    /// KMS key references: the same key by id, ARN or key id inside the ARN.
    KmsKey,
    /// IAM policy documents, statement by statement.
    Policy,
    /// Every key the code sets must have its value; others are the service's defaults.
    Subset,
    /// Security-group rules (normalised; a set).
    Rules,
    /// WAF rule summaries, by name, each with its priority (order).
    WafRules,
    /// `7.1` matches `7.1.0`.
    Version,
    /// An identifier or its ARN, case-insensitive.
    Identifier,
}

pub struct Prop {
    pub name: &'static str,
    pub kind: Kind,
    /// CloudFormation's value when the template leaves the property out (JSON text).
    pub default: Option<&'static str>,
}

const fn p(name: &'static str, kind: Kind) -> Prop {
    Prop { name, kind, default: None }
}

const fn d(name: &'static str, kind: Kind, default: &'static str) -> Prop {
    Prop { name, kind, default: Some(default) }
}

use Kind::*;

const VPC: &[Prop] = &[p("CidrBlock", Scalar), d("InstanceTenancy", Scalar, "\"default\"")];
const SUBNET: &[Prop] = &[
    p("CidrBlock", Scalar),
    p("AvailabilityZone", Scalar),
    p("VpcId", Scalar),
    d("MapPublicIpOnLaunch", Scalar, "false"),
];
const SECURITY_GROUP: &[Prop] = &[
    p("GroupDescription", Scalar),
    p("VpcId", Scalar),
    p("SecurityGroupIngress", Rules),
    p("SecurityGroupEgress", Rules),
];
const DB_INSTANCE: &[Prop] = &[
    p("DBInstanceClass", Scalar),
    p("Engine", CaseInsensitive),
    p("EngineVersion", Version),
    p("DBName", Scalar),
    d("MultiAZ", Scalar, "false"),
    p("AllocatedStorage", Scalar),
    p("MaxAllocatedStorage", Scalar),
    p("StorageType", Scalar),
    p("Iops", Scalar),
    p("StorageThroughput", Scalar),
    d("BackupRetentionPeriod", Scalar, "1"),
    p("PreferredBackupWindow", CaseInsensitive),
    p("PreferredMaintenanceWindow", CaseInsensitive),
    d("StorageEncrypted", Scalar, "false"),
    p("KmsKeyId", KmsKey),
    d("DeletionProtection", Scalar, "false"),
    p("PubliclyAccessible", Scalar),
    d("EnablePerformanceInsights", Scalar, "false"),
    p("PerformanceInsightsRetentionPeriod", Scalar),
    d("MonitoringInterval", Scalar, "0"),
    p("MonitoringRoleArn", Scalar),
    p("AutoMinorVersionUpgrade", Scalar),
    p("CopyTagsToSnapshot", Scalar),
    p("CACertificateIdentifier", Scalar),
    p("AvailabilityZone", Scalar),
    p("DBParameterGroupName", CaseInsensitive),
    p("DBSubnetGroupName", CaseInsensitive),
    p("VPCSecurityGroups", Set),
    p("EnableCloudwatchLogsExports", Set),
    p("SourceDBInstanceIdentifier", Identifier),
    // Derived: the replicas that name this instance as their source.
    p("ReadReplicas", Set),
    // Roles the engine acts with ({RoleArn, FeatureName}); one RDS cannot assume (not
    // ACTIVE) reads as missing.
    d("AssociatedRoles", Set, "[]"),
];
const DB_PARAMETER_GROUP: &[Prop] = &[p("Parameters", Scalar)];
const REPLICATION_GROUP: &[Prop] = &[
    p("ReplicationGroupDescription", Scalar),
    p("CacheNodeType", Scalar),
    p("NumNodeGroups", Scalar),
    p("ReplicasPerNodeGroup", Scalar),
    d("AtRestEncryptionEnabled", Scalar, "false"),
    d("TransitEncryptionEnabled", Scalar, "false"),
    // Derived: an AuthToken in the template means AUTH is on.
    p("AuthTokenEnabled", Scalar),
    d("SnapshotRetentionLimit", Scalar, "0"),
    p("SnapshotWindow", Scalar),
    d("MultiAZEnabled", Scalar, "false"),
    p("AutomaticFailoverEnabled", Scalar),
    p("ClusterMode", CaseInsensitive),
    p("KmsKeyId", KmsKey),
    p("AutoMinorVersionUpgrade", Scalar),
    // From the member cluster: write-only for CloudFormation's drift detection.
    p("EngineVersion", Version),
    p("SecurityGroupIds", Set),
    p("CacheParameterGroupName", CaseInsensitive),
    p("CacheSubnetGroupName", CaseInsensitive),
    p("PreferredMaintenanceWindow", CaseInsensitive),
];
const CACHE_PARAMETER_GROUP: &[Prop] = &[p("Properties", Scalar)];
const USER_POOL: &[Prop] = &[
    p("UserPoolName", Scalar),
    p("Policies", Subset),
    d("MfaConfiguration", Scalar, "\"OFF\""),
    p("EnabledMfas", Set),
    d("AutoVerifiedAttributes", Set, "[]"),
    d("AliasAttributes", Set, "[]"),
    d("UsernameAttributes", Set, "[]"),
    d("LambdaConfig", Scalar, "{}"),
    d("DeletionProtection", Scalar, "\"INACTIVE\""),
];
const WEB_ACL: &[Prop] =
    &[p("Name", Scalar), p("Description", Scalar), p("DefaultAction", Scalar), p("Rules", WafRules)];
const KMS_KEY: &[Prop] = &[
    p("Description", Scalar),
    d("Enabled", Scalar, "true"),
    // Derived: an enabled key is in state Enabled (not PendingDeletion, not Disabled).
    p("KeyState", Scalar),
    d("EnableKeyRotation", Scalar, "false"),
    p("RotationPeriodInDays", Scalar),
    d("KeyUsage", Scalar, "\"ENCRYPT_DECRYPT\""),
    d("KeySpec", Scalar, "\"SYMMETRIC_DEFAULT\""),
    d("MultiRegion", Scalar, "false"),
    p("KeyPolicy", Policy),
];
const SECRET: &[Prop] = &[
    p("Name", Scalar),
    p("Description", Scalar),
    p("KmsKeyId", KmsKey),
    // Derived: a RotationSchedule for the secret in the template means rotation on.
    p("RotationEnabled", Scalar),
];
const FUNCTION: &[Prop] = &[
    p("FunctionName", Scalar),
    p("Description", Scalar),
    p("Runtime", Scalar),
    p("Handler", Scalar),
    p("Role", Scalar),
    d("MemorySize", Scalar, "128"),
    d("Timeout", Scalar, "3"),
    d("Architectures", Ordered, "[\"x86_64\"]"),
    p("KmsKeyArn", KmsKey),
    d("TracingConfig", Subset, "{\"Mode\": \"PassThrough\"}"),
    // Derived: names only, never values.
    d("EnvironmentKeys", Set, "[]"),
    p("VpcSubnetIds", Set),
    p("VpcSecurityGroupIds", Set),
    d("Layers", Ordered, "[]"),
    d("ReservedConcurrentExecutions", Scalar, "null"),
    // Derived: base64 SHA-256 of the asset zip (write-only for CloudFormation).
    p("CodeSha256", Scalar),
];

/// The managed properties of a type drift reads.
pub fn managed(resource_type: &str) -> &'static [Prop] {
    match resource_type {
        "AWS::EC2::VPC" => VPC,
        "AWS::EC2::Subnet" => SUBNET,
        "AWS::EC2::SecurityGroup" => SECURITY_GROUP,
        "AWS::RDS::DBInstance" => DB_INSTANCE,
        "AWS::RDS::DBParameterGroup" => DB_PARAMETER_GROUP,
        "AWS::ElastiCache::ReplicationGroup" => REPLICATION_GROUP,
        "AWS::ElastiCache::ParameterGroup" => CACHE_PARAMETER_GROUP,
        "AWS::Cognito::UserPool" => USER_POOL,
        "AWS::WAFv2::WebACL" => WEB_ACL,
        "AWS::KMS::Key" => KMS_KEY,
        "AWS::SecretsManager::Secret" => SECRET,
        "AWS::Lambda::Function" => FUNCTION,
        _ => &[],
    }
}

pub type Expected = BTreeMap<String, Result<Value, Unresolved>>;

/// Undeclared properties whose value comes from elsewhere than the type's default: a
/// read replica takes its encryption from its source, and RDS creates it without
/// automated backups (CreateDBInstanceReadReplica has no retention parameter).
fn inherited(resource_type: &str, property: &str, declared: &Map<String, Value>) -> bool {
    resource_type == "AWS::RDS::DBInstance"
        && declared.contains_key("SourceDBInstanceIdentifier")
        && matches!(property, "StorageEncrypted" | "BackupRetentionPeriod")
}

/// The expected value of each managed property of one resource. `template` is the
/// rendered template's `Resources` (for derived properties that look at other
/// resources); security-group rules are filled in by the caller, which sees all stacks.
pub fn expected_properties(
    resource_type: &str,
    logical_id: &str,
    declared: &Map<String, Value>,
    template: &Map<String, Value>,
    scope: &Scope,
) -> Expected {
    let mut out = Expected::new();
    for prop in managed(resource_type) {
        if let Some(raw) = declared.get(prop.name) {
            out.insert(prop.name.to_owned(), scope.resolve(raw));
        } else if let Some(default) = prop.default.filter(|_| !inherited(resource_type, prop.name, declared)) {
            out.insert(prop.name.to_owned(), Ok(serde_json::from_str(default).expect("valid default")));
        }
    }
    let refers_to_me = |v: Option<&Value>| {
        v.is_some_and(|v| {
            *v == json!({"Ref": logical_id}) || v.get("Fn::GetAtt").and_then(|a| a.get(0)) == Some(&json!(logical_id))
        })
    };
    match resource_type {
        "AWS::RDS::DBInstance" => {
            let replicas: Vec<&String> = template
                .iter()
                .filter(|(_, r)| {
                    r["Type"] == "AWS::RDS::DBInstance"
                        && refers_to_me(r["Properties"].get("SourceDBInstanceIdentifier"))
                })
                .map(|(id, _)| id)
                .collect();
            let ids: Result<Vec<Value>, Unresolved> =
                replicas.iter().map(|id| scope.resolve(&json!({"Ref": id}))).collect();
            out.insert("ReadReplicas".into(), ids.map(Value::Array));
        }
        "AWS::ElastiCache::ReplicationGroup" => {
            out.insert("AuthTokenEnabled".into(), Ok(json!(declared.contains_key("AuthToken"))));
        }
        "AWS::KMS::Key" => {
            let enabled = declared.get("Enabled").is_none_or(|e| loose(e) == json!(true));
            out.insert("KeyState".into(), Ok(json!(if enabled { "Enabled" } else { "Disabled" })));
        }
        "AWS::SecretsManager::Secret" => {
            let rotated = template.values().any(|r| {
                r["Type"] == "AWS::SecretsManager::RotationSchedule" && refers_to_me(r["Properties"].get("SecretId"))
            });
            out.insert("RotationEnabled".into(), Ok(json!(rotated)));
        }
        "AWS::Lambda::Function" => {
            if let Some(vars) = declared.get("Environment").and_then(|e| e.get("Variables")).and_then(Value::as_object)
            {
                let mut keys: Vec<&String> = vars.keys().collect();
                keys.sort();
                out.insert("EnvironmentKeys".into(), Ok(json!(keys)));
            }
            if let Some(vpc) = declared.get("VpcConfig") {
                out.insert("VpcSubnetIds".into(), scope.resolve(&vpc["SubnetIds"]));
                out.insert("VpcSecurityGroupIds".into(), scope.resolve(&vpc["SecurityGroupIds"]));
            }
            out.insert("CodeSha256".into(), code_sha256(declared.get("Code")));
        }
        "AWS::WAFv2::WebACL" => {
            if let Some(rules) = declared.get("Rules") {
                out.insert("Rules".into(), scope.resolve(rules).map(|r| wafv2::template_rules(&r)));
            }
            if let Some(action) = declared.get("DefaultAction") {
                out.insert("DefaultAction".into(), Ok(wafv2::template_default_action(action)));
            }
        }
        _ => {}
    }
    out
}

/// The hash Lambda reports for code deployed from an asset `assets/<sha256 hex>.zip`.
fn code_sha256(code: Option<&Value>) -> Result<Value, Unresolved> {
    let key = code
        .and_then(|c| c.get("S3Key"))
        .and_then(Value::as_str)
        .ok_or_else(|| Unresolved("the code is not an asset in S3".into()))?;
    let hex_digest = key
        .rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".zip"))
        .ok_or_else(|| Unresolved(format!("the code key {key} does not name its hash")))?;
    let bytes =
        hex::decode(hex_digest).map_err(|_| Unresolved(format!("the code key {key} does not name its hash")))?;
    if bytes.len() != 32 {
        return Err(Unresolved(format!("the code key {key} does not name its hash")));
    }
    Ok(Value::String(base64(&bytes)))
}

/// Standard base64 with padding (what Lambda's `CodeSha256` uses).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What comparing one resource found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub differences: Vec<PropertyDrift>,
    pub not_compared: Vec<NotCompared>,
    pub compared: usize,
}

/// Compares the expected values of a resource with its live properties.
pub fn compare(resource_type: &str, expected: &Expected, live: &LiveProperties) -> Outcome {
    let mut out = Outcome::default();
    for prop in managed(resource_type) {
        let Some(want) = expected.get(prop.name) else { continue };
        let want = match want {
            Ok(v) => v,
            Err(Unresolved(why)) => {
                out.not_compared.push(NotCompared { property: prop.name.into(), reason: why.clone() });
                continue;
            }
        };
        let Some(have) = live.get(prop.name) else {
            let reason = live
                .get(UNREAD)
                .and_then(|u| u.get(prop.name))
                .and_then(Value::as_str)
                .unwrap_or("not reported by the service");
            out.not_compared.push(NotCompared { property: prop.name.into(), reason: reason.into() });
            continue;
        };
        out.compared += 1;
        compare_property(prop.name, prop.kind, want, have, &mut out);
    }
    out
}

fn diff(property: impl Into<String>, expected: Option<Value>, actual: Option<Value>) -> PropertyDrift {
    PropertyDrift {
        property: property.into(),
        expected,
        actual,
        source: Source::ServiceApi,
        cloudformation_agrees: false,
    }
}

fn compare_property(name: &str, kind: Kind, want: &Value, have: &Value, out: &mut Outcome) {
    match kind {
        Set | Rules => {
            let norm = |v: &Value| -> Vec<Value> {
                let items = match v {
                    Value::Array(a) => a.clone(),
                    Value::Null => Vec::new(),
                    other => vec![other.clone()],
                };
                items.iter().map(|i| if kind == Rules { normalize_rule(i) } else { loose(i) }).collect()
            };
            let (mut missing, mut extra) = (norm(want), norm(have));
            let mut i = 0;
            while i < missing.len() {
                if let Some(j) = extra.iter().position(|e| *e == missing[i]) {
                    extra.remove(j);
                    missing.remove(i);
                } else {
                    i += 1;
                }
            }
            out.differences.extend(missing.into_iter().map(|m| diff(name, Some(m), None)));
            out.differences.extend(extra.into_iter().map(|e| diff(name, None, Some(e))));
        }
        WafRules => {
            let by_name = |v: &Value| -> Vec<(String, Value)> {
                v.as_array()
                    .map(|a| a.iter().map(|r| (scalar_text(&r["Name"]), loose(r))).collect())
                    .unwrap_or_default()
            };
            let (want, have) = (by_name(want), by_name(have));
            for (n, w) in &want {
                match have.iter().find(|(h, _)| h == n) {
                    None => out.differences.push(diff(format!("{name}[{n}]"), Some(w.clone()), None)),
                    Some((_, h)) if h != w => {
                        out.differences.push(diff(format!("{name}[{n}]"), Some(w.clone()), Some(h.clone())))
                    }
                    Some(_) => {}
                }
            }
            for (n, h) in &have {
                if !want.iter().any(|(w, _)| w == n) {
                    out.differences.push(diff(format!("{name}[{n}]"), None, Some(h.clone())));
                }
            }
        }
        _ => {
            if !equal(kind, want, have) {
                out.differences.push(diff(name, Some(want.clone()), Some(have.clone())));
            }
        }
    }
}

fn equal(kind: Kind, want: &Value, have: &Value) -> bool {
    match kind {
        Scalar | Set | Rules | WafRules => loose(want) == loose(have),
        CaseInsensitive => scalar_text(want).eq_ignore_ascii_case(&scalar_text(have)),
        Ordered => loose(want) == loose(have),
        Version => {
            let (w, h) = (scalar_text(want), scalar_text(have));
            h == w || h.starts_with(&format!("{w}."))
        }
        Identifier => {
            let last = |v: &Value| scalar_text(v).rsplit(':').next().unwrap_or_default().to_ascii_lowercase();
            last(want) == last(have)
        }
        KmsKey => {
            let key = |v: &Value| {
                let s = scalar_text(v);
                s.rsplit_once("key/").map_or(s.clone(), |(_, id)| id.to_owned())
            };
            key(want) == key(have)
        }
        Policy => normalize_policy(want) == normalize_policy(have),
        Subset => subset(want, have),
    }
}

fn subset(want: &Value, have: &Value) -> bool {
    match (want, have) {
        (Value::Object(w), Value::Object(h)) => w.iter().all(|(k, wv)| h.get(k).is_some_and(|hv| subset(wv, hv))),
        _ => loose(want) == loose(have),
    }
}

/// Scalars in one form: numeric strings become numbers, `"true"`/`"false"` booleans;
/// recursively through arrays and objects.
pub fn loose(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            if let Ok(n) = s.parse::<i64>() {
                json!(n)
            } else if s == "true" || s == "false" {
                json!(s == "true")
            } else {
                v.clone()
            }
        }
        Value::Number(n) => n.as_i64().map_or_else(|| v.clone(), |i| json!(i)),
        Value::Array(a) => Value::Array(a.iter().map(loose).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), loose(v))).collect()),
        other => other.clone(),
    }
}

/// A security-group rule by what it allows: protocol (by name), ports (none for all
/// protocols), and one peer. Descriptions are dropped.
pub fn normalize_rule(rule: &Value) -> Value {
    let protocol = match scalar_text(&rule["IpProtocol"]).to_ascii_lowercase().as_str() {
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        "58" => "icmpv6".to_owned(),
        "all" | "-1" | "" => "-1".to_owned(),
        other => other.to_owned(),
    };
    let mut out = Map::new();
    out.insert("IpProtocol".into(), json!(protocol));
    if protocol != "-1" {
        for port in ["FromPort", "ToPort"] {
            if let Some(v) = rule.get(port).filter(|v| !v.is_null()) {
                out.insert(port.into(), loose(v));
            }
        }
    }
    for (keys, name) in [
        (&["CidrIp"][..], "CidrIp"),
        (&["CidrIpv6"][..], "CidrIpv6"),
        (&["SourceSecurityGroupId", "DestinationSecurityGroupId", "SecurityGroupId"][..], "SecurityGroupId"),
        (&["SourcePrefixListId", "DestinationPrefixListId", "PrefixListId"][..], "PrefixListId"),
    ] {
        if let Some(v) = keys.iter().find_map(|k| rule.get(*k)).filter(|v| !v.is_null()) {
            out.insert(name.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// A policy document in one form: statements as a sorted set, single values as
/// one-element lists, lists sorted.
pub fn normalize_policy(v: &Value) -> Value {
    let doc = match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    };
    fn norm(v: &Value) -> Value {
        match v {
            Value::Array(a) => {
                let mut items: Vec<Value> = a.iter().map(norm).collect();
                items.sort_by_key(|i| i.to_string());
                Value::Array(items)
            }
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let v = norm(v);
                        let v = match v {
                            Value::String(_) if k != "Version" && k != "Sid" && k != "Effect" => Value::Array(vec![v]),
                            other => other,
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let mut doc = norm(&doc);
    if let Some(Value::Array(statements)) = doc.get_mut("Statement") {
        statements.sort_by_key(|s| s.to_string());
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(pairs: &[(&str, Value)]) -> Expected {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Ok(v.clone()))).collect()
    }

    fn live(v: Value) -> LiveProperties {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn an_extra_ingress_rule_is_a_difference_and_rule_order_or_description_is_not() {
        let want = json!([
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0", "Description": "HTTPS"},
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"}
        ]);
        let have = json!([
            {"IpProtocol": "6", "FromPort": 80, "ToPort": 80, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24", "Description": "by hand"}
        ]);
        let out = compare(
            "AWS::EC2::SecurityGroup",
            &expected(&[("SecurityGroupIngress", want)]),
            &live(json!({"SecurityGroupIngress": have})),
        );
        assert_eq!(out.differences.len(), 1, "{:?}", out.differences);
        let d = &out.differences[0];
        assert_eq!(d.expected, None);
        assert_eq!(
            d.actual,
            Some(json!({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "203.0.113.0/24"}))
        );
    }

    #[test]
    fn normalising_a_rule_twice_changes_nothing() {
        let rule = json!({"IpProtocol": "6", "FromPort": "5432", "ToPort": 5432, "SourceSecurityGroupId": "sg-1", "Description": "x"});
        let once = normalize_rule(&rule);
        assert_eq!(once, json!({"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "SecurityGroupId": "sg-1"}));
        assert_eq!(normalize_rule(&once), once);
    }

    #[test]
    fn numbers_strings_and_defaults_compare_by_value() {
        let template = Map::new();
        let declared = live(json!({"AllocatedStorage": "20", "BackupRetentionPeriod": 7}));
        let exp = expected_properties("AWS::RDS::DBInstance", "Db", &declared, &template, &Scope::default());
        let out = compare(
            "AWS::RDS::DBInstance",
            &exp,
            &live(json!({"AllocatedStorage": 20, "BackupRetentionPeriod": 1, "MultiAZ": false, "ReadReplicas": []})),
        );
        let props: Vec<&str> = out.differences.iter().map(|d| d.property.as_str()).collect();
        assert_eq!(props, ["BackupRetentionPeriod"]);
        assert_eq!(out.differences[0].expected, Some(json!(7)));
        assert_eq!(out.differences[0].actual, Some(json!(1)));
    }

    #[test]
    fn a_role_association_removed_by_hand_is_drift_and_none_declared_expects_none() {
        let role = json!({"RoleArn": "arn:aws:iam::1:role/invoke", "FeatureName": "Lambda"});
        let base = json!({"MultiAZ": false, "BackupRetentionPeriod": 1, "ReadReplicas": []});
        let declared = live(json!({"AssociatedRoles": [role.clone()]}));
        let exp = expected_properties("AWS::RDS::DBInstance", "Db", &declared, &Map::new(), &Scope::default());
        let mut gone = base.clone();
        gone["AssociatedRoles"] = json!([]);
        let out = compare("AWS::RDS::DBInstance", &exp, &live(gone));
        let found: Vec<(&str, Option<&Value>)> =
            out.differences.iter().map(|d| (d.property.as_str(), d.expected.as_ref())).collect();
        assert_eq!(found, [("AssociatedRoles", Some(&role))]);

        let exp = expected_properties("AWS::RDS::DBInstance", "Db", &Map::new(), &Map::new(), &Scope::default());
        let mut added = base.clone();
        added["AssociatedRoles"] = json!([role]);
        let out = compare("AWS::RDS::DBInstance", &exp, &live(added));
        assert_eq!(out.differences.len(), 1, "a role associated by hand is drift too");
        let mut same = base;
        same["AssociatedRoles"] = json!([]);
        assert!(compare("AWS::RDS::DBInstance", &exp, &live(same)).differences.is_empty());
    }

    #[test]
    fn waf_rules_are_compared_by_name_with_their_priority() {
        let want = json!([{"Name": "A", "Priority": 1}, {"Name": "B", "Priority": 2}]);
        let have = json!([{"Name": "B", "Priority": 1}, {"Name": "A", "Priority": 2}]);
        let out = compare("AWS::WAFv2::WebACL", &expected(&[("Rules", want)]), &live(json!({"Rules": have})));
        let props: Vec<&str> = out.differences.iter().map(|d| d.property.as_str()).collect();
        assert_eq!(props, ["Rules[A]", "Rules[B]"], "a swapped order is drift");
    }

    #[test]
    fn kms_keys_match_by_id_and_policies_by_statement() {
        assert!(equal(KmsKey, &json!("arn:aws:kms:eu-central-1:1:key/abc"), &json!("abc")));
        assert!(!equal(KmsKey, &json!("arn:aws:kms:eu-central-1:1:key/abc"), &json!("def")));
        let a = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": "arn:x"}, "Action": "kms:*", "Resource": "*"},
            {"Sid": "B", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": ["*"]}]});
        let b = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "B", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"},
            {"Sid": "A", "Effect": "Allow", "Principal": {"AWS": ["arn:x"]}, "Action": ["kms:*"], "Resource": ["*"]}]});
        assert!(equal(Policy, &a, &Value::String(b.to_string())));
        let mut c = b.clone();
        c["Statement"][0]["Action"] = json!(["kms:*"]);
        assert!(!equal(Policy, &a, &c));
    }

    #[test]
    fn lambda_code_hash_is_derived_from_the_asset_key_and_env_values_are_never_expected() {
        let declared = live(json!({
            "Code": {"S3Bucket": "b", "S3Key": "assets/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.zip"},
            "Environment": {"Variables": {"B_KEY": "value-b", "A_KEY": {"Fn::ImportValue": "x"}}}
        }));
        let exp = expected_properties("AWS::Lambda::Function", "F", &declared, &Map::new(), &Scope::default());
        // sha256("test"), as Lambda prints it.
        assert_eq!(exp["CodeSha256"], Ok(json!("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=")));
        assert_eq!(exp["EnvironmentKeys"], Ok(json!(["A_KEY", "B_KEY"])));
        assert!(!format!("{exp:?}").contains("value-b"));
    }

    #[test]
    fn unresolved_and_unreported_properties_are_not_compared_rather_than_drift() {
        let mut exp = expected(&[("Runtime", json!("nodejs22.x"))]);
        exp.insert("KmsKeyArn".into(), Err(Unresolved("export x not found".into())));
        let out = compare("AWS::Lambda::Function", &exp, &live(json!({})));
        assert!(out.differences.is_empty());
        assert_eq!(out.not_compared.len(), 2);
        assert_eq!(out.compared, 0);
    }
}
