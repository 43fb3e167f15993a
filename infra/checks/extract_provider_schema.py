"""Extract the hashicorp/aws argument schema from the .jsii file of @cdktn/provider-aws.

The package is generated from the provider's `providers schema -json`, so its
config interfaces list every settable argument and nested block of every
resource and data source, with the Terraform name in each property's docs
link. Output (JSON):

    {"provider_version": "6.66.0",
     "resource": {"aws_s3_bucket": {"arguments": {"bucket": false, ...},
                                    "blocks": {"versioning": {"required": false,
                                                              "schema": {...}}}}},
     "data": {...}}

where each argument maps to whether it is required.

Usage: python extract_provider_schema.py PATH/TO/.jsii OUTPUT.json
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

CLASS_LINK = re.compile(
    r"hashicorp/aws/(?P<version>[\d.]+)/docs/(?P<kind>resources|data-sources)/\S+ (?P<type>aws_\w+)\}"
)
TERRAFORM_BASES = ("cdktn.TerraformResource", "cdktn.TerraformDataSource")
PROPERTY_LINK = re.compile(r"#(?P<name>[a-z0-9_]+) \w+#(?P=name)\}")


def _docs_text(item: dict[str, Any]) -> str:
    docs = item.get("docs", {})
    return f"{docs.get('summary', '')} {docs.get('remarks', '')}"


def _struct_fqn(type_ref: dict[str, Any]) -> str | None:
    """The interface a block property points at, through unions and collections."""
    if "fqn" in type_ref:
        return None if type_ref["fqn"].startswith("cdktn.") else type_ref["fqn"]
    if "collection" in type_ref:
        return _struct_fqn(type_ref["collection"]["elementtype"])
    for member in type_ref.get("union", {}).get("types", []):
        found = _struct_fqn(member)
        if found:
            return found
    return None


def _schema_of(interface_fqn: str, types: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
    arguments: dict[str, bool] = {}
    blocks: dict[str, Any] = {}
    for prop in types[interface_fqn].get("properties", []):
        match = PROPERTY_LINK.search(_docs_text(prop))
        if not match:
            continue
        name = match.group("name")
        required = not prop.get("optional", False)
        nested = _struct_fqn(prop["type"])
        is_block = f"{name} block" in _docs_text(prop)
        if is_block and nested is None and prop["type"].get("primitive") == "any":
            # cdktn types blocks nested too deeply (e.g. WAF rule statements) as `any`: a block
            # whose contents cannot be checked.
            blocks[name] = {"required": required, "schema": None}
        elif is_block and nested is not None and nested not in seen:
            blocks[name] = {"required": required, "schema": _schema_of(nested, types, seen | {nested})}
        else:
            arguments[name] = required
    return {"arguments": arguments, "blocks": blocks}


def extract(jsii: dict[str, Any]) -> dict[str, Any]:
    types = jsii["types"]
    out: dict[str, Any] = {"provider_version": None, "resource": {}, "data": {}}
    for item in types.values():
        if item.get("kind") != "class" or item.get("base") not in TERRAFORM_BASES:
            continue
        match = CLASS_LINK.search(item.get("docs", {}).get("summary", ""))
        # The constructor's config parameter (jsii renames it, e.g. ...ConfigA, when names clash).
        parameters = item.get("initializer", {}).get("parameters", [])
        config_fqn = next((p["type"].get("fqn") for p in parameters if p["name"] == "config"), None)
        if not match or config_fqn not in types:
            continue
        out["provider_version"] = match.group("version")
        section = "resource" if match.group("kind") == "resources" else "data"
        out[section][match.group("type")] = _schema_of(config_fqn, types, frozenset({config_fqn}))
    if not out["resource"]:
        raise SystemExit("no resources found: is this the .jsii of @cdktn/provider-aws?")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as fh:
        schema = extract(json.load(fh))
    with open(argv[2], "w", encoding="utf-8") as fh:
        json.dump(schema, fh, sort_keys=True)
    print(
        f"hashicorp/aws {schema['provider_version']}: "
        f"{len(schema['resource'])} resources, {len(schema['data'])} data sources"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
