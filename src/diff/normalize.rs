//! Normalizing templates before diffing, so that only real differences show: JSON and
//! YAML bodies (including YAML short-form tags like `!Ref`) parse to the same value,
//! `Fn::GetAtt: "A.B"` becomes `["A", "B"]`, and `DependsOn` becomes a sorted list.

use serde_json::{Map, Value};
use thiserror::Error;

#[derive(Debug, Error)]
#[error("cannot parse the template: {0}; it is neither JSON nor YAML CloudFormation")]
pub struct ParseError(String);

/// Parses a template body (JSON or YAML) into its normalized value.
pub fn parse_template(body: &str) -> Result<Value, ParseError> {
    let value = match serde_json::from_str::<Value>(body) {
        Ok(v) => v,
        Err(_) => {
            let yaml: serde_yaml::Value = serde_yaml::from_str(body).map_err(|e| ParseError(e.to_string()))?;
            yaml_to_json(yaml)?
        }
    };
    Ok(normalize(value))
}

/// Converts YAML to JSON, turning short-form tags into their long forms.
fn yaml_to_json(value: serde_yaml::Value) -> Result<Value, ParseError> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).map_err(|e| ParseError(e.to_string()))?,
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    other => serde_yaml::to_string(&other).map_err(|e| ParseError(e.to_string()))?.trim().to_owned(),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value)?;
            let key = match name {
                "Ref" | "Condition" => name.to_owned(),
                _ => format!("Fn::{name}"),
            };
            let inner = match (key.as_str(), inner) {
                ("Fn::GetAtt", Value::String(s)) => split_get_att(&s),
                (_, v) => v,
            };
            let mut m = Map::new();
            m.insert(key, inner);
            Value::Object(m)
        }
    })
}

fn split_get_att(s: &str) -> Value {
    match s.split_once('.') {
        Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
        None => Value::String(s.to_owned()),
    }
}

/// Normalizes intrinsic forms everywhere and `DependsOn` on resources.
pub fn normalize(value: Value) -> Value {
    let mut value = normalize_intrinsics(value);
    if let Some(resources) = value.get_mut("Resources").and_then(Value::as_object_mut) {
        for resource in resources.values_mut() {
            if let Some(depends) = resource.get_mut("DependsOn") {
                let mut list: Vec<Value> = match depends.take() {
                    Value::Array(items) => items,
                    Value::Null => Vec::new(),
                    single => vec![single],
                };
                list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                list.dedup();
                *depends = Value::Array(list);
            }
        }
    }
    value
}

fn normalize_intrinsics(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let v = normalize_intrinsics(v);
                let v = match (k.as_str(), v) {
                    ("Fn::GetAtt", Value::String(s)) => split_get_att(&s),
                    (_, v) => v,
                };
                out.insert(k, v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_intrinsics).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_and_yaml_short_forms_normalize_to_the_same_value() {
        let json_body = r#"{"Resources":{"A":{"Type":"T","DependsOn":"C","Properties":{
            "X":{"Fn::GetAtt":"B.Arn"},"Y":{"Ref":"P"},"Z":{"Fn::Sub":"${B}"}}}}}"#;
        let yaml_body = "Resources:\n  A:\n    Type: T\n    DependsOn: [C]\n    Properties:\n      X: !GetAtt B.Arn\n      Y: !Ref P\n      Z: !Sub '${B}'\n";
        let a = parse_template(json_body).unwrap();
        let b = parse_template(yaml_body).unwrap();
        assert_eq!(a, b);
        assert_eq!(a["Resources"]["A"]["Properties"]["X"], json!({"Fn::GetAtt": ["B", "Arn"]}));
        assert_eq!(a["Resources"]["A"]["DependsOn"], json!(["C"]));
    }

    #[test]
    fn depends_on_order_does_not_matter() {
        let a = parse_template(r#"{"Resources":{"A":{"Type":"T","DependsOn":["C","B"]}}}"#).unwrap();
        let b = parse_template(r#"{"Resources":{"A":{"Type":"T","DependsOn":["B","C","B"]}}}"#).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_template("{ nope: [").is_err());
    }
}
