//! The `observability` stack (§8): the CloudWatch dashboard, the four alarms and the
//! `alerts-critical` / `alerts-warning` SNS topics with their subscribers.
//!
//! The topics are encrypted with a customer-managed key of their own: CloudWatch
//! alarms cannot publish to topics encrypted with the AWS-managed `aws/sns` key, whose
//! policy cannot be changed to let the CloudWatch service use it.
//!
//! Which topic an alarm notifies (the design names one: HighAPILatency → critical):
//! - HighAPILatency → critical: every user waits (the design's choice).
//! - HighErrorRate → critical: more than the threshold share of requests fail; users
//!   see errors now.
//! - DatabaseConnections → warning: a capacity trend (pool leak, traffic growth) that
//!   needs attention before it becomes an outage, not a page.
//! - LambdaErrors → warning: errors of one function; when they reach users they show
//!   up in HighErrorRate, which pages.
//!
//! Every alarm also notifies its topic when it returns to OK, so whoever was alerted
//! learns that it cleared.

use serde_json::{Value, json};

use crate::cfn::resources::cloudwatch::{
    Alarm, AlarmMetric, ComparisonOperator, Dashboard, Dimension, Metric, MetricDataQuery, MetricStat, SingleMetric,
    Statistic, TreatMissingData,
};
use crate::cfn::resources::iam::{PolicyDocument, Principal, Statement};
use crate::cfn::resources::kms::Key;
use crate::cfn::resources::secretsmanager::resolve_secret_key;
use crate::cfn::resources::sns::{Protocol, Subscription, Topic, TopicPolicy};
use crate::cfn::{Export, Handle, Pseudo, Stack, Str, Template};

use super::api::ApiExports;
use super::app::AppExports;
use super::context::{Context, pascal_case};
use super::data::DataExports;
use super::kms::{self, KeySpec, via_service};

/// What other stacks import from `observability`.
pub struct ObservabilityExports {
    pub critical_topic_arn: Export,
    pub warning_topic_arn: Export,
}

/// Seconds per evaluation period of every alarm and dashboard widget (§8).
const PERIOD: u32 = 300;

pub fn build(ctx: &Context, app: &AppExports, api: &ApiExports, data: &DataExports) -> (Stack, ObservabilityExports) {
    let env = ctx.env;
    let obs = &env.observability;
    let mut stack = Stack::new(
        "observability",
        ctx.stack_name("observability"),
        format!("matbakh {}: CloudWatch dashboard, alarms and SNS alert topics (design section 8)", env.name),
    );
    // The design's dashboard and alarm use DBClusterIdentifier, but the database is a
    // DB instance (§2 as built by the `data` stack): RDS publishes its metrics under
    // DBInstanceIdentifier, so that is the dimension here.
    let db_instance = stack.import(&data.instance_identifier);
    let functions: Vec<(String, Str)> =
        app.functions.iter().map(|(name, f)| (name.clone(), stack.import(&f.name))).collect();
    let lambda_errors_function = functions
        .iter()
        .find(|(name, _)| *name == obs.alarms.lambda_errors_function)
        .map(|(_, deployed)| deployed.clone())
        .unwrap_or_else(|| {
            panic!(
                "observability.alarms.lambda_errors_function {} is not a function; the semantic rules reject this",
                obs.alarms.lambda_errors_function
            )
        });
    let t = &mut stack.template;

    // Alarms are named `matbakh-<env>-<design name>`, so one ARN pattern covers them in
    // the key and topic policies (confused-deputy protection for the CloudWatch principal).
    let alarm_arns = Str::arn("cloudwatch", format!("alarm:{}-*", ctx.prefix()));
    let key = alerts_key(ctx, t, &alarm_arns);

    let topic = |t: &mut Template, id: &str, severity: &str| {
        t.add(
            id,
            Topic {
                topic_name: ctx.name(&format!("alerts-{severity}")),
                display_name: format!("matbakh {} {severity}", env.name),
                kms_master_key_id: key.arn(),
                tags: ctx.tags(&format!("alerts-{severity}")),
            },
        )
    };
    let critical = topic(t, "CriticalTopic", "critical");
    let warning = topic(t, "WarningTopic", "warning");
    t.add(
        "AlertTopicsPolicy",
        TopicPolicy {
            topics: vec![critical.r#ref(), warning.r#ref()],
            policy_document: PolicyDocument::new(vec![
                Statement::allow(
                    "AllowCloudWatchAlarmsToPublish",
                    &["sns:Publish"],
                    vec![critical.r#ref(), warning.r#ref()],
                )
                .principal(Principal::Service("cloudwatch.amazonaws.com".into()))
                .when("StringEquals", "aws:SourceAccount", vec![Pseudo::AccountId.into()])
                .when("ArnLike", "aws:SourceArn", vec![alarm_arns.clone()]),
            ]),
        },
    );

    let subscribe = |t: &mut Template, id: String, topic: &Handle<Topic>, protocol: Protocol, endpoint: Str| {
        t.add(&id, Subscription { topic_arn: topic.r#ref(), protocol, endpoint });
    };
    for (i, email) in obs.critical.emails.iter().enumerate() {
        subscribe(t, format!("CriticalEmail{}", i + 1), &critical, Protocol::Email, Str::lit(email.clone()));
    }
    for (i, number) in obs.critical.sms.iter().enumerate() {
        subscribe(t, format!("CriticalSms{}", i + 1), &critical, Protocol::Sms, Str::lit(number.clone()));
    }
    // A webhook URL is a credential (whoever has it can post): CloudFormation resolves
    // it from Secrets Manager at deploy time, so it appears in no file. The endpoint must
    // answer SNS's subscription confirmation (a Slack incoming webhook cannot; put a
    // relay or AWS Chatbot behind the URL).
    for (i, secret) in obs.critical.https_secret_names.iter().enumerate() {
        let url = resolve_secret_key(Str::lit(secret.clone()), "url");
        subscribe(t, format!("CriticalHttps{}", i + 1), &critical, Protocol::Https, url);
    }
    for (i, email) in obs.warning.emails.iter().enumerate() {
        subscribe(t, format!("WarningEmail{}", i + 1), &warning, Protocol::Email, Str::lit(email.clone()));
    }

    let api_name = || Dimension::new("ApiName", Str::lit(api.api_name.clone()));
    let metric = |namespace: &str, name: &str, dimension: Dimension| Metric {
        namespace: namespace.to_owned(),
        metric_name: name.to_owned(),
        dimensions: vec![dimension],
    };
    let single =
        |metric: Metric, statistic: Statistic| AlarmMetric::Single(SingleMetric { metric, statistic, period: PERIOD });
    let alarms = &obs.alarms;
    let mut alarm =
        |id: &str, description: String, watched: AlarmMetric, periods: u32, threshold: u32, topic: &Handle<Topic>| {
            t.add(
                id,
                Alarm {
                    alarm_name: ctx.name(id),
                    alarm_description: description,
                    metric: watched,
                    evaluation_periods: periods,
                    threshold: f64::from(threshold),
                    comparison_operator: ComparisonOperator::GreaterThanThreshold,
                    treat_missing_data: Some(TreatMissingData::NotBreaching),
                    alarm_actions: vec![topic.r#ref()],
                    ok_actions: vec![topic.r#ref()],
                    tags: ctx.tags(&id.to_lowercase()),
                },
            );
        };
    alarm(
        "HighAPILatency",
        format!("Average API latency above {} ms for 2 x 5 minutes", alarms.api_latency_ms),
        single(metric("AWS/ApiGateway", "Latency", api_name()), Statistic::Average),
        2,
        alarms.api_latency_ms,
        &critical,
    );
    // The design's threshold is a percentage of requests. Metric math over the sums
    // computes exactly that (the Average of 5XXError is the same ratio as a fraction,
    // so its threshold would read 0.05 instead of the configured 5).
    let sum = |id: &str, name: &str| MetricDataQuery::Metric {
        id: id.to_owned(),
        metric_stat: MetricStat {
            metric: metric("AWS/ApiGateway", name, api_name()),
            period: PERIOD,
            stat: Statistic::Sum,
        },
        return_data: false,
    };
    alarm(
        "HighErrorRate",
        format!("More than {}% of API requests answered 5XX for 2 x 5 minutes", alarms.api_5xx_percent),
        AlarmMetric::Math {
            metrics: vec![
                sum("errors", "5XXError"),
                sum("requests", "Count"),
                MetricDataQuery::Expression {
                    id: "errorRate".into(),
                    expression: "100 * errors / requests".into(),
                    label: "5XX error rate (%)".into(),
                    return_data: true,
                },
            ],
        },
        2,
        alarms.api_5xx_percent,
        &critical,
    );
    alarm(
        "DatabaseConnections",
        format!("Average connections to the primary above {} for 3 x 5 minutes", alarms.database_connections),
        single(
            metric("AWS/RDS", "DatabaseConnections", Dimension::new("DBInstanceIdentifier", db_instance.clone())),
            Statistic::Average,
        ),
        3,
        alarms.database_connections,
        &warning,
    );
    alarm(
        "LambdaErrors",
        format!("More than {} errors of {} in 2 x 5 minutes", alarms.lambda_errors, alarms.lambda_errors_function),
        single(metric("AWS/Lambda", "Errors", Dimension::new("FunctionName", lambda_errors_function)), Statistic::Sum),
        2,
        alarms.lambda_errors,
        &warning,
    );

    for (name, identifier) in &data.replica_identifiers {
        alarm(
            &format!("{}ReplicaLag", pascal_case(name)),
            format!(
                "Read replica {identifier} more than {} s behind the primary (average over 2 x 5 minutes)",
                alarms.replica_lag_seconds
            ),
            single(
                metric("AWS/RDS", "ReplicaLag", Dimension::new("DBInstanceIdentifier", Str::lit(identifier.clone()))),
                Statistic::Average,
            ),
            2,
            alarms.replica_lag_seconds,
            &critical,
        );
    }

    t.add(
        "Dashboard",
        Dashboard {
            dashboard_name: ctx.prefix(),
            dashboard_body: dashboard_body(&api.api_name, &functions, db_instance, &data.replica_identifiers),
        },
    );

    let exports = ObservabilityExports {
        critical_topic_arn: stack.export("CriticalTopicArn", "ARN of the alerts-critical topic", critical.r#ref()),
        warning_topic_arn: stack.export("WarningTopicArn", "ARN of the alerts-warning topic", warning.r#ref()),
    };
    (stack, exports)
}

/// The topics' key: the account administers it; CloudWatch (for this environment's
/// alarms only) and principals of the account publishing through SNS may use it.
fn alerts_key(ctx: &Context, t: &mut Template, alarm_arns: &Str) -> Handle<Key> {
    let use_actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
    let uses = vec![
        Statement::allow("AllowCloudWatchAlarmsToPublish", &use_actions, vec![Str::lit("*")])
            .principal(Principal::Service("cloudwatch.amazonaws.com".into()))
            .when("StringEquals", "aws:SourceAccount", vec![Pseudo::AccountId.into()])
            .when("ArnLike", "aws:SourceArn", vec![alarm_arns.clone()]),
        Statement::allow("AllowPublishingThroughSns", &use_actions, vec![Str::lit("*")])
            .principal(Principal::Aws(Str::lit("*")))
            .when("StringEquals", "kms:CallerAccount", vec![Pseudo::AccountId.into()])
            .when("StringEquals", "kms:ViaService", vec![via_service("sns")]),
    ];
    kms::key_with_alias(
        ctx,
        t,
        KeySpec {
            id: "AlertsKey",
            alias: "alerts",
            tag: "alerts-key",
            description: format!("matbakh {}: encryption of the SNS alert topics", ctx.env.name),
            rotation_period_in_days: None,
            pending_window_in_days: 30,
            uses,
        },
    )
}

/// The §8 dashboard: API Gateway, Lambda (every function of the `app` stack), RDS and
/// the read replicas' lag.
fn dashboard_body(api_name: &str, functions: &[(String, Str)], db_instance: Str, replicas: &[(String, String)]) -> Str {
    let mut refs = Refs::default();
    let region = refs.slot(Pseudo::Region.into());
    let api_metrics: Vec<Value> = ["Count", "Latency", "4XXError", "5XXError"]
        .iter()
        .map(|m| json!(["AWS/ApiGateway", m, "ApiName", api_name]))
        .collect();
    let lambda_metrics: Vec<Value> = functions
        .iter()
        .flat_map(|(_, deployed)| same_dimension(&mut refs, "AWS/Lambda", LAMBDA_METRICS, "FunctionName", deployed))
        .collect();
    let rds_metrics = same_dimension(&mut refs, "AWS/RDS", RDS_METRICS, "DBInstanceIdentifier", &db_instance);
    let widget = |y: u32, title: &str, metrics: Vec<Value>| {
        json!({
            "type": "metric",
            "x": 0, "y": y, "width": 24, "height": 6,
            "properties": {
                "metrics": metrics,
                "period": PERIOD,
                "stat": "Average",
                "region": region,
                "title": title,
                "view": "timeSeries",
            },
        })
    };
    let mut widgets = vec![
        widget(0, "API Gateway Metrics", api_metrics),
        widget(6, "Lambda Function Metrics", lambda_metrics),
        widget(12, "RDS Instance Metrics", rds_metrics),
    ];
    if !replicas.is_empty() {
        // §2: replicas should trail by under a second; the alarms fire above 5 s.
        let lag = replicas.iter().map(|(_, id)| json!(["AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", id])).collect();
        widgets.push(widget(18, "RDS Replica Lag (seconds)", lag));
    }
    let body = json!({ "widgets": widgets });
    refs.render(&body)
}

const LAMBDA_METRICS: [&str; 4] = ["Duration", "Errors", "Throttles", "ConcurrentExecutions"];
const RDS_METRICS: [&str; 4] = ["CPUUtilization", "DatabaseConnections", "ReadLatency", "WriteLatency"];

/// Widget metric rows of one resource. Rows after the first write `"."` ("as in the row
/// above", CloudWatch's shorthand) for namespace and dimension, so the resource's name,
/// an import, appears once in the `Fn::Sub` instead of once per row.
fn same_dimension(refs: &mut Refs, namespace: &str, metrics: [&str; 4], dimension: &str, value: &Str) -> Vec<Value> {
    let value = refs.slot(value.clone());
    let mut rows = vec![json!([namespace, metrics[0], dimension, value])];
    rows.extend(metrics[1..].iter().map(|m| json!([".", m, ".", "."])));
    rows
}

/// A JSON document whose strings hold CloudFormation expressions: while the document
/// is built each expression stands in as a placeholder, and the serialized text is cut
/// at the placeholders into [`Str::concat`] parts (an `Fn::Sub`).
#[derive(Default)]
struct Refs(Vec<Str>);

/// Serialized by serde_json as the escape `\u0001`, which no value of ours contains.
const MARK: char = '\u{1}';
const MARK_ESCAPED: &str = "\\u0001";

impl Refs {
    fn slot(&mut self, value: Str) -> String {
        self.0.push(value);
        format!("{MARK}{}{MARK}", self.0.len() - 1)
    }

    fn render(self, doc: &Value) -> Str {
        let text = serde_json::to_string(doc).expect("JSON values serialize");
        // A literal `\u0001` in the text would serialize to `\\u0001` and cut it in
        // the wrong place: refuse that instead of rendering a broken dashboard.
        let pieces: Vec<&str> = text.split(MARK_ESCAPED).collect();
        let mut parts = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            if i % 2 == 0 {
                parts.push(Str::lit(*piece));
            } else {
                let slot = piece.parse::<usize>().ok().and_then(|index| self.0.get(index));
                let slot = slot.unwrap_or_else(|| panic!("dashboard text contains a placeholder mark: {text}"));
                parts.push(slot.clone());
            }
        }
        assert!(pieces.len() % 2 == 1, "dashboard text contains a placeholder mark: {text}");
        Str::concat(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "placeholder mark")]
    fn literal_text_that_looks_like_a_mark_is_refused() {
        Refs::default().render(&json!({"s": "\\u0001"}));
    }

    #[test]
    fn placeholders_become_sub_references_and_literals_stay_json() {
        let mut refs = Refs::default();
        let region = refs.slot(Pseudo::Region.into());
        let name = refs.slot(Str::ImportValue(Box::new(Str::lit("x-Name"))));
        let body = refs.render(&json!({"region": region, "m": ["a\"b", name], "s": "${not}"}));
        assert_eq!(
            body.to_value(),
            json!({"Fn::Sub": [r#"{"region":"${AWS::Region}","m":["a\"b","${Var0}"],"s":"${!not}"}"#,
                               {"Var0": {"Fn::ImportValue": "x-Name"}}]})
        );
    }
}
