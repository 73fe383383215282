//! The typed model only uses what the CloudFormation registry schemas define: every
//! attribute getter names a read-only property, and every resource type we render has
//! registry facts (plan and drift depend on them).

mod common;

use std::collections::BTreeSet;

use common::{ENVIRONMENTS, render_env};
use matbakh_infra::cfn::HasAttributes;
use matbakh_infra::cfn::registry::schema;
use matbakh_infra::cfn::resources::{
    apigateway, cloudwatch, cognito, ec2, elasticache, iam, kms, lambda, logs, rds, s3, sns, ssm, wafv2,
};
use matbakh_infra::synth::Format;

fn assert_attributes<R: HasAttributes>() {
    let facts = schema(R::TYPE).unwrap_or_else(|| panic!("{} has no registry facts", R::TYPE));
    for attribute in R::ATTRIBUTES {
        let path = attribute.replace('.', "/");
        assert!(
            facts.read_only.contains(&path.as_str()) || facts.primary_identifier.contains(&path.as_str()),
            "{}: attribute {attribute} is not a read-only property in the registry ({:?})",
            R::TYPE,
            facts.read_only
        );
    }
}

#[test]
fn attribute_getters_name_registry_read_only_properties() {
    assert_attributes::<ec2::Vpc>();
    assert_attributes::<ec2::Eip>();
    assert_attributes::<ec2::SecurityGroup>();
    assert_attributes::<kms::Key>();
    assert_attributes::<iam::Role>();
    assert_attributes::<rds::DbInstance>();
    assert_attributes::<elasticache::ReplicationGroup>();
    assert_attributes::<cognito::UserPool>();
    assert_attributes::<cognito::UserPoolClient>();
    assert_attributes::<ssm::Parameter>();
    assert_attributes::<apigateway::RestApi>();
    assert_attributes::<apigateway::ApiResource>();
    assert_attributes::<apigateway::Authorizer>();
    assert_attributes::<apigateway::RequestValidator>();
    assert_attributes::<apigateway::Deployment>();
    assert_attributes::<apigateway::UsagePlan>();
    assert_attributes::<apigateway::DomainName>();
    assert_attributes::<lambda::Function>();
    assert_attributes::<lambda::LayerVersion>();
    assert_attributes::<lambda::Version>();
    assert_attributes::<lambda::Alias>();
    assert_attributes::<logs::LogGroup>();
    assert_attributes::<wafv2::WebAcl>();
    assert_attributes::<cloudwatch::Alarm>();
    assert_attributes::<sns::Topic>();
    assert_attributes::<s3::Bucket>();
}

#[test]
fn every_rendered_resource_type_has_registry_facts() {
    let mut types = BTreeSet::new();
    for env in ENVIRONMENTS {
        for stack in render_env(env, Format::Json).stacks {
            let template: serde_json::Value = serde_json::from_str(&stack.body).unwrap();
            for resource in template["Resources"].as_object().unwrap().values() {
                types.insert(resource["Type"].as_str().unwrap().to_owned());
            }
        }
    }
    let missing: Vec<&String> = types.iter().filter(|t| schema(t).is_none()).collect();
    assert!(missing.is_empty(), "add these to scripts/registry-types.txt and regenerate: {missing:?}");
}
