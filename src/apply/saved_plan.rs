//! `apply --plan FILE`: deploy exactly the saved plan, or refuse when anything it was
//! made from changed since — the code (template hashes) or the account (each stack's
//! LastUpdatedTime, or a stack created or deleted in between).

use crate::aws::cloudformation::LiveStack;
use crate::plan::{Plan, PlanStatus};
use crate::synth::Rendered;

/// Why a saved plan no longer describes what apply would do; empty when it is fresh.
pub fn staleness(plan: &Plan, rendered: &Rendered, live: &[(String, Option<LiveStack>)]) -> Vec<String> {
    let mut reasons = Vec::new();
    if plan.environment != rendered.manifest.environment {
        reasons
            .push(format!("the plan is for environment {}, not {}", plan.environment, rendered.manifest.environment));
        return reasons;
    }
    for stack in &rendered.stacks {
        let Some(planned) = plan.stacks.iter().find(|p| p.id == stack.id) else {
            reasons.push(format!("{}: not in the plan", stack.name));
            continue;
        };
        if planned.template_sha256 != stack.sha256 {
            reasons.push(format!("{}: the code changed since the plan (template hash differs)", stack.name));
        }
        let now = live.iter().find(|(name, _)| *name == stack.name).and_then(|(_, s)| s.as_ref());
        let was_missing = planned.status == PlanStatus::ToCreate && planned.last_updated_time.is_none();
        match now {
            None if !was_missing => reasons.push(format!("{}: deleted since the plan", stack.name)),
            Some(s) if was_missing && !s.status.is_review() => {
                reasons.push(format!("{}: created since the plan (at {})", stack.name, s.last_updated))
            }
            Some(s) if !was_missing && planned.last_updated_time.as_deref() != Some(s.last_updated.as_str()) => reasons
                .push(format!(
                    "{}: updated since the plan (LastUpdatedTime {} then, {} now)",
                    stack.name,
                    planned.last_updated_time.as_deref().unwrap_or("-"),
                    s.last_updated
                )),
            _ => {}
        }
    }
    reasons
}
