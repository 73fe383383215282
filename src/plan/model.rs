//! The plan: per stack, what changes and how and the change set that carries it out,
//! plus what the reviewer must see first — what will fail, stateful resources that would
//! be replaced, deleted or orphaned, and changes that touch access. Serialized as the
//! versioned plan format (`--output json`, `--out FILE`); `apply` executes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aws::cloudformation::ChangeSetKind;
use crate::diff::access::AccessDetail;
use crate::diff::{Action, Impact, ParameterValueChange, ResourceChange, TemplateDiff};
use crate::resource_types;
use crate::safety;
pub use crate::safety::Danger;

/// Bumped on incompatible changes to the JSON shape; documented in README.md.
pub const PLAN_FORMAT_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub tool_version: String,
    pub environment: String,
    /// The account the plan was made in (checked with STS); `apply --plan` refuses
    /// credentials of another. Empty only in plans saved before it was recorded.
    #[serde(default)]
    pub account: String,
    pub region: String,
    /// The bootstrap stack first (when the environment has assets or large templates),
    /// then every stack of the environment.
    pub stacks: Vec<StackPlan>,
    /// What apply would fail on, known before anything changes; apply refuses the plan
    /// while this is not empty.
    pub will_fail: Vec<WillFail>,
    /// Stateful resources that would be replaced, deleted or orphaned; each needs
    /// `--allow-replace` (see [`crate::safety`]).
    pub danger: Vec<Danger>,
    /// Changes to IAM, security groups, key and bucket policies, WAF, Cognito auth and
    /// Lambda permissions.
    pub security: Vec<SecurityChange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// The stack does not exist; everything in it will be created.
    ToCreate,
    NoChanges,
    Changes,
    /// The stack is in a state that cannot be updated; `remedy` says what to do.
    Blocked,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Impacts confirmed (and completed) by a CloudFormation change set.
    ChangeSet,
    /// Impacts from the template diff and the registry tables only.
    TemplateDiff,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackPlan {
    pub id: String,
    pub name: String,
    pub status: PlanStatus,
    /// The live stack's status, e.g. `UPDATE_COMPLETE`; absent for a stack to create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_status: Option<crate::aws::status::StackStatus>,
    /// The live stack's `LastUpdatedTime` (or creation time); `apply --plan` refuses
    /// the plan when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_time: Option<String>,
    /// SHA-256 of the template this plan was made for.
    pub template_sha256: String,
    pub evidence: Evidence,
    /// Why the change set was not used, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence_note: Option<String>,
    /// What the user must do about a blocked stack.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    pub changes: TemplateDiff,
    /// Parameter values of the live stack that differ from the new template's defaults.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub parameter_values: Vec<ParameterValueChange>,
    /// How apply carries the changes out; absent when there is nothing to execute.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub change_set: Option<Preparation>,
}

/// The change set of a stack with changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Preparation {
    /// Made by the plan; apply executes exactly this one.
    Prepared {
        /// The change set's ARN.
        id: String,
        name: String,
        #[serde(rename = "type")]
        kind: ChangeSetKind,
    },
    /// Made by apply when the stack's turn comes (it imports exports the stacks before
    /// it create, or needs the artifacts bucket first), and held to the same safety rule
    /// before it executes.
    Deferred { reason: String },
}

/// A failure apply would run into, known now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WillFail {
    pub stack: String,
    pub reason: String,
    /// The way out.
    pub remedy: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityChange {
    pub stack: String,
    pub logical_id: String,
    pub resource_type: String,
    pub action: Action,
    /// The access properties that changed; of an added resource, those it sets.
    pub properties: Vec<String>,
    /// Grants more access than before (a new allow, an opened port, a removed block…).
    pub broadens: bool,
    pub summary: String,
    /// What an added resource allows, one line per rule, statement or value (absent in
    /// plans saved before it was added, and for changes and removals).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<AccessDetail>,
}

/// The plan in numbers: the stacks by status and the resources apply would touch (those
/// of stacks with a change set to execute, prepared or deferred; a blocked stack's
/// changes cannot be applied). Derived from the plan whenever asked; written into the
/// JSON for readers, never read back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub stacks: usize,
    pub stacks_to_create: usize,
    pub stacks_to_change: usize,
    pub stacks_unchanged: usize,
    pub stacks_blocked: usize,
    pub change_sets_deferred: usize,
    pub resources_to_add: usize,
    pub resources_to_change: usize,
    pub resources_to_replace: usize,
    pub resources_to_remove: usize,
    pub will_fail: usize,
    pub dangers: usize,
    pub access_changes: usize,
    pub access_broadening: usize,
}

impl StackPlan {
    /// A stack the plan will create gets a CREATE change set, any other an UPDATE one.
    pub fn change_set_kind(&self) -> ChangeSetKind {
        if self.status == PlanStatus::ToCreate { ChangeSetKind::Create } else { ChangeSetKind::Update }
    }
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        self.stacks.iter().any(|s| matches!(s.status, PlanStatus::ToCreate | PlanStatus::Changes))
    }

    /// Apply would fail before or while it changes anything.
    pub fn will_fail(&self) -> bool {
        !self.will_fail.is_empty()
    }

    /// Change sets the plan made and apply would execute.
    pub fn prepared(&self) -> impl Iterator<Item = (&StackPlan, &str)> {
        self.stacks.iter().filter_map(|s| match &s.change_set {
            Some(Preparation::Prepared { id, .. }) => Some((s, id.as_str())),
            _ => None,
        })
    }

    /// The plan format: the plan and its [`PlanSummary`] (which `apply --plan` ignores).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct WithSummary<'a> {
            #[serde(flatten)]
            plan: &'a Plan,
            summary: PlanSummary,
        }
        serde_json::to_string_pretty(&WithSummary { plan: self, summary: self.summary() }).expect("plan serializes")
            + "\n"
    }

    pub fn summary(&self) -> PlanSummary {
        let count = |s: PlanStatus| self.stacks.iter().filter(|p| p.status == s).count();
        let mut summary = PlanSummary {
            stacks: self.stacks.len(),
            stacks_to_create: count(PlanStatus::ToCreate),
            stacks_to_change: count(PlanStatus::Changes),
            stacks_unchanged: count(PlanStatus::NoChanges),
            stacks_blocked: count(PlanStatus::Blocked),
            change_sets_deferred: self
                .stacks
                .iter()
                .filter(|s| matches!(s.change_set, Some(Preparation::Deferred { .. })))
                .count(),
            will_fail: self.will_fail.len(),
            dangers: self.danger.len(),
            access_changes: self.security.len(),
            access_broadening: self.security.iter().filter(|s| s.broadens).count(),
            ..PlanSummary::default()
        };
        for r in self.stacks.iter().filter(|s| s.change_set.is_some()).flat_map(|s| &s.changes.resources) {
            match (r.action, r.impact) {
                (Action::Add, _) => summary.resources_to_add += 1,
                (Action::Remove, _) => summary.resources_to_remove += 1,
                (Action::Modify, Impact::WillReplace | Impact::MayReplace) => summary.resources_to_replace += 1,
                (Action::Modify, _) => summary.resources_to_change += 1,
            }
        }
        summary
    }

    /// Fills the danger and security lists from the stacks' changes.
    pub fn analyze(&mut self) {
        self.danger.clear();
        self.security.clear();
        for stack in &self.stacks {
            self.danger.extend(safety::dangers(&stack.name, &stack.changes));
            for change in &stack.changes.resources {
                if let Some(s) = security(&stack.name, change) {
                    self.security.push(s);
                }
            }
        }
    }
}

fn security(stack: &str, change: &ResourceChange) -> Option<SecurityChange> {
    let watched = resource_types::access_properties(&change.resource_type)?;
    let is_watched = |path: &str| watched.iter().any(|a| a.property == path);
    let properties: Vec<String> = match change.action {
        Action::Modify => {
            change.properties.iter().filter(|p| is_watched(&p.path) && p.old != p.new).map(|p| p.path.clone()).collect()
        }
        Action::Add => watched
            .iter()
            .filter(|a| change.properties.iter().any(|p| p.path == a.property))
            .map(|a| a.property.to_owned())
            .collect(),
        Action::Remove => Vec::new(),
    };
    if change.action == Action::Modify && properties.is_empty() {
        return None;
    }
    let broadens = match change.action {
        // A new grant is broader by definition, except a rule that only narrows egress
        // (the placeholder) — treat every added access resource as broadening.
        Action::Add => !resource_types::is_protection(&change.resource_type),
        // Removing a protection broadens; removing a grant narrows.
        Action::Remove => resource_types::is_protection(&change.resource_type),
        Action::Modify => change
            .properties
            .iter()
            .any(|p| is_watched(&p.path) && broadens(&change.resource_type, &p.path, p.old.as_ref(), p.new.as_ref())),
    };
    let summary = match change.action {
        Action::Add => "added".to_owned(),
        Action::Remove => "removed".to_owned(),
        Action::Modify => format!("changes {}", properties.join(", ")),
    };
    let details = if change.action == Action::Add { change.access_details() } else { Vec::new() };
    Some(SecurityChange {
        stack: stack.to_owned(),
        logical_id: change.logical_id.clone(),
        resource_type: change.resource_type.clone(),
        action: change.action,
        properties,
        broadens,
        summary,
        details,
    })
}

/// Whether one property change grants more than before. Conservative: when unsure, yes.
fn broadens(resource_type: &str, property: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let (Some(old), Some(new)) = (old, new) else { return new.is_some() };
    match (resource_type, property) {
        ("AWS::Cognito::UserPool", "MfaConfiguration") => mfa_rank(new) < mfa_rank(old),
        ("AWS::Cognito::UserPool", "Policies") => {
            let len = |v: &Value| v["PasswordPolicy"]["MinimumLength"].as_u64().unwrap_or(0);
            let required = |v: &Value| {
                ["RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"]
                    .iter()
                    .filter(|k| v["PasswordPolicy"][**k].as_bool() == Some(true))
                    .count()
            };
            len(new) < len(old) || required(new) < required(old)
        }
        ("AWS::ApiGateway::Method", "AuthorizationType") => new == "NONE",
        ("AWS::ApiGateway::Method", "ApiKeyRequired") => new == false,
        ("AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress", "CidrIp") => {
            prefix_len(new).unwrap_or(0) < prefix_len(old).unwrap_or(0)
        }
        ("AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress", "FromPort") => {
            new.as_i64().unwrap_or(0) < old.as_i64().unwrap_or(0)
        }
        ("AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress", "ToPort") => {
            new.as_i64().unwrap_or(0) > old.as_i64().unwrap_or(0)
        }
        (_, _) if is_policy(property) => statements(new).iter().any(|s| !statements(old).contains(s)),
        _ => true,
    }
}

fn mfa_rank(v: &Value) -> u8 {
    match v.as_str() {
        Some("ON") => 2,
        Some("OPTIONAL") => 1,
        _ => 0,
    }
}

fn prefix_len(v: &Value) -> Option<u8> {
    v.as_str()?.split_once('/')?.1.parse().ok()
}

fn is_policy(property: &str) -> bool {
    matches!(property, "PolicyDocument" | "KeyPolicy" | "AssumeRolePolicyDocument" | "Policies")
}

/// Allow statements of a policy document (or of a role's inline policies).
fn statements(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut collect = |doc: &Value| {
        if let Some(list) = doc["Statement"].as_array() {
            out.extend(list.iter().filter(|s| s["Effect"] != "Deny").cloned());
        }
    };
    match v {
        Value::Array(policies) => policies.iter().for_each(|p| collect(&p["PolicyDocument"])),
        doc => collect(doc),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::diff_templates;
    use serde_json::json;

    fn stack_with(diff: TemplateDiff) -> Plan {
        let mut plan = Plan {
            format_version: PLAN_FORMAT_VERSION,
            tool_version: "test".into(),
            environment: "dev".into(),
            account: "123456789012".into(),
            region: "eu-central-1".into(),
            stacks: vec![StackPlan {
                id: "data".into(),
                name: "matbakh-dev-data".into(),
                status: PlanStatus::Changes,
                live_status: Some(crate::aws::status::StackStatus::UpdateComplete),
                last_updated_time: None,
                template_sha256: "x".into(),
                evidence: Evidence::TemplateDiff,
                evidence_note: None,
                remedy: None,
                changes: diff,
                parameter_values: Vec::new(),
                change_set: None,
            }],
            will_fail: Vec::new(),
            danger: Vec::new(),
            security: Vec::new(),
        };
        plan.analyze();
        plan
    }

    #[test]
    fn replaced_and_deleted_stateful_resources_are_dangers_with_their_cause() {
        let old = json!({"Resources": {
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "a"}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}
        }});
        let new =
            json!({"Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBInstanceIdentifier": "b"}}}});
        let plan = stack_with(diff_templates(&old, &new));
        let found: Vec<(&str, Impact)> = plan.danger.iter().map(|d| (d.logical_id.as_str(), d.impact)).collect();
        assert_eq!(found, [("Db", Impact::WillReplace), ("Key", Impact::Delete)]);
        assert!(plan.danger[0].cause.starts_with("DBInstanceIdentifier"), "{}", plan.danger[0].cause);
    }

    #[test]
    fn security_changes_flag_broadening() {
        let ingress = |cidr: &str| json!({"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": "sg-1", "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": cidr}});
        let pool = |mfa: &str| json!({"Type": "AWS::Cognito::UserPool", "Properties": {"MfaConfiguration": mfa}});
        let old = json!({"Resources": {"Rule": ingress("10.0.0.0/16"), "Pool": pool("ON")}});
        let new = json!({"Resources": {"Rule": ingress("0.0.0.0/0"), "Pool": pool("OPTIONAL"),
            "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "s3.amazonaws.com"}}}});
        let plan = stack_with(diff_templates(&old, &new));
        let found: Vec<(&str, bool)> = plan.security.iter().map(|s| (s.logical_id.as_str(), s.broadens)).collect();
        assert_eq!(found, [("Rule", true), ("Pool", true), ("Perm", true)]);
        let narrower = json!({"Resources": {"Rule": ingress("10.0.1.0/24"), "Pool": pool("ON")}});
        let plan = stack_with(diff_templates(&old, &narrower));
        assert_eq!(plan.security.len(), 1);
        assert!(!plan.security[0].broadens, "a narrower CIDR does not broaden");
    }

    #[test]
    fn a_new_allow_statement_broadens_a_role() {
        let role = |actions: Vec<&str>| json!({"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "arn:x"}]}}]}});
        let plan = stack_with(diff_templates(
            &json!({"Resources": {"R": role(vec!["s3:GetObject"])}}),
            &json!({"Resources": {"R": role(vec!["s3:*"])}}),
        ));
        assert!(plan.security[0].broadens);
        assert_eq!(plan.security[0].properties, ["Policies"]);
    }
}
