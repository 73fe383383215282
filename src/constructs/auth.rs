//! The `auth` stack (§3): the Cognito user pool `matbakh-users-<env>`, its triggers
//! (the `live` aliases of the trigger functions in `app`), the web and mobile clients,
//! the server-side `api` client behind §4's `/auth/*` routes, the §3 role groups, and the
//! pool and `api` client ids published as SSM parameters.
//!
//! `auth` imports the trigger ARNs from `app`, so `app` cannot import from `auth`: the
//! functions that need the pool id read `/matbakh/<env>/auth/user-pool-id` at runtime
//! (the name is [`user_pool_id_parameter`], shared with `app`), and the `api` client id
//! likewise ([`api_client_id_parameter`]). For the same reason the permission of the
//! `sign_in` functions on the pool is attached here, to their roles (exported by `app`).
//!
//! With `auth.identity_pool.enabled`, the identity pool of §1's "Cognito --> IAM" (see
//! [`identity_pool`]).
//!
//! The clients get no OAuth settings: OAuth (the hosted UI and federated sign-in) needs
//! a user pool domain, which the design does not have. The apps sign in with SRP through
//! the Cognito API, and the configured callback and logout URLs (validated by the rules)
//! are used once a domain is added.

use std::collections::BTreeMap;

use crate::cfn::resources::Tag;
use crate::cfn::resources::cognito::{
    AccountRecoverySetting, AdminCreateUserConfig, AttributeDataType, AuthFlow, CognitoIdentityProvider,
    DeletionProtection, EmailConfiguration, IdentityPool, IdentityPoolRoleAttachment, IdentityPoolRoles, LambdaConfig,
    Mfa, MfaConfiguration, PasswordPolicy, Policies, PreventUserExistenceErrors, RecoveryMechanism, RecoveryOption,
    SchemaAttribute, SmsConfiguration, StringAttributeConstraints, TimeUnit, TokenValidityUnits,
    UserAttributeUpdateSettings, UserPool, UserPoolClient, UserPoolGroup, UsernameConfiguration, VerifiableAttribute,
};
use crate::cfn::resources::iam::{InlinePolicy, Policy, PolicyDocument, Principal, Role, Statement};
use crate::cfn::resources::lambda::Permission;
use crate::cfn::resources::ssm::{Parameter, ParameterType};
use crate::cfn::{DeletionPolicy, Export, Handle, Pseudo, ResourceOptions, Stack, Str, Template};
use crate::config::model::{AppClient, Capability, MfaMethod, MfaMode};

use super::app::{AppExports, api_client_id_parameter, logical_stem, user_pool_id_parameter};
use super::context::{Context, pascal_case};

/// What other stacks import from `auth`.
pub struct AuthExports {
    pub user_pool_id: Export,
    pub user_pool_arn: Export,
    pub web_client_id: Export,
    pub mobile_client_id: Export,
    pub api_client_id: Export,
}

const COGNITO: &str = "cognito-idp.amazonaws.com";
/// The identity pools' web identity provider (the issuer of the tokens STS receives).
const COGNITO_IDENTITY: &str = "cognito-identity.amazonaws.com";

/// §3's roles (the `user_roles.role` check constraint) as groups: name, description and
/// precedence. A member of several groups gets the lowest precedence's claims first, so
/// the most privileged role comes first. Admin routes check `cognito:groups`.
pub const GROUPS: [(&str, &str, u32); 3] = [
    ("super_admin", "Administers the platform, including other admins (design section 3)", 1),
    ("admin", "Sees every account's data and the /admin dashboards (design section 3)", 2),
    ("user", "A signed-up user of the platform (design section 3)", 3),
];

pub fn build(ctx: &Context, app: &AppExports) -> (Stack, AuthExports) {
    let env = ctx.env;
    let auth = &env.auth;
    let mut stack = Stack::new(
        "auth",
        ctx.stack_name("auth"),
        format!("matbakh {}: Cognito user pool, its triggers and app clients (design section 3)", env.name),
    );

    // The `live` alias ARN of each trigger function.
    let mut trigger = |name: &str| {
        let function = app.functions.get(name);
        let function = function.unwrap_or_else(|| panic!("trigger {name} is not a function of the app stack"));
        stack.import(&function.alias_arn)
    };
    let pre_sign_up = trigger(&auth.triggers.pre_sign_up);
    let post_confirmation = trigger(&auth.triggers.post_confirmation);
    let pre_authentication = trigger(&auth.triggers.pre_authentication);
    let ses_identity_arn = stack.import(&app.ses_identity_arn);
    // Roles of the functions that sign users in, by function name.
    let sign_in_roles: Vec<(String, Str)> = app
        .functions
        .iter()
        .filter(|(_, f)| f.uses.contains(&Capability::SignIn))
        .filter_map(|(name, f)| f.role_name.as_ref().map(|role| (name.clone(), role)))
        .map(|(name, role)| (name, stack.import(role)))
        .collect();
    let t = &mut stack.template;

    let sms = auth.mfa != MfaMode::Off && auth.mfa_methods.contains(&MfaMethod::Sms);
    let sms_configuration = sms.then(|| sms_configuration(ctx, t));
    let mfa_configuration = match auth.mfa {
        MfaMode::Off => MfaConfiguration::Off,
        MfaMode::Optional => MfaConfiguration::Optional,
        MfaMode::On => MfaConfiguration::On,
    };
    let enabled_mfas = match auth.mfa {
        MfaMode::Off => Vec::new(),
        _ => {
            let mut methods = auth.mfa_methods.clone();
            methods.sort();
            methods.dedup();
            methods
                .into_iter()
                .map(|m| match m {
                    MfaMethod::Sms => Mfa::Sms,
                    MfaMethod::Totp => Mfa::SoftwareToken,
                })
                .collect()
        }
    };

    let mut schema = vec![SchemaAttribute {
        name: "email".into(),
        attribute_data_type: AttributeDataType::String,
        required: true,
        mutable: true,
        string_attribute_constraints: None,
    }];
    // Cognito can add custom attributes to an existing pool but never change or remove
    // one: editing an existing entry here fails the stack update.
    schema.extend(auth.custom_attributes.iter().map(|a| SchemaAttribute {
        name: a.name.clone(),
        attribute_data_type: AttributeDataType::String,
        required: false,
        mutable: a.mutable,
        string_attribute_constraints:
            a.max_length.map(|max| StringAttributeConstraints { min_length: None, max_length: Some(max.to_string()) }),
    }));

    let policy = &auth.password_policy;
    let pool = t.add_with(
        "UserPool",
        UserPool {
            user_pool_name: format!("matbakh-users-{}", env.name),
            policies: Policies {
                password_policy: PasswordPolicy {
                    minimum_length: policy.minimum_length,
                    require_uppercase: policy.require_uppercase,
                    require_lowercase: policy.require_lowercase,
                    require_numbers: policy.require_numbers,
                    require_symbols: policy.require_symbols,
                    temporary_password_validity_days: policy.temporary_password_validity_days,
                },
            },
            auto_verified_attributes: vec![VerifiableAttribute::Email],
            alias_attributes: vec![VerifiableAttribute::Email],
            // `Max@Example.com` and `max@example.com` are one user.
            username_configuration: UsernameConfiguration { case_sensitive: false },
            mfa_configuration,
            enabled_mfas,
            sms_configuration,
            // Cognito's own sender allows a few dozen mails a day, far below sign-up volume;
            // the platform's verified SES identity (the welcome mail's) sends instead.
            email_configuration: EmailConfiguration::Ses {
                source_arn: ses_identity_arn,
                from: env.functions.email_from.clone(),
            },
            // A changed address stays unverified (and the old one in use) until confirmed.
            user_attribute_update_settings: UserAttributeUpdateSettings {
                attributes_require_verification_before_update: vec![VerifiableAttribute::Email],
            },
            schema,
            lambda_config: LambdaConfig {
                pre_sign_up: Some(pre_sign_up.clone()),
                post_confirmation: Some(post_confirmation.clone()),
                pre_authentication: Some(pre_authentication.clone()),
            },
            // Recovery by email only: the phone is a second factor and must not also
            // recover the account.
            account_recovery_setting: AccountRecoverySetting {
                recovery_mechanisms: vec![RecoveryOption { name: RecoveryMechanism::VerifiedEmail, priority: 1 }],
            },
            // Users sign themselves up; the pre sign-up trigger decides who may.
            admin_create_user_config: AdminCreateUserConfig { allow_admin_create_user_only: false },
            deletion_protection: if auth.deletion_protection {
                DeletionProtection::Active
            } else {
                DeletionProtection::Inactive
            },
            user_pool_tags: tag_map(ctx.tags("users")),
        },
        // The pool holds every account: it is kept when the stack or resource goes away.
        ResourceOptions::keep(DeletionPolicy::Retain),
    );

    // Cognito invokes each trigger's `live` alias, and only for this pool.
    for (slot, arn) in
        [("PreSignUp", pre_sign_up), ("PostConfirmation", post_confirmation), ("PreAuthentication", pre_authentication)]
    {
        t.add(
            &format!("{slot}TriggerPermission"),
            Permission {
                action: "lambda:InvokeFunction",
                function_name: arn,
                principal: COGNITO.to_owned(),
                source_arn: Some(pool.arn()),
                source_account: Some(Pseudo::AccountId.into()),
            },
        );
    }

    let srp = [AuthFlow::UserSrp, AuthFlow::RefreshToken];
    let web = client(ctx, t, &pool, "WebClient", "web", &auth.web_client, &srp);
    let mobile = client(ctx, t, &pool, "MobileClient", "mobile", &auth.mobile_client, &srp);
    // §4's /auth/login and /auth/refresh: api-core signs in with AdminInitiateAuth
    // (IAM-authorized, so only roles granted below can use the password flow). It serves
    // the web app, so it takes the web client's token lifetimes.
    let api = client(
        ctx,
        t,
        &pool,
        "ApiClient",
        "api",
        &auth.web_client,
        &[AuthFlow::AdminUserPassword, AuthFlow::RefreshToken],
    );

    for (name, role) in sign_in_roles {
        t.add(
            &format!("{}SignInPolicy", logical_stem(&name)),
            Policy {
                policy_name: "sign-in".into(),
                // The other calls of the /auth routes (ForgotPassword, ConfirmForgotPassword,
                // RevokeToken) are public Cognito operations: IAM does not evaluate them.
                policy_document: PolicyDocument::new(vec![Statement::allow(
                    "SignInToOwnUserPool",
                    &["cognito-idp:AdminInitiateAuth"],
                    vec![pool.arn()],
                )]),
                roles: vec![role],
            },
        );
    }

    for (group, description, precedence) in GROUPS {
        t.add(
            &format!("{}Group", pascal_case(group)),
            UserPoolGroup {
                group_name: group.into(),
                user_pool_id: pool.r#ref(),
                description: description.into(),
                precedence,
            },
        );
    }

    let published = [
        (
            "UserPoolIdParameter",
            user_pool_id_parameter(&env.name),
            "user-pool-id",
            pool.r#ref(),
            format!("the Cognito user pool matbakh-users-{}", env.name),
        ),
        (
            "ApiClientIdParameter",
            api_client_id_parameter(&env.name),
            "api-client-id",
            api.r#ref(),
            format!("the app client api-core signs users in with (matbakh-{}-api)", env.name),
        ),
    ];
    for (id, name, tag, value, what) in published {
        t.add(
            id,
            Parameter {
                name,
                description: format!("Id of {what}"),
                parameter_type: ParameterType::String,
                value,
                tags: tag_map(ctx.tags(tag)),
            },
        );
    }

    let exports = AuthExports {
        user_pool_id: stack.export("UserPoolId", "Id of the Cognito user pool", pool.r#ref()),
        user_pool_arn: stack.export("UserPoolArn", "ARN of the Cognito user pool", pool.arn()),
        web_client_id: stack.export("WebClientId", "App client id of the web app", web.r#ref()),
        mobile_client_id: stack.export("MobileClientId", "App client id of the mobile app", mobile.r#ref()),
        api_client_id: stack.export("ApiClientId", "App client id of the API's /auth routes", api.r#ref()),
    };
    stack.output("UserPoolProviderUrl", "Issuer URL of the pool's tokens", pool.provider_url());
    if auth.identity_pool.enabled {
        let identity_pool = identity_pool(ctx, &mut stack.template, &pool, [&web, &mobile]);
        stack.output(
            "IdentityPoolId",
            "Id of the identity pool the web and mobile apps get credentials from",
            identity_pool,
        );
    }
    (stack, exports)
}

/// §1's "Cognito --> IAM": an identity pool that exchanges the web and mobile clients'
/// tokens for temporary credentials of an authenticated role; returns the pool id.
///
/// No guests (unauthenticated identities), no classic flow (the pool, not the client,
/// picks the role), and Cognito asks the user pool whether a token was revoked before it
/// hands out credentials. The role grants nothing: the apps reach AWS only through the
/// API, whose methods authorize user pool tokens, not IAM. It is the place a feature that
/// calls AWS from the app (an upload to S3 under the caller's identity id) adds exactly
/// its statement, and until then credentials from the pool can do nothing.
fn identity_pool(
    ctx: &Context,
    t: &mut Template,
    pool: &Handle<UserPool>,
    clients: [&Handle<UserPoolClient>; 2],
) -> Str {
    let identity_pool = t.add(
        "IdentityPool",
        IdentityPool {
            identity_pool_name: ctx.name("identities"),
            allow_unauthenticated_identities: false,
            allow_classic_flow: false,
            cognito_identity_providers: clients
                .into_iter()
                .map(|client| CognitoIdentityProvider {
                    provider_name: pool.provider_name(),
                    client_id: client.r#ref(),
                    server_side_token_check: true,
                })
                .collect(),
            identity_pool_tags: ctx.tags("identities"),
        },
    );
    // Cognito's documented trust for an authenticated role: only tokens of this pool
    // (`aud`) and only for signed-in identities (`amr`).
    let trust = PolicyDocument::new(vec![
        Statement::allow("AssumedBySignedInIdentitiesOfThisPool", &["sts:AssumeRoleWithWebIdentity"], Vec::new())
            .principal(Principal::Federated(COGNITO_IDENTITY.to_owned()))
            .when("StringEquals", &format!("{COGNITO_IDENTITY}:aud"), vec![identity_pool.r#ref()])
            .when("ForAnyValue:StringLike", &format!("{COGNITO_IDENTITY}:amr"), vec![Str::lit("authenticated")]),
    ]);
    let role = t.add(
        "IdentityPoolAuthenticatedRole",
        Role {
            role_name: None,
            description: format!(
                "matbakh {}: signed-in app users' credentials from the identity pool (grants nothing yet)",
                ctx.env.name
            ),
            assume_role_policy_document: trust,
            managed_policy_arns: Vec::new(),
            policies: Vec::new(),
            tags: ctx.tags("identities-authenticated"),
        },
    );
    t.add(
        "IdentityPoolRoles",
        IdentityPoolRoleAttachment {
            identity_pool_id: identity_pool.r#ref(),
            roles: IdentityPoolRoles { authenticated: role.arn() },
        },
    );
    identity_pool.r#ref()
}

/// The role Cognito assumes to send SMS (MFA codes) through SNS.
fn sms_configuration(ctx: &Context, t: &mut Template) -> SmsConfiguration {
    // Cognito passes this id when it assumes the role, and the trust policy requires it,
    // so no other caller that can name `cognito-idp` as its service gets the role.
    let external_id = ctx.name("cognito-sms");
    let trust = PolicyDocument::new(vec![
        Statement::allow("AssumedByCognito", &["sts:AssumeRole"], Vec::new())
            .principal(Principal::Service(COGNITO.to_owned()))
            .when("StringEquals", "sts:ExternalId", vec![Str::lit(external_id.clone())]),
    ]);
    let role = t.add(
        "CognitoSmsRole",
        Role {
            role_name: None,
            description: format!("Lets the Cognito user pool matbakh-users-{} send SMS through SNS", ctx.env.name),
            assume_role_policy_document: trust,
            managed_policy_arns: Vec::new(),
            policies: vec![InlinePolicy {
                policy_name: "publish-sms".into(),
                // An SMS to a phone number is published to no topic, so it has no resource
                // ARN to name: SNS only authorizes direct SMS with "*".
                policy_document: PolicyDocument::new(vec![Statement::allow(
                    "PublishSmsToPhoneNumbers",
                    &["sns:Publish"],
                    vec![Str::lit("*")],
                )]),
            }],
            tags: ctx.tags("cognito-sms"),
        },
    );
    SmsConfiguration { sns_caller_arn: role.arn(), external_id, sns_region: Pseudo::Region.into() }
}

/// An app client without a secret (browser and device cannot keep one; the `api` client's
/// password flow is IAM-authorized instead) and without user enumeration.
fn client(
    ctx: &Context,
    t: &mut Template,
    pool: &Handle<UserPool>,
    id: &str,
    name: &str,
    config: &AppClient,
    flows: &[AuthFlow],
) -> Handle<UserPoolClient> {
    t.add(
        id,
        UserPoolClient {
            client_name: ctx.name(name),
            user_pool_id: pool.r#ref(),
            generate_secret: false,
            explicit_auth_flows: flows.to_vec(),
            prevent_user_existence_errors: PreventUserExistenceErrors::Enabled,
            // Sign-out revokes the refresh token and the tokens issued with it.
            enable_token_revocation: true,
            access_token_validity: config.token_validity_minutes,
            id_token_validity: config.token_validity_minutes,
            refresh_token_validity: config.refresh_token_validity_days,
            token_validity_units: TokenValidityUnits {
                access_token: TimeUnit::Minutes,
                id_token: TimeUnit::Minutes,
                refresh_token: TimeUnit::Days,
            },
        },
    )
}

/// Tags as the map `AWS::Cognito::UserPool` and `AWS::SSM::Parameter` take.
fn tag_map(tags: Vec<Tag>) -> BTreeMap<String, Str> {
    tags.into_iter().map(|tag| (tag.key, tag.value)).collect()
}
