//! Reading a stack operation's events: which are new, how far it got, and the first
//! real cause of a failure (not the cascade of "Resource creation cancelled" after it).

use std::collections::HashSet;

use crate::aws::cloudformation::StackEvent;

/// Remembers the events already seen, so each poll yields only what happened since.
#[derive(Debug, Default)]
pub struct EventTracker {
    seen: HashSet<String>,
    /// This operation's events, oldest first.
    pub operation: Vec<StackEvent>,
}

impl EventTracker {
    /// `before`: the stack's events before the operation started (none for a new stack).
    pub fn new(before: &[StackEvent]) -> Self {
        EventTracker { seen: before.iter().map(|e| e.event_id.clone()).collect(), operation: Vec::new() }
    }

    /// Takes one `DescribeStackEvents` page (newest first) and returns the events not
    /// seen before, oldest first.
    pub fn take_new(&mut self, page: Vec<StackEvent>) -> Vec<StackEvent> {
        let mut fresh: Vec<StackEvent> = page.into_iter().filter(|e| self.seen.insert(e.event_id.clone())).collect();
        fresh.reverse();
        self.operation.extend(fresh.iter().cloned());
        fresh
    }

    /// Events of this operation seen so far.
    pub fn events_seen(&self) -> usize {
        self.operation.len()
    }

    /// Resources (not the stack itself) whose last event among the first `events` events
    /// of the operation is a completed state.
    pub fn resources_done_after(&self, events: usize) -> usize {
        let mut done = HashSet::new();
        for e in self.operation.iter().take(events).filter(|e| !e.is_stack_event()) {
            if e.status.ends_with("_COMPLETE") {
                done.insert(e.logical_id.as_str());
            } else {
                done.remove(e.logical_id.as_str());
            }
        }
        done.len()
    }

    pub fn root_cause(&self) -> Option<&StackEvent> {
        root_cause(&self.operation)
    }
}

/// The first failed resource event whose reason is not a consequence of another
/// failure; the stack's own failure event when no resource says more.
pub fn root_cause(events: &[StackEvent]) -> Option<&StackEvent> {
    let failed = |e: &&StackEvent| e.status.ends_with("_FAILED");
    events
        .iter()
        .filter(failed)
        .find(|e| !e.is_stack_event() && !is_consequence(e.reason.as_deref().unwrap_or_default()))
        .or_else(|| events.iter().filter(failed).find(|e| !e.is_stack_event()))
        .or_else(|| events.iter().find(|e| e.is_stack_event() && e.reason.is_some() && e.status.contains("ROLLBACK")))
}

/// Reasons CloudFormation gives resources that failed only because another one did.
fn is_consequence(reason: &str) -> bool {
    let r = reason.to_ascii_lowercase();
    r.contains("cancelled") || r.contains("canceled") || r.starts_with("the following resource(s) failed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            event_id: id.into(),
            logical_id: logical.into(),
            resource_type: kind.into(),
            status: status.into(),
            reason: reason.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn new_events_come_oldest_first_and_only_once() {
        let old = event("0", "Vpc", "AWS::EC2::VPC", "CREATE_COMPLETE", None);
        let mut t = EventTracker::new(std::slice::from_ref(&old));
        let page = vec![
            event("2", "Vpc", "AWS::EC2::VPC", "UPDATE_COMPLETE", None),
            event("1", "Vpc", "AWS::EC2::VPC", "UPDATE_IN_PROGRESS", None),
            old.clone(),
        ];
        let fresh = t.take_new(page.clone());
        assert_eq!(fresh.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["1", "2"]);
        assert!(t.take_new(page).is_empty());
        assert_eq!(t.events_seen(), 2);
        assert_eq!(t.resources_done_after(t.events_seen()), 1);
        // As of the first fresh event (the update still in progress), nothing is done.
        assert_eq!(t.resources_done_after(1), 0);
        assert_eq!(t.resources_done_after(2), 1);
    }

    #[test]
    fn the_root_cause_skips_cancellations_and_the_stack_summary() {
        // The order CloudFormation reports a failed create in (oldest first).
        let events = vec![
            event("1", "matbakh-dev-data", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", Some("User Initiated")),
            event("2", "DbSubnetGroup", "AWS::RDS::DBSubnetGroup", "CREATE_IN_PROGRESS", None),
            event("3", "Primary", "AWS::RDS::DBInstance", "CREATE_FAILED", Some("Resource creation cancelled")),
            event("4", "DbParams", "AWS::RDS::DBParameterGroup", "CREATE_FAILED", Some("Invalid parameter value: 'x'")),
            event(
                "5",
                "matbakh-dev-data",
                "AWS::CloudFormation::Stack",
                "ROLLBACK_IN_PROGRESS",
                Some("The following resource(s) failed to create: [Primary, DbParams]."),
            ),
        ];
        let cause = root_cause(&events).unwrap();
        assert_eq!(cause.logical_id, "DbParams");
        assert_eq!(cause.reason.as_deref(), Some("Invalid parameter value: 'x'"));
    }
}
