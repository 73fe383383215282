"""What every extension module shares: registering CloudFormation models with moto,
replacing a moto method while keeping the original for the probe tests, and the small
conversions CloudFormation templates need.

moto maps resource types through ``CloudFormationModel.__subclasses__()`` behind three
``lru_cache``s in ``moto.cloudformation.parsing``. A new type must therefore be a *direct*
subclass of ``CloudFormationModel`` (mixins first are fine), defined in a module
``local_aws.<service>`` (moto's model tracker reads the second part of the module path),
kept alive by a strong reference (``__subclasses__`` holds weak ones), and the caches
cleared after it is defined.
"""

import json
from typing import Any, Callable

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.core.common_models import CloudFormationModel

# Strong references to our model classes, by CloudFormation type.
MODELS: dict[str, type] = {}
# (class, attribute) -> moto's original, for the probe tests.
ORIGINALS: dict[tuple[type, str], Any] = {}


def refresh_model_caches() -> None:
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def model(cls: type) -> type:
    """Class decorator: registers ``cls`` as the model of its CloudFormation type.

    A registered class replaces a moto model of the same type (the engine and moto's
    parser look types up through ``parsing.get_model_map()``)."""
    assert CloudFormationModel in cls.__bases__, f"{cls} must subclass CloudFormationModel directly"
    MODELS[cls.cloudformation_type()] = cls
    refresh_model_caches()
    return cls


def model_map() -> dict[str, type]:
    """Type -> model class, ours winning over moto's for the same type."""
    mapping = dict(parsing.get_model_map())
    mapping.update(MODELS)
    return mapping


def replace(owner: type, name: str, new: Callable[..., Any], kind: str = "method") -> None:
    """Replaces ``owner.name`` by ``new`` (``kind``: method, classmethod, staticmethod or
    property), keeping moto's original in ``ORIGINALS`` once."""
    key = (owner, name)
    if key not in ORIGINALS:
        ORIGINALS[key] = owner.__dict__.get(name, getattr(owner, name, None))
    wrapped = {"method": lambda f: f, "classmethod": classmethod, "staticmethod": staticmethod, "property": property}[kind](new)
    setattr(owner, name, wrapped)


def original(owner: type, name: str) -> Any:
    """moto's implementation of ``owner.name`` before we replaced it (bound as moto had it)."""
    raw = ORIGINALS[(owner, name)]
    if isinstance(raw, (classmethod, staticmethod)):
        return raw.__get__(None, owner)
    return raw


class Attributes:
    """Fn::GetAtt from a table: ``ATTRIBUTES`` maps each attribute name to the instance
    attribute holding its value; any other name is unknown (moto's
    ``UnformattedGetAttTemplateException``). A mixin: ``class X(Attributes, CloudFormationModel)``."""

    ATTRIBUTES: dict[str, str] = {}

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.ATTRIBUTES[attribute_name])


class Resource(Attributes):
    """A model class of our own, described by class attributes: ``TYPE`` (its
    CloudFormation type), ``NAME_PROPERTY`` (the property that names it, "" when none does
    or a replacement may keep the name), ``REF`` (the instance attribute holding its
    physical id, what Ref returns) and ``ATTRIBUTES`` (Fn::GetAtt, see ``Attributes``).
    ``delete`` deletes by physical id through ``delete_from_cloudformation_json``.
    A mixin: ``class X(Resource, CloudFormationModel)``."""

    TYPE = ""
    NAME_PROPERTY = ""
    REF = "id"

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @property
    def physical_resource_id(self) -> str:
        return getattr(self, self.REF)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.physical_resource_id, {}, account_id, region_name)


def tags_to_dict(tags: Any) -> dict[str, str]:
    """CloudFormation tags: a list of ``{Key, Value}`` for most types, a plain map for some
    (e.g. ``AWS::SSM::Parameter``, ``AWS::Glue::Job``)."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t.get("Value", "")) for t in tags}


def sync_tags(old: Any, new: Any, untag: Callable[[list[str]], Any], tag: Callable[[dict[str, str]], Any]) -> None:
    """Applies a template's Tags (old and new, as ``tags_to_dict`` takes them) through the
    service's own calls: keys dropped from the template go (``untag(keys)``), the
    template's are set (``tag(mapping)``); keys the template never set (aws:cloudformation:*,
    out-of-band ones) are left alone."""
    old_tags, new_tags = tags_to_dict(old), tags_to_dict(new)
    gone = [key for key in old_tags if key not in new_tags]
    if gone:
        untag(gone)
    if new_tags:
        tag(new_tags)


def stack_tags(kwargs: dict[str, Any]) -> dict[str, str]:
    """The system tags CloudFormation adds to the resources it creates, from the keyword
    arguments of ``create_from_cloudformation_json`` (StackId, LogicalId)."""
    stack_id, logical_id = kwargs.get("StackId"), kwargs.get("LogicalId")
    if not stack_id or not logical_id:
        return {}
    return {
        "aws:cloudformation:stack-name": stack_id.split("/")[1],
        "aws:cloudformation:stack-id": stack_id,
        "aws:cloudformation:logical-id": logical_id,
    }


def already_exists(resource_type: str, identifier: str) -> ValidationError:
    """CloudFormation's error for a create whose name is taken."""
    return ValidationError(message=f"Resource of type '{resource_type}' with identifier '{identifier}' already exists.")


def not_in_place(resource_type: str, what: str) -> ValidationError:
    """The error for an update that changes createOnly properties (``what`` names them):
    AWS replaces such resources, which is the engine's job (create new, delete old)."""
    return ValidationError(message=f"{resource_type}: {what} cannot be updated in place (createOnly)")


def as_bool(value: Any, default: bool = False) -> bool:
    """Template booleans may arrive as ``true`` or ``"true"`` (after Ref of a parameter)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def as_int(value: Any, default: int | None = None) -> int | None:
    if value is None:
        return default
    return int(value)


def to_shape(value: Any, shape: Any) -> Any:
    """Coerces template values to the types of a botocore API shape (e.g.
    ``service_model.operation_model("CreateFunction").input_shape``): numbers and booleans
    may arrive as strings from parameters, strings as numbers from other resources'
    attributes. Strings stay strings as CloudFormation would send them (5432 -> "5432",
    True -> "true"); integers and booleans become such; unknown members pass unchanged."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: to_shape(v, shape.members[k]) if k in shape.members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [to_shape(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {str(k): to_shape(v, shape.value) for k, v in value.items()}
    if kind == "string" and not isinstance(value, str) and value is not None:
        return json.dumps(value)
    if kind in ("integer", "long") and value is not None:
        return int(value)
    if kind == "boolean" and isinstance(value, str):
        return value.lower() == "true"
    return value


def properties(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    return cloudformation_json.get("Properties") or {}


def _implemented(cls: type, name: str) -> bool:
    method = getattr(cls, name, None)
    return method is not None and not getattr(method, "__isabstractmethod__", False)


def complete_types() -> list[str]:
    """Types whose model can be created, updated in place and deleted through
    CloudFormation (moto's own models count when they have all three handlers)."""
    return sorted(
        resource_type
        for resource_type, cls in model_map().items()
        if _implemented(cls, "create_from_cloudformation_json")
        and _implemented(cls, "update_from_cloudformation_json")
        and (_implemented(cls, "delete_from_cloudformation_json") or "delete" in vars(cls))
    )


def replaced(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
    """An update that changes a createOnly property: the engine replaces such resources
    itself, but if an update handler is called anyway, replace (create the new one, delete
    the old) rather than drop the resource."""
    new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
    original_resource.delete(account_id, region_name)
    return new
