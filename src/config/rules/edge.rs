//! The WAF web ACL of §9: the rate limit, the blocked countries and the log retention.

use super::Sections;
use super::at;
use crate::config::Finding;
use crate::config::model::values::LOG_RETENTION_DAYS;

/// `Limit` of a WAF rate-based statement (requests per 5 minutes from one IP).
pub const RATE_LIMIT_RANGE: std::ops::RangeInclusive<u64> = 10..=2_000_000_000;

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(edge) = &s.edge else {
        return;
    };
    if !RATE_LIMIT_RANGE.contains(&edge.rate_limit_per_ip) {
        out.push(Finding::error(
            at("edge.rate_limit_per_ip"),
            format!(
                "WAF rate limits are {}-{} requests per 5 minutes, not {}",
                RATE_LIMIT_RANGE.start(),
                RATE_LIMIT_RANGE.end(),
                edge.rate_limit_per_ip
            ),
        ));
    }

    let countries = &edge.blocked_countries;
    if countries.is_empty() {
        out.push(Finding::error(
            at("edge.blocked_countries"),
            "the geo block rule needs at least one country; list ISO 3166 alpha-2 codes, e.g. [CN, RU, KP]",
        ));
    }
    for (i, code) in countries.iter().enumerate() {
        let path = at(&format!("edge.blocked_countries[{i}]"));
        if !(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())) {
            out.push(Finding::error(
                path,
                format!("{code:?} is not a country code; write the ISO 3166 alpha-2 code in capitals, e.g. CN"),
            ));
        } else if let Some(first) = countries[..i].iter().position(|c| c == code) {
            out.push(Finding::error(
                path,
                format!("{code} is listed twice (first at blocked_countries[{first}]); list each country once"),
            ));
        }
    }

    if !LOG_RETENTION_DAYS.contains(&edge.log_retention_days) {
        out.push(Finding::error(
            at("edge.log_retention_days"),
            format!(
                "CloudWatch Logs does not keep logs for {} days; use one of {}",
                edge.log_retention_days,
                LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
            ),
        ));
    }
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
    fn rate_limit_stays_in_wafs_range() {
        assert_error(&with(|e| e.edge.rate_limit_per_ip = 9), "edge.rate_limit_per_ip", &["10-2000000000", "9"]);
        assert_error(&with(|e| e.edge.rate_limit_per_ip = 2_000_000_001), "edge.rate_limit_per_ip", &["2000000001"]);
        assert_eq!(with(|e| e.edge.rate_limit_per_ip = 10), []);
        assert_eq!(with(|e| e.edge.rate_limit_per_ip = 2_000_000_000), []);
    }

    #[test]
    fn country_codes_are_two_capitals_and_unique() {
        for bad in ["cn", "CHN", "C", "C1", ""] {
            assert_error(
                &with(|e| e.edge.blocked_countries[1] = bad.to_owned()),
                "edge.blocked_countries[1]",
                &["not a country code", "CN"],
            );
        }
        assert_error(
            &with(|e| e.edge.blocked_countries.push("RU".into())),
            "edge.blocked_countries[3]",
            &["twice", "blocked_countries[1]"],
        );
        assert_error(&with(|e| e.edge.blocked_countries.clear()), "edge.blocked_countries", &["at least one"]);
    }

    #[test]
    fn log_retention_is_a_cloudwatch_value() {
        assert_error(&with(|e| e.edge.log_retention_days = 10), "edge.log_retention_days", &["10 days", "14"]);
        for days in LOG_RETENTION_DAYS {
            assert_eq!(with(|e| e.edge.log_retention_days = days), []);
        }
    }
}
