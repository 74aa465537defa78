"""Constrained scalar types shared by every section of the spec.

Each type carries its pattern and description into the JSON Schema, so editors validate
and explain values the same way ``deployplan validate`` does.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

DNS_LABEL = r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
IDENTIFIER = r"^[a-z][a-z0-9_-]{0,62}$"
DURATION = r"^([0-9]+(ms|s|m|h|d|w))+$"
CPU = r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$"
SIZE = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$"
# No whitespace, control characters, quotes, angle brackets, backticks or backslashes:
# none belongs in a URL unencoded, and each could end the attribute, tag or shell word a
# URL is written into.
URL = r'^https?://[^\s/$.?#"<>`\\\x00-\x1f\x7f-\x9f][^\s"<>`\\\x00-\x1f\x7f-\x9f]*$'
CRON = r"^\S+(\s+\S+){4}$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
SEMVER = (
    r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)

#: How to write a value of each shared format: the hint when a value breaks the pattern.
FORMAT_HINTS = {
    DNS_LABEL: "names are DNS labels: lowercase letters, digits and '-', starting with a "
    "letter, at most 63 characters (e.g. `orders-api`)",
    IDENTIFIER: "names are lowercase letters, digits, '-' and '_', starting with a letter "
    "(e.g. `smoke_test`)",
    DURATION: "write a duration as a number and a unit: `500ms`, `30s`, `15m`, `1h30m`, `7d`, `2w`",
    CPU: "write CPU as a Kubernetes quantity: `500m` (millicores) or `2` (cores)",
    SIZE: "write a size with a unit: `512Mi`, `4Gi`, `1Ti` (or `500M`, `2G`)",
    URL: "write a full http or https URL, e.g. `https://shop.example.com/healthz`; "
    "percent-encode spaces, quotes, `<`, `>` and backticks (`%20`, `%22`, `%3C`, `%3E`, `%60`)",
    CRON: "five fields: minute hour day-of-month month day-of-week, e.g. `0 2 * * *`",
    ENV_NAME: "environment variable names are UPPER_SNAKE_CASE, e.g. `LOG_LEVEL`",
}

Name = Annotated[
    str,
    Field(
        pattern=DNS_LABEL,
        max_length=63,
        description="A DNS label: lowercase letters, digits and '-', starting with a letter.",
    ),
]
Identifier = Annotated[
    str,
    Field(
        pattern=IDENTIFIER,
        max_length=63,
        description="A name: lowercase letters, digits, '-' and '_', starting with a letter.",
    ),
]
Duration = Annotated[
    str,
    Field(
        pattern=DURATION,
        description="A duration such as `30s`, `15m`, `1h30m`, `7d` or `2w`.",
        examples=["15m", "1h30m", "7d"],
    ),
]
Cron = Annotated[
    str,
    Field(
        pattern=CRON,
        description="A five-field cron expression (minute hour day-of-month month day-of-week).",
        examples=["0 2 * * *", "*/15 * * * *"],
    ),
]
Cpu = Annotated[
    str,
    Field(pattern=CPU, description="CPU as Kubernetes quantity: `500m` or `2`.", examples=["500m"]),
]
Size = Annotated[
    str,
    Field(
        pattern=SIZE,
        description="A size in bytes with a binary or decimal suffix: `512Mi`, `4Gi`, `1Ti`.",
        examples=["512Mi", "20Gi"],
    ),
]
Url = Annotated[
    str,
    Field(
        pattern=URL,
        max_length=2048,
        description="An http or https URL.",
        json_schema_extra={"format": "uri"},
    ),
]
EnvVarName = Annotated[
    str,
    Field(pattern=ENV_NAME, description="An environment variable name: `UPPER_SNAKE_CASE`."),
]
Percent = Annotated[float, Field(ge=0, le=100, description="A percentage from 0 to 100.")]
Text = Annotated[
    str,
    Field(description="Free text: any characters; escaping is the renderer's job."),
]

# References are names; semantic rules check that they point at something.
ServiceRef = Annotated[str, Field(pattern=DNS_LABEL, description="The name of a service.")]
EnvironmentRef = Annotated[str, Field(pattern=DNS_LABEL, description="The name of an environment.")]
TeamRef = Annotated[
    str, Field(pattern=IDENTIFIER, description="The name of a team in project.teams.")
]
RoleRef = Annotated[
    str, Field(pattern=IDENTIFIER, description="The name of a role in security.access_controls.")
]
StageRef = Annotated[
    str, Field(pattern=IDENTIFIER, description="The name of a stage in deployment_flow.stages.")
]
SecretRefName = Annotated[
    str,
    Field(
        pattern=DNS_LABEL,
        description="The name of a secret declared in configuration_management.secrets_management.",
    ),
]


class SpecModel(BaseModel):
    """Base of every section: unknown keys are errors, values are validated as assigned."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


_DURATION_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(value: str) -> float:
    """``"1h30m"`` -> ``5400.0``; the pattern has already been checked."""
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value))


_SIZE_FACTORS = {
    "": 1,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}


def size_bytes(value: str) -> float:
    """``"4Gi"`` -> ``4294967296.0``."""
    number = re.match(r"[0-9.]+", value)
    assert number is not None
    return float(number.group()) * _SIZE_FACTORS[value[number.end() :]]


def cpu_millicores(value: str) -> float:
    """``"500m"`` -> ``500.0``; ``"2"`` -> ``2000.0``."""
    return float(value[:-1]) if value.endswith("m") else float(value) * 1000
