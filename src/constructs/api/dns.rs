//! DNS for the API's custom domain: alias records in the configured Route 53 hosted zone
//! pointing at the domain's regional endpoint. The domain is dual-stack, so both an `A`
//! and an `AAAA` alias: Route 53 answers each with the endpoint's current addresses.

use crate::cfn::Handle;
use crate::cfn::Template;
use crate::cfn::resources::apigateway::DomainName;
use crate::cfn::resources::route53::{AliasTarget, RecordSet, RecordType};
use crate::config::model::CustomDomain;

pub fn build(t: &mut Template, custom: &CustomDomain, domain: &Handle<DomainName>) {
    let Some(zone) = &custom.hosted_zone_id else {
        return;
    };
    for (id, record_type) in [("CustomDomainARecord", RecordType::A), ("CustomDomainAaaaRecord", RecordType::Aaaa)] {
        t.add(
            id,
            RecordSet {
                hosted_zone_id: zone.clone(),
                name: custom.domain_name.clone(),
                record_type,
                alias_target: AliasTarget {
                    dns_name: domain.regional_domain_name(),
                    hosted_zone_id: domain.regional_hosted_zone_id(),
                    // One regional endpoint, nothing to fail over to.
                    evaluate_target_health: false,
                },
                comment: format!("{} to its API Gateway regional endpoint", custom.domain_name),
            },
        );
    }
}
