//! Running drift against the live account. Read-only, and concurrent throughout:
//!
//! 1. every stack at once: `DescribeStacks`, `GetTemplate` and `ListStackResources` in
//!    parallel (one round trip), while CloudFormation's drift detection is started for
//!    every stack and polled alongside;
//! 2. every service read at once (EC2 types in one call per type), bounded by
//!    `concurrency`;
//! 3. comparison, the merge with CloudFormation's results, the ignore list.
//!
//! A read that fails (permission denied, an API the endpoint lacks) makes the
//! resources it covers "not checked" with the reason; it never ends the run. Only
//! `DescribeStacks` failing (nothing can be said about the stacks) is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde_json::{Map, Value};

use super::cfn_detect::{self, Detections, StackDetection};
use super::compare::{self, Expected, normalize_rule};
use super::expected::{Scope, Unresolved};
use super::ignore::{self, IgnoreEntry};
use super::model::{
    DRIFT_FORMAT_VERSION, DriftReport, ResourceDrift, ResourceStatus, Source, StackDrift, StackState, Summary,
    TemplateDrift,
};
use crate::aws::AwsError;
use crate::aws::cloudformation::{LiveStack, StackReadApi, StackResource};
use crate::aws::retry::Backoff;
use crate::aws::services::{LiveReader, LiveState, ReadResult, is_batched, is_readable};
use crate::aws::stack_drift::DriftDetectionApi;
use crate::diff::access::rule_text;
use crate::diff::changes::diff_templates;
use crate::diff::parameters::parameter_values;
use crate::live::{FinishOnDrop, LiveStackState, ReadProgress, ReadScope, ReadStep, Silent, read_environment_observed};
use crate::resource_types::{DriftRead, drift_read};
use crate::synth::Rendered;

#[derive(Clone, Debug)]
pub struct DriftOptions {
    /// Stacks, and service reads, in flight at once.
    pub concurrency: usize,
    /// Also use CloudFormation's drift detection.
    pub cloudformation_detection: bool,
    pub detection_timeout: Duration,
    pub detection_poll: Duration,
    pub ignore: Vec<IgnoreEntry>,
    /// Told of each stack read, drift detection finished and resource checked (a
    /// terminal shows a progress line).
    pub progress: Arc<dyn ReadProgress>,
    /// The account the credentials were checked to belong to (recorded in the report).
    pub account: String,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            concurrency: 16,
            cloudformation_detection: true,
            detection_timeout: Duration::from_secs(600),
            detection_poll: Duration::from_secs(2),
            ignore: Vec::new(),
            progress: Arc::new(Silent),
            account: String::new(),
        }
    }
}

/// One stack as read in step 1.
struct Live {
    stack: LiveStack,
    template: Result<Value, String>,
    resources: Result<Vec<StackResource>, AwsError>,
}

/// Checks every stack of a rendered environment against the live account.
pub async fn make_drift<C, D, R>(
    cfn: &C,
    stacks_api: &D,
    reader: &R,
    rendered: &Rendered,
    options: &DriftOptions,
) -> Result<DriftReport, AwsError>
where
    C: StackReadApi,
    D: DriftDetectionApi,
    R: LiveReader,
{
    let _finish = FinishOnDrop(options.progress.as_ref());
    let progress = options.progress.as_ref();
    let names: Vec<String> = rendered.manifest.stacks.iter().map(|s| s.name.clone()).collect();
    let concurrency = options.concurrency.max(1);

    // Step 1, with CloudFormation's drift detection running alongside. Reads are not
    // retried beyond the SDK's own retries: drift reports, it does not wait.
    let scope = ReadScope {
        templates: true,
        resources: true,
        concurrency,
        backoff: Backoff { attempts: 1, ..Backoff::default() },
    };
    let reads = read_environment_observed(cfn, &names, scope, progress);
    let detection = async {
        if options.cloudformation_detection {
            let (timeout, poll) = (options.detection_timeout, options.detection_poll);
            cfn_detect::detect_all(stacks_api, &names, concurrency, timeout, poll, progress).await
        } else {
            Detections::default()
        }
    };
    let (environment, detections) = tokio::join!(reads, detection);
    let environment = environment?;
    let exports = environment.exports();

    let mut live: Vec<Option<Live>> = Vec::new();
    for (_, state) in environment.stacks {
        live.push(match state {
            LiveStackState::Deployed { stack, template: Some(template), resources: Some(resources) } => {
                Some(Live { stack, template, resources })
            }
            _ => None,
        });
    }

    // Step 2: what each resource should be, and what to read.
    let mut plans: Vec<Option<StackWork>> = Vec::new();
    for (entry, l) in rendered.manifest.stacks.iter().zip(&live) {
        let Some(l) = l else {
            plans.push(None);
            continue;
        };
        let new = rendered.stack(&entry.id).expect("manifest names rendered stacks").template.clone();
        plans.push(Some(StackWork::new(entry.id.clone(), l, new, &rendered.manifest.region, &exports)));
    }
    let rules = standalone_rules(&plans);

    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for work in plans.iter().flatten() {
        for (resource_type, physical) in work.reads() {
            wanted.entry(resource_type).or_default().insert(physical);
        }
    }
    for rule in &rules {
        if let Ok(group) = &rule.group {
            wanted.entry("AWS::EC2::SecurityGroup".into()).or_default().insert(group.clone());
        }
    }
    let mut requests: Vec<(String, Vec<String>)> = Vec::new();
    for (resource_type, ids) in wanted {
        if is_batched(&resource_type) {
            requests.push((resource_type, ids.into_iter().collect()));
        } else {
            requests.extend(ids.into_iter().map(|id| (resource_type.clone(), vec![id])));
        }
    }
    progress.start(ReadStep::ResourcesChecked, requests.iter().map(|(_, ids)| ids.len()).sum());
    let answers: Vec<(String, Vec<String>, ReadResult)> = stream::iter(requests)
        .map(|(resource_type, ids)| async move {
            let result = reader.read(&resource_type, &ids).await;
            progress.advance(ReadStep::ResourcesChecked, ids.len());
            (resource_type, ids, result)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut found: BTreeMap<(String, String), Result<LiveState, String>> = BTreeMap::new();
    // A read that failed leaves the check incomplete: the run is an error, never "in sync".
    let mut read_failures: Vec<String> = Vec::new();
    for (resource_type, ids, result) in answers {
        match result {
            Ok(map) => {
                for id in ids {
                    let state = map.get(&id).cloned().unwrap_or(LiveState::Absent);
                    found.insert((resource_type.clone(), id), Ok(state));
                }
            }
            Err(e) => {
                let reason = not_checked_reason(&e);
                read_failures.push(format!("{resource_type} {}: {reason}", ids.join(", ")));
                for id in ids {
                    found.insert((resource_type.clone(), id), Err(reason.clone()));
                }
            }
        }
    }

    // Step 3: verdicts.
    let mut report = DriftReport {
        format_version: DRIFT_FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        environment: rendered.manifest.environment.clone(),
        account: options.account.clone(),
        region: rendered.manifest.region.clone(),
        stacks: Vec::new(),
        notes: Vec::new(),
        stale_ignores: Vec::new(),
        read_failures,
        summary: Summary::default(),
    };
    if detections.unsupported {
        report.notes.push(cfn_detect::UNSUPPORTED_NOTE.to_owned());
    }
    for (i, entry) in rendered.manifest.stacks.iter().enumerate() {
        let Some(work) = &plans[i] else {
            report.stacks.push(StackDrift {
                id: entry.id.clone(),
                name: entry.name.clone(),
                state: StackState::Missing,
                live_status: None,
                template: TemplateDrift::default(),
                resources: Vec::new(),
                notes: vec!["the stack does not exist; run apply".into()],
            });
            continue;
        };
        let l = live[i].as_ref().expect("a planned stack was read");
        if let Some(why) = &work.listing_error {
            report.read_failures.push(format!("{}: ListStackResources: {why}", entry.name));
        }
        let mut stack = work.verdicts(l, &found, &rules, i);
        match detections.stacks.get(&entry.name) {
            Some(StackDetection::Results(results)) => cfn_detect::merge(&mut stack.resources, results),
            Some(StackDetection::Failed(why)) => {
                report.read_failures.push(format!("{}: CloudFormation drift detection: {why}", entry.name))
            }
            Some(StackDetection::Unavailable(why)) if !detections.unsupported => {
                stack.notes.push(format!("CloudFormation drift detection unavailable: {why}"))
            }
            _ => {}
        }
        report.stacks.push(stack);
    }
    report.summarize();
    ignore::apply(&mut report, &options.ignore);
    Ok(report)
}

/// Why a failed read leaves resources unchecked.
pub fn not_checked_reason(e: &AwsError) -> String {
    match e {
        AwsError::Service { code, .. }
            if code.contains("AccessDenied")
                || code.contains("Unauthorized")
                || code.contains("NotAuthorized")
                || code == "AuthorizationError" =>
        {
            format!("permission denied ({code})")
        }
        AwsError::Unsupported { operation, detail } => {
            format!("the endpoint does not implement {operation} ({detail})")
        }
        other => format!("read failed: {other}"),
    }
}

/// One deployed stack's template drift and resources to check.
struct StackWork {
    id: String,
    scope: Scope,
    /// The rendered template.
    new: Value,
    template: TemplateDrift,
    /// Logical id → listing row.
    listed: BTreeMap<String, StackResource>,
    /// The listing has rows without ids (types the endpoint only pretends to create).
    blank_rows: usize,
    listing_error: Option<String>,
}

impl StackWork {
    fn new(id: String, l: &Live, new: Value, region: &str, exports: &BTreeMap<String, String>) -> Self {
        let parameter_types: BTreeMap<String, String> = section(&new, "Parameters")
            .iter()
            .map(|(k, v)| (k.clone(), v["Type"].as_str().unwrap_or("String").to_owned()))
            .collect();
        let (listed, blank_rows, listing_error) = match &l.resources {
            Ok(rows) => (
                rows.iter().filter(|r| !r.logical_id.is_empty()).map(|r| (r.logical_id.clone(), r.clone())).collect(),
                rows.iter().filter(|r| r.logical_id.is_empty()).count(),
                None,
            ),
            Err(e) => (BTreeMap::new(), 0, Some(not_checked_reason(e))),
        };
        let declared: Map<String, Value> = section(&new, "Resources")
            .iter()
            .map(|(k, v)| (k.clone(), v.get("Properties").cloned().unwrap_or(Value::Null)))
            .collect();
        let scope = Scope {
            region: region.to_owned(),
            account_id: Scope::account_from_stack_id(&l.stack.id).unwrap_or_default(),
            partition: l.stack.id.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned(),
            stack_name: l.stack.name.clone(),
            stack_id: l.stack.id.clone(),
            parameters: l.stack.parameters.clone(),
            parameter_types,
            resources: listed
                .iter()
                .map(|(k, r)| (k.clone(), (r.resource_type.clone(), r.physical_id.clone())))
                .collect(),
            declared,
            exports: exports.clone(),
        };
        let template = match &l.template {
            Ok(deployed) => TemplateDrift {
                changes: diff_templates(deployed, &new),
                parameter_values: parameter_values(&l.stack, &new),
                ignored: Vec::new(),
            },
            Err(_) => TemplateDrift::default(),
        };
        StackWork { id, scope, new, template, listed, blank_rows, listing_error }
    }

    fn resources(&self) -> Map<String, Value> {
        section(&self.new, "Resources")
    }

    /// (type, physical id) of every resource a reader should read.
    fn reads(&self) -> Vec<(String, String)> {
        self.resources()
            .iter()
            .filter_map(|(logical, r)| {
                let t = r["Type"].as_str()?;
                let row = self.listed.get(logical)?;
                (is_readable(t) && !row.physical_id.is_empty()).then(|| (t.to_owned(), row.physical_id.clone()))
            })
            .collect()
    }

    /// Why a resource of the rendered template has no live counterpart to read.
    fn unlisted_reason(&self, logical: &str, resource_type: &str, deployed: Option<&Value>) -> String {
        if let Some(e) = &self.listing_error {
            return format!("the stack's resources could not be listed: {e}");
        }
        let in_deployed = deployed.is_some_and(|t| t["Resources"].get(logical).is_some());
        if !in_deployed {
            "not in the deployed stack (see the template drift)".into()
        } else if self.blank_rows > 0 {
            format!("the endpoint does not list it (the local AWS does not emulate {resource_type})")
        } else {
            "CloudFormation does not list it".into()
        }
    }

    fn verdicts(
        &self,
        l: &Live,
        found: &BTreeMap<(String, String), Result<LiveState, String>>,
        rules: &[Rule],
        stack_index: usize,
    ) -> StackDrift {
        let deployed = l.template.as_ref().ok();
        let template_resources = self.resources();
        let mut notes = Vec::new();
        if let Err(e) = &l.template {
            notes.push(format!("the deployed template could not be read: {e}"));
        }
        let mut resources = Vec::new();
        for (logical, r) in &template_resources {
            let resource_type = r["Type"].as_str().unwrap_or_default().to_owned();
            let mut out = ResourceDrift {
                logical_id: logical.clone(),
                resource_type: resource_type.clone(),
                physical_id: None,
                status: ResourceStatus::InSync,
                differences: Vec::new(),
                not_compared: Vec::new(),
                compared: 0,
                sources: Vec::new(),
                ignored: Vec::new(),
            };
            let Some(row) = self.listed.get(logical) else {
                out.status =
                    ResourceStatus::NotChecked { reason: self.unlisted_reason(logical, &resource_type, deployed) };
                resources.push(out);
                continue;
            };
            out.physical_id = Some(row.physical_id.clone()).filter(|p| !p.is_empty());
            if let DriftRead::GroupRule(direction) = drift_read(&resource_type) {
                out.status = rule_verdict(rules, stack_index, logical, direction, found);
                if !matches!(out.status, ResourceStatus::NotChecked { .. }) {
                    out.sources.push(Source::ServiceApi);
                    out.compared = 1;
                }
                resources.push(out);
                continue;
            }
            if !is_readable(&resource_type) {
                out.status = ResourceStatus::NotChecked { reason: format!("drift does not read {resource_type}") };
                resources.push(out);
                continue;
            }
            if row.physical_id.is_empty() {
                let reason = if row.status.ends_with("_COMPLETE") {
                    format!("the endpoint reports no physical id (the local AWS does not emulate {resource_type})")
                } else {
                    format!("no physical id ({})", row.status)
                };
                out.status = ResourceStatus::NotChecked { reason };
                resources.push(out);
                continue;
            }
            match found.get(&(resource_type.clone(), row.physical_id.clone())) {
                None => out.status = ResourceStatus::NotChecked { reason: "not read".into() },
                Some(Err(reason)) => out.status = ResourceStatus::NotChecked { reason: reason.clone() },
                Some(Ok(LiveState::Absent)) => {
                    out.sources.push(Source::ServiceApi);
                    out.status = ResourceStatus::Deleted { detail: None };
                }
                Some(Ok(LiveState::Present(props))) => {
                    out.sources.push(Source::ServiceApi);
                    let declared = r["Properties"].as_object().cloned().unwrap_or_default();
                    let mut expected = compare::expected_properties(
                        &resource_type,
                        logical,
                        &declared,
                        &template_resources,
                        &self.scope,
                    );
                    let mut standalone = Vec::new();
                    if resource_type == "AWS::EC2::SecurityGroup" {
                        standalone =
                            group_rules(&mut expected, &row.physical_id, rules, stack_index, logical, &self.scope);
                    }
                    let outcome = compare::compare(&resource_type, &expected, props);
                    out.compared = outcome.compared;
                    out.not_compared = outcome.not_compared;
                    // A standalone rule that is missing is reported on the rule itself.
                    out.differences = outcome
                        .differences
                        .into_iter()
                        .filter(|d| {
                            !(d.actual.is_none() && d.expected.as_ref().is_some_and(|e| standalone.contains(e)))
                        })
                        .collect();
                    if !out.differences.is_empty() {
                        out.status = ResourceStatus::Modified;
                    }
                }
            }
            resources.push(out);
        }
        StackDrift {
            id: self.id.clone(),
            name: l.stack.name.clone(),
            state: StackState::Deployed,
            live_status: Some(l.stack.status.clone()),
            template: self.template.clone(),
            resources,
            notes,
        }
    }
}

fn section(template: &Value, name: &str) -> Map<String, Value> {
    template.get(name).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// A standalone security-group rule (`AWS::EC2::SecurityGroupIngress`/`Egress`) of a
/// deployed stack: the group it belongs to and what it allows.
struct Rule {
    stack: usize,
    logical_id: String,
    /// `SecurityGroupIngress` or `SecurityGroupEgress`.
    direction: &'static str,
    /// The group's physical id.
    group: Result<String, Unresolved>,
    /// Same-stack group the rule names, when it names one directly.
    group_logical: Option<String>,
    rule: Result<Value, Unresolved>,
    /// Listed by CloudFormation (else the endpoint does not show it).
    listed: bool,
}

fn standalone_rules(plans: &[Option<StackWork>]) -> Vec<Rule> {
    let mut out = Vec::new();
    for (i, work) in plans.iter().enumerate() {
        let Some(work) = work else { continue };
        for (logical, r) in work.resources() {
            let DriftRead::GroupRule(direction) = drift_read(r["Type"].as_str().unwrap_or_default()) else { continue };
            let props = &r["Properties"];
            let group_expr = &props["GroupId"];
            let group_logical = group_expr
                .get("Fn::GetAtt")
                .and_then(|a| a.get(0))
                .or_else(|| group_expr.get("Ref"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let group = work.scope.resolve(group_expr).map(|v| super::expected::scalar_text(&v));
            let mut body = props.as_object().cloned().unwrap_or_default();
            body.remove("GroupId");
            body.remove("GroupName");
            let rule = work.scope.resolve(&Value::Object(body)).map(|v| normalize_rule(&v));
            out.push(Rule {
                stack: i,
                listed: work.listed.contains_key(&logical),
                logical_id: logical,
                direction,
                group,
                group_logical,
                rule,
            });
        }
    }
    out
}

/// Adds the standalone rules of group `physical` to its expected rule sets; returns
/// them (normalised) so that a missing one is reported on the rule, not the group.
fn group_rules(
    expected: &mut Expected,
    physical: &str,
    rules: &[Rule],
    stack_index: usize,
    logical: &str,
    scope: &Scope,
) -> Vec<Value> {
    let mut standalone = Vec::new();
    for direction in ["SecurityGroupIngress", "SecurityGroupEgress"] {
        let inline = expected.remove(direction).unwrap_or(Ok(Value::Array(Vec::new())));
        let mut items = match inline {
            Ok(Value::Array(items)) => Ok(items),
            Ok(other) => Ok(vec![other]),
            Err(e) => Err(e),
        };
        for rule in rules.iter().filter(|r| r.direction == direction) {
            let targets_me = match &rule.group {
                Ok(g) => g == physical,
                Err(_) => rule.stack == stack_index && rule.group_logical.as_deref() == Some(logical),
            };
            if !targets_me {
                continue;
            }
            let why = match (&rule.group, &rule.rule, rule.listed) {
                (_, _, false) => Some(format!("rule {} is not listed by the endpoint", rule.logical_id)),
                (Err(Unresolved(w)), _, _) | (_, Err(Unresolved(w)), _) => {
                    Some(format!("rule {} could not be evaluated: {w}", rule.logical_id))
                }
                _ => None,
            };
            match (why, &rule.rule, &mut items) {
                (Some(why), _, items) => *items = Err(Unresolved(why)),
                (None, Ok(r), Ok(items)) => {
                    standalone.push(r.clone());
                    items.push(r.clone());
                }
                _ => {}
            }
        }
        // Compare what the scope resolves for inline rules too.
        let value = items.and_then(|items| scope.resolve(&Value::Array(items)));
        expected.insert(direction.to_owned(), value);
    }
    standalone.into_iter().map(|r| normalize_rule(&r)).collect()
}

/// The verdict on a standalone rule: present in its group's live rules, or not.
fn rule_verdict(
    rules: &[Rule],
    stack_index: usize,
    logical: &str,
    direction: &str,
    found: &BTreeMap<(String, String), Result<LiveState, String>>,
) -> ResourceStatus {
    let Some(rule) = rules.iter().find(|r| r.stack == stack_index && r.logical_id == logical) else {
        return ResourceStatus::NotChecked { reason: "not evaluated".into() };
    };
    let (group, wanted) = match (&rule.group, &rule.rule) {
        (Ok(g), Ok(r)) => (g, r),
        (Err(Unresolved(w)), _) | (_, Err(Unresolved(w))) => {
            return ResourceStatus::NotChecked { reason: format!("not compared: {w}") };
        }
    };
    match found.get(&("AWS::EC2::SecurityGroup".to_owned(), group.clone())) {
        Some(Ok(LiveState::Present(props))) => {
            let live: Vec<Value> = props
                .get(direction)
                .and_then(Value::as_array)
                .map(|a| a.iter().map(normalize_rule).collect())
                .unwrap_or_default();
            if live.contains(wanted) {
                ResourceStatus::InSync
            } else {
                ResourceStatus::Deleted {
                    detail: Some(format!("the rule is not in {group}: {}", rule_text(wanted, direction))),
                }
            }
        }
        Some(Ok(LiveState::Absent)) => ResourceStatus::Deleted { detail: Some(format!("its group {group} is gone")) },
        Some(Err(reason)) => ResourceStatus::NotChecked { reason: reason.clone() },
        None => ResourceStatus::NotChecked { reason: "its group was not read".into() },
    }
}
