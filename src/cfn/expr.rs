//! CloudFormation expressions as Rust types.
//!
//! A value is either a string ([`Str`]) or a list of strings ([`List`]); each type has
//! only the intrinsic functions whose result has that type. References to resources
//! come from [`Handle`](super::Handle)s, which only a template hands out for resources
//! it holds, so a `Ref` or `Fn::GetAtt` to a missing resource cannot be written.
//! `Fn::Sub` is never written by hand: [`Str::concat`] builds it from typed parts.

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

/// The logical id of a resource, parameter or output inside one template.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogicalId(String);

impl LogicalId {
    /// CloudFormation logical ids are ASCII alphanumeric, 1-255 characters. Ids are
    /// built by our own code (never taken raw from YAML), so a bad one is a bug.
    pub(crate) fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        assert!(
            !id.is_empty() && id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "invalid CloudFormation logical id {id:?}"
        );
        LogicalId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LogicalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// CloudFormation pseudo parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    AccountId,
    Partition,
    Region,
    StackName,
    UrlSuffix,
}

impl Pseudo {
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// An expression that CloudFormation evaluates to a string.
#[derive(Clone, Debug, PartialEq)]
pub enum Str {
    Lit(String),
    Ref(LogicalId),
    Pseudo(Pseudo),
    GetAtt(LogicalId, &'static str),
    /// Concatenation, rendered as `Fn::Sub` (see [`Str::concat`]).
    Concat(Vec<Str>),
    Join(String, Box<List>),
    Select(usize, Box<List>),
    /// `Fn::ImportValue` of an export name; only built by [`Stack::import`](super::Stack::import),
    /// which also records the dependency between the stacks.
    ImportValue(Box<Str>),
}

/// An expression that CloudFormation evaluates to a list of strings.
#[derive(Clone, Debug, PartialEq)]
pub enum List {
    Items(Vec<Str>),
    /// `Ref` to a list-typed template parameter.
    Ref(LogicalId),
    /// `Fn::GetAZs` of the stack's region.
    AvailabilityZones,
    GetAtt(LogicalId, &'static str),
    Split(String, Box<Str>),
}

impl Str {
    pub fn lit(s: impl Into<String>) -> Str {
        Str::Lit(s.into())
    }

    /// Joins parts into one string. Literal parts are escaped, so text like `${x}`
    /// stays text; references become `${Id}` / `${Id.Attr}` / `${AWS::Region}`.
    pub fn concat(parts: impl IntoIterator<Item = Str>) -> Str {
        let mut flat: Vec<Str> = Vec::new();
        for part in parts {
            match part {
                Str::Concat(inner) => flat.extend(inner),
                Str::Lit(s) if s.is_empty() => {}
                Str::Lit(s) => match flat.last_mut() {
                    Some(Str::Lit(prev)) => prev.push_str(&s),
                    _ => flat.push(Str::Lit(s)),
                },
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 => Str::Lit(String::new()),
            1 => flat.pop().expect("one part"),
            _ => Str::Concat(flat),
        }
    }

    pub fn select(index: usize, list: List) -> Str {
        Str::Select(index, Box::new(list))
    }

    pub fn join(sep: impl Into<String>, list: List) -> Str {
        Str::Join(sep.into(), Box::new(list))
    }

    /// `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>`
    pub fn arn(service: &str, resource: impl Into<Str>) -> Str {
        Str::concat([
            Str::lit("arn:"),
            Str::Pseudo(Pseudo::Partition),
            Str::lit(format!(":{service}:")),
            Str::Pseudo(Pseudo::Region),
            Str::lit(":"),
            Str::Pseudo(Pseudo::AccountId),
            Str::lit(":"),
            resource.into(),
        ])
    }

    /// An ARN of a global service (no region), e.g. IAM: `arn:${AWS::Partition}:iam::${AWS::AccountId}:<resource>`.
    pub fn global_arn(service: &str, resource: impl Into<Str>) -> Str {
        Str::concat([
            Str::lit("arn:"),
            Str::Pseudo(Pseudo::Partition),
            Str::lit(format!(":{service}::")),
            Str::Pseudo(Pseudo::AccountId),
            Str::lit(":"),
            resource.into(),
        ])
    }

    /// The literal text, if this expression is a plain string.
    pub fn as_lit(&self) -> Option<&str> {
        match self {
            Str::Lit(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            Str::Lit(s) => Value::String(s.clone()),
            Str::Ref(id) => json!({ "Ref": id.as_str() }),
            Str::Pseudo(p) => json!({ "Ref": p.name() }),
            Str::GetAtt(id, attr) => json!({ "Fn::GetAtt": [id.as_str(), attr] }),
            Str::Concat(parts) => sub_value(parts),
            Str::Join(sep, list) => json!({ "Fn::Join": [sep, list.to_value()] }),
            Str::Select(i, list) => json!({ "Fn::Select": [i.to_string(), list.to_value()] }),
            Str::ImportValue(name) => json!({ "Fn::ImportValue": name.to_value() }),
        }
    }
}

/// Renders a concatenation as `Fn::Sub`. Parts that `Fn::Sub` can name inline
/// (refs, attributes, pseudo parameters) are written inline; any other expression
/// becomes a numbered variable in the variable map.
fn sub_value(parts: &[Str]) -> Value {
    let mut text = String::new();
    let mut vars = Map::new();
    for part in parts {
        match part {
            Str::Lit(s) => text.push_str(&s.replace("${", "${!")),
            Str::Ref(id) => text.push_str(&format!("${{{id}}}")),
            Str::Pseudo(p) => text.push_str(&format!("${{{}}}", p.name())),
            Str::GetAtt(id, attr) => text.push_str(&format!("${{{id}.{attr}}}")),
            other => {
                let name = format!("Var{}", vars.len());
                text.push_str(&format!("${{{name}}}"));
                vars.insert(name, other.to_value());
            }
        }
    }
    if vars.is_empty() { json!({ "Fn::Sub": text }) } else { json!({ "Fn::Sub": [text, Value::Object(vars)] }) }
}

impl List {
    pub fn items(items: impl IntoIterator<Item = Str>) -> List {
        List::Items(items.into_iter().collect())
    }

    pub fn to_value(&self) -> Value {
        match self {
            List::Items(items) => Value::Array(items.iter().map(Str::to_value).collect()),
            List::Ref(id) => json!({ "Ref": id.as_str() }),
            List::AvailabilityZones => json!({ "Fn::GetAZs": "" }),
            List::GetAtt(id, attr) => json!({ "Fn::GetAtt": [id.as_str(), attr] }),
            List::Split(sep, source) => json!({ "Fn::Split": [sep, source.to_value()] }),
        }
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        Str::Lit(s.to_owned())
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        Str::Lit(s)
    }
}

impl From<Pseudo> for Str {
    fn from(p: Pseudo) -> Str {
        Str::Pseudo(p)
    }
}

impl From<Vec<Str>> for List {
    fn from(items: Vec<Str>) -> List {
        List::Items(items)
    }
}

impl Serialize for Str {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl Serialize for List {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> LogicalId {
        LogicalId::new(s)
    }

    #[test]
    fn concat_renders_sub_with_inline_refs_and_escapes_literals() {
        let s = Str::concat([
            Str::lit("arn:"),
            Pseudo::Partition.into(),
            Str::lit(":s3:::${not-a-var}/"),
            Str::Ref(id("Bucket")),
            Str::lit("/"),
            Str::GetAtt(id("Db"), "Endpoint.Address"),
        ]);
        assert_eq!(
            s.to_value(),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::${!not-a-var}/${Bucket}/${Db.Endpoint.Address}"})
        );
    }

    #[test]
    fn concat_puts_other_intrinsics_into_the_variable_map() {
        let s = Str::concat([
            Str::lit("{{resolve:secretsmanager:"),
            Str::ImportValue(Box::new(Str::lit("matbakh-dev-security-RdsSecretArn"))),
            Str::lit(":SecretString:password}}"),
        ]);
        assert_eq!(
            s.to_value(),
            json!({"Fn::Sub": ["{{resolve:secretsmanager:${Var0}:SecretString:password}}",
                {"Var0": {"Fn::ImportValue": "matbakh-dev-security-RdsSecretArn"}}]})
        );
    }

    #[test]
    fn concat_of_one_part_is_that_part_and_literals_merge() {
        assert_eq!(Str::concat([Str::Ref(id("A"))]), Str::Ref(id("A")));
        assert_eq!(Str::concat([Str::lit("a"), Str::lit("b")]), Str::lit("ab"));
        assert_eq!(Str::concat([]), Str::lit(""));
    }

    #[test]
    fn lists_render_their_intrinsics() {
        let azs = Str::select(1, List::AvailabilityZones);
        assert_eq!(azs.to_value(), json!({"Fn::Select": ["1", {"Fn::GetAZs": ""}]}));
        let split = List::Split(",".into(), Box::new(Str::lit("a,b")));
        assert_eq!(split.to_value(), json!({"Fn::Split": [",", "a,b"]}));
        assert_eq!(Str::join(",", List::items([Str::lit("a")])).to_value(), json!({"Fn::Join": [",", ["a"]]}));
    }

    #[test]
    #[should_panic(expected = "invalid CloudFormation logical id")]
    fn logical_ids_must_be_alphanumeric() {
        LogicalId::new("my-id");
    }
}
