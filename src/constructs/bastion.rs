//! The bastion of §9 (part of the `network` stack, where its subnets and Bastion-SG
//! live): an Auto Scaling group of one arm64 Amazon Linux 2023 instance in the private
//! subnets, managed by Systems Manager. No public IP (private subnets, none assigned),
//! no key pair and no inbound rule: operators connect with Session Manager, which the
//! instance reaches over HTTPS through the NAT gateways. A group of one rather than a
//! bare instance, so a failed instance or zone gets a replacement in another subnet.

use crate::cfn::resources::autoscaling::{AutoScalingGroup, GroupTag, LaunchTemplateSpecification};
use crate::cfn::resources::ec2::{
    BlockDeviceMapping, Ebs, IamInstanceProfileSpecification, LaunchTemplate, LaunchTemplateData, MetadataOptions,
    SecurityGroup, Subnet, TagSpecification,
};
use crate::cfn::resources::iam::{InstanceProfile, Role, managed_policy, service_trust};
use crate::cfn::{Handle, Parameter, Template};

use super::context::Context;

/// Systems Manager's public parameter naming the latest Amazon Linux 2023 arm64 image;
/// CloudFormation resolves it at every deploy, so an update picks up a patched image.
pub const IMAGE_PARAMETER: &str = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64";

/// The AWS-managed policy Session Manager needs on the instance (and nothing else).
pub const SSM_POLICY: &str = "AmazonSSMManagedInstanceCore";

pub fn add(ctx: &Context, t: &mut Template, private_subnets: &[Handle<Subnet>], group: &Handle<SecurityGroup>) {
    let bastion = &ctx.env.network.bastion;
    let tags = ctx.tags("bastion");
    let image = t.add_parameter(
        "BastionImageId",
        Parameter {
            type_name: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
            description: "Systems Manager parameter holding the bastion's image (latest Amazon Linux 2023, arm64)"
                .into(),
            default: Some(IMAGE_PARAMETER.into()),
            allowed_pattern: None,
            no_echo: false,
        },
    );
    let role = t.add(
        "BastionRole",
        Role {
            role_name: None,
            description: format!("{}: bastion instance, Session Manager only", ctx.prefix()),
            assume_role_policy_document: service_trust("ec2.amazonaws.com"),
            managed_policy_arns: vec![managed_policy(SSM_POLICY)],
            policies: Vec::new(),
            tags: tags.clone(),
        },
    );
    let profile = t.add("BastionInstanceProfile", InstanceProfile { roles: vec![role.r#ref()] });
    let template = t.add(
        "BastionLaunchTemplate",
        LaunchTemplate {
            launch_template_data: LaunchTemplateData {
                image_id: image.r#ref(),
                instance_type: bastion.instance_type.as_str().into(),
                iam_instance_profile: IamInstanceProfileSpecification { arn: profile.arn() },
                security_group_ids: vec![group.group_id()],
                metadata_options: MetadataOptions {
                    http_endpoint: "enabled",
                    http_tokens: "required",
                    http_put_response_hop_limit: 1,
                },
                block_device_mappings: vec![BlockDeviceMapping {
                    device_name: "/dev/xvda".into(),
                    ebs: Ebs { encrypted: true, volume_type: "gp3", delete_on_termination: true },
                }],
                tag_specifications: ["instance", "volume"]
                    .into_iter()
                    .map(|kind| TagSpecification { resource_type: kind, tags: tags.clone() })
                    .collect(),
            },
            tag_specifications: vec![TagSpecification { resource_type: "launch-template", tags: tags.clone() }],
        },
    );
    t.add(
        "BastionGroup",
        AutoScalingGroup {
            min_size: "1".into(),
            max_size: "1".into(),
            desired_capacity: "1".into(),
            vpc_zone_identifier: private_subnets.iter().map(Handle::r#ref).collect(),
            launch_template: LaunchTemplateSpecification {
                launch_template_id: template.r#ref(),
                version: template.latest_version_number(),
            },
            tags: tags
                .into_iter()
                .map(|tag| GroupTag { key: tag.key, value: tag.value, propagate_at_launch: true })
                .collect(),
        },
    );
}
