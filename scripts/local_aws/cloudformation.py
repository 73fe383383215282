"""CloudFormation: the stack engine of the local AWS.

moto's CloudFormation runs a template once, lazily, and forgets how: change sets are
diffed on raw template JSON, failures escape as HTTP errors, nothing is rolled back, no
resource has a status. This module (with ``_engine.py`` for the operations and
``_engine_template.py`` for template analysis and the property diff) replaces the stack
lifecycle, keeping moto's parts that work: template parsing, parameters, mappings,
conditions and intrinsic functions (``ResourceMap`` / ``clean_json``), the per-type
models (looked up through ``parsing.get_model_map()``, ours winning) and their
``create/update/delete_from_cloudformation_json`` contract, GetTemplate, ListExports,
DescribeStacks, the stack policy store and ``/moto-api/reset`` (all state lives on the
backend).

What it does, as AWS documents it:

* CreateStack and ExecuteChangeSet (CREATE or UPDATE) run synchronously through one
  engine; AWS runs them in the background, the caller sees the same end state and events.
  Resources are created, updated and deleted in dependency order (Ref, Fn::GetAtt, Fn::Sub,
  DependsOn: "Resource B is created before resource A. Resource A is deleted before
  resource B. Resource B is updated before resource A." -- Template Reference, DependsOn
  attribute).
* Events (API reference DescribeStackEvents / StackEvent): per resource CREATE_IN_PROGRESS,
  CREATE_IN_PROGRESS "Resource creation Initiated", CREATE_COMPLETE; UPDATE_*; DELETE_*;
  DELETE_SKIPPED for retained resources; stack-level events with "User Initiated"; every
  event of an operation carries its ClientRequestToken. ListStackResources /
  DescribeStackResource(s) report each resource's own status, reason, time and physical id.
* Failure (User Guide "Stack failure options", "Stack status codes"): the failing
  resource's *_FAILED event carries the handler's message; a create rolls back
  (ROLLBACK_IN_PROGRESS "The following resource(s) failed to create: [X]. Rollback
  requested by user.", resources deleted in reverse order, ROLLBACK_COMPLETE; OnFailure /
  DisableRollback honoured); an update rolls back (UPDATE_ROLLBACK_IN_PROGRESS "The
  following resource(s) failed to update: [X]. ", modified resources put back, created
  ones deleted in UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, UPDATE_ROLLBACK_COMPLETE);
  a deletion that fails leaves DELETE_FAILED and does not attempt what the failed resource
  needs. ExecuteChangeSet itself answers 200. A ROLLBACK_COMPLETE stack can only be
  deleted ("Stack:<arn> is in ROLLBACK_COMPLETE state and can not be updated.").
* Updates (User Guide "Update behaviors of stack resources"): each resource's resolved
  properties are recorded; a resource is modified when they differ (so a resource that
  refers to a replaced one is updated with the new id); a change at a path listed in the
  registry schema's ``createOnlyProperties`` (cfn-lint's bundled schemas; a nested pointer
  such as ``/properties/ConnectionInput/Name`` counts only when that value changes, ``*``
  standing for each item of an array; a type without an update handler is immutable)
  means replacement (DescribeChangeSet: RequiresRecreation "Always" on the top-level
  property that holds it): the new resource is created first,
  the old one deleted in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (UpdateReplacePolicy honoured).
  A custom-named resource that needs replacing fails as AWS words it ("CloudFormation
  cannot update a stack when a custom-named resource requires replacing. Rename <name> and
  update the stack again."). A model without update handler fails the update (instead of
  moto dropping the resource). Removed resources are deleted in the cleanup phase, or kept
  for DeletionPolicy Retain / RetainExceptOnCreate (Template Reference, DeletionPolicy
  attribute: "also applies to stack update operations that lead to resources being deleted
  from stacks"). Resource types cannot change ("Update of resource type is not permitted").
* Outputs and exports are resolved once per successful create/update and stored; exports
  are registered, refreshed and dropped with them; a name another stack exports fails the
  operation ("Export with name X is already exported by stack Y"). Stack policies and
  exports in use are enforced through ``local_aws.stack_protection`` (``policy_denial``,
  ``export_update_refusal``, ``set_imports``); its DeleteStack guard wraps our
  ``CloudFormationBackend.delete_stack``.
* Dynamic references ``{{resolve:ssm:...}}``, ``{{resolve:ssm-secure:...}}`` and
  ``{{resolve:secretsmanager:<name-or-arn>[:SecretString[:json-key[:stage[:id]]]]}}``
  are resolved from moto's SSM / Secrets Manager backends when a handler is called (User
  Guide "Get values stored in other services using dynamic references"); the template and
  the recorded properties keep them as written, so a changed secret alone changes nothing
  ("you must perform a stack update that updates the resource containing the dynamic
  reference").
* Change sets: names are per stack (API CreateChangeSet: "The name must be unique among
  all change sets that are associated with the specified stack"); DescribeChangeSet's
  ResourceChanges come from the same resolved-property diff the execution runs, with
  placeholders for ids known only after execution: Action, PhysicalResourceId,
  Replacement (True / False / Conditional), Scope, PolicyAction, Details (Target
  Attribute/Name/RequiresRecreation, Evaluation Static|Dynamic, ChangeSource
  DirectModification|ParameterReference|ResourceReference|ResourceAttribute,
  CausingEntity; Path/BeforeValue/AfterValue with IncludePropertyValues). An unchanged
  UPDATE change set is FAILED "The submitted information didn't contain changes. Submit
  different information to create a change set."; template errors are answered
  synchronously ("Template format error: Unresolved resource dependencies [X] in the
  Resources block of the template", "Circular dependency between resources: [...]",
  "Parameters: [X] must have values", "Parameters: [X] do not exist in the template").
* Change sets kept and executed later (issue 22; API DescribeChangeSet / ExecuteChangeSet /
  ChangeSetSummary): ExecutionStatus is AVAILABLE for a computed change set, UNAVAILABLE
  for a FAILED one, EXECUTE_IN_PROGRESS while it runs, then EXECUTE_COMPLETE or
  EXECUTE_FAILED (Status stays CREATE_COMPLETE); ExecuteChangeSet deletes the stack's other
  change sets ("When you execute a change set, CloudFormation deletes all other change
  sets associated with the stack because they aren't valid for the updated stack."; User
  Guide: "deletes any additional change sets"; the executed one stays describable), so
  DescribeChangeSet / ExecuteChangeSet of one of them answer 404 ChangeSetNotFound
  "ChangeSet [<name or ARN>] does not exist"; a direct UpdateStack makes them OBSOLETE
  ("in an OBSOLETE state because the stack was already updated"). Executing a change set
  that is not AVAILABLE answers 400 InvalidChangeSetStatus "ChangeSet [<ARN>] cannot be
  executed in its current status of [FAILED]" / "... in its current execution status of
  [EXECUTE_COMPLETE]" (the wordings AWS answers, as recorded in localstack's AWS-validated
  snapshots and in user reports); a retried ExecuteChangeSet with the same token is a
  no-op; the check and the claim of a change set are atomic (the server is threaded).
  ListChangeSets lists them with Status, StatusReason and ExecutionStatus.
* Imports are resolved when an operation runs, not when a change set is computed (issue
  23): a change set importing an export that does not exist is CREATE_COMPLETE /
  AVAILABLE, the affected values are "{{changeSet:KNOWN_AFTER_APPLY}}", and
  DescribeChangeSet with IncludePropertyValues says why ("[WARN] --include-property-values
  option can return incomplete ChangeSet data because: ChangeSet creation failed for
  resource [X] because: No export named N"); executing it while the export is still
  missing fails before any resource is touched ("No export named N found."; a create rolls
  back with "No export named N found. Rollback requested by user."), and succeeds once the
  export exists. CreateStack and UpdateStack check imports the same way when they start.

Upstream issues, as we would file them at getmoto/moto (each has a probe test named
``test_moto_*`` in tests/test_cloudformation.py that fails once moto fixes it; "row" = the
row of /work/shared/notes/local-aws-gaps.md, "fidelity" = moto-fidelity.md):

1. **ExecuteChangeSet of a CREATE change set neither resolves Fn::ImportValue nor
   registers exports** (moto 5.2.5; gaps row 2). ``moto/cloudformation/models.py``
   ``CloudFormationBackend.create_change_set`` builds the REVIEW_IN_PROGRESS ``Stack``
   without ``cross_stack_resources``; ``execute_change_set`` never registers
   ``stack.exports``. Repro: ``create_change_set(StackName="a", ChangeSetType="CREATE",
   TemplateBody=<queue + Outputs.Url.Export.Name "url">)``, ``execute_change_set``,
   ``list_exports()`` -> ``[]``; a second stack's CREATE change set importing "url" fails
   ``No export named url found``. Expected (API ExecuteChangeSet; User Guide "Get exported
   outputs from a deployed CloudFormation stack"): the same as CreateStack -- exports
   registered, imports resolved, export names unique per region.
2. **Outputs are evaluated lazily and never refreshed by an UPDATE change set**
   (fidelity "DescribeStacks", "ExecuteChangeSet"). ``models.py`` ``ChangeSet.apply``
   updates the ResourceMap but keeps ``Stack.output_map``, whose ``OutputMap`` caches
   ``_parsed_outputs``; ``Stack.exports`` re-resolves on every call (DescribeStacks answers
   500 when an output's resource is broken). Repro: CreateStack with Output ``Ref V``
   (V=a), UPDATE change set with V=b, execute: DescribeStacks still shows ``a``. Expected
   (API DescribeStacks Outputs): the outputs of the last successful operation.
3. **Stack.outputs gives ExportName to every output whose value equals an export's**
   (``models.py`` ``Stack.outputs`` ``get_export_name`` matches by value). Repro: outputs
   A (Ref Q, exported "url") and B (Ref Q, not exported): B shows ``ExportName: url``.
   Expected (API Output.ExportName: "The name of the export associated with the output"):
   only A.
4. **No per-resource stack events; ClientRequestToken ignored** (fidelity
   "DescribeStackEvents"). ``models.py`` only ``Stack._add_stack_event``; responses
   ``execute_change_set`` / ``create_stack`` drop ClientRequestToken. Repro: CreateStack
   with one queue: every event is ``AWS::CloudFormation::Stack``. Expected (API
   StackEvent): per-resource events with LogicalResourceId, PhysicalResourceId,
   ResourceType, ResourceStatus(Reason), and "All events triggered by a given stack
   operation are assigned the same client request token".
5. **A failing resource is answered as an HTTP error, nothing is rolled back** (fidelity
   "Failures"). ``parsing.py`` ``ResourceMap.create``/``update`` let the handler's
   exception propagate; the stack stays CREATE_IN_PROGRESS. Repro: CreateStack with a
   queue then a resource whose handler raises: the call fails, the queue stays, the stack
   is CREATE_IN_PROGRESS forever. Expected (User Guide "Stack failure options"): the call
   succeeds; CREATE_FAILED with the reason; ROLLBACK_IN_PROGRESS; created resources
   deleted; ROLLBACK_COMPLETE (updates: UPDATE_ROLLBACK_COMPLETE with the previous state).
6. **An update drops a modified resource whose model has no update handler** (fidelity
   "UpdateStack"). ``parsing.py`` ``parse_and_update_resource`` returns None when
   ``update_from_cloudformation_json`` is abstract and ``ResourceMap.update`` stores it.
   Repro: a ``AWS::Logs::LogGroup`` (no handler in 5.2.5) whose RetentionInDays changes:
   the resource disappears from the stack. Expected: updated, or the update fails.
7. **A create-only property change is applied as an in-place update; dependents are not
   updated** (``parsing.py`` ``ResourceMap.build_resource_diff`` / ``update`` diff raw
   template JSON and call the update handler). Repro: change an SQS QueueName: the queue
   keeps its old name; an SSM parameter holding ``Ref Queue`` is untouched. Expected (User
   Guide "Update behaviors of stack resources", property "Update requires: Replacement"):
   a new queue created first, references updated, the old queue deleted in cleanup.
8. **DeletionPolicy Retain is ignored when an update removes a resource**
   (``ResourceMap.update`` deletes every removed resource). Repro: stack with a topic
   ``DeletionPolicy: Retain``; update without it: the topic is deleted. Expected (Template
   Reference, DeletionPolicy: "This capability also applies to stack update operations
   that lead to resources being deleted from stacks"): kept.
9. **DeleteStack has no per-resource events and no dependency order**
   (``ResourceMap.delete`` loops over a set, retrying failures; ``Stack.delete`` only adds
   stack events; a resource that cannot be deleted escapes as an error and the stack
   vanishes while its exports stay -- fidelity "DeleteStack"). Expected (DependsOn
   attribute: "Resource A is deleted before resource B"; Stack status codes):
   DELETE_IN_PROGRESS/DELETE_COMPLETE per resource in reverse dependency order,
   DELETE_SKIPPED for retained ones, DELETE_FAILED keeping the stack.
10. **Dynamic references are passed through literally** (fidelity "Resource types").
    ``parsing.py`` ``clean_json`` has no ``{{resolve:...}}``. Repro: SSM parameter Value
    ``{{resolve:ssm:/cfg}}``: the parameter holds the literal text. Expected (User Guide,
    dynamic references): the value of /cfg.
11. **DescribeChangeSet: no PhysicalResourceId, Replacement, Scope, Details; parameter
    changes missed** (fidelity "DescribeChangeSet"). ``models.py`` ``ChangeSet.diff`` /
    ``ResourceMap.build_change_set_actions`` compare raw JSON without parameters. Repro:
    UPDATE change set changing only a parameter: ``Changes: []``; changing QueueName:
    ``Replacement`` absent. Expected (API ResourceChange, ResourceChangeDetail).
12. **Change-set names are global** (fidelity "CreateChangeSet"). ``models.py``
    ``describe_change_set`` / ``execute_change_set`` / ``delete_change_set`` search every
    stack's change sets by name and ignore StackName; ListChangeSets ignores StackName.
    Repro: change sets "cs" on stacks a and b: DescribeChangeSet(ChangeSetName="cs",
    StackName="a") answers b's. Expected (API CreateChangeSet ChangeSetName): unique per
    stack, looked up with StackName.
13. **CreateChangeSet accepts what AWS refuses** (``models.py`` ``create_change_set``).
    Repro: ChangeSetType CREATE for an existing stack name creates a second stack of that
    name; UPDATE on a ROLLBACK_COMPLETE stack is accepted. Expected: ``ValidationError
    Stack [a] already exists and cannot be created again with the changeSet [cs].`` and
    ``Stack:<arn> is in ROLLBACK_COMPLETE state and can not be updated.``
14. **CreateChangeSet answers "No updates are to be performed." for an unchanged
    template** (``responses.py`` ``create_change_set`` calls ``_validate_different_update``
    when Parameters are given). Expected (User Guide, change sets): a FAILED change set
    with StatusReason "The submitted information didn't contain changes. Submit different
    information to create a change set."
15. **Defaults of List/Number parameters are not typed** (``parsing.py``
    ``ResourceMap.load_parameters`` splits/converts only passed values). Repro:
    CommaDelimitedList parameter with Default "a,b" not passed; ``Fn::Select [1, Ref]``
    yields "," . Expected (Template Reference, Parameters): the default has the type.
16. **NoEcho parameters are shown in clear** (``models.py`` ``Stack.parameter_list``
    compares values with ``no_echo_parameter_keys``; list values are Python lists).
    Expected (Template Reference, Parameters NoEcho): "****"; ParameterValue a string.
17. **ListStackResources / DescribeStackResource(s) invent status and time**
    (``responses.py`` ``StackResourceDTO``: status = the stack's status, Timestamp
    hard-coded "2010-07-27T22:27:28Z"; ``list_stack_resources`` hard-codes
    CREATE_COMPLETE). Expected (API StackResourceSummary): each resource's own status and
    LastUpdatedTimestamp.
18. **A resource type moto has no model for is skipped silently** (``parsing.py``
    ``parse_resource`` warns and returns None; the stack is CREATE_COMPLETE without it).
    We fail its creation instead (CREATE_FAILED "Resource type X is not emulated by the
    local AWS ..."), so a missing model is never mistaken for a deployed resource.
19. **Undeclared parameters are accepted** (``ResourceMap.load_parameters`` ignores
    them). Expected: ``ValidationError Parameters: [X] do not exist in the template``.
20. **UpdateStack without Parameters never answers "No updates are to be performed."**
    (``responses.py`` ``_validate_different_update`` returns early when no Parameters are
    given). Expected (API UpdateStack): ValidationError "No updates are to be performed."
21. **Fn::GetAZs answers us-east-1 zones whatever the stack's region** (fidelity
    "Intrinsics"). ``parsing.py`` ``clean_json``, branch ``"Fn::GetAZs"``, returns
    ``<argument or DEFAULT_REGION>`` + a..d without consulting EC2: ``""`` gives
    us-east-1a..d, ``{"Ref": "AWS::Region"}`` is not resolved (``"{'Ref': ...}a"``), and a
    region with three zones gets four. Repro: in eu-central-1, an SSM parameter with Value
    ``{"Fn::Join": [",", {"Fn::GetAZs": ""}]}`` holds ``us-east-1a,...,us-east-1d``.
    Expected (Template Reference, Fn::GetAZs): "an array that lists Availability Zones for
    a specified Region in alphabetical order"; "Specifying an empty string is equivalent to
    specifying AWS::Region"; "only Availability Zones that have a default subnet unless
    none of the Availability Zones has a default subnet" -- eu-central-1a,b,c (the zones
    moto's EC2 DescribeAvailabilityZones answers for the region). We wrap
    ``parsing.clean_json`` (moto's own recursion looks the name up in its module, so it
    goes through the wrapper too) and answer from moto's EC2 backend of that region.
22. **ExecuteChangeSet ignores ExecutionStatus and keeps the stack's other change sets**
    (``models.py`` ``CloudFormationBackend.execute_change_set``). It never checks the
    change set's status, so a FAILED or already executed change set is applied (again);
    the stack's other change sets stay AVAILABLE and can still be executed against the
    updated stack; UpdateStack leaves them AVAILABLE too. ``describe_change_set`` answers
    an unknown change set with ``ValidationError`` "Stack with id <name> does not exist".
    Repro: change sets c1 and c2 (UPDATE) on one stack, execute c1 twice: no error, c2
    still AVAILABLE (and still after an UpdateStack). Expected (API ExecuteChangeSet:
    "CloudFormation deletes all other change sets associated with the stack"; errors
    InvalidChangeSetStatus, HTTP 400, and ChangeSetNotFound, HTTP 404): the second
    execution answers InvalidChangeSetStatus
    "ChangeSet [<ARN>] cannot be executed in its current execution status of
    [EXECUTE_COMPLETE]", c2 is gone (ChangeSetNotFound "ChangeSet [<ARN>] does not exist");
    after an UpdateStack the stack's change sets are OBSOLETE (API ChangeSetSummary).
23. **A missing export fails ExecuteChangeSet as an HTTP error** (``models.py``
    ``ChangeSet.apply`` -> ``parsing.clean_json`` raises ``ExportNotFound``). moto computes
    the change set as AWS does (CREATE_COMPLETE, AVAILABLE), but executing it answers 400
    ValidationError "No export named X found."; nothing is rolled back and the stack's
    events end with an UPDATE_IN_PROGRESS that never completes.
    Expected (AWS, recorded in localstack's AWS-validated
    ``test_change_set_exports_imports.snapshot.json``, 2025-08-05, and in user reports such
    as aws-cloudformation/aws-cloudformation-templates#263, aws/copilot-cli#4754): the
    change set is CREATE_COMPLETE / AVAILABLE; ExecuteChangeSet answers 200; the stack
    rolls back with "No export named X found. Rollback requested by user." and ends
    ROLLBACK_COMPLETE; if the export was created meanwhile, the execution succeeds. (The
    local AWS once failed such change sets at creation instead -- not what AWS does.)

Not emulated (yet): operations run synchronously (a poller never sees *_IN_PROGRESS; only
a request served while the operation runs does; CancelUpdateStack /
ContinueUpdateRollback / RollbackStack are not implemented);
resources are handled one at a time, so at most one fails; Custom:: resources are
reported complete as soon as the Lambda is invoked; Capabilities are not checked
(InsufficientCapabilitiesException); nested stacks run through moto's own
``Stack`` model; Fn::GetAZs of a region EC2 does not know answers [];
IMPORT change sets, stack sets, drift detection, DeleteStack's RetainResources,
DisableRollback on updates, the Transform section and Rules are not handled;
``RequiresRecreation: Conditionally`` is never reported (the registry schemas do not say
which properties need it); a GetAtt list attribute of a resource replaced in a change set
may be reported imprecisely (Fn::Select over its placeholder), and so may a property whose
import is unresolved (KNOWN_AFTER_APPLY as a changed value, evaluated Static); CreateStack
on a REVIEW_IN_PROGRESS stack (which AWS accepts, making its change sets OBSOLETE) answers
AlreadyExistsException; change sets are never CREATE_PENDING / CREATE_IN_PROGRESS (they
are computed synchronously).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from moto.cloudformation.exceptions import (
    AlreadyExistsException,
    CloudFormationError,
    ExportNotFound,
    MissingParameterError,
    ValidationError,
)
from moto.cloudformation import parsing
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.cloudformation.utils import generate_changeset_id, generate_stack_id, validate_create_change_set
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from . import _cfn
from . import _engine as engine
from . import _engine_template as tpl


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


class ChangeSet:
    """A change set as DescribeChangeSet / ListChangeSets show it (attribute names are
    what moto's serializer looks up)."""

    def __init__(self, backend: Any, stack: Any, name: str, kind: str, template: str, template_dict: dict[str, Any],
                 parameters: dict[str, Any], description: str | None, tags: dict[str, str] | None,
                 notification_arns: list[str] | None, role_arn: str | None, client_token: str | None):
        self.change_set_id = generate_changeset_id(name, backend.region_name, backend.account_id)
        self.change_set_name = name
        self.change_set_type = kind
        self.stack_id, self.stack_name = stack.stack_id, stack.name
        self.template, self.template_dict, self.parameters = template, template_dict, parameters
        self.description = description
        self.tags = tags
        self.notification_arns = notification_arns or []
        self.role_arn = role_arn
        self.client_token = client_token
        self.execution_token: str | None = None
        self.creation_time = utcnow()
        self.status = "CREATE_COMPLETE"
        self.execution_status = "AVAILABLE"
        self.status_reason: str | None = None
        self.changes: list[dict[str, Any]] = []
        self.include_nested_stacks = False
        # DescribeChangeSet's StatusReason with IncludePropertyValues when an import could
        # not be resolved while computing the change set (see _plan).
        self.property_values_warning: str | None = None

    def fail(self, reason: str) -> None:
        self.status, self.execution_status, self.status_reason = "FAILED", "UNAVAILABLE", reason


# ExecuteChangeSet's check of a change set's ExecutionStatus and its claim of it (the
# server serves requests in threads; two executions of one stack must not both start).
_EXECUTION_CLAIM = threading.Lock()


# ---------------------------------------------------------------- template and parameters


def _parse(body: Any) -> dict[str, Any]:
    try:
        # JSON first: moto tries (pure-Python) YAML first, slow on large JSON templates.
        parsed = _json_or_yaml(body) if isinstance(body, str) else body
    except Exception as error:
        raise ValidationError(message=f"Template format error: {error}") from None
    if not isinstance(parsed, dict):
        raise ValidationError(message="Template format error: JSON not well-formed.")
    if not parsed.get("Resources"):
        raise ValidationError(message="Template format error: At least one Resources member must be defined.")
    return parsed


def _json_or_yaml(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return Stack.parse_template(body)


def _effective_parameters(template_dict: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Each declared parameter's value as given, else its default (the strings AWS keeps)."""
    declared = template_dict.get("Parameters") or {}
    return {k: given[k] if k in given else slot.get("Default") for k, slot in declared.items()
            if k in given or "Default" in slot}


def _given_parameters(parameters: list[dict[str, Any]], previous: dict[str, Any]) -> dict[str, Any]:
    """The request's Parameters as name -> value, UsePreviousValue taken from ``previous``."""
    given = {}
    for p in parameters:
        key = p["ParameterKey"]
        if p.get("UsePreviousValue"):
            if key not in previous:
                raise ValidationError(message=f"Invalid input for parameter key {key}. Cannot use previous value")
            given[key] = previous[key]
        else:
            given[key] = p.get("ParameterValue", "")
    return given


def _context(backend: Any, stack: Any, template_dict: dict[str, Any], parameters: dict[str, Any]) -> tpl.Context:
    """Validates the template and parameters as AWS does synchronously; returns the
    resolution context (the region's exports as of now)."""
    declared = template_dict.get("Parameters") or {}
    unknown = [k for k in parameters if k not in declared]
    if unknown:
        raise ValidationError(message=f"Parameters: [{', '.join(unknown)}] do not exist in the template")
    tpl.validate_references(template_dict)
    try:
        ctx = tpl.Context(stack.stack_id, stack.name, dict(parameters), stack.tags or {},
                          region_name=backend.region_name, account_id=backend.account_id,
                          template=template_dict, cross_stack_resources=backend.exports)
        ctx.load()
    except MissingParameterError:
        missing = [k for k, slot in declared.items() if k not in parameters and "Default" not in slot]
        raise ValidationError(message=f"Parameters: [{', '.join(missing)}] must have values") from None
    tpl.creation_order(template_dict["Resources"])  # circular dependencies
    return ctx


def _execution_context(backend: Any, stack: Any, template_dict: dict[str, Any],
                       parameters: dict[str, Any]) -> tpl.Context:
    """``_context`` as an operation starts (CreateStack, UpdateStack, ExecuteChangeSet):
    every export the template imports must exist now, else the operation fails before
    touching a resource ("No export named X found.", moto's ExportNotFound wording)."""
    ctx = _context(backend, stack, template_dict, parameters)
    missing = tpl.missing_import(template_dict, ctx, backend.exports)
    if missing is not None:
        raise ExportNotFound(missing)
    return ctx


def _obsolete_change_sets(backend: Any, stack: Any) -> None:
    """A stack updated other than through one of its change sets: the change sets computed
    against it can no longer be executed (API ChangeSetSummary ExecutionStatus: "in an
    OBSOLETE state because the stack was already updated")."""
    for change_set in backend.change_sets.values():
        if change_set.stack_id == stack.stack_id and change_set.execution_status == "AVAILABLE":
            change_set.execution_status = "OBSOLETE"


def _find_stack(backend: Any, name_or_id: str) -> Any:
    for stack in backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id):
            return stack
    return None


def _check_updatable(stack: Any) -> None:
    if stack.status not in engine.UPDATABLE:
        raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")


def _check_types_kept(stack: Any, template_dict: dict[str, Any]) -> None:
    old = (stack.template_dict or {}).get("Resources") or {}
    changed = [k for k, r in template_dict["Resources"].items() if k in old and old[k].get("Type") != r.get("Type")]
    if changed:
        raise ValidationError(
            message="Update of resource type is not permitted. The new template modifies resource type of "
            f"the following resources: [{', '.join(changed)}]"
        )


# ---------------------------------------------------------------- backend: stacks


def create_stack(self: CloudFormationBackend, name: str, template: str, parameters: dict[str, Any],
                 notification_arns: list[str] | None = None, tags: dict[str, str] | None = None,
                 role_arn: str | None = None, enable_termination_protection: bool | None = False,
                 timeout_in_mins: int | None = None, stack_policy_body: str | None = None,
                 disable_rollback: bool = False) -> Stack:
    if _find_stack(self, name) is not None:
        raise AlreadyExistsException(f"Stack [{name}] already exists")
    stack = Stack(stack_id=generate_stack_id(name, self.region_name, self.account_id), name=name, template={},
                  parameters=parameters, account_id=self.account_id, region_name=self.region_name,
                  notification_arns=notification_arns, tags=tags, role_arn=role_arn,
                  enable_termination_protection=enable_termination_protection,
                  timeout_in_mins=timeout_in_mins, stack_policy_body=stack_policy_body)
    template_dict = _parse(template)
    _context(self, stack, template_dict, parameters)
    stack.template, stack.template_dict, stack.description = template, template_dict, template_dict.get("Description")
    stack.disable_rollback = bool(disable_rollback)
    self.stacks[stack.stack_id] = stack
    engine.run_create(self, stack, lambda: _execution_context(self, stack, template_dict, parameters), disable_rollback)
    return stack


def update_stack(self: CloudFormationBackend, name: str, template: str, role_arn: str | None,
                 parameters: list[dict[str, Any]], tags: dict[str, str] | None) -> Stack:
    stack = self.get_stack(name)
    _check_updatable(stack)
    previous = stack.stack_parameters
    given = _given_parameters(parameters, previous)
    template_dict = _parse(template)
    _check_types_kept(stack, template_dict)
    _context(self, stack, template_dict, given)
    unchanged = (template_dict == stack.template_dict
                 and _effective_parameters(template_dict, given) == previous
                 and (tags is None or tags == stack.tags))
    if unchanged:
        raise ValidationError(message="No updates are to be performed.")
    if tags is not None:
        stack.tags = tags
    if role_arn:
        stack.role_arn = role_arn
    _obsolete_change_sets(self, stack)
    engine.run_update(self, stack, template, template_dict, given,
                      lambda: _execution_context(self, stack, template_dict, given))
    return stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    """DeleteStack (the entry point stack_protection wraps); a missing stack is no error."""
    stack = _find_stack(self, name_or_stack_id)
    if stack is None:
        return
    _delete(self, stack)


def _delete(backend: Any, stack: Any) -> None:
    if not engine.run_delete(backend, stack):
        return
    backend.stacks.pop(stack.stack_id, None)
    backend.deleted_stacks[stack.stack_id] = stack
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    for arn in [a for a, cs in backend.change_sets.items() if cs.stack_id == stack.stack_id]:
        del backend.change_sets[arn]


# ---------------------------------------------------------------- backend: change sets


def create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                      parameters: dict[str, str], description: str, change_set_type: str,
                      notification_arns: list[str] | None = None, tags: dict[str, str] | None = None,
                      role_arn: str | None = None, client_token: str | None = None) -> tuple[str, str]:
    validate_create_change_set(change_set_name)
    stack = _find_stack(self, stack_name)
    if change_set_type == "CREATE":
        if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(
                message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{change_set_name}]."
            )
    elif change_set_type == "UPDATE":
        if stack is None:
            raise ValidationError(message=f"Stack [{stack_name}] does not exist")
        _check_updatable(stack)
    else:
        raise ValidationError(message=f"ChangeSetType {change_set_type} is not supported by the local AWS")
    if stack is not None:
        for existing in self.change_sets.values():
            if existing.stack_id == stack.stack_id and existing.change_set_name == change_set_name:
                if client_token and getattr(existing, "client_token", None) == client_token:
                    return existing.change_set_id, stack.stack_id  # a retried request
                raise AlreadyExistsException(f"ChangeSet [{change_set_name}] already exists")

    template_dict = _parse(template)
    probe = stack or Stack(stack_id=generate_stack_id(stack_name, self.region_name, self.account_id),
                           name=stack_name, template={}, parameters=parameters, account_id=self.account_id,
                           region_name=self.region_name, notification_arns=notification_arns, tags=tags,
                           role_arn=role_arn)
    if change_set_type == "UPDATE":
        _check_types_kept(stack, template_dict)
    _context(self, probe, template_dict, parameters)
    if stack is None:
        stack = probe
        self.stacks[stack.stack_id] = stack
        engine.event(stack, "REVIEW_IN_PROGRESS", "User Initiated")

    change_set = ChangeSet(self, stack, change_set_name, change_set_type, template, template_dict, parameters,
                           description, tags, notification_arns, role_arn, client_token)
    if (change_set_type == "UPDATE" and template_dict == stack.template_dict
            and _effective_parameters(template_dict, parameters) == stack.stack_parameters):
        change_set.fail("The submitted information didn't contain changes. Submit different information to create a change set.")
    else:
        try:
            change_set.changes, change_set.property_values_warning = _plan(
                self, stack, template_dict, parameters, change_set_type)
        except Exception as error:
            engine._log_bug(error)
            change_set.fail(engine.reason_of(error))
    self.change_sets[change_set.change_set_id] = change_set
    return change_set.change_set_id, stack.stack_id


def _plan(backend: Any, stack: Any, template_dict: dict[str, Any], parameters: dict[str, Any],
          kind: str) -> tuple[list[dict[str, Any]], str | None]:
    """The change set's ResourceChanges: the execution's resolved-property diff, run with
    placeholders for the physical ids only the execution will know, and for imports of
    exports that do not exist yet (AWS resolves imports when the change set is executed).
    Returns the changes and the IncludePropertyValues warning such an import causes."""
    ctx = _context(backend, stack, template_dict, parameters)
    ctx.planning = True
    warning = None
    live = {k: r for k, r in engine.records(stack).items() if r.instance is not None} if kind == "UPDATE" else {}
    for logical_id, res in live.items():
        ctx.set(logical_id, res.instance)
    old_parameters = stack.resource_map.resolved_parameters if kind == "UPDATE" else {}
    changed_parameters = {k for k, v in ctx.resolved_parameters.items() if old_parameters.get(k, object()) != v}
    resources = template_dict["Resources"]
    wanted = {k for k, r in resources.items() if ctx.condition_holds(r) and not tpl.is_null_type(r["Type"])}
    changes = []
    for logical_id in tpl.creation_order(resources, wanted):
        raw = resources[logical_id]
        props, missing = tpl.resolve_for_plan(raw, ctx)
        if missing is not None and warning is None:
            warning = ("[WARN] --include-property-values option can return incomplete ChangeSet data because: "
                       f"ChangeSet creation failed for resource [{logical_id}] because: No export named {missing}")
        res = live.get(logical_id)
        if res is None:
            changes.append({"Action": "Add", "LogicalResourceId": logical_id, "ResourceType": raw["Type"],
                            "Scope": [], "Details": []})
            ctx.set(logical_id, tpl.Pending(logical_id))
            continue
        planned = tpl.plan_modify(logical_id, res.resource_type, res.template, raw, res.props, props,
                                  changed_parameters, backend.region_name)
        if not planned.action:
            continue
        change = {"Action": "Modify", "LogicalResourceId": logical_id, "PhysicalResourceId": res.physical_id,
                  "ResourceType": res.resource_type, "Replacement": planned.replacement, "Scope": ["Properties"],
                  "Details": planned.details}
        if planned.replaces:
            policy = str(raw.get("UpdateReplacePolicy", "Delete"))
            change["PolicyAction"] = {"Retain": "ReplaceAndRetain", "Snapshot": "ReplaceAndSnapshot"}.get(policy, "ReplaceAndDelete")
            ctx.set(logical_id, tpl.Pending(logical_id))
        changes.append(change)
    for logical_id, res in live.items():
        if logical_id not in wanted:
            policy = str(res.template.get("DeletionPolicy", "Delete"))
            changes.append({"Action": "Remove", "LogicalResourceId": logical_id, "PhysicalResourceId": res.physical_id,
                            "ResourceType": res.resource_type, "Scope": [], "Details": [],
                            "PolicyAction": policy if policy in ("Retain", "Snapshot", "RetainExceptOnCreate") else "Delete"})
    return changes, warning


def describe_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> ChangeSet:
    if change_set_name in self.change_sets:
        return self.change_sets[change_set_name]
    if not change_set_name.startswith("arn:"):
        if not stack_name:
            raise ValidationError(message="StackName must be specified if ChangeSetName is not specified as an ARN.")
        for change_set in self.change_sets.values():
            if change_set.change_set_name == change_set_name and stack_name in (change_set.stack_name, change_set.stack_id):
                return change_set
    raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")


def delete_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = describe_change_set(self, change_set_name, stack_name)
    if change_set.execution_status == "EXECUTE_IN_PROGRESS":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be deleted in its current execution status of [EXECUTE_IN_PROGRESS]"
        )
    del self.change_sets[change_set.change_set_id]


def execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None,
                       client_request_token: str | None = None, disable_rollback: bool = False) -> None:
    with _EXECUTION_CLAIM:
        change_set = describe_change_set(self, change_set_name, stack_name)
        if change_set.execution_status != "AVAILABLE":
            if client_request_token and change_set.execution_token == client_request_token:
                return  # a retried call (AWS: the token makes it safe)
            what = (("status", change_set.status) if change_set.status != "CREATE_COMPLETE"
                    else ("execution status", change_set.execution_status))
            raise InvalidChangeSetStatus(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current {what[0]} of [{what[1]}]"
            )
        stack = self.stacks.get(change_set.stack_id)
        if stack is None:
            raise ValidationError(message=f"Stack [{change_set.stack_name}] does not exist")
        if change_set.change_set_type == "UPDATE":
            _check_updatable(stack)
        change_set.execution_token = client_request_token
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        # API ExecuteChangeSet: "When you execute a change set, CloudFormation deletes all
        # other change sets associated with the stack because they aren't valid for the
        # updated stack."
        for arn in [a for a, cs in self.change_sets.items() if cs.stack_id == stack.stack_id and cs is not change_set]:
            del self.change_sets[arn]
    token = engine.TOKEN.set(client_request_token)
    try:
        def make() -> tpl.Context:
            return _execution_context(self, stack, change_set.template_dict, change_set.parameters)

        if change_set.change_set_type == "CREATE":
            stack.template, stack.template_dict = change_set.template, change_set.template_dict
            stack.parameters, stack.description = change_set.parameters, change_set.template_dict.get("Description")
            stack.tags = change_set.tags or {}
            stack.notification_arns = change_set.notification_arns
            stack.role_arn = change_set.role_arn
            stack.disable_rollback = bool(disable_rollback)
            ok = engine.run_create(self, stack, make, disable_rollback)
        else:
            if change_set.tags:
                stack.tags = change_set.tags
            ok = engine.run_update(self, stack, change_set.template, change_set.template_dict, change_set.parameters, make)
    finally:
        engine.TOKEN.reset(token)
    stack.change_set_id = change_set.change_set_id
    change_set.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"


# ---------------------------------------------------------------- Stack: parameters and outputs


def _parameter_list(self: Stack) -> list[dict[str, Any]]:
    declared = (self.template_dict or {}).get("Parameters") or {}
    resolved = getattr(self.resource_map, "resolved_parameters", {})
    result = []
    for key, value in _effective_parameters(self.template_dict or {}, self.parameters or {}).items():
        slot = declared[key]
        entry = {"ParameterKey": key, "ParameterValue": "****" if slot.get("NoEcho") else tpl.as_text(value)}
        if str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and key in resolved:
            entry["ResolvedValue"] = tpl.as_text(resolved[key])
        result.append(entry)
    return result


def _stack_parameters(self: Stack) -> dict[str, Any]:
    return _effective_parameters(self.template_dict or {}, self.parameters or {})


def _outputs(self: Stack) -> list[dict[str, Any]] | None:
    if not hasattr(self, "engine_outputs"):
        return _cfn.original(Stack, "outputs").fget(self)
    return list(self.engine_outputs) or None


def _stack_exports(self: Stack) -> list[Any]:
    if not hasattr(self, "engine_exports"):
        return _cfn.original(Stack, "exports").fget(self)
    return self.engine_exports


# ---------------------------------------------------------------- intrinsic functions


def _clean_json(resource_json: Any, resources_map: Any) -> Any:
    """moto's ``clean_json`` with Fn::GetAZs answered from EC2 (issue 21); while a change
    set is computed, Fn::ImportValue of a missing export raises ``UnresolvedImport``
    (issue 23)."""
    if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
        region = parsing.clean_json(resource_json["Fn::GetAZs"], resources_map)
        return availability_zones(resources_map._account_id, region or resources_map._region_name)
    planning = getattr(resources_map, "planning", False)
    if isinstance(resource_json, dict) and "Fn::ImportValue" in resource_json and planning:
        name = parsing.clean_json(resource_json["Fn::ImportValue"], resources_map)
        export = (resources_map.cross_stack_resources or {}).get(name)
        if export is None:
            raise tpl.UnresolvedImport(name)
        return export.value
    return _cfn.original(parsing, "clean_json")(resource_json, resources_map)


def availability_zones(account_id: str, region: str) -> list[str]:
    """Fn::GetAZs: the Region's Availability Zones in alphabetical order, only those with
    a default subnet unless none has one (EC2 DescribeAvailabilityZones / DescribeSubnets)."""
    from moto.ec2.models import ec2_backends

    if region not in ec2_backends[account_id].regions:
        return []
    ec2 = ec2_backends[account_id][region]
    zones = sorted(z.name for z in ec2.describe_availability_zones() if z.zone_type == "availability-zone")
    with_default = {s.availability_zone for s in ec2.describe_subnets() if s.default_for_az}
    return [z for z in zones if z in with_default] or zones


# ---------------------------------------------------------------- responses


def _original(owner: type, name: str) -> Any:
    return _cfn.original(owner, name) if (owner, name) in _cfn.ORIGINALS else getattr(owner, name)


def _with_token(original: Any) -> Any:
    """Serves a request with its ClientRequestToken stamped on the events it causes."""

    def handler(self: CloudFormationResponse) -> Any:
        token = engine.TOKEN.set(self._get_param("ClientRequestToken"))
        try:
            return original(self)
        finally:
            engine.TOKEN.reset(token)

    return handler


def _create_stack_response(self: CloudFormationResponse) -> ActionResult:
    body = self._get_param("TemplateBody")
    if self._get_param("TemplateURL"):
        body = self._get_stack_from_s3_url(self._get_param("TemplateURL"))
    on_failure = self._get_param("OnFailure")
    disable = self._get_bool_param("DisableRollback", False) or on_failure == "DO_NOTHING"
    backend = self.cloudformation_backend
    token = engine.TOKEN.set(self._get_param("ClientRequestToken"))
    try:
        stack = backend.create_stack(
            name=self._get_param("StackName"),
            template=body,
            parameters=self._get_params_from_list(self._get_param("Parameters", [])),
            notification_arns=self._get_param("NotificationARNs", []),
            tags={t["Key"]: t["Value"] for t in self._get_param("Tags", [])},
            role_arn=self._get_param("RoleARN"),
            enable_termination_protection=self._get_param("EnableTerminationProtection"),
            timeout_in_mins=self._get_param("TimeoutInMinutes"),
            stack_policy_body=self._get_param("StackPolicyBody"),
            disable_rollback=disable,
        )
        if on_failure == "DELETE" and stack.status == "ROLLBACK_COMPLETE":
            _delete(backend, stack)
    finally:
        engine.TOKEN.reset(token)
    return ActionResult({"StackId": stack.stack_id})


def _create_change_set_response(self: CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack_name = self._get_param("StackName")
    kind = self._get_param("ChangeSetType", "UPDATE")  # AWS's default
    body, url = self._get_param("TemplateBody"), self._get_param("TemplateURL")
    use_previous = self._get_bool_param("UsePreviousTemplate", False)
    if (body or url) and use_previous:
        raise ValidationError(message="You cannot specify both usePreviousTemplate and Template Body/Template URL.")
    if not (body or url or use_previous):
        raise ValidationError(message="Either Template URL or Template Body must be specified.")
    stack = _find_stack(backend, stack_name)
    if use_previous:
        if stack is None:
            raise ValidationError(message=f"Stack [{stack_name}] does not exist")
        body = stack.template
    elif url:
        body = self._get_stack_from_s3_url(url)
    previous = stack.stack_parameters if stack is not None else {}
    parameters = _given_parameters(self._get_param("Parameters", []), previous)
    change_set_id, stack_id = backend.create_change_set(
        stack_name=stack_name,
        change_set_name=self._get_param("ChangeSetName"),
        template=body,
        parameters=parameters,
        description=self._get_param("Description"),
        change_set_type=kind,
        notification_arns=self._get_param("NotificationARNs", []),
        tags={t["Key"]: t["Value"] for t in self._get_param("Tags", [])} or None,
        role_arn=self._get_param("RoleARN"),
        client_token=self._get_param("ClientToken"),
    )
    return ActionResult({"Id": change_set_id, "StackId": stack_id})


def _describe_change_set_response(self: CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    cs = backend.describe_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    values = self._get_bool_param("IncludePropertyValues", False)
    changes = []
    for change in cs.changes:
        shown = dict(change)
        if not values:
            shown["Details"] = [
                {**d, "Target": {k: v for k, v in d["Target"].items() if k in ("Attribute", "Name", "RequiresRecreation")}}
                for d in change.get("Details", [])
            ]
        changes.append(shown)
    declared = cs.template_dict.get("Parameters") or {}
    parameters = {k: "****" if declared.get(k, {}).get("NoEcho") else tpl.as_text(v)
                  for k, v in _effective_parameters(cs.template_dict, cs.parameters).items()}
    return ActionResult({
        "ChangeSetName": cs.change_set_name,
        "ChangeSetId": cs.change_set_id,
        "StackId": cs.stack_id,
        "StackName": cs.stack_name,
        "Description": cs.description,
        "Parameters": parameters,
        "CreationTime": cs.creation_time,
        "ExecutionStatus": cs.execution_status,
        "Status": cs.status,
        "StatusReason": cs.status_reason or (cs.property_values_warning if values else None),
        "NotificationARNs": cs.notification_arns,
        "Tags": [{"Key": k, "Value": v} for k, v in (cs.tags or {}).items()],
        "Changes": changes,
        "IncludeNestedStacks": False,
    })


def _execute_change_set_response(self: CloudFormationResponse) -> EmptyResult:
    self.cloudformation_backend.execute_change_set(
        change_set_name=self._get_param("ChangeSetName"),
        stack_name=self._get_param("StackName"),
        client_request_token=self._get_param("ClientRequestToken"),
        disable_rollback=self._get_bool_param("DisableRollback", False),
    )
    return EmptyResult()


def _delete_change_set_response(self: CloudFormationResponse) -> EmptyResult:
    self.cloudformation_backend.delete_change_set(self._get_param("ChangeSetName"), self._get_param("StackName"))
    return EmptyResult()


def _list_change_sets_response(self: CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack = backend.get_stack(self._get_param("StackName"))
    return ActionResult({"Summaries": [cs for cs in backend.change_sets.values() if cs.stack_id == stack.stack_id]})


def _resource_row(stack: Any, res: engine.Resource, time_key: str, detail: bool = False) -> dict[str, Any]:
    row = {"LogicalResourceId": res.logical_id, "ResourceType": res.resource_type, time_key: res.timestamp,
           "ResourceStatus": res.status}
    if res.physical_id:
        row["PhysicalResourceId"] = res.physical_id
    if res.reason:
        row["ResourceStatusReason"] = res.reason
    if time_key == "Timestamp" or detail:
        row.update({"StackName": stack.name, "StackId": stack.stack_id})
    if detail and "Metadata" in res.template:
        row["Metadata"] = json.dumps(res.template["Metadata"])
    return row


def _list_stack_resources_response(self: CloudFormationResponse) -> ActionResult:
    stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))
    if not hasattr(stack, "engine_resources"):
        return _original(CloudFormationResponse, "list_stack_resources")(self)
    rows = [_resource_row(stack, r, "LastUpdatedTimestamp") for r in engine.records(stack).values()]
    return ActionResult({"StackResourceSummaries": rows})


def _describe_stack_resources_response(self: CloudFormationResponse) -> ActionResult:
    backend = self.cloudformation_backend
    stack_name, logical_id = self._get_param("StackName"), self._get_param("LogicalResourceId")
    physical_id = self._get_param("PhysicalResourceId")
    if stack_name:
        stack = backend.get_stack(stack_name)
    else:
        stack = next((s for s in backend.stacks.values()
                      if any(r.physical_id == physical_id for r in engine.records(s).values())), None)
        if stack is None:
            raise ValidationError(message=f"Stack for {physical_id} does not exist")
    if not hasattr(stack, "engine_resources"):
        return _original(CloudFormationResponse, "describe_stack_resources")(self)
    rows = [_resource_row(stack, r, "Timestamp") for r in engine.records(stack).values()
            if (not logical_id or r.logical_id == logical_id) and (stack_name or r.physical_id == physical_id)]
    return ActionResult({"StackResources": rows})


def _describe_stack_resource_response(self: CloudFormationResponse) -> ActionResult:
    stack_name, logical_id = self._get_param("StackName"), self._get_param("LogicalResourceId")
    stack = self.cloudformation_backend.get_stack(stack_name)
    if not hasattr(stack, "engine_resources"):
        return _original(CloudFormationResponse, "describe_stack_resource")(self)
    res = engine.records(stack).get(logical_id)
    if res is None:
        raise ValidationError(message=f"Resource {logical_id} does not exist for stack {stack_name}")
    return ActionResult({"StackResourceDetail": _resource_row(stack, res, "LastUpdatedTimestamp", detail=True)})


def install() -> None:
    _cfn.replace(parsing, "clean_json", _clean_json)
    for name, function in {
        "create_stack": create_stack,
        "update_stack": update_stack,
        "delete_stack": delete_stack,
        "create_change_set": create_change_set,
        "describe_change_set": describe_change_set,
        "delete_change_set": delete_change_set,
        "execute_change_set": execute_change_set,
    }.items():
        _cfn.replace(CloudFormationBackend, name, function)
    for name, function in {
        "parameter_list": _parameter_list,
        "stack_parameters": _stack_parameters,
        "outputs": _outputs,
        "exports": _stack_exports,
    }.items():
        _cfn.replace(Stack, name, function, kind="property")
    for name, function in {
        "create_stack": _create_stack_response,
        "update_stack": _with_token(_original(CloudFormationResponse, "update_stack")),
        "delete_stack": _with_token(_original(CloudFormationResponse, "delete_stack")),
        "create_change_set": _create_change_set_response,
        "describe_change_set": _describe_change_set_response,
        "execute_change_set": _execute_change_set_response,
        "delete_change_set": _delete_change_set_response,
        "list_change_sets": _list_change_sets_response,
        "list_stack_resources": _list_stack_resources_response,
        "describe_stack_resources": _describe_stack_resources_response,
        "describe_stack_resource": _describe_stack_resource_response,
    }.items():
        _cfn.replace(CloudFormationResponse, name, function)

