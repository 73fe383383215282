//! The Lambda functions of §5 and the Cognito triggers of §3: runtime lifecycle, log
//! retention, the mail sender, layers and each function's settings.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use super::Sections;
use super::at;
use crate::cfn::registry::{LAMBDA_RUNTIMES, RuntimeLifecycle, runtime};
use crate::config::Finding;
use crate::config::model::{Capability, Function, FunctionKind, Functions};
use crate::constructs::app::{GENERATED_VARIABLES, logical_stem};

pub use crate::config::model::values::LOG_RETENTION_DAYS;

/// Layers one function may use (Lambda quota).
const MAX_LAYERS: usize = 5;
/// IAM role names are at most 64 characters.
const MAX_ROLE_NAME: usize = 64;
/// `Description` of a function, at most 256 characters (registry schema).
const MAX_DESCRIPTION: usize = 256;
/// Names Lambda sets itself besides the `AWS_*` and `LAMBDA_*` families.
const RESERVED_VARIABLES: [&str; 2] = ["_HANDLER", "_X_AMZN_TRACE_ID"];

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    if let Some(functions) = &s.functions {
        check_on(functions, s.name.as_deref(), &today(), out);
    }
}

/// The rules with "today" given as `YYYY-MM-DD` (the runtime lifecycle depends on it).
/// `env_name`: when the environment's name is valid, role names are checked too.
fn check_on(functions: &Functions, env_name: Option<&str>, today: &str, out: &mut Vec<Finding>) {
    check_runtime(&functions.runtime, today, out);
    if !LOG_RETENTION_DAYS.contains(&functions.log_retention_days) {
        out.push(Finding::error(
            at("functions.log_retention_days"),
            format!(
                "CloudWatch Logs does not keep logs for {} days; use one of {}",
                functions.log_retention_days,
                LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
            ),
        ));
    }
    check_sender(functions, out);
    check_layers(functions, out);
    for (i, f) in functions.definitions.iter().enumerate() {
        check_function(functions, env_name, i, f, out);
    }
}

/// Deprecated runtimes warn and name the successor; once Lambda blocks creating functions
/// on a runtime, it is an error (a new environment could not be deployed).
fn check_runtime(name: &str, today: &str, out: &mut Vec<Finding>) {
    let path = at("functions.runtime");
    let Some(lifecycle) = runtime(name) else {
        out.push(Finding::error(
            path,
            format!("{name} is not a Lambda runtime; use {}", newest_node_runtime(today).unwrap_or("nodejs22.x")),
        ));
        return;
    };
    let successor = lifecycle.successor.or_else(|| newest_node_runtime(today)).unwrap_or("a supported runtime");
    let passed = |date: Option<&'static str>| date.filter(|d| *d <= today);
    if let Some(blocked) = passed(lifecycle.create_block) {
        out.push(Finding::error(
            path,
            format!("Lambda stopped creating functions on {name} on {blocked}; use {successor}"),
        ));
    } else if let Some(deprecated) = passed(lifecycle.deprecated) {
        let block =
            lifecycle.create_block.map(|d| format!(" and stops creating functions on it on {d}")).unwrap_or_default();
        out.push(Finding::warning(
            path,
            format!("{name} is deprecated since {deprecated}: it gets no security patches{block}; move to {successor}"),
        ));
    }
}

/// The newest `nodejsNN.x` runtime that is not deprecated on `today`.
fn newest_node_runtime(today: &str) -> Option<&'static str> {
    let major = |r: &RuntimeLifecycle| r.name.strip_prefix("nodejs")?.strip_suffix(".x")?.parse::<u32>().ok();
    LAMBDA_RUNTIMES
        .iter()
        .filter(|r| r.deprecated.is_none_or(|d| d > today))
        .filter_map(|r| major(r).map(|m| (m, r.name)))
        .max()
        .map(|(_, name)| name)
}

/// `email_from` is an address of the SES identity (a domain, or that very address).
fn check_sender(functions: &Functions, out: &mut Vec<Finding>) {
    let (identity, from) = (functions.ses_identity.to_ascii_lowercase(), functions.email_from.to_ascii_lowercase());
    let address = from.rsplit_once('@').filter(|(local, domain)| !local.is_empty() && !domain.is_empty());
    let Some((_, domain)) = address else {
        out.push(Finding::error(
            at("functions.email_from"),
            format!(
                "{:?} is not an e-mail address; write e.g. welcome@{}",
                functions.email_from, functions.ses_identity
            ),
        ));
        return;
    };
    let ok = if identity.contains('@') { identity == from } else { identity == domain };
    if !ok {
        out.push(Finding::error(
            at("functions.email_from"),
            format!(
                "{} is not in the SES identity {}, so SES would refuse to send from it; use an address {}",
                functions.email_from,
                functions.ses_identity,
                if identity.contains('@') { "equal to the identity".to_owned() } else { format!("@{identity}") }
            ),
        ));
    }
}

fn check_layers(functions: &Functions, out: &mut Vec<Finding>) {
    for (i, layer) in functions.layers.iter().enumerate() {
        if let Some(first) = functions.layers[..i].iter().position(|l| l.name == layer.name) {
            out.push(Finding::error(
                at(&format!("functions.layers[{i}].name")),
                format!(
                    "layer {} is defined twice (first at functions.layers[{first}]); name each layer once",
                    layer.name
                ),
            ));
        }
        check_relative(&layer.path, &format!("functions.layers[{i}].path"), out);
    }
}

fn check_function(functions: &Functions, env_name: Option<&str>, i: usize, f: &Function, out: &mut Vec<Finding>) {
    let field = |name: &str| format!("functions.definitions[{i}].{name}");
    let earlier = &functions.definitions[..i];
    if let Some(first) = earlier.iter().position(|g| g.name == f.name) {
        out.push(Finding::error(
            at(&field("name")),
            format!("function {} is defined twice (first at functions.definitions[{first}]); name each once", f.name),
        ));
    } else if let Some(other) = earlier.iter().find(|g| logical_stem(&g.name) == logical_stem(&f.name)) {
        out.push(Finding::error(
            at(&field("name")),
            format!(
                "{} and {} differ only in hyphens, so their CloudFormation resources would share logical ids; \
                 rename one",
                other.name, f.name
            ),
        ));
    }
    if let Some(env_name) = env_name
        && let role = format!("matbakh-{env_name}-app-{}", f.name)
        && role.len() > MAX_ROLE_NAME
    {
        out.push(Finding::error(
            at(&field("name")),
            format!(
                "the execution role name {role} is {} characters, IAM allows {MAX_ROLE_NAME}; shorten the name by {}",
                role.len(),
                role.len() - MAX_ROLE_NAME
            ),
        ));
    }
    if f.description.chars().count() > MAX_DESCRIPTION {
        out.push(Finding::error(
            at(&field("description")),
            format!(
                "the description has {} characters; Lambda allows {MAX_DESCRIPTION}",
                f.description.chars().count()
            ),
        ));
    }
    check_relative(&f.code, &field("code"), out);
    for key in f.environment.keys() {
        check_variable(key, &field("environment"), out);
    }
    if let (Some(provisioned), Some(reserved)) = (f.provisioned_concurrency, f.reserved_concurrency)
        && provisioned > reserved
    {
        out.push(Finding::error(
            at(&field("provisioned_concurrency")),
            format!(
                "{provisioned} provisioned environments exceed the {reserved} reserved for {}; Lambda refuses that, so \
                 provision at most {reserved} or reserve more",
                f.name
            ),
        ));
    }
    check_function_layers(functions, i, f, out);
    if functions.bedrock_model_ids.is_empty()
        && let Some(j) = f.uses.iter().position(|c| *c == Capability::Bedrock)
    {
        out.push(Finding::error(
            at(&format!("functions.definitions[{i}].uses[{j}]")),
            format!("{} uses bedrock, but functions.bedrock_model_ids is empty; list the models it may invoke", f.name),
        ));
    }
    // Signing users in answers API requests; a trigger doing it would run inside
    // Cognito's own sign-in (and the pre-authentication trigger again).
    if f.kind != FunctionKind::Api
        && let Some(j) = f.uses.iter().position(|c| *c == Capability::SignIn)
    {
        out.push(Finding::error(
            at(&format!("functions.definitions[{i}].uses[{j}]")),
            format!(
                "{} uses sign_in, which signs users in for the /auth routes; only a function of kind api may (use \
                 user_pool to read the pool id)",
                f.name
            ),
        ));
    }
}

fn check_function_layers(functions: &Functions, i: usize, f: &Function, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for (j, name) in f.layers.iter().enumerate() {
        let path = at(&format!("functions.definitions[{i}].layers[{j}]"));
        if !seen.insert(name) {
            out.push(Finding::error(path, format!("layer {name} is listed twice; list each layer once")));
        } else if !functions.layers.iter().any(|l| &l.name == name) {
            let known: Vec<&str> = functions.layers.iter().map(|l| l.name.as_str()).collect();
            out.push(Finding::error(
                path,
                format!(
                    "there is no layer {name} in functions.layers (defined: {})",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                ),
            ));
        }
    }
    if f.layers.len() > MAX_LAYERS {
        out.push(Finding::error(
            at(&format!("functions.definitions[{i}].layers")),
            format!("{} uses {} layers; Lambda allows at most {MAX_LAYERS} per function", f.name, f.layers.len()),
        ));
    }
}

/// An environment variable name Lambda accepts and the stack does not set itself.
fn check_variable(key: &str, environment: &str, out: &mut Vec<Finding>) {
    let path = at(environment).key(key);
    if key.starts_with("AWS_") || key.starts_with("LAMBDA_") || RESERVED_VARIABLES.contains(&key) {
        out.push(Finding::error(
            path,
            format!("{key} is reserved by Lambda (AWS_*, LAMBDA_*, _HANDLER, _X_AMZN_TRACE_ID); choose another name"),
        ));
    } else if GENERATED_VARIABLES.contains(&key) {
        out.push(Finding::error(
            path,
            format!(
                "{key} is set by the app stack from the function's uses and the other stacks' exports; remove it \
                 (add the capability to uses instead)"
            ),
        ));
    } else if !is_variable_name(key) {
        out.push(Finding::error(
            path,
            format!(
                "{key:?} is not a name Lambda accepts: a letter, then at least one letter, digit or '_' \
                 ([A-Za-z][A-Za-z0-9_]+)"
            ),
        ));
    }
}

/// `^[A-Za-z][A-Za-z0-9_]+$`, Lambda's key pattern (the registry schema's `Variables`
/// pattern); stricter than `^[A-Za-z_][A-Za-z0-9_]*$`, which admits keys Lambda refuses.
fn is_variable_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && key.len() >= 2
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Asset paths are relative to the repository root, so a checkout anywhere builds the same.
fn check_relative(path: &str, field: &str, out: &mut Vec<Finding>) {
    let windows_drive = path.as_bytes().get(1) == Some(&b':') || path.starts_with('\\');
    if Path::new(path).is_absolute() || path.starts_with('/') || windows_drive {
        out.push(Finding::error(
            at(field),
            format!("{path} is absolute; write the folder relative to the repository root (e.g. examples/functions/x)"),
        ));
    }
}

/// Today's date in UTC as `YYYY-MM-DD`, from the system clock.
fn today() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`: shift to eras of 400 years starting on 0000-03-01).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st, 0..=365
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use crate::config::Environment;
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::Severity;
    use crate::config::model::Layer;
    use crate::config::rules::test_support::{self, prod_env, prod_with as with};

    const TODAY: &str = "2026-11-25";

    fn findings_on(env: &Environment, today: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        check_on(&env.functions, Some(&env.name), today, &mut out);
        out
    }

    /// Exactly one finding: its severity, path and words of its message.
    #[track_caller]
    fn assert_one(env: &Environment, severity: Severity, path: &str, words: &[&str]) {
        test_support::assert_one(&findings_on(env, TODAY), severity, path, words);
    }

    /// Exactly one finding, an error: its path and words of its message.
    #[track_caller]
    fn assert_error(env: &Environment, path: &str, words: &[&str]) {
        test_support::assert_error(&findings_on(env, TODAY), path, words);
    }

    fn def<'a>(env: &'a mut Environment, name: &str) -> &'a mut Function {
        env.functions.definitions.iter_mut().find(|f| f.name == name).expect("function in prod.yaml")
    }

    #[test]
    fn prod_functions_are_clean() {
        assert_eq!(findings_on(&prod_env(), TODAY), []);
    }

    #[test]
    fn civil_dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(20_482), (2026, 1, 29));
        let today = today();
        assert!(today.len() == 10 && today.as_str() >= "2025-01-01", "{today}");
    }

    #[test]
    fn deprecated_runtime_warns_naming_the_successor() {
        let env = with(|e| e.functions.runtime = "nodejs20.x".into());
        assert_one(
            &env,
            Severity::Warning,
            "functions.runtime",
            &["nodejs20.x", "deprecated since 2026-04-30", "nodejs24.x"],
        );
        // Before its deprecation date the same runtime is fine.
        assert_eq!(findings_on(&env, "2026-04-29"), []);
    }

    #[test]
    fn runtime_past_its_create_block_is_an_error() {
        let env = with(|e| e.functions.runtime = "nodejs14.x".into());
        assert_error(&env, "functions.runtime", &["stopped creating functions on nodejs14.x", "nodejs24.x"]);
        let env = with(|e| e.functions.runtime = "nodejs20.x".into());
        let findings = findings_on(&env, "2027-02-01");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
    }

    #[test]
    fn unknown_runtime_is_an_error_naming_a_current_one() {
        let env = with(|e| e.functions.runtime = "nodejs99.x".into());
        assert_error(&env, "functions.runtime", &["nodejs99.x", "not a Lambda runtime", "nodejs24.x"]);
    }

    #[test]
    fn log_retention_must_be_a_cloudwatch_value() {
        assert_error(&with(|e| e.functions.log_retention_days = 10), "functions.log_retention_days", &["10", "14"]);
        for days in LOG_RETENTION_DAYS {
            assert_eq!(findings_on(&with(|e| e.functions.log_retention_days = days), TODAY), []);
        }
    }

    #[test]
    fn email_from_must_be_in_the_ses_identity() {
        let env = with(|e| e.functions.email_from = "welcome@other.app".into());
        assert_error(&env, "functions.email_from", &["welcome@other.app", "matbakh.app", "@matbakh.app"]);
        let env = with(|e| e.functions.email_from = "welcome@mail.matbakh.app".into());
        assert_error(&env, "functions.email_from", &["not in the SES identity"]);
        let env = with(|e| e.functions.email_from = "no-address".into());
        assert_error(&env, "functions.email_from", &["not an e-mail address"]);
        let env = with(|e| e.functions.email_from = "Welcome@MATBAKH.app".into());
        assert_eq!(findings_on(&env, TODAY), []);
        let env = with(|e| e.functions.ses_identity = "welcome@matbakh.app".into());
        assert_eq!(findings_on(&env, TODAY), [], "an address identity allows exactly that address");
        let env = with(|e| e.functions.ses_identity = "team@matbakh.app".into());
        assert_error(&env, "functions.email_from", &["equal to the identity"]);
    }

    #[test]
    fn layer_names_are_unique() {
        let env = with(|e| {
            let copy = e.functions.layers[0].clone();
            e.functions.layers.push(copy);
        });
        assert_error(&env, "functions.layers[2].name", &["shared-utils", "twice", "functions.layers[0]"]);
    }

    #[test]
    fn referenced_layers_exist_once_and_at_most_five() {
        let env = with(|e| def(e, "vc-start").layers.push("missing".into()));
        assert_error(
            &env,
            "functions.definitions[0].layers[2]",
            &["no layer missing", "shared-utils, database-client"],
        );
        let env = with(|e| def(e, "vc-start").layers.push("shared-utils".into()));
        assert_error(&env, "functions.definitions[0].layers[2]", &["shared-utils", "twice"]);
        let env = with(|e| {
            for n in 0..4 {
                e.functions.layers.push(Layer { name: format!("extra{n}"), description: "x".into(), path: "p".into() });
                def(e, "vc-start").layers.push(format!("extra{n}"));
            }
        });
        assert_error(&env, "functions.definitions[0].layers", &["6 layers", "at most 5"]);
    }

    #[test]
    fn function_names_are_unique_also_as_logical_ids() {
        // The copy is appended: its index is the number of functions defined.
        let added = format!("functions.definitions[{}].name", with(|_| {}).functions.definitions.len());
        let env = with(|e| {
            let copy = e.functions.definitions[0].clone();
            e.functions.definitions.push(copy);
        });
        assert_error(&env, &added, &["vc-start", "twice", "functions.definitions[0]"]);
        let env = with(|e| {
            let mut copy = e.functions.definitions[0].clone();
            copy.name = "vc--start".into();
            e.functions.definitions.push(copy);
        });
        assert_error(&env, &added, &["vc-start and vc--start", "logical ids"]);
    }

    #[test]
    fn role_names_fit_iam() {
        let env = with(|e| {
            e.name = "abcdefghijkl".into();
            def(e, "vc-start").name = format!("v{}", "x".repeat(39));
        });
        assert_error(&env, "functions.definitions[0].name", &["65 characters", "IAM allows 64", "by 1"]);
    }

    #[test]
    fn descriptions_fit_lambda() {
        let env = with(|e| def(e, "api-core").description = "d".repeat(257));
        assert_error(&env, "functions.definitions[3].description", &["257", "256"]);
    }

    #[test]
    fn provisioned_concurrency_at_most_reserved() {
        let env = with(|e| def(e, "vc-start").provisioned_concurrency = Some(101));
        assert_error(&env, "functions.definitions[0].provisioned_concurrency", &["101", "100 reserved"]);
        let env = with(|e| def(e, "vc-start").provisioned_concurrency = Some(100));
        assert_eq!(findings_on(&env, TODAY), []);
        let env = with(|e| def(e, "pre-sign-up").provisioned_concurrency = Some(5));
        assert_eq!(findings_on(&env, TODAY), [], "without a reservation there is nothing to exceed");
    }

    #[test]
    fn environment_keys_are_lambda_names_not_reserved_or_generated() {
        let set =
            |key: &str| with(|e| def(e, "vc-start").environment = BTreeMap::from([(key.to_owned(), "v".to_owned())]));
        assert_eq!(findings_on(&set("LOG_LEVEL"), TODAY), []);
        for key in ["AWS_REGION", "AWS_ANYTHING", "LAMBDA_TASK_ROOT", "_HANDLER", "_X_AMZN_TRACE_ID"] {
            assert_error(&set(key), &format!("functions.definitions[0].environment.{key}"), &[key, "reserved"]);
        }
        for key in GENERATED_VARIABLES {
            assert_error(&set(key), &format!("functions.definitions[0].environment.{key}"), &[key, "set by the app"]);
        }
        for key in ["1ABC", "A", "_PRIVATE", "WITH-DASH", "WITH SPACE", "ÜBER"] {
            let env = set(key);
            let findings = findings_on(&env, TODAY);
            assert_eq!(findings.len(), 1, "{key}: {findings:#?}");
            assert!(findings[0].message.contains("not a name Lambda accepts"), "{key}: {}", findings[0].message);
            assert_eq!(findings[0].path.to_string(), format!("functions.definitions[0].environment.{key}"));
        }
    }

    #[test]
    fn bedrock_needs_model_ids() {
        let env = with(|e| e.functions.bedrock_model_ids.clear());
        assert_error(&env, "functions.definitions[1].uses[2]", &["vc-bedrock-run", "bedrock_model_ids is empty"]);
    }

    #[test]
    fn only_api_functions_sign_in() {
        let env = with(|e| def(e, "post-confirmation").uses.push(Capability::SignIn));
        assert_error(&env, "functions.definitions[5].uses[2]", &["post-confirmation", "sign_in", "kind api"]);
    }

    #[test]
    fn asset_paths_are_relative() {
        let env = with(|e| def(e, "vc-start").code = "/home/me/vc-start".into());
        assert_error(&env, "functions.definitions[0].code", &["/home/me/vc-start", "relative"]);
        let env = with(|e| e.functions.layers[1].path = "C:\\layers\\db".into());
        assert_error(&env, "functions.layers[1].path", &["absolute"]);
    }
}
