"""Image references a version is appended to name the repository only: no tag, no digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec.rules.images import ImageReference, parse_image
from generator.spec.validate import validate_file
from tests.spec.rules.findings import at, findings

DIGEST = "sha256:" + "0123456789abcdef" * 4

SPEC = """\
project:
  name: shop
  description: A shop.
  owner: ops
  teams:
    - name: ops
services:
  - name: cache
    description: Redis.
    kind: cache
    owner: ops
    port: 6379
    image: redis
    upstream: {version: 7.4.1}
    targets:
      staging: {engine: compose}
  - name: api
    description: The orders API.
    kind: api
    owner: ops
    port: 8080
    image: registry.example.com/shop/api
    targets:
      staging: {engine: kubernetes}
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: eks 1.31
        node_pools: [{name: general, count: 2, cpu: "4", memory: 16Gi}]
"""

AUTOMATION = """\
automation:
  ci_cd_pipeline:
    providers: [github_actions]
    registry: registry.example.com/shop
    drift_check: false
"""


def changed(old: str, new: str, text: str = SPEC) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _codes(tmp_path: Path, text: str) -> list[str]:
    """The code of every diagnostic of ``text``: the spec is otherwise clean."""
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    return [d.code for d in validate_file(tmp_path / "spec.yaml", "spec.yaml").diagnostics]


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("redis", ImageReference("redis", None, None)),
        ("redis:7.4", ImageReference("redis", "7.4", None)),
        (
            "registry.example.com:5000/app",
            ImageReference("registry.example.com:5000/app", None, None),
        ),
        ("localhost:5000/a/b:v1", ImageReference("localhost:5000/a/b", "v1", None)),
        (f"redis@{DIGEST}", ImageReference("redis", None, DIGEST)),
        (f"host:5000/redis:7@{DIGEST}", ImageReference("host:5000/redis", "7", DIGEST)),
    ],
)
def test_a_tag_follows_the_last_colon_after_the_last_slash(
    image: str, expected: ImageReference
) -> None:
    assert parse_image(image) == expected


def test_the_spec_above_is_clean(tmp_path: Path) -> None:
    assert _codes(tmp_path, SPEC) == []
    assert _codes(tmp_path, SPEC + AUTOMATION) == []


def test_a_registry_port_is_no_tag(tmp_path: Path) -> None:
    text = changed("image: redis\n", "image: registry.example.com:5000/vendor/redis\n")
    assert _codes(tmp_path, text) == []


def test_a_tag_in_an_upstream_image_names_the_version_that_would_follow_it(
    tmp_path: Path,
) -> None:
    text = changed("image: redis\n", "image: redis:7.4\n")
    [finding] = findings(tmp_path, text, "image-repository")
    assert finding.message == (
        "`image` `redis:7.4` holds the tag `7.4`, and deploys append `upstream.version` to "
        "it: `redis:7.4:7.4.1`"
    )
    assert finding.hint == (
        "write the repository only (`redis`) and put the version in `upstream.version: 7.4`"
    )
    assert finding.location == at(text, "image: redis:7.4", "redis")
    assert finding.path == ("services", 0, "image")


def test_a_tag_and_digest_the_upstream_pins_already_only_need_removing(
    tmp_path: Path,
) -> None:
    text = changed("image: redis\n", f"image: redis:7.4.1@{DIGEST}\n")
    text = changed("{version: 7.4.1}", f"{{version: 7.4.1, digest: '{DIGEST}'}}", text)
    [finding] = findings(tmp_path, text, "image-repository")
    assert finding.message == (
        "`image` `redis:7.4.1@sha256:…` holds the tag `7.4.1` and a digest, and deploys "
        "append `upstream.version` to it: `redis:7.4.1@sha256:…:7.4.1`"
    )
    assert (
        finding.hint
        == "write the repository only (`redis`): `upstream` pins the same release already"
    )


def test_a_digest_in_an_upstream_image_belongs_in_the_upstream(tmp_path: Path) -> None:
    text = changed("image: redis\n", f"image: docker.io/library/redis@{DIGEST}\n")
    [finding] = findings(tmp_path, text, "image-repository")
    assert finding.hint == (
        "write the repository only (`docker.io/library/redis`) and put the digest in "
        f"`upstream.digest: {DIGEST}`"
    )


def test_a_tag_in_a_built_image_is_followed_by_each_release_version(tmp_path: Path) -> None:
    text = changed(
        "image: registry.example.com/shop/api\n", "image: registry.example.com/shop/api:v1\n"
    )
    [finding] = findings(tmp_path, text, "image-repository")
    assert finding.message == (
        "`image` `registry.example.com/shop/api:v1` holds the tag `v1`, and each release's "
        "version is appended to it: `registry.example.com/shop/api:v1:VERSION`"
    )
    assert finding.hint == (
        "write the repository only (`registry.example.com/shop/api`): each release's version "
        "becomes its tag"
    )
    assert finding.location == at(text, "image: registry.example.com/shop/api:v1", "registry")


def test_a_digest_in_a_built_image_is_pinned_through_the_version(tmp_path: Path) -> None:
    text = changed(
        "image: registry.example.com/shop/api\n", f"image: registry.example.com/shop/api@{DIGEST}\n"
    )
    [finding] = findings(tmp_path, text, "image-repository")
    assert finding.hint == (
        "write the repository only (`registry.example.com/shop/api`): each release's version "
        "becomes its tag, and `--version TAG@sha256:DIGEST` pins a digest"
    )


def test_a_digest_of_another_form_stays_a_format_error(tmp_path: Path) -> None:
    text = changed("image: redis\n", "image: redis@sha256:abc\n")
    assert findings(tmp_path, text, "image-repository") == []
    [finding] = findings(tmp_path, text, "invalid-format")
    assert finding.path == ("services", 0, "image")


@pytest.mark.parametrize(
    ("targets", "automation", "reported"),
    [
        # a container engine deploys image:VERSION, whoever built it
        ("{engine: compose}", "", True),
        ("{engine: helm, chart: 'oci://charts.example.com/redis'}", "", True),
        ("{engine: kubernetes}", "", True),
        # an upstream image on a VM engine or a managed service is never tagged here
        ("{engine: systemd, hosts: [cache-1.example.com]}", AUTOMATION, False),
        ("{engine: managed, managed_service: aws-elasticache-redis}", AUTOMATION, False),
    ],
)
def test_an_upstream_image_is_tagged_by_the_container_engines(
    tmp_path: Path, targets: str, automation: str, reported: bool
) -> None:
    text = changed("image: redis\n", "image: redis:7.4\n")
    text = changed("staging: {engine: compose}", f"staging: {targets}", text) + automation
    assert _codes(tmp_path, text) == (["image-repository"] if reported else [])


@pytest.mark.parametrize(
    ("targets", "automation", "reported"),
    [
        # CI tags what it builds, whatever the engine
        ("{engine: systemd, hosts: [api-1.example.com]}", AUTOMATION, True),
        # no CI, and a VM engine installs a release archive: the image is never tagged
        ("{engine: systemd, hosts: [api-1.example.com]}", "", False),
        # a service only managed is not built
        ("{engine: managed, managed_service: aws-rds-postgresql}", AUTOMATION, False),
    ],
)
def test_a_built_image_is_tagged_by_ci(
    tmp_path: Path, targets: str, automation: str, reported: bool
) -> None:
    text = changed(
        "image: registry.example.com/shop/api\n", "image: registry.example.com/shop/api:v1\n"
    )
    text = changed("staging: {engine: kubernetes}", f"staging: {targets}", text) + automation
    assert _codes(tmp_path, text) == (["image-repository"] if reported else [])
