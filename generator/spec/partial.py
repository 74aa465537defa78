"""A plan of the sections that are well-formed, so rules can run while others are not.

When the spec as a whole fails the model, each top-level section is validated on its own.
The sections that pass are real models; each one that fails is a stand-in that raises
:class:`SectionUnavailable` on any use, so a rule that reads it is skipped instead of
judging data it cannot trust.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

from pydantic import TypeAdapter, ValidationError

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan


class SectionUnavailable(Exception):
    """A rule read a section of the spec that failed validation."""


class _Unavailable:
    """Stands in for a section that failed validation: any use of it raises."""

    __slots__ = ("section",)

    def __init__(self, section: str) -> None:
        self.section = section

    def _refuse(self, *args: object) -> NoReturn:
        del args
        raise SectionUnavailable(self.section)

    __getattr__ = _refuse
    __iter__ = _refuse
    __len__ = _refuse
    __bool__ = _refuse
    __getitem__ = _refuse
    __contains__ = _refuse


@cache
def _adapters() -> dict[str, tuple[str, TypeAdapter[Any]]]:
    """Per section (by attribute name): its key in the spec and a validator for it alone."""
    from generator.spec.model import DeploymentPlan

    adapters: dict[str, tuple[str, TypeAdapter[Any]]] = {}
    for name, field in DeploymentPlan.model_fields.items():
        kind: Any = field.annotation
        if field.metadata:
            kind = Annotated[kind, *field.metadata]
        adapters[name] = (field.alias or name, TypeAdapter(kind))
    return adapters


def partial_plan(data: dict[str, Any], broken: set[str]) -> DeploymentPlan:
    """The plan with every section that validates alone; ``broken`` ones are stand-ins."""
    from generator.spec.model import DeploymentPlan

    values: dict[str, Any] = {}
    for name, (key, adapter) in _adapters().items():
        field = DeploymentPlan.model_fields[name]
        if key in broken:
            values[name] = _Unavailable(key)
        elif key not in data:
            if field.is_required():
                values[name] = _Unavailable(key)
            else:
                values[name] = field.get_default(call_default_factory=True)
        else:
            values[name] = _section(adapter, key, data[key])
    return DeploymentPlan.model_construct(**values)


def _section(adapter: TypeAdapter[Any], key: str, value: Any) -> Any:
    try:
        return adapter.validate_json(json.dumps(value, allow_nan=False), strict=True)
    except (ValidationError, ValueError):
        return _Unavailable(key)
