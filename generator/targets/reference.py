"""The spec reference, read from the JSON Schema that the models generate.

Every section and field is documented exactly once, in the models' descriptions; this
module only walks the schema and flattens it into tables for the reference page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_DEFS = "#/$defs/"


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type: str
    required: bool
    default: str | None
    description: str
    anchor: str | None  # the section documenting the field's own keys, if any


@dataclass
class SectionDoc:
    anchor: str
    title: str
    description: str
    depth: int
    fields: list[FieldDoc] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The HTML id of the section, e.g. ``spec-services-targets-name``."""
        return slug(self.anchor)


def slug(anchor: str) -> str:
    """A stable HTML id for a section anchor."""
    return "spec-" + "-".join(re.findall(r"[a-z0-9_]+", anchor.lower()))


def reference_sections(schema: dict[str, Any]) -> list[SectionDoc]:
    """Sections in document order: the top level, then each nested object depth-first."""
    walker = _Walker(schema.get("$defs", {}))
    walker.section("spec", "spec", schema.get("description", ""), schema, 1)
    return walker.sections


class _Walker:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.sections: list[SectionDoc] = []
        self.seen: set[str] = set()

    def section(
        self, anchor: str, title: str, description: str, node: dict[str, Any], depth: int
    ) -> None:
        doc = SectionDoc(anchor, title, description, depth)
        self.sections.append(doc)
        required = set(node.get("required", []))
        nested: list[tuple[str, dict[str, Any]]] = []
        for name, prop in node.get("properties", {}).items():
            objects = self._objects(prop)
            child_anchor = (
                slug(f"{anchor}.{name}{objects[0][0]}".removeprefix("spec.")) if objects else None
            )
            doc.fields.append(
                FieldDoc(
                    name=name,
                    type=self._type(prop),
                    required=name in required,
                    default=_default(prop),
                    description=prop.get("description", ""),
                    anchor=child_anchor,
                )
            )
            for suffix, target in objects:
                nested.append((f"{anchor}.{name}{suffix}", target))
        for child_anchor, target in nested:
            resolved = self._resolve(target)
            if child_anchor in self.seen:
                continue
            self.seen.add(child_anchor)
            title = child_anchor.removeprefix("spec.")
            self.section(
                title,
                title,
                resolved.get("description", ""),
                resolved,
                min(depth + 1, 4),
            )

    def _objects(self, prop: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Object schemas reachable from a property: itself, list items, map values."""
        found: list[tuple[str, dict[str, Any]]] = []
        for option in prop.get("anyOf", []) or [prop]:
            found.extend(self._objects_of(option))
        for option in prop.get("oneOf", []):
            name = option.get("$ref", "").removeprefix(_DEFS)
            found.extend(
                (f" ({_variant(self.defs.get(name, {}))})", t) for _, t in self._objects_of(option)
            )
        return found

    def _objects_of(self, node: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        if "$ref" in node:
            target = self._resolve(node)
            return [("", node)] if "properties" in target else []
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            return [(f"[]{s}", t) for s, t in self._objects(node["items"])]
        extra = node.get("additionalProperties")
        if node.get("type") == "object" and isinstance(extra, dict):
            return [(f".<name>{s}", t) for s, t in self._objects(extra)]
        return []

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self.defs[node["$ref"].removeprefix(_DEFS)]
        return node

    def _type(self, prop: dict[str, Any]) -> str:
        if "anyOf" in prop:
            options = [o for o in prop["anyOf"] if o.get("type") != "null"]
            return " or ".join(self._type(o) for o in options)
        if "oneOf" in prop:
            return "one of: " + ", ".join(_variant(self._resolve(o)) for o in prop["oneOf"])
        if "$ref" in prop:
            target = self._resolve(prop)
            if "enum" in target:
                return " \\| ".join(f"`{v}`" for v in target["enum"])
            return "mapping"
        if "enum" in prop:
            return " \\| ".join(f"`{v}`" for v in prop["enum"])
        if "const" in prop:
            return f"`{prop['const']}`"
        kind = prop.get("type")
        if kind == "array":
            return f"list of {self._type(prop.get('items', {}))}"
        if kind == "object":
            extra = prop.get("additionalProperties")
            if isinstance(extra, dict):
                return f"mapping of name → {self._type(extra)}"
            return "mapping"
        if kind == "string" and prop.get("format") == "date-time":
            return "date-time"
        if kind == "string" and prop.get("format") == "date":
            return "date"
        return {
            "string": "text",
            "integer": "integer",
            "number": "number",
            "boolean": "boolean",
        }.get(str(kind), str(kind or "any"))


def _variant(node: dict[str, Any]) -> str:
    for key in ("kind", "type"):
        const = node.get("properties", {}).get(key, {})
        if "const" in const:
            return str(const["const"])
        if "enum" in const:
            return " / ".join(str(v) for v in const["enum"])
    return str(node.get("title", "variant"))


def _default(prop: dict[str, Any]) -> str | None:
    if "default" not in prop:
        return None
    value = prop["default"]
    if value in (None, [], {}):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
