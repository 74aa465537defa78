"""Build generated Kustomize folders the way ``kubectl apply -k`` does for what they use,
and decide whether NetworkPolicies admit a connection."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.targets.deploy.manifests import strategic_merge


def build(folder: Path) -> list[dict[str, Any]]:
    """The folder as Kustomize builds it: resources (nested folders too, several documents
    per file), patches merged by kind and name, the namespace set on namespaced objects."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    resources: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        path = folder / entry
        if path.is_dir():
            resources += build(path)
        else:
            resources += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for patch in kustomization.get("patches", []):
        change = yaml.safe_load((folder / patch["path"]).read_text())
        resources = [
            strategic_merge(r, change)
            if (r["kind"], r["metadata"]["name"]) == (change["kind"], change["metadata"]["name"])
            else r
            for r in resources
        ]
    for resource in resources:
        if "namespace" in kustomization and not resource["kind"].startswith("Cluster"):
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


@dataclass(frozen=True)
class Peer:
    """Where a connection comes from: a pod's labels and its namespace, or an address."""

    namespace: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    ip: str = ""


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted = selector.get("matchLabels", {})
    return all(labels.get(k) == v for k, v in wanted.items())


def _in_block(ip: str, cidr: str) -> bool:
    import ipaddress

    return bool(ip) and ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def _peer_admits(peer: dict[str, Any], source: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return _in_block(source.ip, peer["ipBlock"]["cidr"])
    if not source.namespace:
        return False
    namespace_labels = {"kubernetes.io/metadata.name": source.namespace}
    if "namespaceSelector" in peer:
        if not _matches(peer["namespaceSelector"], namespace_labels):
            return False
    elif source.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or _matches(peer["podSelector"], source.labels)


def admitted(
    policies: list[dict[str, Any]], target: dict[str, str], namespace: str, source: Peer, port: int
) -> bool:
    """Whether a TCP connection from ``source`` to ``port`` on a pod with labels ``target``
    in ``namespace`` gets through: allowed when no Ingress policy selects the pod, else
    when a rule of one that does admits both the source and the port."""
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == namespace
        and "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
        and _matches(p["spec"]["podSelector"], target)
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            ports = [p["port"] for p in rule.get("ports", [])]
            peers = rule.get("from", [])
            if ports and port not in ports:
                continue
            if not peers or any(_peer_admits(p, source, namespace) for p in peers):
                return True
    return False
