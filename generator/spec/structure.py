"""Stage one of validation: the JSON Schema, every error mapped to a located diagnostic.

One handler per JSON Schema keyword words its errors; reading an error's parts and wording
paths, values and hints is :mod:`generator.spec.schema_errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from generator.diagnostics import Diagnostic, Location
from generator.spec.positions import Path, PositionIndex
from generator.spec.schema import validation_schema
from generator.spec.schema_errors import (
    describe,
    group_by_branch,
    instance_of,
    misspelling_of,
    path_text,
    plain_message,
    schema_value,
    subschema,
    suggestion,
)

_JSON_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(validation_schema())


def check_structure(data: dict[str, Any], positions: PositionIndex) -> list[Diagnostic]:
    """Every schema violation in ``data``, one diagnostic each."""
    mapper = _ErrorMapper(positions)
    found: list[Diagnostic] = []
    for error in _validator().iter_errors(data):
        found.extend(mapper.diagnostics(error))
    return _dedupe(found)


class _ErrorMapper:
    def __init__(self, positions: PositionIndex) -> None:
        self.positions = positions

    def diagnostics(self, error: ValidationError) -> Iterator[Diagnostic]:
        path: Path = tuple(error.absolute_path)
        handler = getattr(self, f"_on_{error.validator}", None)
        if handler is not None:
            yield from handler(error, path)
        else:
            yield self._make("invalid-value", plain_message(error, path), path, error)

    # -- one handler per JSON Schema keyword ------------------------------------------

    def _on_additionalProperties(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        schema = subschema(error)
        if (
            not isinstance(instance_of(error), dict)
            or schema.get("additionalProperties") is not False
        ):
            yield self._make("invalid-value", plain_message(error, path), path, error)
            return
        allowed = list(schema.get("properties", {}))
        for key in instance_of(error):
            if key in allowed:
                continue
            where = f"in `{path_text(path)}`" if path else "at the top level"
            yield Diagnostic(
                "unknown-key",
                f"unknown key `{key}` {where}",
                self.positions.key((*path, key)),
                (*path, key),
                hint=suggestion(key, allowed, "allowed keys: "),
            )

    def _on_required(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        instance = instance_of(error) if isinstance(instance_of(error), dict) else {}
        for key in schema_value(error):
            if key in instance:
                continue
            prop = subschema(error).get("properties", {}).get(key, {})
            where = f"`{path_text(path)}`" if path else "the spec"
            hint = re.sub(r"^Seed §[0-9.]+: ", "", prop.get("description", "")) or None
            yield Diagnostic(
                "missing-key",
                f"{where} is missing the required key `{key}`",
                self.positions.key(path),
                (*path, key),
                hint=f"`{key}`: {hint}" if hint else None,
                notes=self._notes(path),
                caused_by=misspelling_of(key, instance, subschema(error), path),
            )

    def _on_type(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        expected = schema_value(error)
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_JSON_TYPE_NAMES.get(n, n) for n in names)
        written = self.positions.plain.get(path)
        if "string" in names and written is not None:
            yield self._unquoted(path, written, subschema(error), error)
            return
        yield self._make(
            "wrong-type",
            f"`{path_text(path)}` must be {wanted}, not {describe(instance_of(error))}",
            path,
            error,
        )

    def _unquoted(
        self, path: Path, written: str, schema: dict[str, Any], error: ValidationError
    ) -> Diagnostic:
        """A plain ``1.2`` or ``yes`` where text belongs: YAML typed it; quoting keeps it."""
        kind = "a boolean" if isinstance(instance_of(error), bool) else "a number"
        options = schema.get("enum")
        expected = "; expected one of: " + ", ".join(f"`{o}`" for o in options) if options else ""
        return self._make(
            "wrong-type",
            f"`{path_text(path)}` must be a string, but YAML reads the unquoted `{written}` as "
            f"{kind}{expected}",
            path,
            error,
            hint=f'quote it to write it as a string: `"{written}"`',
        )

    def _on_enum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        if path in self.positions.plain and subschema(error).get("type") == "string":
            return  # the type error says to quote it: one fault, one error
        options = [str(v) for v in schema_value(error)]
        yield self._make(
            "invalid-value",
            f"`{path_text(path)}` is {describe(instance_of(error))}; expected one of: "
            + ", ".join(f"`{o}`" for o in options),
            path,
            error,
            hint=suggestion(str(instance_of(error)), options, ""),
        )

    def _on_const(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "invalid-value",
            f"`{path_text(path)}` must be `{schema_value(error)}`",
            path,
            error,
        )

    def _on_pattern(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        from generator.spec.model.types import FORMAT_HINTS

        schema = subschema(error)
        hint = FORMAT_HINTS.get(schema.get("pattern", "")) or schema.get("description")
        if "propertyNames" in error.schema_path:
            # A mapping key breaks the name pattern: point at the key itself.
            key = instance_of(error)
            yield Diagnostic(
                "invalid-name",
                f"`{key}` is not a valid name for an entry of `{path_text(path)}`",
                self.positions.key((*path, key)),
                (*path, key),
                hint=hint,
            )
            return
        yield self._make(
            "invalid-format",
            f"`{path_text(path)}` is {describe(instance_of(error))}, "
            "which is not a valid value here",
            path,
            error,
            hint=hint,
        )

    def _on_minItems(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        count = schema_value(error)
        yield self._make(
            "too-few",
            f"`{path_text(path)}` needs at least {count} item{'s' * (count != 1)}",
            path,
            error,
            hint=subschema(error).get("description"),
        )

    _on_minProperties = _on_minItems

    def _on_minimum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{path_text(path)}` is {instance_of(error)}; "
            f"the smallest allowed is {schema_value(error)}",
            path,
            error,
        )

    def _on_maximum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{path_text(path)}` is {instance_of(error)}; "
            f"the largest allowed is {schema_value(error)}",
            path,
            error,
        )

    def _on_maxLength(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{path_text(path)}` is longer than {schema_value(error)} characters",
            path,
            error,
        )

    def _on_anyOf(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        branches = group_by_branch(error)
        # Optional[X] is anyOf [X, null]: a non-null value failed X; explain X's failure.
        non_null = [i for i, s in enumerate(schema_value(error)) if s.get("type") != "null"]
        if len(non_null) == 1 and non_null[0] in branches:
            for sub in branches[non_null[0]]:
                yield from self.diagnostics(sub)
            return
        typed = [i for i, errs in branches.items() if not any(e.validator == "type" for e in errs)]
        if len(typed) == 1:
            for sub in branches[typed[0]]:
                yield from self.diagnostics(sub)
            return
        yield self._make("invalid-value", plain_message(error, path), path, error)

    def _on_oneOf(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        discriminator = subschema(error).get("discriminator")
        instance = instance_of(error)
        actions = subschema(error).get("x-actions")
        if actions and isinstance(instance, dict):
            yield from self._on_action(error, path, actions)
            return
        if not (discriminator and isinstance(instance, dict)):
            yield from self._on_anyOf(error, path)
            return
        field = discriminator["propertyName"]
        mapping: dict[str, str] = discriminator.get("mapping", {})
        chosen = instance.get(field)
        if field not in instance:
            yield Diagnostic(
                "missing-key",
                f"`{path_text(path)}` is missing the required key `{field}`",
                self.positions.key(path),
                (*path, field),
                hint="one of: " + ", ".join(f"`{k}`" for k in mapping),
            )
            return
        if not isinstance(chosen, str) or chosen not in mapping:
            yield Diagnostic(
                "invalid-value",
                f"`{path_text((*path, field))}` is {describe(chosen)}; expected one of: "
                + ", ".join(f"`{k}`" for k in mapping),
                self.positions.value((*path, field)),
                (*path, field),
                hint=suggestion(str(chosen), list(mapping), ""),
            )
            return
        target = mapping[chosen]
        branches = group_by_branch(error)
        for index, option in enumerate(schema_value(error)):
            if option.get("$ref") == target:
                for sub in branches.get(index, []):
                    yield from self.diagnostics(sub)

    def _on_action(
        self, error: ValidationError, path: Path, actions: list[str]
    ) -> Iterator[Diagnostic]:
        """A step written as a mapping: explain the action it names, or name the actions."""
        instance = instance_of(error)
        named = [key for key in actions if key in instance]
        if len(named) == 1:
            for errors in group_by_branch(error).values():
                if any(named[0] in subschema(sub).get("properties", {}) for sub in errors):
                    for sub in errors:
                        yield from self.diagnostics(sub)
                    return
        unknown = next((str(k) for k in instance if k not in actions), "")
        listed = ", ".join(f"`{a}`" for a in actions)
        yield Diagnostic(
            "invalid-value",
            f"`{path_text(path)}` names {len(named) or 'no'} action"
            f"{'s' if len(named) != 1 else ''}; a step is text or exactly one of: {listed}",
            self.positions.value(path),
            path,
            hint=suggestion(unknown, actions, "e.g. `{rollback: SERVICE, environment: ENV}`; "),
        )

    # -- helpers ----------------------------------------------------------------------

    def _make(
        self,
        code: str,
        message: str,
        path: Path,
        error: ValidationError,
        hint: str | None = None,
    ) -> Diagnostic:
        del error
        return Diagnostic(
            code,
            message,
            self.positions.value(path),
            path,
            hint=hint,
            notes=self._notes(path),
        )

    def _notes(self, path: Path) -> tuple[tuple[str, Location], ...]:
        inherited = self.positions.inheritance(path)
        if inherited is None:
            return ()
        child = path[1] if len(path) > 1 else "?"
        return (
            (
                f"environment `{child}` inherits this from `{inherited.environment}` "
                "through extends",
                inherited.extends_at,
            ),
        )


def _dedupe(found: list[Diagnostic]) -> list[Diagnostic]:
    """Drop repeats. A bad value that children inherit is reported once, where it is
    written, with a note for each environment that inherits it."""
    unique: list[Diagnostic] = []
    index: dict[tuple[str, Location], int] = {}
    seen: set[tuple[str, Location, str]] = set()
    for diagnostic in sorted(found, key=lambda d: len(d.notes)):
        key = (diagnostic.code, diagnostic.location, diagnostic.message)
        at = index.get(key[:2])
        if diagnostic.notes and at is not None:
            kept = unique[at]
            unique[at] = replace(kept, notes=kept.notes + diagnostic.notes)
        elif key not in seen:
            seen.add(key)
            index.setdefault(key[:2], len(unique))
            unique.append(diagnostic)
    return unique
