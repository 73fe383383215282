//! High-level constructs: the design's systems built from the typed CloudFormation
//! layer, one stack each. Like CDK's L2/L3 constructs over its L1 `Cfn*` classes,
//! these know the design; `crate::cfn` knows only CloudFormation.

pub mod cache;
mod context;
pub mod data;
pub mod network;
pub mod security;

pub use context::Context;

use crate::cfn::Stack;
use crate::config::Environment;

/// All stacks of one environment, in an order where every stack comes after the
/// stacks it imports from.
pub struct Assembly {
    pub environment: String,
    pub region: String,
    pub stacks: Vec<Stack>,
}

pub fn build(env: &Environment) -> Assembly {
    let ctx = Context::new(env);
    let (network, network_exports) = network::build(&ctx);
    let (security, security_exports) = security::build(&ctx);
    let (data, _data_exports) = data::build(&ctx, &network_exports, &security_exports);
    let (cache, _cache_exports) = cache::build(&ctx, &network_exports, &security_exports);
    Assembly { environment: env.name.clone(), region: env.region.clone(), stacks: vec![network, security, data, cache] }
}
