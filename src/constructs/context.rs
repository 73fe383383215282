//! What every construct needs from the environment: names and tags.

use crate::cfn::resources::{Tag, tags};
use crate::cfn::{ListParamHandle, Parameter, Str, Template};
use crate::config::Environment;
use crate::config::model::values::ADDED_TAG_KEYS;

/// Naming and tagging conventions of one environment.
pub struct Context<'a> {
    pub env: &'a Environment,
}

impl<'a> Context<'a> {
    pub fn new(env: &'a Environment) -> Self {
        Context { env }
    }

    /// `matbakh-<env>`: the prefix of stack, resource and export names.
    pub fn prefix(&self) -> String {
        format!("matbakh-{}", self.env.name)
    }

    pub fn stack_name(&self, stack: &str) -> String {
        format!("{}-{stack}", self.prefix())
    }

    /// `matbakh-<env>-<suffix>`
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.prefix())
    }

    /// The environment's tags plus `project`, `environment` and `managed-by`, and a `Name`.
    pub fn tags(&self, name: &str) -> Vec<Tag> {
        let mut pairs: Vec<(&str, Str)> =
            self.env.tags.iter().map(|(k, v)| (k.as_str(), Str::lit(v.clone()))).collect();
        // The keys validate reserves room for (50 tags per resource in AWS).
        let [project, environment, managed_by, name_key] = ADDED_TAG_KEYS;
        pairs.push((project, Str::lit("matbakh")));
        pairs.push((environment, Str::lit(self.env.name.clone())));
        pairs.push((managed_by, Str::lit("matbakh-infra")));
        pairs.push((name_key, Str::lit(self.name(name))));
        tags(pairs)
    }

    /// The artifacts bucket `apply` creates in its bootstrap stack and uploads assets
    /// to: `matbakh-<env>-assets-<account>-<region>` (a convention, like CDK's, so no
    /// template has to import it).
    pub fn assets_bucket(&self) -> Str {
        Str::concat([
            Str::lit(format!("{}-assets-", self.prefix())),
            crate::cfn::Pseudo::AccountId.into(),
            Str::lit("-"),
            crate::cfn::Pseudo::Region.into(),
        ])
    }

    /// Declares the stack's `AvailabilityZones` parameter, typed so CloudFormation
    /// checks the names against the account at deploy time, defaulting to the
    /// environment's zones. Resources select their zone from it instead of hard-coding.
    pub fn zones(&self, template: &mut Template) -> Zones {
        let parameter = template.add_list_parameter(
            "AvailabilityZones",
            Parameter {
                type_name: "List<AWS::EC2::AvailabilityZone::Name>",
                description: "Availability zones of the environment, in the order of its configuration".into(),
                default: Some(self.env.availability_zones.join(",")),
                allowed_pattern: None,
                no_echo: false,
            },
        );
        Zones { names: self.env.availability_zones.clone(), parameter }
    }
}

/// The environment's availability zones as a template parameter.
pub struct Zones {
    names: Vec<String>,
    parameter: ListParamHandle,
}

impl Zones {
    /// `Fn::Select` of a zone by name. Zones are validated against the environment's
    /// list before any construct runs, so an unknown name is a bug.
    pub fn select(&self, name: &str) -> Str {
        let index = self.names.iter().position(|z| z == name);
        let index = index.unwrap_or_else(|| panic!("zone {name} is not among the environment's zones"));
        Str::select(index, self.parameter.r#ref())
    }
}

/// `analytics` → `Analytics`, `cognito-idp` → `CognitoIdp`: a name as part of a
/// logical id or statement id (letters and digits only).
pub fn pascal_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}
