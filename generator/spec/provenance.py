"""Where a value of the spec came from: the file:line:col it was written at, and the
``extends``, include, overlay and ``--set`` it arrived through; or that it is a default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.diagnostics import Location, format_path
from generator.spec.address import AddressError, address_of, find, parse_address
from generator.spec.load import LoadedSpec
from generator.spec.positions import Path


@dataclass(frozen=True)
class Step:
    """One way a value travelled: ``extends``, ``include``, ``overlay``, ``set`` or
    ``replaces`` (an earlier value it overrode)."""

    kind: str
    message: str
    location: Location | None = None


@dataclass(frozen=True)
class Provenance:
    """The answer for one path; ``location`` is ``None`` for a default."""

    path: Path
    value: Any
    location: Location | None
    steps: list[Step] = field(default_factory=list)

    @property
    def is_default(self) -> bool:
        return self.location is None

    @property
    def dotted(self) -> str:
        return address_of(self.path)


def locate(loaded: LoadedSpec, model_data: dict[str, Any], address: str) -> Provenance:
    """The provenance of ``address`` in the resolved spec, or of a model default there.

    ``model_data`` is the validated plan as JSON data (defaults filled in).
    """
    parts = parse_address(address)
    try:
        path = find(loaded.data, parts)
    except AddressError:
        path = find(model_data, parts)  # raises when it is no default either
        return Provenance(path, _at(model_data, path), None, [_default_step(loaded, path)])
    return Provenance(
        path, _at(loaded.data, path), loaded.positions.value(path), _steps(loaded, path)
    )


def _at(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _default_step(loaded: LoadedSpec, path: Path) -> Step:
    written = next(
        (
            path[:end]
            for end in range(len(path) - 1, 0, -1)
            if path[:end] in loaded.positions.values
        ),
        None,
    )
    where = f" under `{format_path(written)}`" if written else ""
    return Step("default", f"not written in the spec{where}: the model's default")


def _steps(loaded: LoadedSpec, path: Path) -> list[Step]:
    positions = loaded.positions
    steps: list[Step] = []
    inherited = positions.inheritance(path)
    seen: set[str] = set()
    # Up the chain: production from staging, staging from base.
    while inherited is not None and inherited.environment not in seen:
        seen.add(inherited.environment)
        steps.append(
            Step(
                "extends",
                f"inherited from environment `{inherited.environment}` through `extends`",
                inherited.extends_at,
            )
        )
        path = ("environments", inherited.environment, *path[2:])
        inherited = positions.inheritance(path)
    steps.extend(_file_steps(loaded, positions.value(path).file))
    replaced = positions.replaced.get(path)
    if replaced is not None:
        steps.append(Step("replaces", "replaces the value written before", replaced))
    return steps


def _file_steps(loaded: LoadedSpec, label: str) -> list[Step]:
    """How the file ``label`` came in, back to the spec itself."""
    steps: list[Step] = []
    seen: set[str] = set()
    while label in loaded.origins and label not in seen:
        seen.add(label)
        origin = loaded.origins[label]
        if origin.kind == "set":
            steps.append(Step("set", f"set on the command line: `{label}`"))
        elif origin.kind == "overlay":
            steps.append(Step("overlay", f"from the overlay `-f {label}`"))
        else:
            steps.append(Step("include", f"from `{label}`, included", origin.via))
        if origin.via is None:
            break
        label = origin.via.file
    return steps


def leaf_paths(data: Any, path: Path = ()) -> list[Path]:
    """Every scalar (and empty list or mapping) in ``data``, in document order."""
    if isinstance(data, dict) and data:
        return [p for key, value in data.items() for p in leaf_paths(value, (*path, key))]
    if isinstance(data, list) and data:
        return [p for i, value in enumerate(data) for p in leaf_paths(value, (*path, i))]
    return [path]
