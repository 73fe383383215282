#!/usr/bin/env python3
"""Generate src/cfn/registry/generated.rs from the CloudFormation registry data
shipped inside the pinned cfn-lint package.

Run it with the project venv's python (bash scripts/gen-registry.sh does that):

    .venv/bin/python scripts/gen_registry.py           # (re)write the Rust file
    .venv/bin/python scripts/gen_registry.py --check   # exit 1 if it is stale

Inputs (all read from the installed cfn-lint package's bundled data, never from
cfn-lint's user download cache, so the output depends only on the pin):

* schemas/providers/<region>.json: resource type name -> schema hash; the schema
  itself is schemas/resources/<hash>.json.
* schemas/extensions/aws_rds_dbinstance/engine_version.json and
  engine_version_deprecated.json: the RDS engine version enums.
* AdditionalSpecs/LmbdRuntimeLifecycle.json: Lambda runtime lifecycle dates.
* AdditionalSpecs/Policies.json: the IAM actions that exist (handler permissions
  IAM does not know are dropped; they cannot be granted).

Only the resource types listed in scripts/registry-types.txt are emitted. The
output is deterministic: every list is sorted and nothing machine-specific
(paths, timestamps) is written.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path

REGION = "eu-central-1"
ENGINE = "postgres"

ROOT = Path(__file__).resolve().parent.parent
TYPES_FILE = ROOT / "scripts" / "registry-types.txt"
REQUIREMENTS_FILE = ROOT / "scripts" / "requirements.txt"
OUTPUT_REL = "src/cfn/registry/generated.rs"
OUTPUT = ROOT / OUTPUT_REL

# Registry schema key -> ResourceSchema field.
PROPERTY_LISTS = [
    ("createOnlyProperties", "create_only"),
    ("conditionalCreateOnlyProperties", "conditional_create_only"),
    ("writeOnlyProperties", "write_only"),
    ("readOnlyProperties", "read_only"),
    ("primaryIdentifier", "primary_identifier"),
]

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class GenError(Exception):
    pass


# ---------------------------------------------------------------------------
# Inputs


def cfnlint_data_dir() -> Path:
    try:
        import cfnlint
    except ImportError as e:
        raise GenError(
            f"cannot import cfnlint with {sys.executable}: {e}; "
            "run bash scripts/setup.sh and use .venv/bin/python"
        ) from e
    return Path(os.path.dirname(cfnlint.__file__)) / "data"


def cfnlint_version() -> str:
    installed = metadata.version("cfn-lint")
    pinned = None
    for line in REQUIREMENTS_FILE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*cfn-lint\s*==\s*([^\s#;]+)", line)
        if m:
            pinned = m.group(1)
    if pinned is None:
        raise GenError(f"no cfn-lint==VERSION pin found in {REQUIREMENTS_FILE.relative_to(ROOT)}")
    if installed != pinned:
        raise GenError(
            f"installed cfn-lint {installed} does not match the pin {pinned} in "
            "scripts/requirements.txt; run bash scripts/setup.sh"
        )
    return installed


def load_json(path: Path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError as e:
        raise GenError(f"missing cfn-lint data file {path}") from e


def read_types() -> list[str]:
    types: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(TYPES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not re.fullmatch(r"[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+", line):
            raise GenError(f"scripts/registry-types.txt:{n}: not a resource type name: {raw!r}")
        if line in seen:
            raise GenError(f"scripts/registry-types.txt:{n}: duplicate resource type {line}")
        seen.add(line)
        types.append(line)
    if not types:
        raise GenError("scripts/registry-types.txt lists no resource types")
    return sorted(types)


def pointer_to_path(type_name: str, key: str, pointer: str) -> str:
    prefix = "/properties/"
    if not isinstance(pointer, str) or not pointer.startswith(prefix) or pointer == prefix:
        raise GenError(f"{type_name} {key}: unexpected JSON pointer {pointer!r}")
    if "~" in pointer:
        # ~0 / ~1 escapes would make the A/B path form ambiguous.
        raise GenError(f"{type_name} {key}: escaped JSON pointer not supported: {pointer!r}")
    path = pointer[len(prefix):]
    if any(seg == "" for seg in path.split("/")):
        raise GenError(f"{type_name} {key}: empty segment in JSON pointer {pointer!r}")
    return path


DEPLOY_HANDLERS = ("create", "read", "update", "delete")


def is_iam_action(iam_actions: dict, permission: str) -> bool:
    service, _, action = permission.partition(":")
    known = iam_actions.get(service, {}).get("Actions", {})
    return action.lower() in known


def resource_schemas(data: Path, types: list[str]) -> list[dict]:
    iam_actions = load_json(data / "AdditionalSpecs" / "Policies.json")
    schemas_dir = data / "schemas"
    providers = load_json(schemas_dir / "providers" / f"{REGION}.json")
    missing = [t for t in types if t not in providers]
    if missing:
        raise GenError(
            f"resource type(s) not in the cfn-lint registry for {REGION}: "
            + ", ".join(missing)
            + " (check the spelling in scripts/registry-types.txt)"
        )
    out = []
    for type_name in types:
        schema = load_json(schemas_dir / "resources" / f"{providers[type_name]}.json")
        if schema.get("typeName") != type_name:
            raise GenError(
                f"schema {providers[type_name]}.json for {type_name} has typeName {schema.get('typeName')!r}"
            )
        entry = {"type_name": type_name}
        for key, field in PROPERTY_LISTS:
            pointers = schema.get(key, [])
            if not isinstance(pointers, list):
                raise GenError(f"{type_name} {key}: expected a list, got {type(pointers).__name__}")
            entry[field] = sorted({pointer_to_path(type_name, key, p) for p in pointers})
        if not entry["primary_identifier"]:
            raise GenError(f"{type_name}: schema has no primaryIdentifier")
        # What CloudFormation calls on the deployer's behalf to create, read, update
        # and delete the type (the deploy role's policy is built from these).
        # Some schemas list actions IAM does not have (typos such as `rest.put.object`);
        # they cannot be granted, so only actions in cfn-lint's IAM action list are kept.
        handlers = schema.get("handlers", {})
        entry["deploy_permissions"] = sorted(
            p
            for p in {p for h in DEPLOY_HANDLERS for p in handlers.get(h, {}).get("permissions", [])}
            if is_iam_action(iam_actions, p)
        )
        out.append(entry)
    return out


def version_key(version: str):
    parts = re.split(r"[.-]", version)
    # (0, n) sorts numeric parts before (1, text) parts and keeps the key comparable.
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts], version


def engine_enum(blocks, engine: str, file: str, where: str) -> list[str]:
    found = []
    for block in blocks:
        cond = block.get("if", {}) if isinstance(block, dict) else {}
        if cond.get("properties", {}).get("Engine", {}).get("const") != engine:
            continue
        holder = block.get("then") if where == "then" else cond
        enum = holder.get("properties", {}).get("EngineVersion", {}).get("enum") if isinstance(holder, dict) else None
        if enum is None:
            raise GenError(f"{file}: block for Engine={engine} has no {where}.properties.EngineVersion.enum")
        found.append(enum)
    if len(found) != 1:
        raise GenError(f"{file}: expected exactly one if/then block for Engine={engine}, found {len(found)}")
    versions = found[0]
    if not all(isinstance(v, str) for v in versions):
        raise GenError(f"{file}: non-string EngineVersion for Engine={engine}")
    return sorted(set(versions), key=version_key)


def engine_versions(data: Path) -> dict:
    ext = data / "schemas" / "extensions" / "aws_rds_dbinstance"
    known_file = "engine_version.json"
    deprecated_file = "engine_version_deprecated.json"
    # engine_version.json: if Engine == X then EngineVersion in enum.
    known = engine_enum(load_json(ext / known_file)["allOf"], ENGINE, known_file, "then")
    # engine_version_deprecated.json: if Engine == X and EngineVersion in enum then false.
    deprecated = engine_enum(load_json(ext / deprecated_file)["allOf"], ENGINE, deprecated_file, "if")
    unknown = [v for v in deprecated if v not in set(known)]
    if unknown:
        raise GenError(
            f"{deprecated_file}: deprecated {ENGINE} versions missing from {known_file}: {', '.join(unknown)}"
        )
    return {"engine": ENGINE, "known": known, "deprecated": deprecated}


def lambda_runtimes(data: Path) -> list[dict]:
    raw = load_json(data / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json")
    out = []
    for name in sorted(raw):
        entry = raw[name]
        rec = {"name": name}
        for key, field in [
            ("deprecated", "deprecated"),
            ("create-block", "create_block"),
            ("update-block", "update_block"),
            ("successor", "successor"),
        ]:
            if key not in entry:
                raise GenError(f"LmbdRuntimeLifecycle.json: {name} has no {key!r}")
            value = entry[key]
            if value is not None and not isinstance(value, str):
                raise GenError(f"LmbdRuntimeLifecycle.json: {name}.{key} is not a string or null: {value!r}")
            if value is not None and field != "successor" and not DATE_RE.match(value):
                raise GenError(f"LmbdRuntimeLifecycle.json: {name}.{key} is not YYYY-MM-DD: {value!r}")
            rec[field] = value
        out.append(rec)
    return out


# ---------------------------------------------------------------------------
# Rust output


def rust_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    out.append('"')
    return "".join(out)


def rust_opt(s: str | None) -> str:
    return "None" if s is None else f"Some({rust_str(s)})"


def rust_list(items: list[str], indent: str, prefix_len: int, width: int = 100) -> str:
    """A `&[..]` slice literal: on one line if it fits, else one item per line."""
    if not items:
        return "&[]"
    one_line = "&[" + ", ".join(rust_str(i) for i in items) + "]"
    if prefix_len + len(one_line) + 1 <= width:
        return one_line
    inner = indent + "    "
    return "&[\n" + "".join(f"{inner}{rust_str(i)},\n" for i in items) + indent + "]"


def render(source: str, schemas: list[dict], pg: dict, runtimes: list[dict]) -> str:
    out: list[str] = []
    w = out.append
    w(f"// @generated by scripts/gen_registry.py from {source}. Do not edit; run scripts/gen-registry.sh.\n")
    w("\n")
    w("use super::{EngineVersions, ResourceSchema, RuntimeLifecycle};\n")
    w("\n")
    w("/// Where the tables below come from.\n")
    w(f"pub const REGISTRY_SOURCE: &str = {rust_str(source)};\n")
    w("\n")
    w("/// Registry facts per resource type, sorted by `type_name`.\n")
    w("#[rustfmt::skip]\n")
    w("pub static RESOURCE_SCHEMAS: &[ResourceSchema] = &[\n")
    for s in schemas:
        w("    ResourceSchema {\n")
        w(f"        type_name: {rust_str(s['type_name'])},\n")
        for field in [f for _, f in PROPERTY_LISTS] + ["deploy_permissions"]:
            prefix = f"        {field}: "
            w(f"{prefix}{rust_list(s[field], '        ', len(prefix))},\n")
        w("    },\n")
    w("];\n")
    w("\n")
    w(f"/// RDS `{pg['engine']}` engine versions.\n")
    w("#[rustfmt::skip]\n")
    w("pub static POSTGRES_ENGINE_VERSIONS: EngineVersions = EngineVersions {\n")
    w(f"    engine: {rust_str(pg['engine'])},\n")
    for field in ("known", "deprecated"):
        prefix = f"    {field}: "
        w(f"{prefix}{rust_list(pg[field], '    ', len(prefix))},\n")
    w("};\n")
    w("\n")
    w("/// Lambda runtime lifecycles, sorted by name.\n")
    w("#[rustfmt::skip]\n")
    w("pub static LAMBDA_RUNTIMES: &[RuntimeLifecycle] = &[\n")
    for r in runtimes:
        w("    RuntimeLifecycle {\n")
        w(f"        name: {rust_str(r['name'])},\n")
        for field in ("deprecated", "create_block", "update_block", "successor"):
            w(f"        {field}: {rust_opt(r[field])},\n")
        w("    },\n")
    w("];\n")
    return "".join(out)


def generate() -> str:
    data = cfnlint_data_dir()
    source = f"cfn-lint {cfnlint_version()}, region {REGION}"
    return render(
        source,
        resource_schemas(data, read_types()),
        engine_versions(data),
        lambda_runtimes(data),
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"do not write; exit 1 if {OUTPUT_REL} differs from the generated output",
    )
    args = parser.parse_args(argv)
    try:
        text = generate()
    except GenError as e:
        print(f"gen_registry: error: {e}", file=sys.stderr)
        return 2
    try:
        current = OUTPUT.read_bytes().decode("utf-8")
    except FileNotFoundError:
        current = None
    if args.check:
        if current == text:
            return 0
        print(f"{OUTPUT_REL} is stale; run bash scripts/gen-registry.sh", file=sys.stderr)
        if current is not None:
            diff = list(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{OUTPUT_REL} (on disk)",
                    f"{OUTPUT_REL} (generated)",
                )
            )
            sys.stderr.writelines(diff[:60])
            if len(diff) > 60:
                print(f"... ({len(diff) - 60} more diff lines)", file=sys.stderr)
        return 1
    if current != text:
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        OUTPUT.write_bytes(text.encode("utf-8"))
        print(f"gen_registry: wrote {OUTPUT_REL}", file=sys.stderr)
    else:
        print(f"gen_registry: {OUTPUT_REL} is up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
