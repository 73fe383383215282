//! Secrets of §9: the names of the external API keys.

use super::Sections;
use super::at;
use crate::config::Finding;

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(security) = &s.security else {
        return;
    };
    let keys = &security.external_api_keys.expected_keys;
    for (i, key) in keys.iter().enumerate() {
        let path = at(&format!("security.external_api_keys.expected_keys[{i}]"));
        if !is_key_name(key) {
            out.push(Finding::error(
                path,
                format!(
                    "{key:?} is not a key name; use lowercase letters, digits and '_', starting with a letter \
                     (e.g. google_client_id)"
                ),
            ));
        } else if let Some(first) = keys[..i].iter().position(|k| k == key) {
            out.push(Finding::error(
                path,
                format!("{key} is listed twice (first at expected_keys[{first}]); list each key once"),
            ));
        }
    }
}

/// `^[a-z][a-z0-9_]*$`
fn is_key_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
