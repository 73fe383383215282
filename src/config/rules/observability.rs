//! Alarms and alert subscribers of §8: thresholds, the watched function, and endpoints
//! SNS can deliver to (a webhook URL is a credential, so YAML names its secret instead).

use super::Sections;
use super::at;
use crate::config::Finding;

/// Secrets Manager secret names: 1-512 of ASCII letters, digits and `/_+=.@-`.
const SECRET_NAME_MAX: usize = 512;

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(obs) = &s.observability else {
        return;
    };
    let alarms = &obs.alarms;
    for (field, value, unit) in [
        ("api_latency_ms", alarms.api_latency_ms, "milliseconds"),
        ("api_5xx_percent", alarms.api_5xx_percent, "percent"),
        ("database_connections", alarms.database_connections, "connections"),
        ("lambda_errors", alarms.lambda_errors, "errors"),
    ] {
        if value == 0 {
            out.push(Finding::error(
                at(&format!("observability.alarms.{field}")),
                format!("a threshold of 0 {unit} alarms on any activity at all; set a threshold above 0"),
            ));
        }
    }
    if alarms.api_5xx_percent > 100 {
        out.push(Finding::error(
            at("observability.alarms.api_5xx_percent"),
            format!("{}% of requests can never fail; use 1-100", alarms.api_5xx_percent),
        ));
    }
    let function = &alarms.lambda_errors_function;
    if let Some(functions) = &s.functions
        && !functions.definitions.iter().any(|f| f.name == *function)
    {
        let names: Vec<&str> = functions.definitions.iter().map(|f| f.name.as_str()).collect();
        out.push(Finding::error(
            at("observability.alarms.lambda_errors_function"),
            format!("{function} is not one of functions.definitions; use one of {}", names.join(", ")),
        ));
    }

    let critical = &obs.critical;
    check_list("observability.critical.emails", &critical.emails, out, |email| {
        (!looks_like_email(email))
            .then(|| format!("{email:?} is not an email address; write name@domain, e.g. alerts@matbakh.app"))
    });
    check_list("observability.critical.sms", &critical.sms, out, |number| {
        (!is_e164(number)).then(|| {
            format!(
                "{number:?} is not an E.164 phone number; write + and the country code, then up to 14 digits \
                 without spaces, e.g. +49123456789"
            )
        })
    });
    check_list("observability.critical.https_secret_names", &critical.https_secret_names, out, |name| {
        if name.contains("://") || name.starts_with("http") {
            Some(format!(
                "{name:?} is a URL, and a webhook URL is a credential that must not be in this file; put the URL in \
                 a Secrets Manager secret under the key \"url\", name the secret here"
            ))
        } else if !is_secret_name(name) {
            Some(format!(
                "{name:?} is not a Secrets Manager secret name; use 1-{SECRET_NAME_MAX} letters, digits and /_+=.@- \
                 (e.g. matbakh-prod/alerts-slack-webhook)"
            ))
        } else {
            None
        }
    });
    check_list("observability.warning.emails", &obs.warning.emails, out, |email| {
        (!looks_like_email(email))
            .then(|| format!("{email:?} is not an email address; write name@domain, e.g. dev-team@matbakh.app"))
    });
}

/// Each entry passes `problem`, and none repeats (SNS keeps one subscription per
/// endpoint and topic, so a second one would fail the deploy).
fn check_list(path: &str, items: &[String], out: &mut Vec<Finding>, problem: impl Fn(&str) -> Option<String>) {
    for (i, item) in items.iter().enumerate() {
        let at_item = at(&format!("{path}[{i}]"));
        if let Some(message) = problem(item) {
            out.push(Finding::error(at_item, message));
        } else if let Some(first) = items[..i].iter().position(|x| x == item) {
            let field = path.rsplit('.').next().unwrap_or(path);
            out.push(Finding::error(
                at_item,
                format!("{item} is listed twice (first at {field}[{first}]); list each subscriber once"),
            ));
        }
    }
}

/// `local@domain.tld`: one `@`, no spaces, a dotted domain without empty labels.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// `+` and 2-15 digits, the first not 0 (ITU-T E.164).
fn is_e164(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

fn is_secret_name(s: &str) -> bool {
    (1..=SECRET_NAME_MAX).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_+=.@-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Environment;
    use crate::config::rules::test_support::{assert_error, findings};

    fn with(edit: impl FnOnce(&mut Environment)) -> Vec<Finding> {
        findings(check, edit)
    }

    #[test]
    fn prod_is_clean() {
        assert_eq!(with(|_| {}), []);
    }

    #[test]
    fn thresholds_are_above_zero_and_percentages_at_most_100() {
        assert_error(
            &with(|e| e.observability.alarms.api_latency_ms = 0),
            "observability.alarms.api_latency_ms",
            &["above 0"],
        );
        assert_error(&with(|e| e.observability.alarms.lambda_errors = 0), "observability.alarms.lambda_errors", &[]);
        assert_error(
            &with(|e| e.observability.alarms.database_connections = 0),
            "observability.alarms.database_connections",
            &[],
        );
        assert_error(
            &with(|e| e.observability.alarms.api_5xx_percent = 0),
            "observability.alarms.api_5xx_percent",
            &[],
        );
        assert_error(
            &with(|e| e.observability.alarms.api_5xx_percent = 101),
            "observability.alarms.api_5xx_percent",
            &["1-100"],
        );
    }

    #[test]
    fn the_watched_function_exists() {
        assert_error(
            &with(|e| e.observability.alarms.lambda_errors_function = "vc-stop".into()),
            "observability.alarms.lambda_errors_function",
            &["vc-stop", "vc-start"],
        );
    }

    #[test]
    fn emails_look_like_addresses() {
        for bad in
            ["alerts", "alerts@", "@matbakh.app", "alerts@matbakh", "a b@matbakh.app", "a@@matbakh.app", "a@x..app"]
        {
            assert_error(
                &with(|e| e.observability.critical.emails[0] = bad.into()),
                "observability.critical.emails[0]",
                &["not an email address"],
            );
        }
        assert_error(
            &with(|e| e.observability.warning.emails.push("dev-team@matbakh.app".into())),
            "observability.warning.emails[1]",
            &["twice", "emails[0]"],
        );
    }

    #[test]
    fn sms_numbers_are_e164() {
        for bad in ["49123456789", "+49 123 456789", "+0123456", "+1", "+1234567890123456", "+49-123"] {
            assert_error(
                &with(|e| e.observability.critical.sms[0] = bad.into()),
                "observability.critical.sms[0]",
                &["E.164"],
            );
        }
        assert_eq!(with(|e| e.observability.critical.sms[0] = "+12".into()), []);
    }

    #[test]
    fn webhooks_are_named_by_secret_never_by_url() {
        assert_error(
            &with(|e| {
                e.observability.critical.https_secret_names[0] = "https://hooks.slack.com/services/T0/B0/x".into()
            }),
            "observability.critical.https_secret_names[0]",
            &["is a URL", "put the URL in", "name the secret here"],
        );
        assert_error(
            &with(|e| e.observability.critical.https_secret_names[0] = "alerts webhook".into()),
            "observability.critical.https_secret_names[0]",
            &["not a Secrets Manager secret name"],
        );
        assert_eq!(with(|e| e.observability.critical.https_secret_names[0] = "a/b_c+d=e.f@g-h".into()), []);
    }
}
