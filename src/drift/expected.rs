//! Expected property values: the rendered template's expressions evaluated against the
//! live account — `Ref` to parameters (the stack's live values), to pseudo parameters
//! and to resources (physical ids from `ListStackResources`), `Fn::GetAtt` for the
//! attributes drift can derive, `Fn::ImportValue` from the other stacks' exports,
//! `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`. Whatever cannot be evaluated
//! (a dynamic reference, an attribute only CloudFormation knows, an export of a stack
//! that is not deployed) is [`Unresolved`]: that property is "not compared", never a
//! false drift.

use std::collections::BTreeMap;

pub use crate::diff::parameters::{list_items, scalar_text};
use serde_json::{Map, Value};

/// Why a value could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved(pub String);

/// Everything an expression of one stack can refer to.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub region: String,
    pub account_id: String,
    pub partition: String,
    pub stack_name: String,
    pub stack_id: String,
    /// Live parameter values.
    pub parameters: BTreeMap<String, String>,
    /// Declared parameter types (a `List<…>` value is split).
    pub parameter_types: BTreeMap<String, String>,
    /// Logical id → (type, physical id) of the deployed resources.
    pub resources: BTreeMap<String, (String, String)>,
    /// Template-declared properties (literal values only matter: e.g. an IAM role's Path).
    pub declared: Map<String, Value>,
    /// Export name → value, from every stack of the environment.
    pub exports: BTreeMap<String, String>,
}

impl Scope {
    /// The account id in a stack ARN (`arn:aws:cloudformation:REGION:ACCOUNT:stack/…`).
    pub fn account_from_stack_id(stack_id: &str) -> Option<String> {
        stack_id.split(':').nth(4).filter(|a| !a.is_empty()).map(str::to_owned)
    }

    fn parameter(&self, name: &str) -> Result<Value, Unresolved> {
        let value =
            self.parameters.get(name).ok_or_else(|| Unresolved(format!("parameter {name} has no live value")))?;
        let is_list =
            self.parameter_types.get(name).is_some_and(|t| t.starts_with("List<") || t == "CommaDelimitedList");
        Ok(if is_list {
            Value::Array(list_items(value).into_iter().map(Value::String).collect())
        } else {
            Value::String(value.clone())
        })
    }

    fn pseudo(&self, name: &str) -> Option<Result<Value, Unresolved>> {
        let known = |s: &str, what: &str| {
            if s.is_empty() { Err(Unresolved(format!("{what} is not known"))) } else { Ok(Value::String(s.to_owned())) }
        };
        Some(match name {
            "AWS::Region" => known(&self.region, "the region"),
            "AWS::AccountId" => known(&self.account_id, "the account id"),
            "AWS::Partition" => known(&self.partition, "the partition"),
            "AWS::StackName" => known(&self.stack_name, "the stack name"),
            "AWS::StackId" => known(&self.stack_id, "the stack id"),
            "AWS::URLSuffix" => Ok(Value::String(if self.partition == "aws-cn" {
                "amazonaws.com.cn".into()
            } else {
                "amazonaws.com".into()
            })),
            "AWS::NoValue" => Err(Unresolved("AWS::NoValue".into())),
            "AWS::NotificationARNs" => Err(Unresolved("AWS::NotificationARNs is not known".into())),
            _ => return None,
        })
    }

    fn physical(&self, logical: &str) -> Result<(&str, &str), Unresolved> {
        match self.resources.get(logical) {
            Some((t, p)) if !p.is_empty() => Ok((t.as_str(), p.as_str())),
            Some(_) => Err(Unresolved(format!("{logical} has no physical id"))),
            None => Err(Unresolved(format!("{logical} is not deployed"))),
        }
    }

    fn get_att(&self, logical: &str, attribute: &str) -> Result<Value, Unresolved> {
        let (resource_type, physical) = self.physical(logical)?;
        let arn = |service: &str, rest: String| {
            Ok(Value::String(format!("arn:{}:{service}:{}:{}:{rest}", self.partition, self.region, self.account_id)))
        };
        match (resource_type, attribute) {
            ("AWS::EC2::SecurityGroup", "GroupId")
            | ("AWS::KMS::Key", "KeyId")
            | ("AWS::SecretsManager::Secret", "Id")
            | ("AWS::Lambda::Alias", "AliasArn") => Ok(Value::String(physical.to_owned())),
            ("AWS::KMS::Key", "Arn") if !physical.starts_with("arn:") => arn("kms", format!("key/{physical}")),
            ("AWS::Lambda::Function", "Arn") if !physical.starts_with("arn:") => {
                arn("lambda", format!("function:{physical}"))
            }
            ("AWS::IAM::Role", "Arn") => {
                let path =
                    self.declared.get(logical).and_then(|p| p.get("Path")).and_then(Value::as_str).unwrap_or("/");
                Ok(Value::String(format!("arn:{}:iam::{}:role{path}{physical}", self.partition, self.account_id)))
            }
            _ => Err(Unresolved(format!("Fn::GetAtt {logical}.{attribute} is known only to CloudFormation"))),
        }
    }

    /// Evaluates an expression (or any value holding expressions).
    pub fn resolve(&self, value: &Value) -> Result<Value, Unresolved> {
        match value {
            Value::String(s) if s.contains("{{resolve:") => {
                Err(Unresolved("a dynamic reference, resolved only by CloudFormation".into()))
            }
            Value::Array(items) => {
                items.iter().map(|v| self.resolve(v)).collect::<Result<Vec<_>, _>>().map(Value::Array)
            }
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => self.reference(arg),
                    "Fn::GetAtt" => {
                        let parts: Vec<&str> = match arg {
                            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                            Value::String(s) => s.splitn(2, '.').collect(),
                            _ => Vec::new(),
                        };
                        match parts.as_slice() {
                            [logical, attribute] => self.get_att(logical, attribute),
                            _ => Err(Unresolved("malformed Fn::GetAtt".into())),
                        }
                    }
                    "Fn::ImportValue" => {
                        let name = self.resolve(arg)?;
                        let name = name.as_str().unwrap_or_default();
                        self.exports
                            .get(name)
                            .map(|v| Value::String(v.clone()))
                            .ok_or_else(|| Unresolved(format!("export {name} not found (its stack is not deployed?)")))
                    }
                    "Fn::Sub" => self.sub(arg),
                    "Fn::Join" => {
                        let (sep, items) = match arg.as_array().map(Vec::as_slice) {
                            Some([sep, items]) => (sep.as_str().unwrap_or_default(), self.resolve(items)?),
                            _ => return Err(Unresolved("malformed Fn::Join".into())),
                        };
                        let parts: Vec<String> =
                            items.as_array().map(|a| a.iter().map(scalar_text).collect()).unwrap_or_default();
                        Ok(Value::String(parts.join(sep)))
                    }
                    "Fn::Select" => match arg.as_array().map(Vec::as_slice) {
                        Some([index, list]) => {
                            let index = self.resolve(index)?;
                            let index: usize = scalar_text(&index)
                                .parse()
                                .map_err(|_| Unresolved("Fn::Select index is not a number".into()))?;
                            let list = self.resolve(list)?;
                            list.as_array()
                                .and_then(|a| a.get(index).cloned())
                                .ok_or_else(|| Unresolved(format!("Fn::Select index {index} is out of range")))
                        }
                        _ => Err(Unresolved("malformed Fn::Select".into())),
                    },
                    "Fn::Split" => match arg.as_array().map(Vec::as_slice) {
                        Some([sep, source]) => {
                            let sep = sep.as_str().unwrap_or(",");
                            let source = self.resolve(source)?;
                            Ok(Value::Array(
                                scalar_text(&source).split(sep).map(|s| Value::String(s.to_owned())).collect(),
                            ))
                        }
                        _ => Err(Unresolved("malformed Fn::Split".into())),
                    },
                    k if k.starts_with("Fn::") || k == "Condition" => {
                        Err(Unresolved(format!("{k} is not evaluated by drift")))
                    }
                    _ => self.resolve_object(map),
                }
            }
            Value::Object(map) => self.resolve_object(map),
            other => Ok(other.clone()),
        }
    }

    fn resolve_object(&self, map: &Map<String, Value>) -> Result<Value, Unresolved> {
        let mut out = Map::new();
        for (k, v) in map {
            out.insert(k.clone(), self.resolve(v)?);
        }
        Ok(Value::Object(out))
    }

    fn reference(&self, arg: &Value) -> Result<Value, Unresolved> {
        let name = arg.as_str().ok_or_else(|| Unresolved("malformed Ref".into()))?;
        if let Some(v) = self.pseudo(name) {
            return v;
        }
        if self.parameter_types.contains_key(name) || self.parameters.contains_key(name) {
            return self.parameter(name);
        }
        self.physical(name).map(|(_, p)| Value::String(p.to_owned()))
    }

    fn sub(&self, arg: &Value) -> Result<Value, Unresolved> {
        let (text, vars) = match arg {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Array(a) if a.len() == 2 => {
                (a[0].as_str().unwrap_or_default(), a[1].as_object().cloned().unwrap_or_default())
            }
            _ => return Err(Unresolved("malformed Fn::Sub".into())),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}').ok_or_else(|| Unresolved("unterminated ${ in Fn::Sub".into()))?;
            let name = &after[..end];
            let value = if let Some(v) = vars.get(name) {
                self.resolve(v)?
            } else if let Some((logical, attribute)) = name.split_once('.') {
                self.get_att(logical, attribute)?
            } else {
                self.reference(&Value::String(name.to_owned()))?
            };
            out.push_str(&scalar_text(&value));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        if out.contains("{{resolve:") {
            return Err(Unresolved("a dynamic reference, resolved only by CloudFormation".into()));
        }
        Ok(Value::String(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        Scope {
            region: "eu-central-1".into(),
            account_id: "123456789012".into(),
            partition: "aws".into(),
            stack_name: "matbakh-dev-security".into(),
            parameters: BTreeMap::from([("AvailabilityZones".into(), "['eu-central-1a', 'eu-central-1b']".into())]),
            parameter_types: BTreeMap::from([(
                "AvailabilityZones".into(),
                "List<AWS::EC2::AvailabilityZone::Name>".into(),
            )]),
            resources: BTreeMap::from([
                ("Key".into(), ("AWS::KMS::Key".into(), "1234abcd".into())),
                ("Group".into(), ("AWS::EC2::SecurityGroup".into(), "sg-1".into())),
                ("Pending".into(), ("AWS::EC2::SecurityGroup".into(), String::new())),
            ]),
            exports: BTreeMap::from([("net-Subnets".into(), "subnet-a,subnet-b".into())]),
            ..Scope::default()
        }
    }

    #[test]
    fn evaluates_the_intrinsics_the_templates_use() {
        let s = scope();
        assert_eq!(s.resolve(&json!({"Fn::Select": ["1", {"Ref": "AvailabilityZones"}]})).unwrap(), "eu-central-1b");
        assert_eq!(
            s.resolve(&json!({"Fn::GetAtt": ["Key", "Arn"]})).unwrap(),
            "arn:aws:kms:eu-central-1:123456789012:key/1234abcd"
        );
        assert_eq!(
            s.resolve(&json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"})).unwrap(),
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(
            s.resolve(&json!({"Fn::Split": [",", {"Fn::ImportValue": "net-Subnets"}]})).unwrap(),
            json!(["subnet-a", "subnet-b"])
        );
        assert_eq!(s.resolve(&json!({"Fn::Sub": ["${G}-x", {"G": {"Ref": "Group"}}]})).unwrap(), "sg-1-x");
    }

    #[test]
    fn what_cannot_be_evaluated_is_unresolved_not_guessed() {
        let s = scope();
        assert!(s.resolve(&json!({"Fn::ImportValue": "missing-export"})).is_err());
        assert!(s.resolve(&json!({"Ref": "Pending"})).unwrap_err().0.contains("no physical id"));
        assert!(s.resolve(&json!({"Fn::GetAtt": ["Group", "VpcId"]})).is_err());
        let dynamic = json!({"Fn::Sub": ["{{resolve:secretsmanager:${A}:SecretString:token}}", {"A": "arn"}]});
        assert!(s.resolve(&dynamic).unwrap_err().0.contains("dynamic reference"));
    }
}
