"""What the CloudFormation engine reads from a template, without touching any resource:
references and dependency order, the registry's create-only properties, the resolution
context (moto's ``ResourceMap`` without its lazy creation), dynamic references, and the
resolved-property diff that both DescribeChangeSet and the execution use.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import pathlib
import re
from dataclasses import dataclass, field
from typing import Any

from moto.cloudformation.custom_model import CustomModel
from moto.cloudformation.exceptions import UnsupportedAttribute, ValidationError
from moto.cloudformation import parsing
from moto.cloudformation.parsing import NULL_MODELS, ResourceMap

from . import _cfn

PSEUDO_PREFIX = "AWS::"


# ---------------------------------------------------------------- references and order


def clean_json(value: Any, ctx: Any) -> Any:
    """Resolves intrinsic functions through ``parsing.clean_json`` as installed (looked up
    at call time: ``local_aws.cloudformation`` wraps it, e.g. for Fn::GetAZs)."""
    return parsing.clean_json(value, ctx)


def _sub_names(template: str, variables: dict[str, Any]) -> set[str]:
    names = set()
    for name in re.findall(r"\$\{([^}]*)\}", template):
        if name.startswith("!") or name in variables:
            continue
        names.add(name.split(".")[0].strip())
    return names


def references(node: Any) -> tuple[set[str], set[str]]:
    """(names used by Ref/Fn::Sub, names used by Fn::GetAtt) anywhere in ``node``."""
    refs: set[str] = set()
    atts: set[str] = set()

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            for key, value in n.items():
                if key == "Ref" and isinstance(value, str):
                    refs.add(value)
                elif key == "Fn::GetAtt":
                    target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                    if isinstance(target, str):
                        atts.add(target)
                    if isinstance(value, list):
                        walk(value[1:])
                elif key == "Fn::Sub":
                    template, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
                    if isinstance(template, str):
                        refs.update(_sub_names(template, variables or {}))
                    walk(variables)
                else:
                    walk(value)
        elif isinstance(n, list):
            for item in n:
                walk(item)

    walk(node)
    return refs, atts


def depends_on(resource: dict[str, Any]) -> list[str]:
    value = resource.get("DependsOn") or []
    return [value] if isinstance(value, str) else list(value)


def validate_references(template: dict[str, Any]) -> None:
    """AWS's template checks on references (CreateChangeSet / CreateStack answer them)."""
    resources = template.get("Resources") or {}
    known = set(resources) | set(template.get("Parameters") or {})
    unresolved: list[str] = []
    for logical_id, resource in resources.items():
        refs, atts = references({k: v for k, v in resource.items() if k != "DependsOn"})
        for name in sorted(atts):
            if name not in resources:
                raise ValidationError(
                    message=f"Template error: instance of Fn::GetAtt references undefined resource {name}"
                )
        for name in sorted(refs) + depends_on(resource):
            if name not in known and not name.startswith(PSEUDO_PREFIX) and name not in unresolved:
                unresolved.append(name)
    if unresolved:
        raise ValidationError(
            message=f"Template format error: Unresolved resource dependencies [{', '.join(unresolved)}] "
            "in the Resources block of the template"
        )


def dependencies(resources: dict[str, Any]) -> dict[str, list[str]]:
    """Logical id -> the resources it needs first (Ref, Fn::GetAtt, Fn::Sub, DependsOn)."""
    graph = {}
    for logical_id, resource in resources.items():
        refs, atts = references({k: v for k, v in resource.items() if k != "DependsOn"})
        needed = [n for n in list(dict.fromkeys([*depends_on(resource), *sorted(refs | atts)])) if n in resources]
        graph[logical_id] = [n for n in needed if n != logical_id]
    return graph


def creation_order(resources: dict[str, Any], included: set[str] | None = None) -> list[str]:
    """Resources in dependency order (template order between independent ones); raises
    AWS's circular-dependency error."""
    graph = dependencies(resources)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = path[path.index(name):]
            raise ValidationError(
                message=f"Circular dependency between resources: [{', '.join(sorted(set(cycle)))}]"
            )
        state[name] = 1
        for needed in graph[name]:
            visit(needed, [*path, name])
        state[name] = 2
        order.append(name)

    for name in resources:
        visit(name, [])
    return [n for n in order if included is None or n in included]


def _imported(template: dict[str, Any], ctx: "Context", before_resources: bool = False) -> list[str]:
    """The export names the template imports (Fn::ImportValue) where its conditions hold,
    resolved, in template order (resources, then outputs); ``before_resources``: only the
    names that do not depend on a resource of the template."""
    names: dict[str, None] = {}
    resources = set(template.get("Resources") or {})

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            for key, value in n.items():
                if key == "Fn::ImportValue":
                    refs, atts = references(value)
                    if not (before_resources and (refs | atts) & resources):
                        names[str(clean_json(value, ctx))] = None
                else:
                    walk(value)
        elif isinstance(n, list):
            for item in n:
                walk(item)

    for logical_id, resource in (template.get("Resources") or {}).items():
        if ctx.condition_holds(resource):
            walk(resource)
    for output in (template.get("Outputs") or {}).values():
        if ctx.condition_holds(output):
            walk(output)
    return list(names)


def import_names(template: dict[str, Any], ctx: "Context") -> set[str]:
    """The export names the template imports (Fn::ImportValue), resolved."""
    return set(_imported(template, ctx))


def missing_import(template: dict[str, Any], ctx: "Context", exports: dict[str, Any]) -> str | None:
    """The first export name the template imports that ``exports`` (the region's, by
    name) lacks, or None. What an operation checks when it starts: AWS fails it with
    "No export named X found." before touching any resource."""
    return next((name for name in _imported(template, ctx, before_resources=True) if name not in exports), None)


class UnresolvedImport(Exception):
    """Raised while a change set is computed (``Context.planning``) by Fn::ImportValue of
    an export that does not exist (yet): its value is known only at execution."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


# ---------------------------------------------------------------- registry schemas

# Located without importing cfn-lint (its import takes seconds).
_SCHEMAS = pathlib.Path(importlib.util.find_spec("cfnlint").origin).parent / "data" / "schemas"
ALL = "*"  # every property is create-only (the type has no update handler)


@functools.cache
def _provider_index(region: str) -> dict[str, str]:
    path = _SCHEMAS / "providers" / f"{region}.json"
    if not path.exists():
        path = _SCHEMAS / "providers" / "eu-central-1.json"
    return json.loads(path.read_text())


@functools.cache
def create_only(resource_type: str, region: str = "eu-central-1") -> frozenset[str]:
    """The registry schema's ``createOnlyProperties`` (cfn-lint bundles the schemas) as
    paths below ``/properties/``: ``"QueueName"``, ``"ConnectionInput/Name"``,
    ``"Foo/*/Bar"`` (``*``: every item of an array). A type without an ``update``
    handler is immutable: ``{ALL}``."""
    digest = _provider_index(region).get(resource_type)
    if not digest:
        return frozenset()
    schema = json.loads((_SCHEMAS / "resources" / f"{digest}.json").read_text())
    if "update" not in (schema.get("handlers") or {"update": 1}):
        return frozenset({ALL})
    prefix = "/properties/"
    return frozenset(p[len(prefix):] for p in schema.get("createOnlyProperties", []) if p.startswith(prefix))


def _at(value: Any, segments: list[str]) -> Any:
    """What a pointer designates in ``value``: None where absent; through ``*`` the list
    of what it designates in each item (so an added or removed item is a change)."""
    for i, segment in enumerate(segments):
        if segment == "*":
            return [_at(item, segments[i + 1:]) for item in value] if isinstance(value, list) else None
        key = segment.replace("~1", "/").replace("~0", "~")  # JSON pointer escapes
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def requires_replacement(resource_type: str, prop: str, before: Any, after: Any, region: str) -> bool:
    """Whether changing top-level property ``prop`` from ``before`` to ``after`` replaces
    the resource: a create-only pointer at or below it designates different values (a
    nested pointer such as ``/properties/ConnectionInput/Name`` leaves the rest of
    ConnectionInput updatable in place)."""
    fixed = create_only(resource_type, region)
    if ALL in fixed:
        return True
    for path in fixed:
        segments = path.split("/")
        if segments[0] == prop and _at(before, segments[1:]) != _at(after, segments[1:]):
            return True
    return False


# ---------------------------------------------------------------- models


def model_class(resource_type: str) -> type | None:
    if resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
        return CustomModel
    return _cfn.model_map().get(resource_type)


def name_property(resource_type: str) -> str | None:
    cls = model_class(resource_type)
    name = cls.cloudformation_name_type() if cls and cls is not CustomModel else None
    return name or None


def has_update_handler(cls: type) -> bool:
    return not hasattr(cls.update_from_cloudformation_json, "__isabstractmethod__")


# ---------------------------------------------------------------- resolution context


class Pending:
    """Stands, while a change set is computed, for a resource whose physical id is known
    only after execution (added or replaced): its Ref and attributes are markers."""

    def __init__(self, logical_id: str):
        self.logical_id = logical_id

    @property
    def physical_resource_id(self) -> str:
        return marker(self.logical_id)

    def get_cfn_attribute(self, attr: str) -> str:
        return marker(f"{self.logical_id}.{attr}")


KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"


def marker(entity: str) -> str:
    return "{{changeSet:KNOWN_AFTER_APPLY:" + entity + "}}"


def pending_entities(value: Any) -> list[str]:
    return sorted(set(re.findall(r"\{\{changeSet:KNOWN_AFTER_APPLY:([^}]+)\}\}", json.dumps(value, default=str))))


class Context(ResourceMap):
    """moto's ResourceMap (parameters, mappings, conditions; resolution through
    ``clean_json``) whose lookups never create a resource: the engine creates them in
    dependency order itself."""

    # True while a change set is computed: Fn::ImportValue of a missing export raises
    # UnresolvedImport (see resolve_for_plan) instead of moto's ExportNotFound.
    planning = False

    def __getitem__(self, key: str) -> Any:
        if key in self._parsed_resources:
            return self._parsed_resources[key]
        if key in self._resource_json_map:
            return None  # not created: its condition is false
        raise KeyError(key)

    def load_parameters(self) -> None:
        super().load_parameters()
        # moto types only the values passed in; AWS applies the declared type to defaults too.
        for name, slot in (self._template.get("Parameters") or {}).items():
            value = self.resolved_parameters.get(name)
            if name in self.input_parameters or not isinstance(value, str):
                continue
            kind = slot.get("Type", "String")
            if kind == "CommaDelimitedList" or kind.startswith("List<"):
                value = value.split(",")
            if kind == "List<Number>":
                value = [_number(v) for v in value]
            elif kind == "Number":
                value = _number(value)
            self.resolved_parameters[name] = value
        for name, slot in (self._template.get("Parameters") or {}).items():
            if slot.get("NoEcho") and name not in self.no_echo_parameter_keys:
                self.no_echo_parameter_keys.append(name)
        self._parsed_resources.update(self.resolved_parameters)

    def validate_outputs(self) -> None:
        # moto's version dereferences a missing model class (500); unknown types fail at creation.
        for output in (self._template.get("Outputs") or {}).values():
            value = (output or {}).get("Value")
            if not isinstance(value, dict) or "Fn::GetAtt" not in value or not self.condition_holds(output):
                continue
            target, attr = _getatt(value["Fn::GetAtt"])
            resource = self._resource_json_map.get(target) or {}
            cls = model_class(resource.get("Type", ""))
            if cls is not None and self.condition_holds(resource) and not cls.has_cfn_attr(attr):
                kind = resource["Type"]
                raise UnsupportedAttribute(resource=kind[kind.rindex(":") + 1:], attr=attr)

    def condition_holds(self, node: dict[str, Any]) -> bool:
        condition = node.get("Condition") if isinstance(node, dict) else None
        return not condition or bool(self.lazy_condition_map[condition])

    def set(self, logical_id: str, instance: Any) -> None:
        self._parsed_resources[logical_id] = instance

    def forget(self, logical_id: str) -> None:
        self._parsed_resources.pop(logical_id, None)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _getatt(value: Any) -> tuple[str, str]:
    if isinstance(value, list):
        return value[0], ".".join(str(v) for v in value[1:])
    target, _, attr = str(value).partition(".")
    return target, attr


def resolve_properties(resource: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """The resource's Properties with every intrinsic function resolved (moto's
    ``clean_json``); dynamic references stay as written."""
    return clean_json(resource.get("Properties") or {}, ctx)


def resolve_for_plan(resource: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], str | None]:
    """``resolve_properties`` for a change set (``ctx.planning``): a top-level property
    that imports an export which does not exist is KNOWN_AFTER_APPLY (AWS computes the
    change set and resolves imports at execution). Returns the properties and the first
    such export name (None when every import resolved)."""
    props: dict[str, Any] = {}
    missing = None
    for key, value in (resource.get("Properties") or {}).items():
        try:
            props.update(clean_json({key: value}, ctx))
        except UnresolvedImport as unresolved:
            missing = missing or unresolved.name
            props[key] = KNOWN_AFTER_APPLY
    return props, missing


def outputs(template: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """Each output with a true condition, resolved once: {OutputKey, OutputValue, Description, ExportName}."""
    result = []
    for key, output in (template.get("Outputs") or {}).items():
        if not ctx.condition_holds(output):
            continue
        entry = {"OutputKey": key, "OutputValue": as_text(clean_json(output.get("Value"), ctx))}
        if output.get("Description") is not None:
            entry["Description"] = as_text(clean_json(output["Description"], ctx))
        if isinstance(output.get("Export"), dict) and "Name" in output["Export"]:
            entry["ExportName"] = as_text(clean_json(output["Export"]["Name"], ctx))
        result.append(entry)
    return result


def as_text(value: Any) -> str:
    """Output values are strings (a list, from a List parameter, is comma-joined)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(as_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return "" if value is None else str(value)


# ---------------------------------------------------------------- dynamic references

_DYNAMIC = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):((?:(?!\}\}).)+)\}\}")


def resolve_dynamic(value: Any, account_id: str, region: str) -> Any:
    """Replaces ``{{resolve:ssm:…}}``, ``{{resolve:ssm-secure:…}}`` and
    ``{{resolve:secretsmanager:…}}`` in every string, as CloudFormation does when it
    calls a resource handler."""
    if isinstance(value, dict):
        return {k: resolve_dynamic(v, account_id, region) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dynamic(v, account_id, region) for v in value]
    if isinstance(value, str) and "{{resolve:" in value:
        return _DYNAMIC.sub(lambda m: _dynamic_value(m.group(1), m.group(2), account_id, region), value)
    return value


def _dynamic_value(service: str, reference: str, account_id: str, region: str) -> str:
    if service in ("ssm", "ssm-secure"):
        from moto.ssm.models import ssm_backends

        try:
            parameter = ssm_backends[account_id][region].get_parameter(reference)
        except Exception:
            parameter = None
        if parameter is None:
            raise ValidationError(message=f"Parameters: [{reference}] cannot be found.")
        if (parameter.parameter_type == "SecureString") != (service == "ssm-secure"):
            raise ValidationError(
                message=f"Parameter {reference} of type {parameter.parameter_type} cannot be referenced with {service}"
            )
        return parameter.decrypt(parameter.value) if service == "ssm-secure" else parameter.value

    from moto.secretsmanager.models import secretsmanager_backends

    parts = reference.split(":")
    cut = 7 if reference.startswith("arn:") else 1
    secret_id, rest = ":".join(parts[:cut]), parts[cut:] + [""] * 4
    secret_string, json_key, version_stage, version_id = rest[:4]
    if secret_string not in ("", "SecretString"):
        raise ValidationError(message=f"Invalid dynamic reference {{{{resolve:secretsmanager:{reference}}}}}")
    answer = secretsmanager_backends[account_id][region].get_secret_value(
        secret_id, version_id or None, version_stage or None
    )
    text = answer.get("SecretString", "")
    if not json_key:
        return text
    try:
        found = json.loads(text)[json_key]
    except (ValueError, KeyError, TypeError):
        raise ValidationError(
            message=f"Could not find SecretString key {json_key} in secret {secret_id}"
        ) from None
    return found if isinstance(found, str) else json.dumps(found)


# ---------------------------------------------------------------- the resolved-property diff


@dataclass
class Planned:
    """What happens to one resource in an update: ``action`` Add, Modify or Remove (or
    None when unchanged); for Modify, ``replacement`` True/False/"Conditional"."""

    logical_id: str
    resource_type: str
    action: str | None
    props: dict[str, Any] = field(default_factory=dict)
    replacement: str = "False"
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def replaces(self) -> bool:
        return self.replacement != "False"


def plan_modify(
    logical_id: str,
    resource_type: str,
    old_raw: dict[str, Any],
    new_raw: dict[str, Any],
    old_props: dict[str, Any],
    new_props: dict[str, Any],
    changed_parameters: set[str],
    region: str,
) -> Planned:
    """Compares the recorded resolved properties with the new ones per top-level property
    (a detail's Target.Name, as AWS reports it); its RequiresRecreation is "Always" when a
    create-only path at or below that property changed, else "Never"."""
    planned = Planned(logical_id, resource_type, None, new_props)
    old_raw_props = old_raw.get("Properties") or {}
    new_raw_props = new_raw.get("Properties") or {}
    names = list(dict.fromkeys([*new_props, *old_props]))
    for name in names:
        before, after = old_props.get(name), new_props.get(name)
        if before == after:
            continue
        recreation = "Always" if requires_replacement(resource_type, name, before, after, region) else "Never"
        sources: list[tuple[str, str, str | None]] = []
        if old_raw_props.get(name) != new_raw_props.get(name):
            sources.append(("Static", "DirectModification", None))
        refs, _ = references(new_raw_props.get(name))
        sources += [("Static", "ParameterReference", p) for p in sorted(refs & changed_parameters)]
        for entity in pending_entities(after):
            sources.append(("Dynamic", "ResourceAttribute" if "." in entity else "ResourceReference", entity))
        if not sources:
            sources.append(("Static", "DirectModification", None))
        for evaluation, source, entity in sources:
            detail: dict[str, Any] = {
                "Target": {
                    "Attribute": "Properties",
                    "Name": name,
                    "RequiresRecreation": recreation,
                    "Path": f"/Properties/{name}",
                    "BeforeValue": _shown(before),
                    "AfterValue": _shown(after),
                    "AttributeChangeType": "Add" if name not in old_props else "Remove" if name not in new_props else "Modify",
                },
                "Evaluation": evaluation,
                "ChangeSource": source,
            }
            if entity:
                detail["CausingEntity"] = entity
            planned.details.append(detail)
    if planned.details:
        planned.action = "Modify"
        always = [d for d in planned.details if d["Target"]["RequiresRecreation"] == "Always"]
        if any(d["Evaluation"] == "Static" for d in always):
            planned.replacement = "True"
        elif always:
            planned.replacement = "Conditional"
    return planned


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return re.sub(r"\{\{changeSet:KNOWN_AFTER_APPLY:[^}]+\}\}", KNOWN_AFTER_APPLY, text)


def is_null_type(resource_type: str) -> bool:
    return resource_type in NULL_MODELS
