//! `drift` at the CloudFormation and service-API boundary, for what the local AWS cannot
//! show: CloudFormation's drift detection (DetectStackDrift, its polling, and
//! DescribeStackResourceDrifts, not emulated by the local AWS) and how its
//! results merge with drift's own reads. Responses are built with the SDK's own output
//! types in the shapes the CloudFormation API reference documents (StackResourceDrift,
//! PropertyDifference with PropertyPath / ExpectedValue / ActualValue / DifferenceType
//! ADD | REMOVE | NOT_EQUAL, NextToken paging, DetectionStatus DETECTION_IN_PROGRESS →
//! DETECTION_COMPLETE | DETECTION_FAILED) and converted by the same functions the real
//! client uses. Each test names the real behaviour it stands for.

mod common;
#[path = "support/read_recorder.rs"]
mod read_recorder;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
use aws_sdk_cloudformation::operation::describe_stack_resource_drifts::DescribeStackResourceDriftsOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    DifferenceType, PropertyDifference, StackDriftDetectionStatus, StackDriftStatus, StackResourceDrift,
    StackResourceDriftStatus,
};
use common::render_env;
use matbakh_infra::aws::AwsError;
use matbakh_infra::aws::cloudformation::{LiveStack, StackEvent, StackReadApi, StackResource};
use matbakh_infra::aws::services::{LiveReader, LiveState, ReadResult};
use matbakh_infra::aws::stack_drift::{
    DriftDetection, DriftDetectionApi, ResourceDriftResult, drift_detection, resource_drifts,
};
use matbakh_infra::drift::model::{DriftReport, ResourceDrift, ResourceStatus, Source, StackState};
use matbakh_infra::drift::{DriftOptions, exit_status, make_drift, render};
use matbakh_infra::live::ReadStep;
use matbakh_infra::style::Style;
use matbakh_infra::synth::{Format, Rendered};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

/// A CloudFormation account held in memory, with drift detection.
#[derive(Default)]
struct FakeCfn {
    /// name → (stack, deployed template body, resources)
    stacks: BTreeMap<String, (LiveStack, String, Vec<StackResource>)>,
    /// DescribeStackDriftDetectionStatus answers, in order (the last one repeats).
    statuses: Vec<DescribeStackDriftDetectionStatusOutput>,
    /// DescribeStackResourceDrifts pages per stack name, keyed by the NextToken that asks for them.
    drift_pages: BTreeMap<String, Vec<DescribeStackResourceDriftsOutput>>,
    detect_unsupported: bool,
    calls: Mutex<Vec<String>>,
    polls: Mutex<usize>,
}

fn physical_id(logical: &str, resource_type: &str) -> String {
    match resource_type {
        "AWS::EC2::SecurityGroup" => format!("sg-{logical}"),
        "AWS::EC2::VPC" => format!("vpc-{logical}"),
        "AWS::EC2::Subnet" => format!("subnet-{logical}"),
        "AWS::EC2::InternetGateway" => format!("igw-{logical}"),
        // CloudFormation reports standalone rules by rule id; drift finds them in their group.
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => format!("sgr-{logical}"),
        _ => format!("phys-{logical}"),
    }
}

impl FakeCfn {
    /// Every stack of `rendered` deployed exactly as rendered, every resource listed.
    fn deployed(rendered: &Rendered) -> Self {
        let mut fake = FakeCfn::default();
        for s in &rendered.stacks {
            let template: Value = serde_json::from_str(&s.body).unwrap();
            let parameters = template["Parameters"]
                .as_object()
                .map(|p| {
                    p.iter().map(|(k, v)| (k.clone(), v["Default"].as_str().unwrap_or_default().to_owned())).collect()
                })
                .unwrap_or_default();
            let stack = LiveStack {
                name: s.name.clone(),
                id: format!("arn:aws:cloudformation:eu-central-1:{ACCOUNT}:stack/{}/1", s.name),
                status: "UPDATE_COMPLETE".into(),
                status_reason: None,
                last_updated: "2026-11-20T10:00:00Z".into(),
                parameters,
                outputs: Vec::new(),
                tags: BTreeMap::new(),
                termination_protection: false,
            };
            let resources = template["Resources"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(logical, r)| {
                    let t = r["Type"].as_str().unwrap();
                    StackResource {
                        logical_id: logical.clone(),
                        physical_id: physical_id(logical, t),
                        resource_type: t.into(),
                        status: "CREATE_COMPLETE".into(),
                    }
                })
                .collect();
            fake.stacks.insert(s.name.clone(), (stack, s.body.clone(), resources));
        }
        fake
    }

    fn only(mut self, names: &[&str]) -> Self {
        self.stacks.retain(|k, _| names.contains(&k.as_str()));
        self
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn calls(&self, prefix: &str) -> usize {
        self.calls.lock().unwrap().iter().filter(|c| c.starts_with(prefix)).count()
    }
}

impl StackReadApi for FakeCfn {
    async fn describe_stack(&self, name: &str) -> Result<Option<LiveStack>, AwsError> {
        self.log(format!("DescribeStacks {name}"));
        Ok(self.stacks.get(name).map(|(s, _, _)| s.clone()))
    }

    async fn get_template(&self, name: &str) -> Result<String, AwsError> {
        self.log(format!("GetTemplate {name}"));
        self.stacks.get(name).map(|(_, b, _)| b.clone()).ok_or_else(|| AwsError::Service {
            operation: "GetTemplate",
            code: "ValidationError".into(),
            message: format!("Stack with id {name} does not exist"),
        })
    }

    async fn list_resources(&self, stack: &str) -> Result<Vec<StackResource>, AwsError> {
        self.log(format!("ListStackResources {stack}"));
        self.stacks.get(stack).map(|(_, _, r)| r.clone()).ok_or_else(|| AwsError::Service {
            operation: "ListStackResources",
            code: "ValidationError".into(),
            message: format!("Stack with id {stack} does not exist"),
        })
    }

    // Drift reads no events, policies or imports; the account has none to give.
    async fn recent_events(&self, _: &str) -> Result<Vec<StackEvent>, AwsError> {
        Ok(Vec::new())
    }

    async fn get_stack_policy(&self, _: &str) -> Result<Option<String>, AwsError> {
        Ok(None)
    }

    async fn list_imports(&self, _: &str) -> Result<Vec<String>, AwsError> {
        Ok(Vec::new())
    }
}

impl DriftDetectionApi for FakeCfn {
    async fn detect_stack_drift(&self, stack: &str) -> Result<String, AwsError> {
        self.log(format!("DetectStackDrift {stack}"));
        if self.detect_unsupported {
            return Err(AwsError::Unsupported {
                operation: "DetectStackDrift",
                detail: "HTTP 500 without an AWS error code".into(),
            });
        }
        if !self.stacks.contains_key(stack) {
            return Err(AwsError::Service {
                operation: "DetectStackDrift",
                code: "ValidationError".into(),
                message: format!("Stack [{stack}] does not exist"),
            });
        }
        Ok(format!("detection-{stack}"))
    }

    async fn describe_drift_detection(&self, id: &str) -> Result<DriftDetection, AwsError> {
        self.log(format!("DescribeStackDriftDetectionStatus {id}"));
        let mut polls = self.polls.lock().unwrap();
        let i = (*polls).min(self.statuses.len() - 1);
        *polls += 1;
        Ok(drift_detection(&self.statuses[i]))
    }

    async fn describe_resource_drifts(&self, stack: &str) -> Result<Vec<ResourceDriftResult>, AwsError> {
        // Pages as the real client reads them: follow NextToken until there is none.
        let mut all = Vec::new();
        let pages = self.drift_pages.get(stack).cloned().unwrap_or_default();
        let mut token: Option<String> = None;
        for (i, page) in pages.iter().enumerate() {
            self.log(format!("DescribeStackResourceDrifts {stack} {}", token.as_deref().unwrap_or("-")));
            all.extend(resource_drifts(page));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                assert_eq!(i + 1, pages.len(), "pages after the last NextToken");
                break;
            }
        }
        Ok(all)
    }
}

/// Service reads held in memory: (type, physical id) → live properties; anything else
/// is refused with AccessDenied, as a read-only role without that permission would.
#[derive(Default)]
struct FakeReader {
    live: BTreeMap<(String, String), LiveState>,
}

impl LiveReader for FakeReader {
    async fn read(&self, resource_type: &str, ids: &[String]) -> ReadResult {
        let mut out = BTreeMap::new();
        for id in ids {
            match self.live.get(&(resource_type.to_owned(), id.clone())) {
                Some(state) => {
                    out.insert(id.clone(), state.clone());
                }
                None => {
                    return Err(AwsError::Service {
                        operation: "Describe",
                        code: "AccessDenied".into(),
                        message: "User is not authorized to perform this operation".into(),
                    });
                }
            }
        }
        Ok(out)
    }
}

fn status(
    detection: StackDriftDetectionStatus,
    drift: Option<StackDriftStatus>,
) -> DescribeStackDriftDetectionStatusOutput {
    DescribeStackDriftDetectionStatusOutput::builder()
        .stack_id(format!("arn:aws:cloudformation:eu-central-1:{ACCOUNT}:stack/matbakh-dev-network/1"))
        .stack_drift_detection_id("b78ac9b0-dec1-11e7-a451-50e2416294e0")
        .detection_status(detection)
        .set_stack_drift_status(drift)
        .drifted_stack_resource_count(2)
        .timestamp(DateTime::from_secs(1_763_632_800))
        .build()
}

fn difference(path: &str, expected: &str, actual: &str, kind: DifferenceType) -> PropertyDifference {
    PropertyDifference::builder()
        .property_path(path)
        .expected_value(expected)
        .actual_value(actual)
        .difference_type(kind)
        .build()
}

fn resource_drift(
    stack: &str,
    logical: &str,
    resource_type: &str,
    status: StackResourceDriftStatus,
    differences: Vec<PropertyDifference>,
) -> StackResourceDrift {
    StackResourceDrift::builder()
        .stack_id(format!("arn:aws:cloudformation:eu-central-1:{ACCOUNT}:stack/{stack}/1"))
        .logical_resource_id(logical)
        .physical_resource_id(physical_id(logical, resource_type))
        .resource_type(resource_type)
        .stack_resource_drift_status(status)
        .set_property_differences(Some(differences))
        .timestamp(DateTime::from_secs(1_763_632_800))
        .build()
}

/// The live properties of a network-stack subnet exactly as the template declares it.
fn subnet_live(template: &Value, logical: &str) -> LiveState {
    let p = &template["Resources"][logical]["Properties"];
    let zones = ["eu-central-1a", "eu-central-1b", "eu-central-1c"];
    let index: usize = p["AvailabilityZone"]["Fn::Select"][0].as_str().unwrap().parse().unwrap();
    LiveState::Present(
        json!({
            "CidrBlock": p["CidrBlock"],
            "AvailabilityZone": zones[index],
            "VpcId": "vpc-Vpc",
            "MapPublicIpOnLaunch": false,
        })
        .as_object()
        .unwrap()
        .clone(),
    )
}

fn options() -> DriftOptions {
    DriftOptions { detection_poll: Duration::from_millis(1), ..DriftOptions::default() }
}

fn resource<'a>(report: &'a DriftReport, stack: &str, logical: &str) -> &'a ResourceDrift {
    let s = report.stacks.iter().find(|s| s.id == stack).unwrap();
    s.resources.iter().find(|r| r.logical_id == logical).unwrap_or_else(|| panic!("no {logical}"))
}

fn all_outputs(report: &DriftReport) -> String {
    format!("{}{}{}", render::human(report, &Style::plain()), render::markdown(report), report.to_json())
}

/// Real behaviour: on AWS, DetectStackDrift runs asynchronously (IN_PROGRESS, then
/// COMPLETE) and DescribeStackResourceDrifts pages its results; CloudFormation sees
/// resource types drift does not read (routes, NAT gateways, internet gateways), and the
/// same property drift reads itself (a subnet's MapPublicIpOnLaunch).
#[tokio::test]
async fn cloudformation_results_fill_in_unread_resources_and_confirm_the_readers() {
    let rendered = render_env("dev", Format::Json);
    let network: Value = serde_json::from_str(&rendered.stack("network").unwrap().body).unwrap();
    let mut cfn = FakeCfn::deployed(&rendered).only(&["matbakh-dev-network"]);
    cfn.statuses = vec![
        status(StackDriftDetectionStatus::DetectionInProgress, None),
        status(StackDriftDetectionStatus::DetectionComplete, Some(StackDriftStatus::Drifted)),
    ];
    let stack = "matbakh-dev-network";
    cfn.drift_pages.insert(
        stack.into(),
        vec![
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    stack,
                    "PublicSubnet1",
                    "AWS::EC2::Subnet",
                    StackResourceDriftStatus::Modified,
                    vec![difference("/MapPublicIpOnLaunch", "false", "true", DifferenceType::NotEqual)],
                ))
                .stack_resource_drifts(resource_drift(
                    stack,
                    "PublicDefaultRoute",
                    "AWS::EC2::Route",
                    StackResourceDriftStatus::Modified,
                    vec![difference("/GatewayId", "igw-InternetGateway", "igw-0f3e1c", DifferenceType::NotEqual)],
                ))
                .next_token("page-2")
                .build(),
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    stack,
                    "NatGateway1",
                    "AWS::EC2::NatGateway",
                    StackResourceDriftStatus::Deleted,
                    vec![],
                ))
                .stack_resource_drifts(resource_drift(
                    stack,
                    "InternetGateway",
                    "AWS::EC2::InternetGateway",
                    StackResourceDriftStatus::InSync,
                    vec![],
                ))
                .build(),
        ],
    );
    let mut reader = FakeReader::default();
    for (logical, r) in network["Resources"].as_object().unwrap() {
        if r["Type"] == "AWS::EC2::Subnet" {
            reader
                .live
                .insert(("AWS::EC2::Subnet".into(), format!("subnet-{logical}")), subnet_live(&network, logical));
        }
    }
    let LiveState::Present(mut public1) = subnet_live(&network, "PublicSubnet1") else { unreachable!() };
    public1.insert("MapPublicIpOnLaunch".into(), json!(true));
    reader.live.insert(("AWS::EC2::Subnet".into(), "subnet-PublicSubnet1".into()), LiveState::Present(public1));

    let report = make_drift(&cfn, &cfn, &reader, &rendered, &options()).await.unwrap();

    // Both saw the subnet change: the reader's typed detail is kept, CloudFormation agrees.
    let subnet = resource(&report, "network", "PublicSubnet1");
    assert_eq!(subnet.status, ResourceStatus::Modified);
    assert_eq!(subnet.differences.len(), 1, "{:?}", subnet.differences);
    assert_eq!(subnet.differences[0].property, "MapPublicIpOnLaunch");
    assert_eq!(subnet.differences[0].expected, Some(json!(false)));
    assert_eq!(subnet.differences[0].actual, Some(json!(true)));
    assert_eq!(subnet.differences[0].source, Source::ServiceApi);
    assert!(subnet.differences[0].cloudformation_agrees);
    assert_eq!(subnet.sources, [Source::ServiceApi, Source::Cloudformation]);
    // Drift does not read routes: CloudFormation's verdict fills it in.
    let route = resource(&report, "network", "PublicDefaultRoute");
    assert_eq!(route.status, ResourceStatus::Modified);
    assert_eq!(route.differences[0].property, "GatewayId");
    assert_eq!(route.differences[0].actual, Some(json!("igw-0f3e1c")));
    assert_eq!(route.differences[0].source, Source::Cloudformation);
    // From the second page: a deleted NAT gateway, an internet gateway now checked.
    assert!(matches!(resource(&report, "network", "NatGateway1").status, ResourceStatus::Deleted { .. }));
    assert_eq!(resource(&report, "network", "InternetGateway").status, ResourceStatus::InSync);
    // A read the role may not do, and CloudFormation said nothing about: not checked, with
    // why — and the run is incomplete, so an error (exit 1), with the drift still shown.
    assert_eq!(
        resource(&report, "network", "Vpc").status,
        ResourceStatus::NotChecked { reason: "permission denied (AccessDenied)".into() }
    );
    assert!(report.read_failures.iter().any(|f| f.starts_with("AWS::EC2::VPC ")), "{:?}", report.read_failures);
    assert!(report.summary.drift);
    assert_eq!(exit_status(&report), 1);
    assert_eq!(cfn.calls("DescribeStackDriftDetectionStatus"), 2, "polled until complete");
    assert_eq!(cfn.calls("DescribeStackResourceDrifts"), 2, "followed NextToken");
    let human = render::human(&report, &Style::plain());
    assert!(human.contains("MapPublicIpOnLaunch (CloudFormation agrees)"), "{human}");
    assert!(human.contains("GatewayId (CloudFormation drift detection)"), "{human}");
    assert!(human.contains("permission denied (AccessDenied): "), "{human}");
}

/// Real behaviour: DETECTION_FAILED means CloudFormation could not check some resources;
/// AWS documents that results are available for those it did check.
#[tokio::test]
async fn a_failed_detection_still_merges_the_results_it_has() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered).only(&["matbakh-dev-network"]);
    cfn.statuses = vec![
        DescribeStackDriftDetectionStatusOutput::builder()
            .stack_id("arn:aws:cloudformation:eu-central-1:123456789012:stack/matbakh-dev-network/1")
            .stack_drift_detection_id("id")
            .detection_status(StackDriftDetectionStatus::DetectionFailed)
            .detection_status_reason("Failed to detect drift on resource [NatGateway1]")
            .stack_drift_status(StackDriftStatus::Drifted)
            .timestamp(DateTime::from_secs(1_763_632_800))
            .build(),
    ];
    cfn.drift_pages.insert(
        "matbakh-dev-network".into(),
        vec![
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    "matbakh-dev-network",
                    "Vpc",
                    "AWS::EC2::VPC",
                    StackResourceDriftStatus::Modified,
                    vec![difference("/EnableDnsHostnames", "true", "false", DifferenceType::NotEqual)],
                ))
                .build(),
        ],
    );
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options()).await.unwrap();
    let vpc = resource(&report, "network", "Vpc");
    assert_eq!(vpc.status, ResourceStatus::Modified);
    assert_eq!(vpc.differences[0].property, "EnableDnsHostnames");
    assert_eq!(vpc.differences[0].expected, Some(json!(true)));
    // The fake's service reads are refused: incomplete, so exit 1 (drift still reported).
    assert!(report.summary.drift);
    assert_eq!(exit_status(&report), 1);
}

/// Real behaviour: the local AWS (and any endpoint without drift detection) answers
/// DetectStackDrift with an error page; drift says so once and carries on with its reads.
#[tokio::test]
async fn an_endpoint_without_drift_detection_is_said_once_and_the_run_carries_on() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered);
    cfn.detect_unsupported = true;
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options()).await.unwrap();
    assert_eq!(report.notes, [matbakh_infra::drift::cfn_detect::UNSUPPORTED_NOTE]);
    assert_eq!(cfn.calls("DetectStackDrift"), rendered.stacks.len(), "all stacks asked, concurrently");
    let human = render::human(&report, &Style::plain());
    assert_eq!(human.matches("drift detection is not supported").count(), 1, "{human}");
    // Everything deployed as rendered but no service read allowed: never "in sync" — the
    // check is incomplete, each refused read is named, and the run is an error.
    assert_eq!(exit_status(&report), 1, "{human}");
    let last = human.trim_end().lines().last().unwrap();
    assert!(last.starts_with("Incomplete: "), "{last}");
    assert!(last.contains("(0 resources checked, ") && last.contains("no drift found so far"), "{last}");
    assert!(last.contains(&format!("{} not checked", report.summary.not_checked)), "{last}");
    assert!(report.summary.not_checked > 100);
    assert!(human.contains("error: read failed: AWS::KMS::Key "), "{human}");
    for s in &report.stacks {
        assert!(human.contains(&format!("{}: in sync (0 checked, ", s.name)), "{human}");
    }
    let md = render::markdown(&report);
    assert!(md.contains("**Incomplete: ") && md.contains("> :x: read failed: "), "{md}");
}

/// Real behaviour: a value someone pasted into a Lambda environment variable by hand
/// shows up in CloudFormation's PropertyDifferences (ExpectedValue/ActualValue are
/// plain strings); drift must never print it, in any output.
#[tokio::test]
async fn secret_values_in_cloudformation_differences_never_reach_any_output() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered).only(&["matbakh-dev-app"]);
    cfn.statuses = vec![status(StackDriftDetectionStatus::DetectionComplete, Some(StackDriftStatus::Drifted))];
    let secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
    cfn.drift_pages.insert(
        "matbakh-dev-app".into(),
        vec![
            DescribeStackResourceDriftsOutput::builder()
                .stack_resource_drifts(resource_drift(
                    "matbakh-dev-app",
                    "VcStartFunction",
                    "AWS::Lambda::Function",
                    StackResourceDriftStatus::Modified,
                    vec![
                        difference("/Environment/Variables/NODE_ENV", "development", secret, DifferenceType::NotEqual),
                        difference("/Environment/Variables/STRIPE_KEY", "null", secret, DifferenceType::Add),
                        difference("/Timeout", "30", "60", DifferenceType::NotEqual),
                    ],
                ))
                .build(),
        ],
    );
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options()).await.unwrap();
    let f = resource(&report, "app", "VcStartFunction");
    assert_eq!(f.status, ResourceStatus::Modified);
    assert_eq!(f.differences.len(), 3);
    assert!(f.differences.iter().any(|d| d.property == "Environment.Variables.STRIPE_KEY"));
    let out = all_outputs(&report);
    assert!(!out.contains(secret), "a secret value reached an output");
    assert!(out.contains("(value hidden)"));
    assert!(out.contains("Timeout"));
}

/// Real behaviour: a stack that was never deployed (or was deleted by hand) and a
/// deployed template that no longer matches the code are both drift (exit status 2),
/// the latter drawn with the plan's diff view.
#[tokio::test]
async fn missing_stacks_and_template_drift_are_drift() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered);
    cfn.detect_unsupported = true;
    cfn.stacks.remove("matbakh-dev-edge");
    let (_, body, _) = cfn.stacks.get_mut("matbakh-dev-network").unwrap();
    assert!(body.contains("\"10.0.22.0/24\""));
    *body = body.replace("\"10.0.22.0/24\"", "\"10.0.23.0/24\"");
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options()).await.unwrap();
    // Drift, reported as such — and exit 1, because the fake refuses every service read.
    assert!(report.summary.drift);
    assert_eq!(exit_status(&report), 1);
    let edge = report.stacks.iter().find(|s| s.id == "edge").unwrap();
    assert_eq!(edge.state, StackState::Missing);
    assert_eq!(report.summary.stacks_missing, 1);
    assert_eq!(report.summary.stacks_with_template_drift, 1);
    assert_eq!(cfn.calls("DetectStackDrift"), rendered.stacks.len());
    let human = render::human(&report, &Style::plain());
    assert!(human.contains("matbakh-dev-edge: missing — the stack does not exist; run apply"), "{human}");
    assert!(human.contains("[~] AWS::EC2::Subnet DatabaseSubnet3 (replace)"), "{human}");
    assert!(human.contains("[-] 10.0.23.0/24") && human.contains("[+] 10.0.22.0/24"), "{human}");
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["format_version"], 1);
    assert_eq!(json["summary"]["drift"], true);
    let md = render::markdown(&report);
    assert!(md.contains("Template drift of <code>matbakh-dev-network</code>"), "{md}");
}

/// Real behaviour: drift only reads. Every stack is read (DescribeStacks, GetTemplate,
/// ListStackResources each once per stack) and nothing else is called on CloudFormation
/// but drift detection (the change-set methods of the fake panic).
#[tokio::test]
async fn every_stack_is_read_once_and_nothing_is_written() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered);
    cfn.statuses = vec![status(StackDriftDetectionStatus::DetectionComplete, Some(StackDriftStatus::InSync))];
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options()).await.unwrap();
    assert!(!report.summary.drift);
    for call in ["DescribeStacks", "GetTemplate", "ListStackResources", "DetectStackDrift "] {
        assert_eq!(cfn.calls(call), rendered.stacks.len(), "{call}");
    }
}

/// Drift sat silent for 12.7 s against the real account: on a terminal the user now
/// sees the stacks read, CloudFormation's detections and the resources checked counted
/// as they finish, and the line goes away before the report is printed.
#[tokio::test]
async fn the_progress_observer_counts_stacks_detections_and_resources_checked() {
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered);
    cfn.statuses = vec![status(StackDriftDetectionStatus::DetectionComplete, Some(StackDriftStatus::InSync))];
    let recorder = std::sync::Arc::new(read_recorder::ReadRecorder::default());
    let options = DriftOptions { progress: recorder.clone(), ..options() };
    let report = make_drift(&cfn, &cfn, &FakeReader::default(), &rendered, &options).await.unwrap();
    let stacks = rendered.stacks.len();
    assert_eq!(recorder.counted(ReadStep::StacksRead), Some((stacks, stacks)));
    assert_eq!(recorder.counted(ReadStep::DriftDetections), Some((stacks, stacks)));
    // Every resource drift reads is counted once its read answers (here each read is
    // refused). Standalone security-group rules are checked inside their group's read,
    // so more resources rest on the reads than reads were counted.
    let (done, total) = recorder.counted(ReadStep::ResourcesChecked).unwrap();
    assert!(total > 0 && done == total, "{done}/{total}");
    let read: usize = report
        .stacks
        .iter()
        .flat_map(|s| &s.resources)
        .filter(|r| r.status == ResourceStatus::NotChecked { reason: "permission denied (AccessDenied)".into() })
        .count();
    assert!(read >= total, "{read} resources refused, {total} counted");
    assert!(recorder.finished_last(), "{:?}", recorder.told.lock().unwrap());
}

/// Real behaviour the local AWS exposed (moto once wrote a port into a Lambda
/// environment as a JSON number): an answer the SDK cannot parse. That is an error
/// naming the resource — never "not emulated", never "in sync" — so drift exits 1.
#[tokio::test]
async fn an_unreadable_answer_is_an_error_never_a_silently_unchecked_resource() {
    struct Unreadable;
    impl LiveReader for Unreadable {
        async fn read(&self, resource_type: &str, _: &[String]) -> ReadResult {
            Err(AwsError::Unreadable {
                operation: if resource_type == "AWS::Lambda::Function" { "GetFunction" } else { "Describe" },
                detail: "failed to parse the response body".into(),
            })
        }
    }
    let rendered = render_env("dev", Format::Json);
    let mut cfn = FakeCfn::deployed(&rendered).only(&["matbakh-dev-app"]);
    cfn.detect_unsupported = true;
    let report = make_drift(&cfn, &cfn, &Unreadable, &rendered, &options()).await.unwrap();
    assert_eq!(exit_status(&report), 1);
    let failure = report.read_failures.iter().find(|f| f.starts_with("AWS::Lambda::Function ")).unwrap();
    assert!(failure.contains("GetFunction: the answer could not be read"), "{failure}");
    assert!(!failure.contains("does not implement"), "{failure}");
    let human = render::human(&report, &Style::plain());
    assert!(human.trim_end().lines().last().unwrap().starts_with("Incomplete: "), "{human}");
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["summary"]["read_failures"], report.read_failures.len());
}
