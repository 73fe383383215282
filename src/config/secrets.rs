//! Secret values in an environment file: credentials never go in YAML.
//!
//! The scan runs on the located tree, so it covers free-form maps (`tags`) and also
//! files that fail schema validation. Two signs: a value (or key) shaped like a
//! credential wherever it is (AWS access key ids and secret keys, private keys, Slack
//! and GitHub tokens, Slack webhook URLs, JWTs, URLs with a password), and a key that
//! names a secret (`password`, `DB_PASS`, `apiKey`, `db-token`, ...) holding a value
//! that looks like one: not a number, a duration, a boolean or a short word, so plain
//! settings such as `TOKEN_TTL_SECONDS: "300"` pass. Messages never repeat the value.

use super::diagnostics::{FieldPath, Finding};
use super::source::{Node, NodeValue};

/// The message of every secret finding (after what gave the value away).
pub const ADVICE: &str = "secrets never go in YAML: let Secrets Manager generate it or reference it by ARN";

/// A secret found in the tree, located at the value (or at the key, when the key itself
/// looks like a credential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretHit {
    pub finding: Finding,
    pub line: usize,
    pub column: usize,
    /// The flagged text itself, so callers can keep it out of other messages. Never print it.
    pub text: String,
}

/// Every secret-looking value under `root`, in file order.
pub fn scan(root: &Node) -> Vec<SecretHit> {
    let mut hits = Vec::new();
    walk(root, &FieldPath::root(), &mut hits);
    hits
}

fn hit(path: FieldPath, line: usize, column: usize, why: &str, text: &str) -> SecretHit {
    let message = format!("looks like a secret value ({why}); {ADVICE}");
    SecretHit { finding: Finding::error(path, message), line, column, text: text.to_owned() }
}

fn walk(node: &Node, path: &FieldPath, hits: &mut Vec<SecretHit>) {
    match &node.value {
        NodeValue::Scalar(s) => {
            if let Some(kind) = credential_kind(&s.text) {
                hits.push(hit(path.clone(), node.line, node.column, kind, &s.text));
            }
        }
        NodeValue::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &path.clone().index(i), hits);
            }
        }
        NodeValue::Map(entries) => {
            for e in entries {
                let child = path.clone().key(e.key.clone());
                // The path would show the key: report a credential-shaped key at its map.
                if let Some(kind) = credential_kind(&e.key) {
                    hits.push(hit(path.clone(), e.key_line, e.key_column, &format!("a key is {kind}"), &e.key));
                }
                let named = is_secret_key(&e.key)
                    && matches!(&e.value.value, NodeValue::Scalar(s)
                        if s.is_string() && looks_like_secret_value(&s.text, names_password(&e.key)));
                if named && credential_kind(scalar_text(&e.value)).is_none() {
                    let why = format!("the key `{}` names a secret", e.key);
                    hits.push(hit(child, e.value.line, e.value.column, &why, scalar_text(&e.value)));
                } else {
                    walk(&e.value, &child, hits);
                }
            }
        }
        NodeValue::Invalid => {}
    }
}

fn scalar_text(node: &Node) -> &str {
    match &node.value {
        NodeValue::Scalar(s) => &s.text,
        _ => "",
    }
}

/// An ARN or a CloudFormation dynamic reference: how secrets are meant to be named.
fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("arn:") || v.starts_with("{{resolve:")
}

/// Whether the value of a secret-named key looks like a secret: not empty, not a
/// reference (ARN, dynamic reference), not a number, a duration (`30s`, `15m`), a
/// boolean-like word or a short word (`none`, `basic`, `required`).
/// `password`: a passphrase (`correct-horse-battery`) is words too.
fn looks_like_secret_value(value: &str, password: bool) -> bool {
    let v = value.trim();
    if v.is_empty() || is_reference(v) || v.parse::<f64>().is_ok() || is_duration(v) {
        return false;
    }
    const WORDS: [&str; 10] = ["true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"];
    if WORDS.contains(&v.to_ascii_lowercase().as_str()) {
        return false;
    }
    // A short word of letters only (`basic`, `required`, `bearer`) is a setting.
    let short_word = v.len() <= 10 && v.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_');
    // So are a URL or a path (`https://matbakh.app/reset`, `/oauth2/token`: a password
    // inside a URL is caught as a credential anywhere) and, unless the key names a
    // password, words joined by `-`, `_` or `.` where each is letters or digits only
    // (`AUTH_FLOW: cognito-user-pool`, `TOKEN_REGION: eu-central-1`); `hunter2hunter2`
    // mixes them in one word, as generated secrets do.
    let url_or_path = v.contains("://") || v.starts_with('/');
    let words = v
        .split(['-', '_', '.'])
        .all(|w| !w.is_empty() && (w.bytes().all(|b| b.is_ascii_lowercase()) || w.bytes().all(|b| b.is_ascii_digit())))
        && v.contains(['-', '_', '.']);
    !(short_word || url_or_path || (words && !password))
}

/// Whether a key names a password or secret outright (not `token` or `auth`, which also
/// name settings such as `TOKEN_ENDPOINT` or `AUTH_FLOW`).
fn names_password(key: &str) -> bool {
    words(key).iter().any(|w| ["password", "passwd", "pass", "pwd", "secret", "passphrase"].contains(&w.as_str()))
}

/// `300s`, `15m`, `2h`, `7d`, `500ms`, `1h30m`: digits followed by a unit, repeated.
fn is_duration(v: &str) -> bool {
    let mut rest = v;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w"].into_iter().find(|u| rest.starts_with(u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

/// The words of a key: `dbPassword` → db, password; `API_KEY` → api, key; `x-auth` → x, auth.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let chars: Vec<char> = key.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        // camelCase (`dbPassword`) and acronyms (`APIKey`: API | Key).
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Whether a key names a secret: password, passwd, pass, pwd, secret, token, auth, apikey
/// (each as a whole word, plurals too), or the pairs api key, private key,
/// access key, secret key.
pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    // `tokens`, `api_keys`: plurals count too.
    let is = |w: &str, name: &str| w == name || w.strip_suffix('s') == Some(name);
    let single = ["password", "passwd", "pass", "pwd", "secret", "token", "auth", "apikey"];
    if words.iter().any(|w| single.iter().any(|name| is(w, name))) {
        return true;
    }
    words
        .windows(2)
        .any(|pair| is(&pair[1], "key") && ["api", "private", "access", "secret"].contains(&pair[0].as_str()))
}

/// What kind of credential `text` contains, if it contains one.
pub fn credential_kind(text: &str) -> Option<&'static str> {
    if has_aws_key_id(text) {
        return Some("an AWS access key id");
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if has_slack_token(text) {
        return Some("a Slack token");
    }
    if text.contains("hooks.slack.com/services/") {
        return Some("a Slack webhook URL");
    }
    if has_github_token(text) {
        return Some("a GitHub token");
    }
    if has_jwt(text) {
        return Some("a JSON Web Token");
    }
    if has_url_password(text) {
        return Some("a URL with a password");
    }
    if has_aws_secret_key(text) {
        return Some("an AWS secret access key");
    }
    None
}

/// Byte offsets where `needle` occurs in `text` and does not continue a word.
fn word_starts<'t>(text: &'t str, needle: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(needle)
        .map(|(i, _)| i)
        .filter(move |&i| i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric())
}

fn run_len(bytes: &[u8], allowed: impl Fn(u8) -> bool) -> usize {
    bytes.iter().take_while(|&&b| allowed(b)).count()
}

/// `AKIA`/`ASIA` and 16 upper-case letters or digits, as a whole word.
fn has_aws_key_id(text: &str) -> bool {
    let upper_alnum = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    ["AKIA", "ASIA"]
        .iter()
        .flat_map(|prefix| word_starts(text, prefix))
        .any(|i| run_len(&text.as_bytes()[i + 4..], upper_alnum) == 16)
}

/// `xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-` and at least ten more token characters.
fn has_slack_token(text: &str) -> bool {
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
        .iter()
        .flat_map(|prefix| word_starts(text, prefix).map(move |i| i + prefix.len()))
        .any(|i| run_len(&text.as_bytes()[i..], token_char) >= 10)
}

/// `ghp_` (and the other `gh?_` kinds) or `github_pat_`, and at least 20 more characters.
fn has_github_token(text: &str) -> bool {
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]
        .iter()
        .flat_map(|prefix| word_starts(text, prefix).map(move |i| i + prefix.len()))
        .any(|i| run_len(&text.as_bytes()[i..], token_char) >= 20)
}

/// `scheme://user:password@host`: a URL carrying a password.
fn has_url_password(text: &str) -> bool {
    text.match_indices("://").any(|(i, _)| {
        let scheme = text[..i].rsplit(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c))).next();
        if scheme.is_none_or(str::is_empty) {
            return false;
        }
        let rest = &text[i + 3..];
        let authority = rest.split(['/', '?', '#', ' ', '\n']).next().unwrap_or("");
        let Some((userinfo, host)) = authority.rsplit_once('@') else {
            return false;
        };
        !host.is_empty() && userinfo.split_once(':').is_some_and(|(_, password)| !password.is_empty())
    })
}

/// 40 characters of base64 (`A-Z a-z 0-9 + /`) with upper- and lower-case letters and a
/// digit, as a whole word: the form of an AWS secret access key.
fn has_aws_secret_key(text: &str) -> bool {
    let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = run_len(&bytes[i..], b64);
        if run == 0 {
            i += 1;
            continue;
        }
        let word = &bytes[i..i + run];
        if run == 40
            && word.iter().any(u8::is_ascii_uppercase)
            && word.iter().any(u8::is_ascii_lowercase)
            && word.iter().any(u8::is_ascii_digit)
        {
            return true;
        }
        i += run;
    }
    false
}

/// `eyJ...` header, payload and signature: base64url parts joined by dots.
fn has_jwt(text: &str) -> bool {
    let b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    word_starts(text, "eyJ").any(|i| {
        let rest = &text.as_bytes()[i..];
        let header = run_len(rest, b64);
        if header < 10 || rest.get(header) != Some(&b'.') {
            return false;
        }
        let rest = &rest[header + 1..];
        let payload = run_len(rest, b64);
        payload >= 10 && rest.get(payload) == Some(&b'.')
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::source::Source;

    fn scan_text(text: &str) -> Vec<String> {
        let src = Source::parse(Path::new("t.yaml"), text);
        assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
        scan(src.root.as_ref().unwrap())
            .iter()
            .map(|h| format!("{}:{} {}: {}", h.line, h.column, h.finding.path, h.finding.message))
            .collect()
    }

    #[test]
    fn key_words() {
        assert_eq!(words("dbPassword"), ["db", "password"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("x-auth_token2"), ["x", "auth", "token2"]);
        for key in [
            "password",
            "DB_PASSWORD",
            "passwd",
            "client_secret",
            "clientSecret",
            "token",
            "api_key",
            "apiKey",
            "API-KEY",
            "apikey",
            "private_key",
            "privateKey",
            "access_key",
            "AWS_ACCESS_KEY",
            "auth",
            "x-auth",
            "basicAuth",
            "secrets",
            "api_keys",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "author",
            "authority",
            "tokenizer",
            "password_length",
            "description",
            "lambda_key",
            "rds_key",
            "keyboard",
            "secretary",
            "expected_keys",
            "rds_credentials",
            "monkey",
        ] {
            // `password_length` names a secret too, but holds a number: see `only_string_values`.
            if key == "password_length" {
                assert!(is_secret_key(key));
                continue;
            }
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn only_string_values_under_secret_keys() {
        let hits = scan_text(
            "security:\n  redis_auth_token: {length: 32}\n  password_length: 32\n  token: ''\n  auth: ~\n\
             tags:\n  db-password: hunter2\n  ref_token: arn:aws:secretsmanager:eu-central-1:1:secret:x\n",
        );
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].starts_with("7:16 tags.db-password: looks like a secret value (the key `db-password` names a secret); secrets never go in YAML"), "{}", hits[0]);
        assert!(!hits[0].contains("hunter2"));
    }

    #[test]
    fn credential_shaped_values_anywhere() {
        let secrets = [
            "AKIAIOSFODNN7EXAMPLE",
            "id ASIAABCDEFGHIJKLMNOP here",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "xoxb-123456789012-abcdefghij",
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ];
        for s in secrets {
            assert!(credential_kind(s).is_some(), "{s}");
        }
        let fine = [
            "AKIA",
            "XAKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLE1",
            "xoxb-",
            "ghp_short",
            "eyJ",
            "eyJhbGciOiJIUzI1NiJ9",
            "eu-central-1",
            "10.0.0.0/16",
            "db.r6g.xlarge",
        ];
        for s in fine {
            assert!(credential_kind(s).is_none(), "{s}");
        }
        let hits = scan_text(
            "tags:\n  deploy: AKIAIOSFODNN7EXAMPLE\nlist:\n  - 'xoxb-123456789012-abcdefghij'\nAKIAIOSFODNN7EXAMPLE: x\n",
        );
        assert_eq!(
            hits,
            [
                format!("2:11 tags.deploy: looks like a secret value (an AWS access key id); {ADVICE}"),
                format!("4:5 list[0]: looks like a secret value (a Slack token); {ADVICE}"),
                format!("5:1 (document): looks like a secret value (a key is an AWS access key id); {ADVICE}"),
            ]
        );
    }

    #[test]
    fn secret_named_keys_are_refused_only_with_secret_looking_values() {
        let hits = scan_text(
            "env:\n  TOKEN_TTL_SECONDS: \"300\"\n  PASSWORD_MIN_LENGTH: \"12\"\n  SESSION_TOKEN_TTL: 15m\n  \
             AUTH_MODE: basic\n  SECRET_ROTATION: \"enabled\"\n  DB_PASS: hunter2hunter2\n  apiKey: k3y-with-digits-42\n  \
             PASSWORD_RESET_URL: https://matbakh.app/reset\n  TOKEN_ENDPOINT: /oauth2/token\n  \
             AUTH_FLOW: cognito-user-pool\n  TOKEN_REGION: eu-central-1\n",
        );
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert!(hits[0].starts_with("7:12 env.DB_PASS: looks like a secret value (the key `DB_PASS` names a secret)"));
        assert!(hits[0].contains("Secrets Manager"), "{}", hits[0]);
        assert!(hits[1].starts_with("8:11 env.apiKey:"), "{}", hits[1]);
    }

    #[test]
    fn urls_with_passwords_and_aws_secret_keys_are_credentials() {
        for s in [
            "postgres://user:pass@host/db",
            "see redis://:s3cret@cache:6379",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            assert!(credential_kind(s).is_some(), "{s}");
        }
        for s in [
            "postgres://user@host/db",
            "https://example.com/a:b@c",
            "https://app.matbakh.app",
            "mailto:ops@matbakh.app",
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
            "examples/functions/vc-start",
        ] {
            assert!(credential_kind(s).is_none(), "{s}");
        }
        let hits = scan_text("tags:\n  db: postgres://app:hunter2@db.internal:5432/matbakh\n");
        assert_eq!(hits, [format!("2:7 tags.db: looks like a secret value (a URL with a password); {ADVICE}")]);
    }
}
