//! Loading environment files: located diagnostics for every kind of mistake, all at
//! once, and never a panic.

use std::path::Path;

use matbakh_infra::config::load::{load_file, load_str};
use matbakh_infra::config::schema::{SCHEMA_FILE, environment_schema, environment_schema_json};
use matbakh_infra::config::{Diagnostic, Severity};

const FIXTURE: &str = "tests/fixtures/config/valid.yaml";

fn fixture() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).expect("the fixture is readable")
}

/// The fixture with whole lines replaced: `(line, what it holds now, replacement)`.
/// Replacements keep the line count so the other lines keep their numbers.
fn edit(edits: &[(usize, &str, &str)]) -> String {
    let text = fixture();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for (line, old, new) in edits {
        assert_eq!(lines[line - 1], *old, "the fixture changed at line {line}");
        lines[line - 1] = (*new).to_owned();
    }
    lines.join("\n") + "\n"
}

/// All diagnostics of `text`, loaded as `valid.yaml`, displayed; panics when it loads.
fn errors(text: &str) -> Vec<String> {
    errors_as("valid.yaml", text)
}

fn errors_as(file: &str, text: &str) -> Vec<String> {
    match load_str(Path::new(file), text) {
        Ok(loaded) => panic!("expected errors, but it loaded (warnings: {:?})", loaded.warnings),
        Err(diagnostics) => {
            assert!(diagnostics.iter().any(Diagnostic::is_error), "an Err without an error: {diagnostics:?}");
            diagnostics.iter().map(ToString::to_string).collect()
        }
    }
}

#[test]
fn the_valid_fixture_loads() {
    // The fixture is not in a repository with code: load its text (asset paths unchecked).
    let loaded = load_str(Path::new("valid.yaml"), &fixture()).unwrap_or_else(|d| {
        panic!("{}", d.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
    });
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let env = loaded.env;
    assert_eq!(env.name, "valid");
    assert_eq!(env.network.nat_gateways, 1);
    assert_eq!(env.network.database_subnets[1].availability_zone, "eu-central-1b");
    assert_eq!(env.database.engine_version, "15.19");
    // Defaults apply to what the file leaves out.
    assert_eq!(env.database.port, 5432);
    assert_eq!(env.security.rds_credentials.password_length, 32);
    assert!(env.network.bastion_ssh_cidrs.is_empty());
}

#[test]
fn an_unclosed_bracket_is_a_located_syntax_error() {
    let text = edit(&[(
        5,
        "availability_zones: [eu-central-1a, eu-central-1b, eu-central-1c]",
        "availability_zones: [eu-central-1a, eu-central-1b",
    )]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:6:5: (document): YAML syntax error: illegal placement of ':' indicator \
          (the `[` at line 5, column 21 is not closed with `]`)"]
    );
}

#[test]
fn bad_indentation_is_a_located_syntax_error() {
    let text = edit(&[(10, "  nat_gateways: 1", " nat_gateways: 1")]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:10:14: (document): YAML syntax error: while parsing a block mapping, did not find expected key \
          (check the indentation: keys of one map line up in the same column)"]
    );
    let text = edit(&[(10, "  nat_gateways: 1", "\tnat_gateways: 1")]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:10:1: (document): YAML syntax error: while scanning a plain scalar, found a tab \
          (indent with spaces; YAML does not allow tabs there)"]
    );
}

#[test]
fn a_wrong_type_points_at_the_value() {
    let text = edit(&[(10, "  nat_gateways: 1", "  nat_gateways: two")]);
    assert_eq!(errors(&text), ["valid.yaml:10:17: network.nat_gateways: expected an integer, found `two`"]);
    let text = edit(&[(10, "  nat_gateways: 1", "  nat_gateways: \"1\"")]);
    assert_eq!(errors(&text), ["valid.yaml:10:17: network.nat_gateways: expected an integer, found `\"1\"`"]);
    let text = edit(&[(10, "  nat_gateways: 1", "  nat_gateways: 2.0")]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:10:17: network.nat_gateways: expected an integer, found `2.0`; write it without a decimal point"]
    );
    // YAML 1.2: `yes` is a string, and `7.10` a number.
    let text = edit(&[
        (48, "    force_ssl: true", "    force_ssl: yes"),
        (52, "  engine_version: \"7.1\"", "  engine_version: 7.10"),
    ]);
    assert_eq!(
        errors(&text),
        [
            "valid.yaml:48:16: database.settings.force_ssl: expected a boolean (`true` or `false`), found `yes`",
            "valid.yaml:52:19: cache.engine_version: expected a string, found `7.10`; write it in quotes (\"7.10\") to make it a string",
        ]
    );
    let text = edit(&[(
        5,
        "availability_zones: [eu-central-1a, eu-central-1b, eu-central-1c]",
        "availability_zones: eu-central-1a",
    )]);
    assert_eq!(errors(&text), ["valid.yaml:5:21: availability_zones: expected a list, found `eu-central-1a`"]);
}

#[test]
fn an_unknown_nested_field_points_at_the_key_and_lists_the_allowed_fields() {
    let text = edit(&[(30, "    length: 64", "    lenght: 64")]);
    assert_eq!(
        errors(&text),
        [
            "valid.yaml:30:5: security.redis_auth_token: missing field `length`",
            "valid.yaml:30:5: security.redis_auth_token.lenght: unknown field `lenght`; allowed fields: length \
             (did you mean `length`?)",
        ]
    );
    // In a flow map, and three levels down.
    let text = edit(&[(
        12,
        "    - { cidr: 10.0.1.0/24, availability_zone: eu-central-1a }",
        "    - { cidr: 10.0.1.0/24, availability_zone: eu-central-1a, zone_id: euc1-az2 }",
    )]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:12:62: network.public_subnets[0].zone_id: unknown field `zone_id`; \
          allowed fields: cidr, availability_zone"]
    );
}

#[test]
fn a_missing_field_points_at_the_parent_map() {
    let text = edit(&[(54, "  shards: 1", "  # no shards")]);
    assert_eq!(errors(&text), ["valid.yaml:52:3: cache: missing field `shards`"]);
}

#[test]
fn enums_patterns_ranges_and_lengths_say_what_is_allowed() {
    let text = edit(&[
        (4, "region: eu-central-1", "region: eu_central_1"),
        (5, "availability_zones: [eu-central-1a, eu-central-1b, eu-central-1c]", "availability_zones: []"),
        (41, "    retention_days: 1", "    retention_days: 99"),
        (49, "    tls_min_version: TLSv1.3", "    tls_min_version: TLSv1.1"),
        (62, "    timeout_seconds: 300", "    timeout_seconds: 99999999999"),
    ]);
    assert_eq!(
        errors(&text),
        [
            "valid.yaml:4:9: region: `eu_central_1` does not match an AWS region name (e.g. `eu-central-1`)",
            "valid.yaml:5:21: availability_zones: has 0 items; allowed: 1 to 6 items",
            "valid.yaml:41:21: database.backup.retention_days: 99 is out of range; allowed: 1..=35",
            "valid.yaml:49:22: database.settings.tls_min_version: `TLSv1.1` is not allowed; allowed: TLSv1.2, TLSv1.3",
            "valid.yaml:62:22: cache.parameters.timeout_seconds: 99999999999 is out of range; allowed: 0..=4294967295",
        ]
    );
}

#[test]
fn several_errors_are_all_reported_in_file_order() {
    let text = edit(&[
        (4, "region: eu-central-1", "region: eu_central_1"),
        (7, "  owner: platform-team", "  deploy_token: hunter2-hunter2"),
        (10, "  nat_gateways: 1", "  nat_gateways: two"),
        (30, "    length: 64", "    lenght: 64"),
        (39, "  availability_zone: eu-central-1a", "  multi_az: true"),
        (49, "    tls_min_version: TLSv1.3", "    tls_min_version: TLSv1.1"),
        (54, "  shards: 1", "  # no shards"),
    ]);
    let advice = "secrets never go in YAML: let Secrets Manager generate it or reference it by ARN";
    assert_eq!(
        errors(&text),
        [
            "valid.yaml:4:9: region: `eu_central_1` does not match an AWS region name (e.g. `eu-central-1`)".to_owned(),
            format!(
                "valid.yaml:7:17: tags.deploy_token: looks like a secret value (the key `deploy_token` names a secret); {advice}"
            ),
            "valid.yaml:10:17: network.nat_gateways: expected an integer, found `two`".to_owned(),
            "valid.yaml:30:5: security.redis_auth_token: missing field `length`".to_owned(),
            "valid.yaml:30:5: security.redis_auth_token.lenght: unknown field `lenght`; allowed fields: length \
             (did you mean `length`?)"
                .to_owned(),
            "valid.yaml:39:3: database.multi_az: duplicate key `multi_az` (first at line 38)".to_owned(),
            "valid.yaml:49:22: database.settings.tls_min_version: `TLSv1.1` is not allowed; allowed: TLSv1.2, TLSv1.3"
                .to_owned(),
            "valid.yaml:52:3: cache: missing field `shards`".to_owned(),
        ]
    );
}

#[test]
fn duplicate_keys_point_at_the_second_occurrence() {
    let text = edit(&[(39, "  availability_zone: eu-central-1a", "  multi_az: false")]);
    assert_eq!(errors(&text), ["valid.yaml:39:3: database.multi_az: duplicate key `multi_az` (first at line 38)"]);
}

#[test]
fn anchors_and_aliases_are_rejected() {
    let text = edit(&[(10, "  nat_gateways: 1", "  nat_gateways: &n 1"), (54, "  shards: 1", "  shards: *n")]);
    assert_eq!(
        errors(&text),
        [
            "valid.yaml:10:17: network.nat_gateways: anchors (`&name`) are not supported; write the value out",
            "valid.yaml:54:11: cache.shards: aliases are not supported; write the value out",
        ]
    );
    // An alias without its anchor is a syntax error in the parser.
    let text = edit(&[(54, "  shards: 1", "  shards: *n")]);
    assert_eq!(
        errors(&text),
        ["valid.yaml:54:11: (document): YAML syntax error: while parsing node, found unknown anchor \
          (aliases are not supported; write the value out)"]
    );
}

#[test]
fn multiple_documents_are_rejected() {
    let text = fixture() + "---\nname: other\n";
    let line = fixture().lines().count() + 1;
    assert_eq!(
        errors(&text),
        [format!(
            "valid.yaml:{line}:1: (document): a second YAML document starts here; an environment file holds exactly one \
             (remove this `---` and what follows, or move it to its own file)"
        )]
    );
}

#[test]
fn secrets_are_errors_and_never_repeated() {
    let aws = "AKIAIOSFODNN7EXAMPLE";
    let password = "correct-horse-battery";
    let text = edit(&[
        (3, "name: valid", "name: AKIAIOSFODNN7EXAMPLE"),
        (7, "  owner: platform-team", "  dbPassword: correct-horse-battery"),
        (22, "    description: Encryption key for RDS databases", "    description: \"key AKIAIOSFODNN7EXAMPLE\""),
        (
            28,
            "    expected_keys: [google_client_secret]",
            "    expected_keys: [google_client_secret, xoxb-123456789012-abcdefghij]",
        ),
    ]);
    let advice = "secrets never go in YAML: let Secrets Manager generate it or reference it by ARN";
    let found = errors(&text);
    assert_eq!(
        found,
        [
            format!("valid.yaml:3:7: name: looks like a secret value (an AWS access key id); {advice}"),
            "valid.yaml:3:7: name: the value does not match 2 to 12 lower-case letters and digits, starting with a letter \
             (e.g. `dev`)"
                .to_owned(),
            format!("valid.yaml:7:15: tags.dbPassword: looks like a secret value (the key `dbPassword` names a secret); {advice}"),
            format!("valid.yaml:22:18: security.rds_key.description: looks like a secret value (an AWS access key id); {advice}"),
            format!(
                "valid.yaml:28:43: security.external_api_keys.expected_keys[1]: looks like a secret value (a Slack token); {advice}"
            ),
        ]
    );
    for line in &found {
        assert!(!line.contains(aws) && !line.contains(password) && !line.contains("xoxb-1"), "{line}");
    }
    // A map under a secret-sounding key, and numbers, are fine; so are ARNs.
    let text = edit(&[(
        7,
        "  owner: platform-team",
        "  api_token_arn: arn:aws:secretsmanager:eu-central-1:123456789012:secret:x",
    )]);
    assert!(load_str(Path::new("valid.yaml"), &text).is_ok());
}

#[test]
fn the_name_must_match_the_file_name() {
    assert_eq!(
        errors_as("stacks/dev.yaml", &fixture()),
        [
            "stacks/dev.yaml:3:7: name: environment name `valid` does not match the file name `dev.yaml`; rename one of them"
        ]
    );
}

#[test]
fn rule_findings_are_located_and_warnings_come_along() {
    // A read replica in the primary's zone is a warning; the file still loads.
    let replica = "    preload_libraries: [pg_cron]\n  read_replicas:\n    - { name: analytics, purpose: reports, availability_zone: eu-central-1a }";
    let text = edit(&[(50, "    preload_libraries: [pg_cron]", replica)]);
    let loaded = load_str(Path::new("valid.yaml"), &text).expect("warnings only");
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let w = &loaded.warnings[0];
    assert_eq!((w.severity, w.line, w.column), (Severity::Warning, 52, 63));
    assert_eq!(w.path.to_string(), "database.read_replicas[0].availability_zone");
    assert!(w.to_string().starts_with("valid.yaml:52:63: database.read_replicas[0].availability_zone: warning: "));

    // With an error too, the warning is part of the `Err`, in file order.
    let text = edit(&[
        (16, "    - cidr: 10.0.20.0/24", "    - cidr: 10.9.20.0/24"),
        (50, "    preload_libraries: [pg_cron]", replica),
    ]);
    let err = load_str(Path::new("valid.yaml"), &text).unwrap_err();
    let located: Vec<(Severity, usize, usize, String)> =
        err.iter().map(|d| (d.severity, d.line, d.column, d.path.to_string())).collect();
    assert_eq!(
        located,
        [
            (Severity::Error, 16, 13, "network.database_subnets[0].cidr".to_owned()),
            (Severity::Warning, 52, 63, "database.read_replicas[0].availability_zone".to_owned()),
        ]
    );
}

#[test]
fn unreadable_files_are_one_diagnostic_at_the_start() {
    let missing = Path::new("tests/fixtures/config/no-such-file.yaml");
    let err = load_file(missing).unwrap_err();
    assert_eq!(err.len(), 1);
    let text = err[0].to_string();
    assert!(
        text.starts_with("tests/fixtures/config/no-such-file.yaml:1:1: (document): cannot read the file: ")
            && text.ends_with("; check the path (environment files are `stacks/<env>.yaml`)"),
        "{text}"
    );

    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("dev.yaml");
    std::fs::write(&file, b"name: dev\nregion: eu-\xff-1\n").expect("writable");
    let err = load_file(&file).unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!((err[0].line, err[0].column), (2, 12));
    assert_eq!(err[0].message, "the file is not UTF-8 text (invalid byte here); save it as UTF-8");
}

#[test]
fn the_checked_in_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA_FILE);
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == environment_schema_json(),
        "schemas/environment.schema.json is stale; run `cargo run -- schema`"
    );
}

#[test]
fn the_schema_is_deterministic_draft_2020_12() {
    assert_eq!(environment_schema_json(), environment_schema_json());
    assert!(environment_schema_json().ends_with("}\n"));
    let schema = environment_schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["additionalProperties"], false);
}

/// xorshift64*: deterministic "random" numbers without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn assert_sane(text: &str) {
    let lines = text.lines().count() + 2;
    if let Err(diagnostics) = load_str(Path::new("valid.yaml"), text) {
        assert!(diagnostics.iter().any(|d| d.severity == Severity::Error), "{text:?}");
        for d in &diagnostics {
            assert!(d.line >= 1 && d.column >= 1 && d.line <= lines, "{d} in {text:?}");
        }
    }
}

#[test]
fn truncated_and_mutated_files_never_panic() {
    let valid = fixture();
    let chars: Vec<char> = valid.chars().collect();
    for i in 0..50 {
        let cut = chars.len() * i / 50;
        assert_sane(&chars[..cut].iter().collect::<String>());
    }

    let iterations = std::env::var("MATBAKH_FUZZ_ITERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(400);
    let specials: &[u8] = b":-[]{}&*!\"'\t\n #|>%@`,?~\\\0\r";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..iterations {
        let mut bytes = valid.as_bytes().to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(bytes.len());
            let byte = if rng.below(3) == 0 { rng.next() as u8 } else { specials[rng.below(specials.len())] };
            match rng.below(4) {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 => {
                    bytes.remove(at);
                }
                _ => {
                    let end = (at + rng.below(40)).min(bytes.len());
                    let chunk = bytes[at..end].to_vec();
                    let to = rng.below(bytes.len());
                    bytes.splice(to..to, chunk);
                }
            }
        }
        assert_sane(&String::from_utf8_lossy(&bytes));
    }
}

// ---- issue #16: malformed input is named and located, never a crash ----

#[test]
fn nul_bytes_unclosed_quotes_and_deep_nesting_say_what_is_wrong() {
    assert_eq!(
        errors("name: d\0ev\n"),
        ["valid.yaml:1:8: (document): the file contains a NUL byte here; environment files are plain text: remove it \
          (a binary file or a bad copy and paste?)"]
    );
    let quote = errors("name: valid\nregion: \"eu-central-1\nx: 1\n");
    assert_eq!(quote.len(), 1, "{quote:?}");
    assert!(quote[0].starts_with("valid.yaml:2:9: (document): YAML syntax error: the `\"` string that starts at line 2, column 9 is not closed"), "{quote:?}");
    let deep = errors(&format!("a: {}\n", "[".repeat(10_000)));
    assert_eq!(deep.len(), 1, "{deep:?}");
    assert!(deep[0].contains("nested deeper than the YAML reader allows"), "{deep:?}");
}

#[test]
fn plain_settings_named_like_secrets_pass_and_secret_values_do_not() {
    let ok = fixture().replace("tags:\n", "tags:\n  TOKEN_TTL_SECONDS: \"300\"\n  PASSWORD_MIN_LENGTH: \"12\"\n");
    assert!(load_str(Path::new("valid.yaml"), &ok).is_ok());
    let bad = fixture().replace("tags:\n", "tags:\n  DB_PASS: hunter2hunter2\n  db: postgres://app:pw@db/x\n");
    let found = errors(&bad);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|l| l.contains("Secrets Manager") && !l.contains("hunter2") && !l.contains("pw@")));
}

#[test]
fn an_oversized_text_is_refused_before_parsing() {
    let text = format!("# {}\n", "x".repeat(1024 * 1024));
    assert_eq!(
        errors(&text)[0],
        "valid.yaml:1:1: (document): the file is larger than 1048576 bytes (1 MiB), the limit for an environment file; \
         an environment needs far less (the shipped ones are about 20 KiB): remove what does not belong in it"
    );
}

#[test]
fn a_schema_error_in_one_section_does_not_hide_rule_errors_in_the_others() {
    let found = errors(&edit(&[
        (10, "  nat_gateways: 1", "  nat_gateways: one"),
        (58, "  snapshot_window: \"05:00-06:00\"", "  snapshot_window: \"05:00-05:10\""),
        (67, "  log_retention_days: 14", "  log_retention_days: 13"),
    ]));
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("valid.yaml:10:17: network.nat_gateways: expected an integer"), "{found:#?}");
    assert!(found[1].starts_with("valid.yaml:58:20: cache.snapshot_window: snapshot window 05:00-05:10"), "{found:#?}");
    // Retention values are in the schema (an editor flags them too).
    assert!(found[2].starts_with("valid.yaml:67:23: functions.log_retention_days: `13` is not allowed"), "{found:#?}");
}
