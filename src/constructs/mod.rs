//! High-level constructs: the design's systems built from the typed CloudFormation
//! layer, one stack each. Like CDK's L2/L3 constructs over its L1 `Cfn*` classes,
//! these know the design; `crate::cfn` knows only CloudFormation.

pub mod api;
pub mod app;
pub mod auth;
mod bastion;
pub mod bootstrap;
pub mod cache;
mod context;
pub mod data;
pub mod datalake;
pub mod deploy_role;
pub mod edge;
mod kms;
mod mail;
pub mod network;
pub mod observability;
pub mod security;

use std::path::Path;

pub use context::Context;

use crate::assets::{AssetError, AssetSet};
use crate::cfn::Stack;
use crate::config::Environment;

/// All stacks of one environment, in an order where every stack comes after the
/// stacks it imports from, and the code assets their templates reference.
pub struct Assembly {
    pub environment: String,
    pub region: String,
    pub stacks: Vec<Stack>,
    pub assets: AssetSet,
}

/// Builds every stack. `base_dir` is the folder asset paths in the environment file
/// are relative to (the repository root); packaging the assets is the only I/O.
pub fn build(env: &Environment, base_dir: &Path) -> Result<Assembly, AssetError> {
    let ctx = Context::new(env);
    let mut assets = AssetSet::new(base_dir);
    let (network, network_exports) = network::build(&ctx);
    let (security, security_exports) = security::build(&ctx);
    let (data, data_exports) = data::build(&ctx, &network_exports, &security_exports);
    let (cache, cache_exports) = cache::build(&ctx, &network_exports, &security_exports);
    let (app, app_exports) =
        app::build(&ctx, &network_exports, &security_exports, &data_exports, &cache_exports, &mut assets)?;
    let (auth, auth_exports) = auth::build(&ctx, &app_exports);
    let (api, api_exports) = api::build(&ctx, &app_exports, &auth_exports);
    let (edge, _edge_exports) = edge::build(&ctx, &api_exports);
    let (observability, _observability_exports) = observability::build(&ctx, &app_exports, &api_exports, &data_exports);
    let datalake_sources = datalake::Sources {
        network: &network_exports,
        security: &security_exports,
        data: &data_exports,
        app: &app_exports,
        api: &api_exports,
    };
    let (datalake, _datalake_exports) = datalake::build(&ctx, &datalake_sources, &mut assets)?;
    Ok(Assembly {
        environment: env.name.clone(),
        region: env.region.clone(),
        stacks: vec![network, security, data, cache, app, auth, api, edge, observability, datalake],
        assets,
    })
}
