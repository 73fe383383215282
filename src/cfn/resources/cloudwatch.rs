//! `AWS::CloudWatch::*`: metric alarms and dashboards.

use serde::{Serialize, Serializer};

use super::Tag;
use crate::attributes;
use crate::cfn::{Resource, Str};

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum Statistic {
    Average,
    Sum,
    Maximum,
    Minimum,
    SampleCount,
}

#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
pub enum ComparisonOperator {
    GreaterThanThreshold,
    GreaterThanOrEqualToThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
}

/// How an alarm treats periods without data points.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum TreatMissingData {
    Breaching,
    NotBreaching,
    Ignore,
    Missing,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub name: String,
    pub value: Str,
}

impl Dimension {
    pub fn new(name: &str, value: Str) -> Self {
        Dimension { name: name.to_owned(), value }
    }
}

/// A metric: namespace, name and dimensions.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    /// e.g. `AWS/ApiGateway`
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<Dimension>,
}

/// One metric and how to aggregate it: what an alarm on a single metric watches.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct SingleMetric {
    #[serde(flatten)]
    pub metric: Metric,
    pub statistic: Statistic,
    /// Seconds: 10, 20, 30 or a multiple of 60.
    pub period: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    pub metric: Metric,
    pub period: u32,
    pub stat: Statistic,
}

/// One entry of a metric-math alarm: a metric it reads or the expression it alarms on.
/// Ids match `^[a-z][A-Za-z0-9_]*$`; exactly one entry returns data.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum MetricDataQuery {
    Metric {
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "MetricStat")]
        metric_stat: MetricStat,
        #[serde(rename = "ReturnData")]
        return_data: bool,
    },
    Expression {
        #[serde(rename = "Id")]
        id: String,
        #[serde(rename = "Expression")]
        expression: String,
        #[serde(rename = "Label")]
        label: String,
        #[serde(rename = "ReturnData")]
        return_data: bool,
    },
}

/// What an alarm watches: one metric, or a metric-math expression over several (which
/// then carries the periods and statistics; CloudWatch rejects both shapes at once).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum AlarmMetric {
    Single(SingleMetric),
    Math {
        #[serde(rename = "Metrics")]
        metrics: Vec<MetricDataQuery>,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alarm {
    pub alarm_name: String,
    pub alarm_description: String,
    #[serde(flatten)]
    pub metric: AlarmMetric,
    pub evaluation_periods: u32,
    #[serde(serialize_with = "number")]
    pub threshold: f64,
    pub comparison_operator: ComparisonOperator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<TreatMissingData>,
    /// Topic ARNs notified on entering ALARM.
    pub alarm_actions: Vec<Str>,
    /// Topic ARNs notified on returning to OK.
    #[serde(rename = "OKActions")]
    pub ok_actions: Vec<Str>,
    pub tags: Vec<Tag>,
}
impl Resource for Alarm {
    const TYPE: &'static str = "AWS::CloudWatch::Alarm";
}
attributes!(Alarm { arn => "Arn" });

/// Whole thresholds render as integers (`1000`, not `1000.0`), as people write them.
fn number<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dashboard {
    pub dashboard_name: String,
    /// The dashboard JSON as a string; references to other resources make it an `Fn::Sub`.
    pub dashboard_body: Str,
}
impl Resource for Dashboard {
    const TYPE: &'static str = "AWS::CloudWatch::Dashboard";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alarm(metric: AlarmMetric, threshold: f64) -> serde_json::Value {
        let alarm = Alarm {
            alarm_name: "a".into(),
            alarm_description: "d".into(),
            metric,
            evaluation_periods: 2,
            threshold,
            comparison_operator: ComparisonOperator::GreaterThanThreshold,
            treat_missing_data: Some(TreatMissingData::NotBreaching),
            alarm_actions: vec![Str::lit("topic")],
            ok_actions: vec![Str::lit("topic")],
            tags: Vec::new(),
        };
        serde_json::to_value(alarm).unwrap()
    }

    fn latency() -> Metric {
        Metric {
            namespace: "AWS/ApiGateway".into(),
            metric_name: "Latency".into(),
            dimensions: vec![Dimension::new("ApiName", Str::lit("api"))],
        }
    }

    #[test]
    fn single_metric_alarms_carry_metric_statistic_and_period_at_the_top() {
        let v = alarm(
            AlarmMetric::Single(SingleMetric { metric: latency(), statistic: Statistic::Average, period: 300 }),
            1000.0,
        );
        assert_eq!(v["Namespace"], "AWS/ApiGateway");
        assert_eq!(v["Dimensions"], json!([{"Name": "ApiName", "Value": "api"}]));
        assert_eq!(v["Statistic"], "Average");
        assert_eq!(v["Period"], 300);
        assert_eq!(v["Threshold"], json!(1000));
        assert_eq!(v["TreatMissingData"], "notBreaching");
        assert_eq!(v["OKActions"], json!(["topic"]));
        assert!(v.get("Metrics").is_none());
    }

    #[test]
    fn math_alarms_carry_only_metrics() {
        let metrics = vec![
            MetricDataQuery::Metric {
                id: "latency".into(),
                metric_stat: MetricStat { metric: latency(), period: 300, stat: Statistic::Sum },
                return_data: false,
            },
            MetricDataQuery::Expression {
                id: "double".into(),
                expression: "2 * latency".into(),
                label: "x".into(),
                return_data: true,
            },
        ];
        let v = alarm(AlarmMetric::Math { metrics }, 2.5);
        assert_eq!(v["Threshold"], json!(2.5));
        for absent in ["Namespace", "MetricName", "Statistic", "Period", "Dimensions"] {
            assert!(v.get(absent).is_none(), "{absent}");
        }
        assert_eq!(v["Metrics"][0]["MetricStat"]["Stat"], "Sum");
        assert_eq!(
            v["Metrics"][1],
            json!({"Id": "double", "Expression": "2 * latency", "Label": "x", "ReturnData": true})
        );
    }
}
