"""The CloudFormation engine's stack operations: create, update and delete a stack's
resources in dependency order through the models' handlers, with AWS's per-resource
events, rollback, replacement and cleanup phases. Runs synchronously (AWS runs them in
the background; the caller sees the same end state and events)."""

from __future__ import annotations

import contextvars
import inspect
import json
import logging
from typing import Any, Callable

from moto.cloudformation.parsing import Export, generate_resource_name
from moto.core.exceptions import ServiceException
from moto.core.utils import utcnow
from moto.ec2 import models as ec2_models
from moto.ec2.models.core import TaggedEC2Resource
from werkzeug.exceptions import HTTPException

from . import _engine_template as tpl

# The ClientRequestToken of the API call being served (set by the response handlers).
TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_request_token", default=None)

log = logging.getLogger("local_aws.cloudformation")

STACK_TYPE = "AWS::CloudFormation::Stack"
UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}


class EngineError(Exception):
    """A reason the engine itself gives a resource's failure."""


class NoUpdateHandler(EngineError):
    pass


class Resource:
    """One logical resource of a stack as the engine records it."""

    def __init__(self, logical_id: str, resource_type: str, template: dict[str, Any]):
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.template = template  # its JSON in the template last deployed
        self.props: dict[str, Any] = {}  # resolved properties (dynamic references as written)
        self.instance: Any = None  # moto's model object while the stack manages it
        self.name: str | None = None  # the name create_from_cloudformation_json got
        self.physical_id = ""
        self.status = ""
        self.reason: str | None = None
        self.timestamp = utcnow()

    def state(self) -> tuple[Any, ...]:
        return self.template, self.props, self.instance, self.name, self.physical_id

    def restore(self, state: tuple[Any, ...]) -> None:
        self.template, self.props, self.instance, self.name, self.physical_id = state

    def copy(self) -> "Resource":
        twin = Resource(self.logical_id, self.resource_type, self.template)
        twin.restore(self.state())
        return twin


def records(stack: Any) -> dict[str, Resource]:
    if not hasattr(stack, "engine_resources"):
        stack.engine_resources = {}
    return stack.engine_resources


def reason_of(error: BaseException) -> str:
    """An exception as a ResourceStatusReason: a service error's message, else type and text."""
    message = getattr(error, "message", None)
    if isinstance(error, EngineError):
        return str(error)
    if isinstance(error, ServiceException) or (isinstance(message, str) and message):
        return str(message)
    return f"{type(error).__name__}: {error}"


# ---------------------------------------------------------------- events


def event(stack: Any, status: str, reason: str | None = None, res: Resource | None = None) -> None:
    """Appends a stack event (the stack's own when ``res`` is None) and moves the status."""
    from moto.cloudformation.models import Event

    if res is None:
        logical, physical, kind = stack.name, stack.stack_id, STACK_TYPE
    else:
        logical, physical, kind = res.logical_id, res.physical_id, res.resource_type
    e = Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical,
        physical_resource_id=physical,
        resource_type=kind,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=json.dumps(res.template.get("Properties") or {}, default=str)
        if res is not None and status.endswith("_IN_PROGRESS") and status != "DELETE_IN_PROGRESS"
        else None,
    )
    e.client_request_token = TOKEN.get()
    e.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(e)
    if res is None:
        # stack_status_reason: the attribute DescribeStacks' StackStatusReason reads first.
        stack.status, stack.stack_status_reason = status, reason
    else:
        res.status, res.reason, res.timestamp = status, reason, e.timestamp


# ---------------------------------------------------------------- handlers


def _physical_id(instance: Any) -> str:
    value = getattr(instance, "physical_resource_id", None)
    return "" if value is None else str(value)


def _handler_json(stack: Any, res: Resource, props: dict[str, Any]) -> dict[str, Any]:
    resolved = tpl.resolve_dynamic(props, stack.account_id, stack.region_name)
    return {**{k: v for k, v in res.template.items() if k != "Properties"}, "Properties": resolved}


def create(stack: Any, res: Resource, props: dict[str, Any]) -> None:
    """Creates ``res``'s physical resource (moto's create_from_cloudformation_json
    contract) and records it; ``res`` is unchanged when the handler raises."""
    cls = tpl.model_class(res.resource_type)
    if cls is None:
        raise EngineError(
            f"Resource type {res.resource_type} is not emulated by the local AWS (moto has no CloudFormation model for it)"
        )
    cfn_json = _handler_json(stack, res, props)
    name_prop = tpl.name_property(res.resource_type)
    if name_prop and name_prop in props:
        name = props[name_prop]
    else:
        name = generate_resource_name(res.resource_type, stack.name, res.logical_id)
    instance = cls.create_from_cloudformation_json(
        name,
        cfn_json,
        stack.account_id,
        stack.region_name,
        LogicalId=res.logical_id,
        StackId=stack.stack_id,
        ResourceType=res.resource_type,
    )
    if instance is None:
        raise EngineError(f"the local AWS's model of {res.resource_type} created nothing")
    if isinstance(instance, TaggedEC2Resource):
        # What moto's ResourceMap.create does: stack tags and aws:cloudformation:* tags on EC2 resources.
        tags = {
            **(stack.tags or {}),
            "aws:cloudformation:stack-name": stack.name,
            "aws:cloudformation:stack-id": stack.stack_id,
            "aws:cloudformation:logical-id": res.logical_id,
        }
        ec2_models.ec2_backends[stack.account_id][stack.region_name].create_tags([instance.physical_resource_id], tags)
    _record(res, instance, name, props)


def _create_with_events(stack: Any, res: Resource, ctx: Any) -> str | None:
    """Creates ``res`` from its template as CreateStack and UpdateStack do, with its
    events; returns the stack's failure reason, or None when it was created."""
    event(stack, "CREATE_IN_PROGRESS", res=res)
    try:
        create(stack, res, tpl.resolve_properties(res.template, ctx))
    except Exception as error:
        _log_bug(error)
        event(stack, "CREATE_FAILED", reason_of(error), res=res)
        return f"The following resource(s) failed to create: [{res.logical_id}]."
    ctx.set(res.logical_id, res.instance)
    event(stack, "CREATE_IN_PROGRESS", "Resource creation Initiated", res=res)
    event(stack, "CREATE_COMPLETE", res=res)
    return None


def update(stack: Any, res: Resource, props: dict[str, Any]) -> None:
    """Updates ``res`` in place through its model's update handler."""
    cls = tpl.model_class(res.resource_type)
    if cls is None or not tpl.has_update_handler(cls):
        raise NoUpdateHandler(
            f"The local AWS cannot update {res.resource_type} in place: moto's model of it has no update "
            "handler (update_from_cloudformation_json), so the change was not applied"
        )
    name_prop = tpl.name_property(res.resource_type)
    name = props[name_prop] if name_prop and name_prop in props else res.name
    instance = cls.update_from_cloudformation_json(
        original_resource=res.instance,
        new_resource_name=name,
        cloudformation_json=_handler_json(stack, res, props),
        account_id=stack.account_id,
        region_name=stack.region_name,
    )
    if instance is None:
        raise EngineError(f"the local AWS's update handler of {res.resource_type} returned nothing")
    _record(res, instance, name, props)


def _record(res: Resource, instance: Any, name: Any, props: dict[str, Any]) -> None:
    """Keeps what a handler returned (moto's ResourceMap stamps the type and logical id)."""
    instance.cf_resource_type = res.resource_type
    instance.logical_resource_id = res.logical_id
    res.instance, res.name, res.props, res.physical_id = instance, str(name), props, _physical_id(instance)


def _binds(method: Callable[..., Any], *args: Any) -> bool:
    try:
        inspect.signature(method).bind(*args)
        return True
    except (TypeError, ValueError):
        return False


def delete(stack: Any, res: Resource) -> None:
    """Deletes ``res``'s physical resource: the instance's ``delete(account_id, region)``,
    else the class's ``delete_from_cloudformation_json(physical id, …)``."""
    if res.instance is None:
        return
    method = getattr(res.instance, "delete", None)
    if callable(method) and _binds(method, stack.account_id, stack.region_name):
        method(stack.account_id, stack.region_name)
        return
    cls = tpl.model_class(res.resource_type)
    if cls is not None and not hasattr(cls.delete_from_cloudformation_json, "__isabstractmethod__"):
        try:
            cfn_json = _handler_json(stack, res, res.props)
        except Exception:  # a dynamic reference that no longer resolves: the physical id suffices
            cfn_json = {**res.template, "Properties": res.props}
        cls.delete_from_cloudformation_json(res.physical_id, cfn_json, stack.account_id, stack.region_name)


def _policy(res: Resource, key: str, ctx: Any) -> str:
    value = res.template.get(key, "Delete")
    if isinstance(value, dict) and ctx is not None:
        value = tpl.clean_json(value, ctx)
    return str(value)


def remove(stack: Any, res: Resource, policy: str, retained: tuple[str, ...]) -> bool:
    """One resource's deletion with its events; ``retained``: the policies that keep it.
    Returns False when the handler failed (DELETE_FAILED)."""
    if res.instance is None:
        event(stack, "DELETE_COMPLETE", res=res)
        return True
    if policy in retained:
        event(stack, "DELETE_SKIPPED", res=res)
        res.instance = None
        return True
    event(stack, "DELETE_IN_PROGRESS", res=res)
    try:
        delete(stack, res)
    except Exception as error:
        _log_bug(error)
        event(stack, "DELETE_FAILED", reason_of(error), res=res)
        return False
    res.instance = None
    event(stack, "DELETE_COMPLETE", res=res)
    return True


def _log_bug(error: BaseException) -> None:
    """Logs the traceback of what looks like a bug in a model, not an error it answers."""
    if not isinstance(error, (ServiceException, HTTPException, EngineError)):
        log.warning("resource handler failed", exc_info=error)


# ---------------------------------------------------------------- protection hooks


def protection() -> Any:
    """local_aws.stack_protection, when it exists (another module implements it)."""
    try:
        from . import stack_protection
    except ImportError:
        return None
    return stack_protection


def _active_policy(stack: Any) -> str | None:
    """The stack policy governing this update (stack_protection knows about UpdateStack's
    StackPolicyDuringUpdateBody)."""
    module = protection()
    if module is not None and hasattr(module, "active_policy"):
        return module.active_policy(stack)
    return getattr(stack, "policy", None) or None


def _hook(name: str, *args: Any) -> Any:
    module = protection()
    function = getattr(module, name, None) if module else None
    return function(*args) if function else None


# ---------------------------------------------------------------- outputs and exports


def _exports(stack_id: str, entries: list[dict[str, Any]]) -> list[Export]:
    return [Export(stack_id, e["ExportName"], e["OutputValue"]) for e in entries if "ExportName" in e]


def _export_conflict(backend: Any, stack: Any, exports: list[Export]) -> str | None:
    seen: set[str] = set()
    for export in exports:
        if export.name in seen:
            return f"Template format error: duplicate export name {export.name}"
        seen.add(export.name)
        owner = backend.exports.get(export.name)
        if owner is not None and owner.exporting_stack_id != stack.stack_id:
            other = backend.stacks.get(owner.exporting_stack_id)
            return f"Export with name {export.name} is already exported by stack {other.name if other else owner.exporting_stack_id}"
    return None


def _commit_outputs(backend: Any, stack: Any, entries: list[dict[str, Any]], exports: list[Export]) -> None:
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id]:
        del backend.exports[name]
    for export in exports:
        backend.exports[export.name] = export
    stack.engine_outputs = entries
    stack.engine_exports = exports


def _set_imports(stack: Any, names: set[str]) -> None:
    _hook("set_imports", stack.account_id, stack.region_name, stack.name, names)


def _with_period(reason: str) -> str:
    reason = reason.rstrip()
    return reason if reason.endswith(".") else reason + "."


# ---------------------------------------------------------------- create


def run_create(
    backend: Any,
    stack: Any,
    make_context: Callable[[], Any],
    disable_rollback: bool = False,
) -> bool:
    """CreateStack / ExecuteChangeSet of a CREATE change set. ``stack.template_dict`` is
    the template; ``make_context`` builds the resolution context (exports as of now)."""
    res_map = records(stack)
    res_map.clear()
    stack.engine_outputs, stack.engine_exports = [], []
    event(stack, "CREATE_IN_PROGRESS", "User Initiated")
    failure = None
    ctx = None
    try:
        ctx = make_context()
        stack.resource_map = ctx
        resources = stack.template_dict["Resources"]
        wanted = {k for k, r in resources.items() if ctx.condition_holds(r) and not tpl.is_null_type(r["Type"])}
        order = tpl.creation_order(resources, wanted)
    except Exception as error:
        _log_bug(error)
        failure = _with_period(reason_of(error))
        order = []
    for logical_id in order:
        raw = stack.template_dict["Resources"][logical_id]
        res = res_map[logical_id] = Resource(logical_id, raw["Type"], raw)
        failure = _create_with_events(stack, res, ctx)
        if failure:
            break
    if failure is None:
        try:
            entries = tpl.outputs(stack.template_dict, ctx)
            exports = _exports(stack.stack_id, entries)
            failure = _export_conflict(backend, stack, exports)
        except Exception as error:
            _log_bug(error)
            failure = _with_period(reason_of(error))
    if failure is None:
        _commit_outputs(backend, stack, entries, exports)
        event(stack, "CREATE_COMPLETE")
        _set_imports(stack, tpl.import_names(stack.template_dict, ctx))
        return True
    if disable_rollback:
        event(stack, "CREATE_FAILED", _with_period(failure))
        return False
    event(stack, "ROLLBACK_IN_PROGRESS", f"{_with_period(failure)} Rollback requested by user.")
    ok = True
    for res in reversed(list(res_map.values())):
        ok &= remove(stack, res, _policy(res, "DeletionPolicy", ctx), ("Retain",))
        if ctx is not None:
            ctx.forget(res.logical_id)
    event(stack, "ROLLBACK_COMPLETE" if ok else "ROLLBACK_FAILED")
    return False


# ---------------------------------------------------------------- update


def run_update(
    backend: Any,
    stack: Any,
    template_body: str,
    template_dict: dict[str, Any],
    parameters: dict[str, Any],
    make_context: Callable[[], Any],
) -> bool:
    """UpdateStack / ExecuteChangeSet of an UPDATE change set: resources in the new
    template's dependency order, each compared by its resolved properties with what was
    deployed; replacements created first and their old resources deleted in the cleanup
    phase; a failure rolls everything back to the previous template."""
    res_map = records(stack)
    old_ctx = stack.resource_map
    old_template = stack.template_dict
    stack.last_updated_time = utcnow()
    event(stack, "UPDATE_IN_PROGRESS", "User Initiated")

    journal: list[tuple[str, Resource, tuple[Any, ...]]] = []  # what to undo on rollback
    replaced: list[Resource] = []  # old physical resources, deleted in the cleanup phase
    failure = None
    try:
        ctx = make_context()
        for logical_id, res in res_map.items():
            if res.instance is not None:
                ctx.set(logical_id, res.instance)
        resources = template_dict["Resources"]
        wanted = {k for k, r in resources.items() if ctx.condition_holds(r) and not tpl.is_null_type(r["Type"])}
        order = tpl.creation_order(resources, wanted)
        changed_parameters = {
            k for k, v in ctx.resolved_parameters.items() if old_ctx.resolved_parameters.get(k, object()) != v
        }
    except Exception as error:
        _log_bug(error)
        failure, order = _with_period(reason_of(error)), []

    policy = _active_policy(stack)
    for logical_id in order:
        raw = resources[logical_id]
        res = res_map.get(logical_id)
        if res is None or res.instance is None:
            res = res_map[logical_id] = Resource(logical_id, raw["Type"], raw)
            journal.append(("added", res, res.state()))
            failure = _create_with_events(stack, res, ctx)
            if failure:
                break
            continue

        before = res.state()
        try:
            props = tpl.resolve_properties(raw, ctx)
            planned = tpl.plan_modify(
                logical_id, res.resource_type, res.template, raw, res.props, props, changed_parameters, stack.region_name
            )
            denial = None
            if planned.action:
                action = "Update:Replace" if planned.replaces else "Update:Modify"
                denial = _hook("policy_denial", policy, logical_id, res.resource_type, action)
        except Exception as error:
            _log_bug(error)
            planned, denial = None, reason_of(error)
        if denial:
            event(stack, "UPDATE_FAILED", denial, res=res)
            failure = f"The following resource(s) failed to update: [{logical_id}]."
            break
        if not planned.action:
            journal.append(("kept", res, before))
            res.template = raw
            continue
        if planned.replaces:
            name_prop = tpl.name_property(res.resource_type)
            if name_prop and name_prop in props and res.props.get(name_prop) == props[name_prop]:
                event(
                    stack,
                    "UPDATE_FAILED",
                    "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                    f"Rename {props[name_prop]} and update the stack again.",
                    res=res,
                )
                failure = f"The following resource(s) failed to update: [{logical_id}]."
                break
            old = res.copy()
            event(stack, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.", res=res)
            try:
                res.template = raw
                create(stack, res, props)
            except Exception as error:
                _log_bug(error)
                res.restore(before)
                event(stack, "UPDATE_FAILED", reason_of(error), res=res)
                failure = f"The following resource(s) failed to update: [{logical_id}]."
                break
            journal.append(("replaced", res, before))
            replaced.append(old)
            event(stack, "UPDATE_IN_PROGRESS", "Resource creation Initiated", res=res)
        else:
            event(stack, "UPDATE_IN_PROGRESS", res=res)
            try:
                res.template = raw
                update(stack, res, props)
            except Exception as error:
                _log_bug(error)
                res.template = before[0]
                if not isinstance(error, NoUpdateHandler):
                    journal.append(("updated", res, before))  # the handler ran: roll it back too
                event(stack, "UPDATE_FAILED", reason_of(error), res=res)
                failure = f"The following resource(s) failed to update: [{logical_id}]."
                break
            journal.append(("updated", res, before))
        ctx.set(logical_id, res.instance)
        event(stack, "UPDATE_COMPLETE", res=res)

    removed = [] if failure else [r for k, r in res_map.items() if k not in wanted]
    for res in removed:
        denial = _hook("policy_denial", policy, res.logical_id, res.resource_type, "Update:Delete")
        if denial:
            event(stack, "UPDATE_FAILED", denial, res=res)
            failure = f"The following resource(s) failed to update: [{res.logical_id}]."
            break

    if failure is None:
        try:
            entries = tpl.outputs(template_dict, ctx)
            exports = _exports(stack.stack_id, entries)
            failure = _export_conflict(backend, stack, exports) or _hook(
                "export_update_refusal",
                stack.account_id,
                stack.region_name,
                stack.name,
                {e.name: e.value for e in getattr(stack, "engine_exports", [])},
                {e.name: e.value for e in exports},
            )
        except Exception as error:
            _log_bug(error)
            failure = _with_period(reason_of(error))

    if failure is not None:
        _roll_back_update(stack, res_map, journal, old_ctx, failure)
        return False

    event(stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    stack.template, stack.template_dict, stack.parameters = template_body, template_dict, parameters
    stack.description = template_dict.get("Description")
    stack.resource_map = ctx
    _commit_outputs(backend, stack, entries, exports)
    order_old = _order_or_empty(old_template)
    position = {k: i for i, k in enumerate(order_old)}
    doomed = [(r, "UpdateReplacePolicy") for r in replaced] + [(r, "DeletionPolicy") for r in removed]
    doomed.sort(key=lambda item: -position.get(item[0].logical_id, -1))
    for res, policy_key in doomed:
        holder = res if policy_key == "DeletionPolicy" else res_map[res.logical_id]
        remove(stack, res, _policy(holder, policy_key, old_ctx), ("Retain", "RetainExceptOnCreate"))
    for res in removed:
        del res_map[res.logical_id]
        ctx.forget(res.logical_id)
    event(stack, "UPDATE_COMPLETE")
    _set_imports(stack, tpl.import_names(template_dict, ctx))
    return True


def _order_or_empty(template: dict[str, Any]) -> list[str]:
    try:
        return tpl.creation_order(template.get("Resources") or {})
    except Exception:
        return list(template.get("Resources") or {})


def _roll_back_update(
    stack: Any,
    res_map: dict[str, Resource],
    journal: list[tuple[str, Resource, tuple[Any, ...]]],
    old_ctx: Any,
    failure: str,
) -> None:
    event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", failure + " " if failure.startswith("The following") else failure)
    ok = True
    discard: list[Resource] = []  # physical resources the failed update created
    for kind, res, before in reversed(journal):
        if kind == "kept":
            res.restore(before)
        elif kind == "added":
            discard.append(res)
        elif kind == "replaced":
            discard.append(res.copy())
            res.restore(before)
            event(stack, "UPDATE_IN_PROGRESS", res=res)
            event(stack, "UPDATE_COMPLETE", res=res)
        elif kind == "updated":
            event(stack, "UPDATE_IN_PROGRESS", res=res)
            res.template = before[0]
            try:
                update(stack, res, before[1])
            except Exception as error:
                _log_bug(error)
                event(stack, "UPDATE_FAILED", reason_of(error), res=res)
                ok = False
                continue
            event(stack, "UPDATE_COMPLETE", res=res)
    event(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    for res in discard:
        ok &= remove(stack, res, _policy(res, "DeletionPolicy", None), ("Retain",))
        if res_map.get(res.logical_id) is res:
            del res_map[res.logical_id]
    for logical_id, res in res_map.items():
        if res.instance is not None:
            old_ctx.set(logical_id, res.instance)
    event(stack, "UPDATE_ROLLBACK_COMPLETE" if ok else "UPDATE_ROLLBACK_FAILED")


# ---------------------------------------------------------------- delete


def run_delete(backend: Any, stack: Any) -> bool:
    """DeleteStack: resources in reverse dependency order, DeletionPolicy honoured.
    Returns False when a resource could not be deleted (stack DELETE_FAILED)."""
    res_map = records(stack)
    event(stack, "DELETE_IN_PROGRESS", "User Initiated")
    order = [k for k in reversed(_order_or_empty(stack.template_dict or {})) if k in res_map]
    order = [k for k in res_map if k not in order][::-1] + order
    ctx = getattr(stack, "resource_map", None)
    needs = tpl.dependencies((stack.template_dict or {}).get("Resources") or {})
    failed: list[str] = []
    kept: set[str] = set()  # failed, or needed by a resource still there: not attempted (as AWS)
    for logical_id in order:
        res = res_map[logical_id]
        if res.instance is None:
            continue
        if any(logical_id in needs.get(other, ()) for other in kept):
            kept.add(logical_id)
            continue
        if not remove(stack, res, _policy(res, "DeletionPolicy", ctx), ("Retain", "RetainExceptOnCreate")):
            failed.append(logical_id)
            kept.add(logical_id)
    if failed:
        event(stack, "DELETE_FAILED", f"The following resource(s) failed to delete: [{', '.join(failed)}]. ")
        return False
    stack.deletion_time = utcnow()
    event(stack, "DELETE_COMPLETE")
    _set_imports(stack, set())
    return True
