//! Cognito of §3: trigger functions, MFA, custom attributes, app client URLs.

use super::Sections;
use super::at;
use crate::config::Finding;
use crate::config::model::{Auth, FunctionKind, Functions, MfaMode};

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let (Some(auth), Some(env_name)) = (&s.auth, &s.name) else {
        return;
    };
    // Which functions exist is known only when `functions` is valid.
    if let Some(functions) = &s.functions {
        check_triggers(auth, functions, out);
    }

    match (auth.mfa, auth.mfa_methods.is_empty()) {
        (MfaMode::Off, false) => out.push(Finding::warning(
            at("auth.mfa_methods"),
            "mfa is off, so these methods are never offered; remove them or set mfa to optional or on",
        )),
        (MfaMode::Optional | MfaMode::On, true) => out.push(Finding::error(
            at("auth.mfa_methods"),
            "mfa is not off but no method is listed; list at least one of sms, totp (or set mfa to off)",
        )),
        _ => {}
    }

    for (i, attribute) in auth.custom_attributes.iter().enumerate() {
        if let Some(first) = auth.custom_attributes[..i].iter().position(|a| a.name == attribute.name) {
            out.push(Finding::error(
                at(&format!("auth.custom_attributes[{i}].name")),
                format!(
                    "custom attribute {} is defined twice (first at custom_attributes[{first}]); define each once",
                    attribute.name
                ),
            ));
        }
    }

    for (client, config) in [("web_client", &auth.web_client), ("mobile_client", &auth.mobile_client)] {
        for (list, urls) in [("callback_urls", &config.callback_urls), ("logout_urls", &config.logout_urls)] {
            for (i, url) in urls.iter().enumerate() {
                if let Err(problem) = check_redirect_url(url, env_name) {
                    out.push(Finding::error(at(&format!("auth.{client}.{list}[{i}]")), problem));
                }
            }
        }
    }
}

/// Each trigger names an existing function of kind trigger.
fn check_triggers(auth: &Auth, functions: &Functions, out: &mut Vec<Finding>) {
    for (slot, name) in [
        ("pre_sign_up", &auth.triggers.pre_sign_up),
        ("post_confirmation", &auth.triggers.post_confirmation),
        ("pre_authentication", &auth.triggers.pre_authentication),
    ] {
        let path = at(&format!("auth.triggers.{slot}"));
        match functions.definitions.iter().find(|f| f.name == *name) {
            None => {
                let triggers: Vec<&str> = functions
                    .definitions
                    .iter()
                    .filter(|f| f.kind == FunctionKind::Trigger)
                    .map(|f| f.name.as_str())
                    .collect();
                out.push(Finding::error(
                    path,
                    format!(
                        "{name} is not a function in functions.definitions; name a function of kind trigger ({})",
                        if triggers.is_empty() { "there is none yet".to_owned() } else { triggers.join(", ") }
                    ),
                ));
            }
            Some(f) if f.kind != FunctionKind::Trigger => out.push(Finding::error(
                path,
                format!(
                    "{name} is a function of kind {}; a Cognito trigger must be of kind trigger (Cognito waits at \
                     most 5 seconds, which that kind's timeout matches)",
                    kind_name(f.kind)
                ),
            )),
            Some(_) => {}
        }
    }
}

fn kind_name(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Api => "api",
        FunctionKind::Background => "background",
        FunctionKind::Trigger => "trigger",
    }
}

/// What Cognito accepts as a redirect URL: absolute, no fragment, `https`, an app's own
/// scheme (`matbakh://…`), or `http://localhost` for local development (not in prod).
fn check_redirect_url(url: &str, env_name: &str) -> Result<(), String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "{url:?} is not an absolute URL; write https://host/path, an app scheme like matbakh://path, or \
             http://localhost:port/path outside prod"
        ));
    };
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_lowercase())
        && scheme.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c));
    if !valid_scheme {
        return Err(format!("{url:?} has no valid scheme; schemes are lowercase, e.g. https or matbakh"));
    }
    if url.contains('#') {
        return Err(format!("{url} has a fragment (#…); Cognito refuses redirect URLs with one"));
    }
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    let host_name = host.rsplit_once(':').map_or(host, |(name, _port)| name);
    match scheme {
        "https" if host_name.is_empty() => Err(format!("{url} has no host; write https://host/path")),
        "http" if host_name == "localhost" && env_name == "prod" => Err(format!(
            "{url} points to localhost; http://localhost is for local development and allowed outside prod only"
        )),
        "http" if host_name == "localhost" => Ok(()),
        "http" => Err(format!(
            "{url} uses plain http; use https (Cognito allows http only for http://localhost, outside prod)"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::config::model::{CustomAttribute, FunctionKind, MfaMode};
    use crate::config::rules::test_support::{self, assert_one};
    use crate::config::{Environment, Finding, Severity};

    fn findings(edit: impl FnOnce(&mut Environment)) -> Vec<Finding> {
        test_support::findings(check, edit)
    }

    #[test]
    fn prod_and_dev_are_clean() {
        assert_eq!(findings(|_| {}), []);
        let mut dev: Environment = serde_yaml::from_str(include_str!("../../../stacks/dev.yaml")).unwrap();
        let mut out = Vec::new();
        check(&super::super::Sections::of(&dev), &mut out);
        assert_eq!(out, []);
        dev.name = "staging".into();
        check(&super::super::Sections::of(&dev), &mut out);
        assert_eq!(out, []);
    }

    #[test]
    fn triggers_name_existing_functions() {
        let found = findings(|e| e.auth.triggers.post_confirmation = "welcome".into());
        assert_one(
            &found,
            Severity::Error,
            "auth.triggers.post_confirmation",
            &["welcome is not a function", "pre-sign-up, post-confirmation, pre-authentication"],
        );
    }

    #[test]
    fn triggers_are_functions_of_kind_trigger() {
        let found = findings(|e| e.auth.triggers.pre_authentication = "vc-start".into());
        assert_one(&found, Severity::Error, "auth.triggers.pre_authentication", &["vc-start", "kind api", "5 seconds"]);
        let found = findings(|e| {
            e.functions.definitions.iter_mut().find(|f| f.name == "pre-sign-up").unwrap().kind =
                FunctionKind::Background;
        });
        assert_one(&found, Severity::Error, "auth.triggers.pre_sign_up", &["kind background"]);
    }

    #[test]
    fn mfa_needs_a_method_unless_off() {
        for mode in [MfaMode::Optional, MfaMode::On] {
            let found = findings(|e| {
                e.auth.mfa = mode;
                e.auth.mfa_methods.clear();
            });
            assert_one(&found, Severity::Error, "auth.mfa_methods", &["at least one of sms, totp"]);
        }
        let found = findings(|e| e.auth.mfa = MfaMode::Off);
        assert_one(&found, Severity::Warning, "auth.mfa_methods", &["never offered"]);
        assert_eq!(
            findings(|e| {
                e.auth.mfa = MfaMode::Off;
                e.auth.mfa_methods.clear();
            }),
            []
        );
    }

    #[test]
    fn custom_attribute_names_are_unique() {
        let found = findings(|e| {
            e.auth.custom_attributes.push(CustomAttribute { name: "persona".into(), mutable: false, max_length: None })
        });
        assert_one(
            &found,
            Severity::Error,
            "auth.custom_attributes[2].name",
            &["persona", "twice", "custom_attributes[0]"],
        );
    }

    #[test]
    fn redirect_urls_are_https_or_app_schemes() {
        let url = |u: &str| findings(|e| e.auth.web_client.callback_urls = vec![u.to_owned()]);
        for ok in ["https://app.matbakh.app/auth/callback", "matbakh://auth/callback", "com.matbakh.app://cb"] {
            assert_eq!(url(ok), [], "{ok}");
        }
        let path = "auth.web_client.callback_urls[0]";
        assert_one(&url("http://app.matbakh.app/cb"), Severity::Error, path, &["plain http", "use https"]);
        assert_one(&url("app.matbakh.app/cb"), Severity::Error, path, &["not an absolute URL"]);
        assert_one(&url("https://app.matbakh.app/#/cb"), Severity::Error, path, &["fragment"]);
        assert_one(&url("https:///cb"), Severity::Error, path, &["no host"]);
        assert_one(&url("Matbakh://cb"), Severity::Error, path, &["no valid scheme"]);
        let found = findings(|e| e.auth.mobile_client.logout_urls.push("http://localhost:3000/".into()));
        assert_one(&found, Severity::Error, "auth.mobile_client.logout_urls[1]", &["localhost", "outside prod"]);
    }

    #[test]
    fn localhost_is_allowed_outside_prod() {
        let found = findings(|e| {
            e.name = "dev".into();
            e.auth.web_client.callback_urls.push("http://localhost:3000/auth/callback".into());
            e.auth.web_client.logout_urls.push("http://localhost/".into());
        });
        assert_eq!(found, []);
        let found = findings(|e| {
            e.name = "dev".into();
            e.auth.web_client.logout_urls.push("http://localhost.evil.example/".into());
        });
        assert_one(&found, Severity::Error, "auth.web_client.logout_urls[1]", &["plain http"]);
    }
}
