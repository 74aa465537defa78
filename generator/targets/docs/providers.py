"""What the manual tells about a service the provider runs: whose console and CLI manage it.

A ``managed`` target is not deployed by deployplan; its page says so and points the reader
at the provider's own tools, found from the ``managed_service`` product name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    """A cloud provider's name, console and command-line tool for one product family."""

    name: str
    console: str
    cli: str


#: ``managed_service`` prefixes, longest first where they overlap.
_PROVIDERS: tuple[tuple[str, Provider], ...] = (
    ("aws-rds", Provider("Amazon RDS", "https://console.aws.amazon.com/rds/home", "aws rds")),
    ("aws-aurora", Provider("Amazon Aurora", "https://console.aws.amazon.com/rds/home", "aws rds")),
    (
        "aws-elasticache",
        Provider(
            "Amazon ElastiCache",
            "https://console.aws.amazon.com/elasticache/home",
            "aws elasticache",
        ),
    ),
    ("aws-s3", Provider("Amazon S3", "https://console.aws.amazon.com/s3/home", "aws s3api")),
    ("aws-sqs", Provider("Amazon SQS", "https://console.aws.amazon.com/sqs/home", "aws sqs")),
    ("aws-msk", Provider("Amazon MSK", "https://console.aws.amazon.com/msk/home", "aws kafka")),
    (
        "gcp-cloudsql",
        Provider("Cloud SQL", "https://console.cloud.google.com/sql/instances", "gcloud sql"),
    ),
    (
        "gcp-memorystore",
        Provider("Memorystore", "https://console.cloud.google.com/memorystore", "gcloud redis"),
    ),
    (
        "gcp-gcs",
        Provider("Cloud Storage", "https://console.cloud.google.com/storage", "gcloud storage"),
    ),
    (
        "azure-postgresql",
        Provider(
            "Azure Database for PostgreSQL",
            "https://portal.azure.com/#browse/Microsoft.DBforPostgreSQL%2FflexibleServers",
            "az postgres flexible-server",
        ),
    ),
    (
        "azure-redis",
        Provider(
            "Azure Cache for Redis",
            "https://portal.azure.com/#browse/Microsoft.Cache%2FRedis",
            "az redis",
        ),
    ),
)


def provider_of(product: str) -> Provider | None:
    """The provider of a ``managed_service`` such as ``aws-rds-postgresql``, if known."""
    for prefix, provider in _PROVIDERS:
        if product == prefix or product.startswith(prefix + "-"):
            return provider
    return None
