"""Stage one of validation: the JSON Schema, every error mapped to a located diagnostic."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from generator.diagnostics import Diagnostic, Location
from generator.spec.positions import Path, PositionIndex
from generator.spec.schema import validation_schema
from generator.suggest import closest, did_you_mean

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
            yield self._make("invalid-value", _plain_message(error, path), path, error)

    # -- one handler per JSON Schema keyword ------------------------------------------

    def _on_additionalProperties(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        schema = _schema(error)
        if (
            not isinstance(_instance(error), dict)
            or schema.get("additionalProperties") is not False
        ):
            yield self._make("invalid-value", _plain_message(error, path), path, error)
            return
        allowed = list(schema.get("properties", {}))
        for key in _instance(error):
            if key in allowed:
                continue
            where = f"in `{_fmt(path)}`" if path else "at the top level"
            yield Diagnostic(
                "unknown-key",
                f"unknown key `{key}` {where}",
                self.positions.key((*path, key)),
                (*path, key),
                hint=_suggest(key, allowed, "allowed keys: "),
            )

    def _on_required(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        instance = _instance(error) if isinstance(_instance(error), dict) else {}
        for key in _value(error):
            if key in instance:
                continue
            prop = _schema(error).get("properties", {}).get(key, {})
            where = f"`{_fmt(path)}`" if path else "the spec"
            hint = re.sub(r"^Seed §[0-9.]+: ", "", prop.get("description", "")) or None
            yield Diagnostic(
                "missing-key",
                f"{where} is missing the required key `{key}`",
                self.positions.key(path),
                (*path, key),
                hint=f"`{key}`: {hint}" if hint else None,
                notes=self._notes(path),
                caused_by=_misspelling_of(key, instance, _schema(error), path),
            )

    def _on_type(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        expected = _value(error)
        names = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_JSON_TYPE_NAMES.get(n, n) for n in names)
        written = self.positions.plain.get(path)
        if "string" in names and written is not None:
            yield self._unquoted(path, written, _schema(error), error)
            return
        yield self._make(
            "wrong-type",
            f"`{_fmt(path)}` must be {wanted}, not {_describe(_instance(error))}",
            path,
            error,
        )

    def _unquoted(
        self, path: Path, written: str, schema: dict[str, Any], error: ValidationError
    ) -> Diagnostic:
        """A plain ``1.2`` or ``yes`` where text belongs: YAML typed it; quoting keeps it."""
        kind = "a boolean" if isinstance(_instance(error), bool) else "a number"
        options = schema.get("enum")
        expected = "; expected one of: " + ", ".join(f"`{o}`" for o in options) if options else ""
        return self._make(
            "wrong-type",
            f"`{_fmt(path)}` must be a string, but YAML reads the unquoted `{written}` as "
            f"{kind}{expected}",
            path,
            error,
            hint=f'quote it to write it as a string: `"{written}"`',
        )

    def _on_enum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        if path in self.positions.plain and _schema(error).get("type") == "string":
            return  # the type error says to quote it: one fault, one error
        options = [str(v) for v in _value(error)]
        yield self._make(
            "invalid-value",
            f"`{_fmt(path)}` is {_describe(_instance(error))}; expected one of: "
            + ", ".join(f"`{o}`" for o in options),
            path,
            error,
            hint=_suggest(str(_instance(error)), options, ""),
        )

    def _on_const(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "invalid-value",
            f"`{_fmt(path)}` must be `{_value(error)}`",
            path,
            error,
        )

    def _on_pattern(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        from generator.spec.model.types import FORMAT_HINTS

        schema = _schema(error)
        hint = FORMAT_HINTS.get(schema.get("pattern", "")) or schema.get("description")
        if "propertyNames" in error.schema_path:
            # A mapping key breaks the name pattern: point at the key itself.
            key = _instance(error)
            yield Diagnostic(
                "invalid-name",
                f"`{key}` is not a valid name for an entry of `{_fmt(path)}`",
                self.positions.key((*path, key)),
                (*path, key),
                hint=hint,
            )
            return
        yield self._make(
            "invalid-format",
            f"`{_fmt(path)}` is {_describe(_instance(error))}, which is not a valid value here",
            path,
            error,
            hint=hint,
        )

    def _on_minItems(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        count = _value(error)
        yield self._make(
            "too-few",
            f"`{_fmt(path)}` needs at least {count} item{'s' * (count != 1)}",
            path,
            error,
            hint=_schema(error).get("description"),
        )

    _on_minProperties = _on_minItems

    def _on_minimum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{_fmt(path)}` is {_instance(error)}; the smallest allowed is {_value(error)}",
            path,
            error,
        )

    def _on_maximum(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{_fmt(path)}` is {_instance(error)}; the largest allowed is {_value(error)}",
            path,
            error,
        )

    def _on_maxLength(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        yield self._make(
            "out-of-range",
            f"`{_fmt(path)}` is longer than {_value(error)} characters",
            path,
            error,
        )

    def _on_anyOf(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        branches = _group_by_branch(error)
        # Optional[X] is anyOf [X, null]: a non-null value failed X; explain X's failure.
        non_null = [i for i, s in enumerate(_value(error)) if s.get("type") != "null"]
        if len(non_null) == 1 and non_null[0] in branches:
            for sub in branches[non_null[0]]:
                yield from self.diagnostics(sub)
            return
        typed = [i for i, errs in branches.items() if not any(e.validator == "type" for e in errs)]
        if len(typed) == 1:
            for sub in branches[typed[0]]:
                yield from self.diagnostics(sub)
            return
        yield self._make("invalid-value", _plain_message(error, path), path, error)

    def _on_oneOf(self, error: ValidationError, path: Path) -> Iterator[Diagnostic]:
        discriminator = _schema(error).get("discriminator")
        instance = _instance(error)
        actions = _schema(error).get("x-actions")
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
                f"`{_fmt(path)}` is missing the required key `{field}`",
                self.positions.key(path),
                (*path, field),
                hint="one of: " + ", ".join(f"`{k}`" for k in mapping),
            )
            return
        if not isinstance(chosen, str) or chosen not in mapping:
            yield Diagnostic(
                "invalid-value",
                f"`{_fmt((*path, field))}` is {_describe(chosen)}; expected one of: "
                + ", ".join(f"`{k}`" for k in mapping),
                self.positions.value((*path, field)),
                (*path, field),
                hint=_suggest(str(chosen), list(mapping), ""),
            )
            return
        target = mapping[chosen]
        branches = _group_by_branch(error)
        for index, option in enumerate(_value(error)):
            if option.get("$ref") == target:
                for sub in branches.get(index, []):
                    yield from self.diagnostics(sub)

    def _on_action(
        self, error: ValidationError, path: Path, actions: list[str]
    ) -> Iterator[Diagnostic]:
        """A step written as a mapping: explain the action it names, or name the actions."""
        instance = _instance(error)
        named = [key for key in actions if key in instance]
        if len(named) == 1:
            for errors in _group_by_branch(error).values():
                if any(named[0] in _schema(sub).get("properties", {}) for sub in errors):
                    for sub in errors:
                        yield from self.diagnostics(sub)
                    return
        unknown = next((str(k) for k in instance if k not in actions), "")
        listed = ", ".join(f"`{a}`" for a in actions)
        yield Diagnostic(
            "invalid-value",
            f"`{_fmt(path)}` names {len(named) or 'no'} action"
            f"{'s' if len(named) != 1 else ''}; a step is text or exactly one of: {listed}",
            self.positions.value(path),
            path,
            hint=_suggest(unknown, actions, "e.g. `{rollback: SERVICE, environment: ENV}`; "),
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


def _misspelling_of(
    key: str, instance: dict[str, Any], schema: dict[str, Any], path: Path
) -> Path | None:
    """The path of an unknown key that is ``key`` misspelled: the one fault to report."""
    if schema.get("additionalProperties") is not False:
        return None
    allowed = list(schema.get("properties", {}))
    for written in instance:
        if written not in allowed and closest(str(written), allowed) == key:
            return (*path, written)
    return None


def _schema(error: ValidationError) -> dict[str, Any]:
    """The failing subschema (the stubs allow booleans and "unset"; ours are objects)."""
    schema = error.schema
    return dict(schema) if isinstance(schema, Mapping) else {}


def _instance(error: ValidationError) -> Any:
    return error.instance


def _value(error: ValidationError) -> Any:
    return error.validator_value


def _group_by_branch(error: ValidationError) -> dict[int, list[ValidationError]]:
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        index = sub.relative_schema_path[0]
        if isinstance(index, int):
            branches.setdefault(index, []).append(sub)
    return branches


def _plain_message(error: ValidationError, path: Path) -> str:
    message = re.sub(r"\s+", " ", error.message)
    if len(message) > 200:
        message = message[:197] + "..."
    return f"`{_fmt(path)}`: {message}" if path else message


def _fmt(path: Path) -> str:
    from generator.diagnostics import format_path

    return format_path(path) or "(top level)"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "empty (null)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"`{shown}`" if "\n" not in shown and "`" not in shown else repr(shown)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`"


def _suggest(value: str, options: list[str], fallback_prefix: str) -> str | None:
    hint = did_you_mean(value, options)
    if hint:
        return hint
    if fallback_prefix and options:
        return fallback_prefix + ", ".join(f"`{o}`" for o in options)
    return None


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
