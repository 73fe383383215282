//! CloudFormation's stack and change-set statuses as enums, with what each means for
//! plan and apply in one place: which states are settled, which failed, which cannot be
//! updated and what the user must do about them.
//!
//! A value this tool does not know (AWS adds statuses now and then) is kept as
//! `Unrecognized` and treated as "cannot proceed", never as success.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Declares an enum of AWS's status strings with its parsing and printing.
macro_rules! aws_status {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know.
            Unrecognized(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unrecognized(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    other => $name::Unrecognized(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl From<$name> for String {
            fn from(s: $name) -> String {
                s.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_status! {
    /// `StackStatus` of `DescribeStacks`.
    StackStatus {
        CreateInProgress => "CREATE_IN_PROGRESS",
        CreateFailed => "CREATE_FAILED",
        CreateComplete => "CREATE_COMPLETE",
        RollbackInProgress => "ROLLBACK_IN_PROGRESS",
        RollbackFailed => "ROLLBACK_FAILED",
        RollbackComplete => "ROLLBACK_COMPLETE",
        DeleteInProgress => "DELETE_IN_PROGRESS",
        DeleteFailed => "DELETE_FAILED",
        DeleteComplete => "DELETE_COMPLETE",
        UpdateInProgress => "UPDATE_IN_PROGRESS",
        UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateComplete => "UPDATE_COMPLETE",
        UpdateFailed => "UPDATE_FAILED",
        UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS",
        UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
        UpdateRollbackCompleteCleanupInProgress => "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
        ReviewInProgress => "REVIEW_IN_PROGRESS",
        ImportInProgress => "IMPORT_IN_PROGRESS",
        ImportComplete => "IMPORT_COMPLETE",
        ImportRollbackInProgress => "IMPORT_ROLLBACK_IN_PROGRESS",
        ImportRollbackFailed => "IMPORT_ROLLBACK_FAILED",
        ImportRollbackComplete => "IMPORT_ROLLBACK_COMPLETE",
    }
}

impl StackStatus {
    /// Made by a CREATE change set that was never executed: no template, no resources;
    /// for plan and apply the stack is still to be created.
    pub fn is_review(&self) -> bool {
        *self == StackStatus::ReviewInProgress
    }

    pub fn is_in_progress(&self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS") && !self.is_review()
    }

    /// How an operation ended, once the stack has settled: `Some(true)` it succeeded,
    /// `Some(false)` it failed (rolled back or not), `None` still running.
    pub fn outcome(&self) -> Option<bool> {
        use StackStatus::*;
        match self {
            CreateComplete | UpdateComplete | ImportComplete => Some(true),
            RollbackComplete
            | RollbackFailed
            | CreateFailed
            | UpdateRollbackComplete
            | UpdateRollbackFailed
            | UpdateFailed
            | DeleteComplete
            | DeleteFailed
            | ImportRollbackComplete
            | ImportRollbackFailed
            | Unrecognized(_) => Some(false),
            _ => None,
        }
    }

    /// What the user must do before the stack can be updated; `None` when it can be.
    pub fn remedy(&self, stack: &str) -> Option<String> {
        use StackStatus::*;
        let s = self.as_str();
        Some(match self {
            RollbackComplete | RollbackFailed | CreateFailed => format!(
                "{s}: the first create failed and cannot be updated; delete it (aws cloudformation delete-stack --stack-name {stack}) and apply again"
            ),
            UpdateRollbackFailed => format!(
                "{s}: finish the rollback (aws cloudformation continue-update-rollback --stack-name {stack}, adding --resources-to-skip for resources that cannot roll back), then plan again"
            ),
            DeleteFailed => format!(
                "{s}: a delete failed; delete it again, retaining what cannot be deleted (aws cloudformation delete-stack --stack-name {stack} --retain-resources …)"
            ),
            ImportRollbackFailed => {
                format!("{s}: a resource import failed and so did its rollback; fix it in the console, then plan again")
            }
            Unrecognized(_) => format!(
                "{s}: a stack status this version of matbakh-infra does not know; check the stack in the console and upgrade the tool"
            ),
            _ if self.is_in_progress() => format!(
                "{s}: an operation is running; wait for it (aws cloudformation wait stack-update-complete --stack-name {stack}) and plan again"
            ),
            _ => return None,
        })
    }

    /// How a failed operation ended, in words.
    pub fn failure_summary(&self) -> &'static str {
        match self {
            StackStatus::RollbackComplete => "the create failed and was rolled back",
            StackStatus::UpdateRollbackComplete => "the update failed and was rolled back; the stack is as before",
            StackStatus::UpdateRollbackFailed => "the update failed and so did its rollback",
            StackStatus::RollbackFailed => "the create failed and so did its rollback",
            _ => "the operation failed",
        }
    }
}

aws_status! {
    /// `Status` of `DescribeChangeSet`: whether the change set has been computed.
    #[derive(Default)]
    ChangeSetStatus {
        #[default]
        CreatePending => "CREATE_PENDING",
        CreateInProgress => "CREATE_IN_PROGRESS",
        CreateComplete => "CREATE_COMPLETE",
        DeletePending => "DELETE_PENDING",
        DeleteInProgress => "DELETE_IN_PROGRESS",
        DeleteComplete => "DELETE_COMPLETE",
        DeleteFailed => "DELETE_FAILED",
        Failed => "FAILED",
    }
}

impl ChangeSetStatus {
    /// Computing (or deleting) is over, one way or the other.
    pub fn is_settled(&self) -> bool {
        !matches!(
            self,
            ChangeSetStatus::CreatePending
                | ChangeSetStatus::CreateInProgress
                | ChangeSetStatus::DeletePending
                | ChangeSetStatus::DeleteInProgress
        )
    }
}

aws_status! {
    /// `ExecutionStatus` of `DescribeChangeSet`: whether it can be executed.
    ExecutionStatus {
        Unavailable => "UNAVAILABLE",
        Available => "AVAILABLE",
        ExecuteInProgress => "EXECUTE_IN_PROGRESS",
        ExecuteComplete => "EXECUTE_COMPLETE",
        ExecuteFailed => "EXECUTE_FAILED",
        Obsolete => "OBSOLETE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_kept_and_block() {
        for s in ["UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "REVIEW_IN_PROGRESS", "IMPORT_ROLLBACK_FAILED"] {
            assert_eq!(StackStatus::from(s).as_str(), s);
        }
        let future = StackStatus::from("SOMETHING_NEW");
        assert_eq!(future, StackStatus::Unrecognized("SOMETHING_NEW".into()));
        assert!(future.remedy("x").unwrap().contains("does not know"));
        assert_eq!(future.outcome(), Some(false), "an unknown state is never success");
        let json = serde_json::to_string(&StackStatus::UpdateComplete).unwrap();
        assert_eq!(json, "\"UPDATE_COMPLETE\"");
        assert_eq!(serde_json::from_str::<StackStatus>(&json).unwrap(), StackStatus::UpdateComplete);
    }

    #[test]
    fn blocked_states_have_remedies_and_review_is_not_in_progress() {
        assert!(StackStatus::RollbackComplete.remedy("s").unwrap().contains("delete-stack --stack-name s"));
        assert!(StackStatus::UpdateRollbackFailed.remedy("s").unwrap().contains("continue-update-rollback"));
        assert!(StackStatus::UpdateInProgress.remedy("s").unwrap().contains("wait"));
        assert_eq!(StackStatus::ReviewInProgress.remedy("s"), None);
        assert_eq!(StackStatus::UpdateRollbackComplete.remedy("s"), None, "can be updated again");
        assert_eq!(StackStatus::UpdateComplete.outcome(), Some(true));
        assert_eq!(StackStatus::UpdateCompleteCleanupInProgress.outcome(), None);
        assert!(ChangeSetStatus::Failed.is_settled() && !ChangeSetStatus::CreatePending.is_settled());
    }
}
