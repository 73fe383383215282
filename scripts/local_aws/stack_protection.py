"""Stack protections: termination protection, stack policies, and exports in use.

What AWS documents (and the exact wording of its failure reasons, as observed on AWS):

* Termination protection -- user guide "Protect a CloudFormation stack from being deleted"
  (using-cfn-protect-stacks): "If a user attempts to delete a stack with termination protection
  enabled, the deletion fails and the stack--including its status--remains unchanged." API
  reference UpdateTerminationProtection: returns ``StackId``. DeleteStack then answers
  ``ValidationError: Stack [<name>] cannot be deleted while TerminationProtection is enabled``
  (HTTP 400; quoted from an AWS response in ekristen/aws-nuke#821).
* Stack policies -- user guide "Prevent updates to stack resources" (protect-stack-resources):
  without a policy every update is allowed; "When you set a stack policy on your stack, any
  update not explicitly allowed is denied by default"; "a Deny statement always overrides an
  Allow statement"; Action / NotAction with ``Update:Modify|Replace|Delete|*``; Resource /
  NotResource ``LogicalResourceId/<id>`` with wild cards, or ``*``; Condition ``StringEquals`` /
  ``StringLike`` on ``ResourceType`` ("You must use the StringLike condition when you use wild
  cards"); Principal "supports only the wild card (*)". The resource whose change is denied ends
  UPDATE_FAILED with, for an explicit Deny, ``Action denied by stack policy: Statement [#1] does
  not allow [Update:*] for resource [*];`` -- the bracketed parts echo the *statement's* Action
  and Resource, statements are numbered from 1 (a real AWS event log, Kotaimen/awscfncli README,
  2017, policy ``[{Deny, Update:*, *}]``; a list of actions is echoed as ``[Update:Replace,
  Update:Delete]``, molecule-man/stack-assembly features). When no statement allows the change,
  the reason starts ``Action not allowed by stack policy`` (LocalStack's AWS-validated
  test_stack_policies.py matches that prefix); the rest of that sentence is ours.
  An invalid policy is refused with ``Error validating stack policy: Invalid stack policy``
  and both body and URL with ``You cannot specify both StackPolicyURL and StackPolicyBody``
  (LocalStack snapshots recorded against AWS, test_stack_policies.snapshot.json).
* Exports -- user guide using-cfn-stack-exports and the Fn::ImportValue reference: "After
  another stack imports an output value, you can't delete the stack that is exporting the output
  value or modify the exported output value." API reference ListImports: ``Imports`` (stack
  names) and ``NextToken``; for an export no stack imports AWS answers ``ValidationError: Export
  '<name>' is not imported by any stack.`` (quoted from AWS CLI output in many repositories, e.g.
  guardian/mobile-n10n). DeleteStack of an exporter whose export is imported is accepted, then
  cancelled: the stack keeps its previous status (CREATE_COMPLETE / UPDATE_COMPLETE...) with the
  StackStatusReason ``Delete canceled. Cannot delete export <name> as it is in use by <A>, <B>
  and <C>.`` (aws-samples/iam-identity-center-team#474, 2026; the status staying UPDATE_COMPLETE:
  aws/aws-cdk#604, rlister/stax#40 -- then worded "Export <name> cannot be deleted as it is in
  use by <A> and <B>"). It is *not* DELETE_FAILED. An update that removes an imported export fails
  with ``Delete canceled. Cannot delete export <name> as it is in use by <stack>.`` (re:Post
  article ARrtwG71pqTYi3bGme27_3bg) and one that changes its value with ``Cannot update export
  <name> as it is in use by <stack>.`` (event UPDATE_ROLLBACK_IN_PROGRESS; filipeestacio.dev
  "The CloudFormation Export Lock"; older AWS: "Export <name> cannot be updated as it is in use
  by <stack>").

Division of work: the CloudFormation engine (``local_aws.cloudformation``) enforces stack
policies and export changes during change-set execution by calling ``policy_denial`` (with
``active_policy(stack)``) and ``export_update_refusal``, and records imports with
``set_imports``. This module implements those functions, the two missing API actions, the
DeleteStack guard and the stack-policy inputs moto drops.

Upstream issues, as we would file them at getmoto/moto:

1. **CloudFormation: UpdateTerminationProtection not implemented** (moto 5.2.5).
   ``moto/cloudformation/responses.py``: ``CloudFormationResponse`` has no
   ``update_termination_protection``. Reproduction: ``create_stack(StackName="s",
   TemplateBody=...)``; ``update_termination_protection(StackName="s",
   EnableTerminationProtection=True)``. Expected (API reference UpdateTerminationProtection):
   ``{"StackId": ...}`` and DescribeStacks shows ``EnableTerminationProtection: true``. Actual:
   ``NotImplementedError: The update_termination_protection action has not been implemented``
   (HTTP 500 in server mode).
2. **CloudFormation: DeleteStack ignores termination protection** (moto 5.2.5).
   ``moto/cloudformation/models.py`` ``CloudFormationBackend.delete_stack`` (``create_stack``'s
   docstring: "The functionality behind EnableTerminationProtection is not yet implemented").
   Reproduction: ``create_stack(..., EnableTerminationProtection=True)``; ``delete_stack(StackName=
   "s")``. Expected (user guide using-cfn-protect-stacks): ValidationError "Stack [s] cannot be
   deleted while TerminationProtection is enabled", stack unchanged. Actual: stack deleted.
3. **CloudFormation: ListImports not implemented, imports not tracked** (moto 5.2.5).
   ``CloudFormationResponse`` has no ``list_imports``; ``moto/cloudformation/parsing.py``
   resolves ``Fn::ImportValue`` without recording the importing stack. Reproduction: stack A
   with ``Outputs: {O: {Value: v, Export: {Name: X}}}``, stack B with a resource property
   ``{"Fn::ImportValue": "X"}``; ``list_imports(ExportName="X")``. Expected (API reference
   ListImports): ``{"Imports": ["B"]}``. Actual: ``NotImplementedError`` (HTTP 500).
4. **CloudFormation: an exporter stack is deleted while its export is imported** (moto 5.2.5).
   ``CloudFormationBackend.delete_stack`` deletes the stack and pops its exports unchecked.
   Reproduction: A and B as in 3; ``delete_stack(StackName="A")``. Expected (user guide, exports:
   "you can't delete the stack that is exporting the output value"): the deletion is cancelled,
   A keeps its status, StackStatusReason "Delete canceled. Cannot delete export X as it is in use
   by B.". Actual: A is DELETE_COMPLETE, its resources and the export X are gone.
5. **CloudFormation: stack policies are neither validated nor enforced** (moto 5.2.5).
   ``CloudFormationBackend.set_stack_policy`` ("Moto does no validation/parsing/enforcement of
   this policy"). Reproduction: ``set_stack_policy(StackName="s", StackPolicyBody="not json")``.
   Expected: ValidationError "Error validating stack policy: Invalid stack policy"; and an update
   that replaces a resource denied by the policy fails with "Action denied by stack policy: ...".
   Actual: stored as given; updates ignore the policy.
6. **CloudFormation: CreateStack/UpdateStack drop stack-policy parameters** (moto 5.2.5).
   ``CloudFormationResponse.create_stack`` reads ``StackPolicyBody`` only; ``update_stack`` reads
   neither ``StackPolicyBody``/``StackPolicyURL`` nor ``StackPolicyDuringUpdateBody``/``URL``.
   Reproduction: ``create_stack(..., StackPolicyURL="https://b.s3.amazonaws.com/p.json")``;
   ``get_stack_policy``. Expected (API reference CreateStack / UpdateStack): the policy is the
   one at the URL; UpdateStack's StackPolicyBody replaces the stack policy, the DuringUpdate one
   overrides it for that update only. Actual: no policy (GetStackPolicy answers none).
7. **CloudFormation: an imported export can be changed or removed by an update** (moto 5.2.5).
   ``Stack.update`` / ``CloudFormationBackend.execute_change_set`` (models.py). Reproduction: A
   and B as in 3; update A so that X's value changes (or the output is removed). Expected (user
   guide, exports: "you can't ... modify the exported output value"): UPDATE_ROLLBACK_COMPLETE
   with "Cannot update export X as it is in use by B." Actual: the update completes. (Fixed here
   through ``export_update_refusal``, called by our engine.)

Not emulated: nested stacks (termination protection set on the root); DeleteStack's
RetainResources/DeletionMode; the wording of the default-deny reason after its verified prefix;
for statements using NotAction/NotResource the bracketed echo is our guess (the attempted action /
``LogicalResourceId/<id>``); an unknown export in ListImports answers like one nobody imports
(not verified); only the first export in use is named, as AWS does in every example seen.
"""

import json
import re
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend, Stack, cloudformation_backends
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.s3.exceptions import S3ClientError

from ._cfn import as_bool, replace

INVALID_POLICY = "Error validating stack policy: Invalid stack policy"
PAGE = 100  # ListImports page size (as moto's ListExports)


# --- stack policies ------------------------------------------------------------------------


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _glob(pattern: str, text: str) -> bool:
    """IAM-style wild cards: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def _any_glob(patterns: list[str], text: str) -> bool:
    return any(_glob(p, text) for p in patterns)


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _matches(statement: dict[str, Any], key: str, text: str) -> bool:
    """``Action``/``NotAction`` or ``Resource``/``NotResource`` against ``text``."""
    if key in statement:
        return _any_glob(_values(statement[key]), text)
    if f"Not{key}" in statement:
        return not _any_glob(_values(statement[f"Not{key}"]), text)
    return False


def _condition_holds(condition: dict[str, Any] | None, resource_type: str) -> bool:
    # Every operator and key must hold (AND); a key's values are alternatives (OR).
    for operator, keys in (condition or {}).items():
        for key, wanted in keys.items():
            if key != "ResourceType":
                return False
            if operator == "StringEquals":
                hit = resource_type in _values(wanted)
            elif operator == "StringLike":
                hit = _any_glob(_values(wanted), resource_type)
            else:
                return False
            if not hit:
                return False
    return True


def _applies(statement: dict[str, Any], logical_id: str, resource_type: str, action: str) -> bool:
    return (
        _matches(statement, "Action", action)
        and _matches(statement, "Resource", f"LogicalResourceId/{logical_id}")
        and _condition_holds(statement.get("Condition"), resource_type)
    )


def _echo(statement: dict[str, Any], key: str, fallback: str) -> str:
    return ", ".join(_values(statement[key])) if key in statement else fallback


def policy_denial(policy_body: str | None, logical_id: str, resource_type: str, action: str) -> str | None:
    """AWS's UPDATE_FAILED reason when the stack policy denies ``action`` ("Update:Modify",
    "Update:Replace" or "Update:Delete") on the resource, else None (no policy: allowed)."""
    if not policy_body:
        return None
    resource = f"LogicalResourceId/{logical_id}"
    try:
        policy = json.loads(policy_body)
        statements = _statements(policy)
    except (ValueError, AttributeError, TypeError):
        statements = []  # never stored by AWS (validated on input); deny like an empty policy
    allowed = False
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, dict) or not _applies(statement, logical_id, resource_type, action):
            continue
        if statement.get("Effect") == "Deny":
            return (
                f"Action denied by stack policy: Statement [#{number}] does not allow "
                f"[{_echo(statement, 'Action', action)}] for resource [{_echo(statement, 'Resource', resource)}];"
            )
        allowed = allowed or statement.get("Effect") == "Allow"
    if allowed:
        return None
    return f"Action not allowed by stack policy: no statement allows [{action}] for resource [{resource}];"


def validate_policy(body: str) -> None:
    """Refuses what AWS refuses as a stack policy (the user guide's five elements)."""
    try:
        policy = json.loads(body)
    except ValueError:
        raise ValidationError(message=INVALID_POLICY)
    if not isinstance(policy, dict):
        raise ValidationError(message=INVALID_POLICY)
    statements = policy.get("Statement", [])
    if not isinstance(statements, (dict, list)):
        raise ValidationError(message=INVALID_POLICY)
    for statement in _statements(policy):
        if not _valid_statement(statement):
            raise ValidationError(message=INVALID_POLICY)


def _valid_statement(statement: Any) -> bool:
    if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
        return False
    if _values(statement.get("Principal")) != ["*"]:
        return False
    actions = [k for k in ("Action", "NotAction") if k in statement]
    resources = [k for k in ("Resource", "NotResource") if k in statement]
    if len(actions) != 1 or len(resources) != 1:
        return False
    if not all(a.startswith("Update:") for a in _values(statement[actions[0]])):
        return False
    condition = statement.get("Condition", {})
    return isinstance(condition, dict) and all(
        op in ("StringEquals", "StringLike") and isinstance(keys, dict) and set(keys) <= {"ResourceType"}
        for op, keys in condition.items()
    )


def active_policy(stack: Stack) -> str | None:
    """The policy governing the update under way: UpdateStack's StackPolicyDuringUpdate* if
    given (API reference UpdateStack), else the stack policy."""
    during = getattr(stack, "policy_during_update", None)
    return during if during is not None else (stack.policy or None)


# --- imports and exports -------------------------------------------------------------------


def _backend(account_id: str, region: str) -> CloudFormationBackend:
    return cloudformation_backends[account_id][region]


def _registry(backend: CloudFormationBackend) -> dict[str, set[str]]:
    # Kept on the backend object: moto's reset rebuilds it, so the registry goes with it.
    return backend.__dict__.setdefault("_stack_protection_imports", {})


def set_imports(account_id: str, region: str, stack_name: str, export_names: set[str]) -> None:
    """Records the exports ``stack_name`` imports (replacing the previous record)."""
    registry = _registry(_backend(account_id, region))
    if export_names:
        registry[stack_name] = set(export_names)
    else:
        registry.pop(stack_name, None)


def importers(account_id: str, region: str, export_name: str) -> list[str]:
    """Sorted names of the stacks importing ``export_name``."""
    registry = _registry(_backend(account_id, region))
    return sorted(name for name, exports in registry.items() if export_name in exports)


def _names(stacks: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C`` -- as AWS lists importing stacks."""
    return stacks[0] if len(stacks) == 1 else f"{', '.join(stacks[:-1])} and {stacks[-1]}"


def _users(account_id: str, region: str, export_name: str, stack_name: str) -> list[str]:
    return [s for s in importers(account_id, region, export_name) if s != stack_name]


def export_update_refusal(
    account_id: str, region: str, stack_name: str, old: dict[str, str], new: dict[str, str]
) -> str | None:
    """AWS's reason when updating ``stack_name`` from exports ``old`` to ``new`` (name ->
    value) would remove or change an export another stack imports, else None."""
    for name, value in old.items():
        if name in new and new[name] == value:
            continue
        users = _users(account_id, region, name, stack_name)
        if not users:
            continue
        if name not in new:
            return f"Delete canceled. Cannot delete export {name} as it is in use by {_names(users)}."
        return f"Cannot update export {name} as it is in use by {_names(users)}."
    return None


def _find(backend: CloudFormationBackend, name_or_id: str) -> Stack | None:
    if name_or_id in backend.stacks:
        return backend.stacks[name_or_id]
    return next((s for s in backend.stacks.values() if s.name == name_or_id), None)


def delete_refusal(account_id: str, region: str, stack_name: str) -> str | None:
    """AWS's reason for cancelling DeleteStack of ``stack_name`` (name or id) because another
    stack imports one of its exports, else None."""
    backend = _backend(account_id, region)
    stack = _find(backend, stack_name)
    if stack is None:
        return None
    for export in list(backend.exports.values()):
        if export.exporting_stack_id == stack.stack_id:
            users = _users(account_id, region, export.name, stack.name)
            if users:
                return f"Delete canceled. Cannot delete export {export.name} as it is in use by {_names(users)}."
    return None


# --- API -----------------------------------------------------------------------------------


def _update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    name = self._get_param("StackName")
    stack = self.cloudformation_backend.get_stack(name)
    if stack.status in ("DELETE_IN_PROGRESS", "DELETE_COMPLETE"):
        raise ValidationError(name)
    stack.enable_termination_protection = as_bool(self._get_param("EnableTerminationProtection"))
    return ActionResult({"StackId": stack.stack_id})


def _list_imports(self: CloudFormationResponse) -> ActionResult:
    export_name = self._get_param("ExportName")
    names = importers(self.current_account, self.region, export_name)
    if not names:
        raise ValidationError(message=f"Export '{export_name}' is not imported by any stack.")
    token = self._get_param("NextToken")
    try:
        start = int(token) if token else 0
    except ValueError:
        raise ValidationError(message=f"Invalid NextToken: {token}")
    next_token = str(start + PAGE) if len(names) > start + PAGE else None
    return ActionResult({"Imports": names[start : start + PAGE], "NextToken": next_token})


def _policy_param(response: CloudFormationResponse, body_key: str, url_key: str) -> str | None:
    """A policy given as body or URL (moto's S3), validated; None when neither is given."""
    body, url = response._get_param(body_key), response._get_param(url_key)
    if body and url:
        raise ValidationError(message=f"You cannot specify both {url_key} and {body_key}")
    if url:
        try:
            body = response._get_stack_from_s3_url(url)
        except S3ClientError as error:  # moto's own wording in set_stack_policy
            raise ValidationError(message=f"S3 error: Access Denied: {error.code}")
        except ValueError:
            raise ValidationError(message=f"S3 error: invalid {url_key}: {url}")
    if body is not None:
        validate_policy(body)
    return body


def _wrap_create_stack(current):
    def create_stack(self: CloudFormationResponse) -> ActionResult:
        policy = _policy_param(self, "StackPolicyBody", "StackPolicyURL")
        result = current(self)
        if policy is not None:  # moto stores StackPolicyBody, drops StackPolicyURL
            self.cloudformation_backend.get_stack(self._get_param("StackName")).policy = policy
        return result

    return create_stack


def _wrap_update_stack(current):
    def update_stack(self: CloudFormationResponse) -> ActionResult:
        new_policy = _policy_param(self, "StackPolicyBody", "StackPolicyURL")
        during = _policy_param(self, "StackPolicyDuringUpdateBody", "StackPolicyDuringUpdateURL")
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
        if during is not None:
            stack.policy_during_update = during  # read by the engine through active_policy()
        try:
            result = current(self)
        finally:
            stack.__dict__.pop("policy_during_update", None)
        if new_policy is not None:
            stack.policy = new_policy
        return result

    return update_stack


def _wrap_set_stack_policy(current):
    def set_stack_policy(self: CloudFormationBackend, stack_name: str, policy_body: str) -> None:
        if policy_body is not None:
            validate_policy(policy_body)
        current(self, stack_name, policy_body)

    return set_stack_policy


def _cancel_delete(stack: Stack, reason: str) -> None:
    # AWS starts the deletion, cancels it and leaves the stack in its previous status.
    previous = stack.status
    stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack._add_stack_event(previous, resource_status_reason=reason)
    stack.stack_status_reason = reason


def _wrap_delete_stack(current):
    def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
        stack = _find(self, name_or_stack_id)
        if stack is None:
            return current(self, name_or_stack_id)
        if as_bool(stack.enable_termination_protection):
            raise ValidationError(
                message=f"Stack [{name_or_stack_id}] cannot be deleted while TerminationProtection is enabled"
            )
        reason = delete_refusal(self.account_id, self.region_name, stack.stack_id)
        if reason:
            return _cancel_delete(stack, reason)
        current(self, stack.stack_id)
        if stack.stack_id not in self.stacks:  # deleted: it imports nothing any more
            set_imports(self.account_id, self.region_name, stack.name, set())

    delete_stack._stack_protection = True
    return delete_stack


def install() -> None:
    # Wrap what is current now: local_aws.cloudformation (installed first) may have replaced it.
    if getattr(CloudFormationBackend.delete_stack, "_stack_protection", False):
        return
    replace(CloudFormationResponse, "update_termination_protection", _update_termination_protection)
    replace(CloudFormationResponse, "list_imports", _list_imports)
    replace(CloudFormationResponse, "create_stack", _wrap_create_stack(CloudFormationResponse.create_stack))
    replace(CloudFormationResponse, "update_stack", _wrap_update_stack(CloudFormationResponse.update_stack))
    replace(CloudFormationBackend, "set_stack_policy", _wrap_set_stack_policy(CloudFormationBackend.set_stack_policy))
    replace(CloudFormationBackend, "delete_stack", _wrap_delete_stack(CloudFormationBackend.delete_stack))
