//! A CloudFormation template: parameters, resources and outputs, built through typed
//! handles and rendered deterministically (insertion order, which our code fixes).

use std::marker::PhantomData;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::expr::{List, LogicalId, Str};

/// A CloudFormation resource type with typed properties.
pub trait Resource: Serialize {
    /// The CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE: &'static str;
}

/// A reference to a resource that exists in a template. Only [`Template::add`] makes
/// one, so every `Ref` / `Fn::GetAtt` built from it points at a real resource;
/// attribute getters are defined per resource type with [`attributes!`](crate::attributes).
pub struct Handle<R> {
    id: LogicalId,
    _type: PhantomData<fn() -> R>,
}

impl<R> Clone for Handle<R> {
    fn clone(&self) -> Self {
        Handle { id: self.id.clone(), _type: PhantomData }
    }
}

impl<R> std::fmt::Debug for Handle<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.id)
    }
}

impl<R: Resource> Handle<R> {
    pub fn id(&self) -> &LogicalId {
        &self.id
    }

    /// `{"Ref": id}`: what it returns depends on the type (an id, a name or an ARN).
    pub fn r#ref(&self) -> Str {
        Str::Ref(self.id.clone())
    }

    /// `Fn::GetAtt` of an attribute; per-type getters call this with names checked
    /// against the registry schema's read-only properties (see tests/registry_attrs).
    pub fn get_att(&self, attribute: &'static str) -> Str {
        Str::GetAtt(self.id.clone(), attribute)
    }
}

/// A string-typed template parameter.
pub struct ParamHandle {
    id: LogicalId,
}

impl ParamHandle {
    pub fn r#ref(&self) -> Str {
        Str::Ref(self.id.clone())
    }
}

/// A list-typed template parameter (`List<…>` / `CommaDelimitedList`).
pub struct ListParamHandle {
    id: LogicalId,
}

impl ListParamHandle {
    pub fn r#ref(&self) -> List {
        List::Ref(self.id.clone())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DeletionPolicy {
    Delete,
    Retain,
    Snapshot,
    RetainExceptOnCreate,
}

/// Resource attributes other than `Type` and `Properties`.
#[derive(Clone, Debug, Default)]
pub struct ResourceOptions {
    pub deletion_policy: Option<DeletionPolicy>,
    pub update_replace_policy: Option<DeletionPolicy>,
    pub depends_on: Vec<LogicalId>,
    pub metadata: Option<Value>,
}

impl ResourceOptions {
    /// Stateful resources keep their data when deleted or replaced.
    pub fn keep(policy: DeletionPolicy) -> Self {
        ResourceOptions { deletion_policy: Some(policy), update_replace_policy: Some(policy), ..Default::default() }
    }

    pub fn depends_on<R: Resource>(mut self, handle: &Handle<R>) -> Self {
        self.depends_on.push(handle.id().clone());
        self
    }

    /// A `Metadata.cfn-lint.config.ignore_checks` entry; every use names its reason.
    pub fn lint_ignore(mut self, rule: &str, reason: &str) -> Self {
        let meta = self.metadata.get_or_insert_with(|| json!({}));
        let checks = &mut meta["cfn-lint"]["config"]["ignore_checks"];
        if !checks.is_array() {
            *checks = json!([]);
        }
        checks.as_array_mut().expect("array").push(json!(rule));
        let reasons = &mut meta["cfn-lint"]["reasons"];
        if !reasons.is_object() {
            *reasons = json!({});
        }
        reasons[rule] = json!(reason);
        self
    }
}

#[derive(Clone, Debug)]
pub struct ResourceEntry {
    pub type_name: &'static str,
    pub properties: Value,
    pub options: ResourceOptions,
}

#[derive(Clone, Debug)]
pub struct Parameter {
    pub type_name: &'static str,
    pub description: String,
    pub default: Option<String>,
    pub allowed_pattern: Option<String>,
    pub no_echo: bool,
}

#[derive(Clone, Debug)]
pub struct Output {
    pub description: String,
    pub value: Value,
    pub export_name: Option<Str>,
}

#[derive(Clone, Debug, Default)]
pub struct Template {
    description: String,
    metadata: Option<Value>,
    parameters: IndexMap<LogicalId, Parameter>,
    resources: IndexMap<LogicalId, ResourceEntry>,
    outputs: IndexMap<LogicalId, Output>,
}

impl Template {
    pub fn new(description: impl Into<String>) -> Self {
        Template { description: description.into(), ..Default::default() }
    }

    pub fn add<R: Resource>(&mut self, id: &str, resource: R) -> Handle<R> {
        self.add_with(id, resource, ResourceOptions::default())
    }

    /// Adds a resource. Logical ids come from our own constructs, so a duplicate is a bug.
    pub fn add_with<R: Resource>(&mut self, id: &str, resource: R, options: ResourceOptions) -> Handle<R> {
        let id = LogicalId::new(id);
        let properties = serde_json::to_value(&resource).expect("typed resource properties serialize to JSON");
        let entry = ResourceEntry { type_name: R::TYPE, properties, options };
        let previous = self.resources.insert(id.clone(), entry);
        assert!(previous.is_none(), "duplicate logical id {id}");
        Handle { id, _type: PhantomData }
    }

    pub fn add_parameter(&mut self, id: &str, parameter: Parameter) -> ParamHandle {
        assert!(!parameter.type_name.starts_with("List<"), "list parameter {id}: use add_list_parameter");
        ParamHandle { id: self.insert_parameter(id, parameter) }
    }

    pub fn add_list_parameter(&mut self, id: &str, parameter: Parameter) -> ListParamHandle {
        assert!(parameter.type_name.starts_with("List<"), "parameter {id} is not a list type");
        ListParamHandle { id: self.insert_parameter(id, parameter) }
    }

    fn insert_parameter(&mut self, id: &str, parameter: Parameter) -> LogicalId {
        let id = LogicalId::new(id);
        let previous = self.parameters.insert(id.clone(), parameter);
        assert!(previous.is_none(), "duplicate parameter {id}");
        id
    }

    pub fn parameters(&self) -> impl Iterator<Item = (&LogicalId, &Parameter)> {
        self.parameters.iter()
    }

    pub fn add_output(&mut self, id: &str, output: Output) {
        let id = LogicalId::new(id);
        let previous = self.outputs.insert(id.clone(), output);
        assert!(previous.is_none(), "duplicate output {id}");
    }

    pub fn set_metadata(&mut self, metadata: Value) {
        self.metadata = Some(metadata);
    }

    pub fn resources(&self) -> impl Iterator<Item = (&LogicalId, &ResourceEntry)> {
        self.resources.iter()
    }

    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }

    pub fn outputs(&self) -> impl Iterator<Item = (&LogicalId, &Output)> {
        self.outputs.iter()
    }

    pub fn parameter_count(&self) -> usize {
        self.parameters.len()
    }

    /// The template as a JSON value in CloudFormation's section order.
    pub fn to_value(&self) -> Value {
        let mut root = Map::new();
        root.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        root.insert("Description".into(), json!(self.description));
        if let Some(meta) = &self.metadata {
            root.insert("Metadata".into(), meta.clone());
        }
        if !self.parameters.is_empty() {
            let params = self.parameters.iter().map(|(id, p)| (id.to_string(), parameter_value(p)));
            root.insert("Parameters".into(), Value::Object(params.collect()));
        }
        let resources = self.resources.iter().map(|(id, r)| (id.to_string(), resource_value(r)));
        root.insert("Resources".into(), Value::Object(resources.collect()));
        if !self.outputs.is_empty() {
            let outputs = self.outputs.iter().map(|(id, o)| (id.to_string(), output_value(o)));
            root.insert("Outputs".into(), Value::Object(outputs.collect()));
        }
        Value::Object(root)
    }
}

fn parameter_value(p: &Parameter) -> Value {
    let mut m = Map::new();
    m.insert("Type".into(), json!(p.type_name));
    m.insert("Description".into(), json!(p.description));
    if let Some(d) = &p.default {
        m.insert("Default".into(), json!(d));
    }
    if let Some(pattern) = &p.allowed_pattern {
        m.insert("AllowedPattern".into(), json!(pattern));
    }
    if p.no_echo {
        m.insert("NoEcho".into(), json!(true));
    }
    Value::Object(m)
}

fn resource_value(r: &ResourceEntry) -> Value {
    let mut m = Map::new();
    m.insert("Type".into(), json!(r.type_name));
    let o = &r.options;
    if let Some(p) = o.deletion_policy {
        m.insert("DeletionPolicy".into(), json!(p));
    }
    if let Some(p) = o.update_replace_policy {
        m.insert("UpdateReplacePolicy".into(), json!(p));
    }
    if !o.depends_on.is_empty() {
        let mut deps: Vec<&str> = o.depends_on.iter().map(LogicalId::as_str).collect();
        deps.sort_unstable();
        deps.dedup();
        m.insert("DependsOn".into(), json!(deps));
    }
    if let Some(meta) = &o.metadata {
        m.insert("Metadata".into(), meta.clone());
    }
    m.insert("Properties".into(), r.properties.clone());
    Value::Object(m)
}

fn output_value(o: &Output) -> Value {
    let mut m = Map::new();
    m.insert("Description".into(), json!(o.description));
    m.insert("Value".into(), o.value.clone());
    if let Some(name) = &o.export_name {
        m.insert("Export".into(), json!({ "Name": name.to_value() }));
    }
    Value::Object(m)
}

/// Declares typed `Fn::GetAtt` getters for a resource type, and the list of attribute
/// names so a test can check each against the registry schema.
#[macro_export]
macro_rules! attributes {
    ($ty:ty { $($getter:ident => $attr:literal),* $(,)? }) => {
        impl $crate::cfn::Handle<$ty> {
            $(
                pub fn $getter(&self) -> $crate::cfn::Str {
                    self.get_att($attr)
                }
            )*
        }
        impl $crate::cfn::HasAttributes for $ty {
            const ATTRIBUTES: &'static [&'static str] = &[$($attr),*];
        }
    };
}

/// Resource types with typed attribute getters (see [`attributes!`]).
pub trait HasAttributes: Resource {
    const ATTRIBUTES: &'static [&'static str];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Thing {
        name: Str,
    }
    impl Resource for Thing {
        const TYPE: &'static str = "Test::Thing";
    }

    #[test]
    fn renders_sections_in_order_with_policies_and_sorted_depends_on() {
        let mut t = Template::new("test");
        let a = t.add("A", Thing { name: "a".into() });
        let c = t.add("C", Thing { name: "c".into() });
        let options = ResourceOptions::keep(DeletionPolicy::Retain).depends_on(&c).depends_on(&a);
        t.add_with("B", Thing { name: a.r#ref() }, options);
        t.add_output(
            "Out",
            Output { description: "d".into(), value: a.get_att("Arn").to_value(), export_name: Some("x-Out".into()) },
        );
        let v = t.to_value();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["AWSTemplateFormatVersion", "Description", "Resources", "Outputs"]);
        assert_eq!(
            v["Resources"]["B"],
            json!({"Type": "Test::Thing", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                   "DependsOn": ["A", "C"], "Properties": {"Name": {"Ref": "A"}}})
        );
        assert_eq!(v["Outputs"]["Out"]["Export"], json!({"Name": "x-Out"}));
    }

    #[test]
    #[should_panic(expected = "duplicate logical id")]
    fn duplicate_logical_ids_are_a_bug() {
        let mut t = Template::new("test");
        t.add("A", Thing { name: "a".into() });
        t.add("A", Thing { name: "b".into() });
    }

    #[test]
    fn lint_ignores_carry_their_reason() {
        let o = ResourceOptions::default().lint_ignore("W1234", "because");
        let meta = o.metadata.unwrap();
        assert_eq!(meta["cfn-lint"]["config"]["ignore_checks"], json!(["W1234"]));
        assert_eq!(meta["cfn-lint"]["reasons"]["W1234"], json!("because"));
    }
}
