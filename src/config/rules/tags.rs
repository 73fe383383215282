//! The environment's tags, which every taggable resource carries on top of the ones the
//! constructs add (`project`, `environment`, `managed-by`, `Name`).

use super::{Sections, at};
use crate::config::{FieldPath, Finding};

use crate::config::model::values::{ADDED_TAG_KEYS, MAX_TAGS, MAX_TAGS_PER_RESOURCE};

pub(super) fn check(s: &Sections, out: &mut Vec<Finding>) {
    let Some(tags) = &s.tags else {
        return;
    };
    // Checked before anything renders: each tag is copied onto every resource, so too
    // many would make the render (not just the templates) grow with tags × resources.
    if tags.len() > MAX_TAGS {
        out.push(Finding::error(
            at("tags"),
            format!(
                "{} tags, but every resource gets these and {} more ({}) and AWS allows {MAX_TAGS_PER_RESOURCE} per \
                 resource; keep at most {MAX_TAGS}",
                tags.len(),
                ADDED_TAG_KEYS.len(),
                ADDED_TAG_KEYS.join(", ")
            ),
        ));
    }
    for key in tags.keys() {
        let path = || FieldPath::root().key("tags").key(key.clone());
        if ADDED_TAG_KEYS.contains(&key.as_str()) {
            out.push(Finding::error(
                path(),
                format!("{key} is set on every resource by matbakh-infra itself; remove it or use another key"),
            ));
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            out.push(Finding::error(path(), format!("{key}: the aws: prefix is reserved for AWS; use another key")));
        }
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
    fn at_most_what_fits_next_to_the_added_tags() {
        let fill = |n: usize| {
            move |e: &mut Environment| {
                e.tags = (0..n).map(|i| (format!("k{i}"), "v".to_owned())).collect();
            }
        };
        assert_eq!(with(fill(MAX_TAGS)), []);
        assert_error(&with(fill(MAX_TAGS + 1)), "tags", &["47 tags", "keep at most 46"]);
    }

    #[test]
    fn added_and_aws_keys_are_refused() {
        assert_error(&with(|e| _ = e.tags.insert("Name".into(), "x".into())), "tags.Name", &["itself"]);
        assert_error(&with(|e| _ = e.tags.insert("aws:cost".into(), "x".into())), "tags.aws:cost", &["reserved"]);
    }
}
