"""The reverse proxy on VMs: one nginx site per service and environment, from the
environment's ingresses (host names, paths, TLS), the service's hosts and port (the
upstream), the TLS floor of ``security`` and the proxy's limits."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.security import TlsPolicy
from generator.spec.model.types import duration_seconds, size_bytes
from generator.targets.deploy.vm import VM_ENGINES, env_port

_PROTOCOLS = {"1.2": "TLSv1.2 TLSv1.3", "1.3": "TLSv1.3"}


def site_name(plan: DeploymentPlan, service: Service, env: str) -> str | None:
    """The site file of ``service`` in ``env``, when nginx fronts it there."""
    if service.targets[env].engine not in VM_ENGINES or not env_port(service, env):
        return None
    network = plan.environments[env].infrastructure.network_configuration
    if not any(ingress.service == service.name for ingress in network.ingresses):
        return None
    return f"{service.name}-{env}.conf"


def proxy_hosts(plan: DeploymentPlan, service: Service, env: str) -> list[str]:
    """Where nginx runs: the proxy's own hosts, else the service's."""
    proxy = plan.environments[env].infrastructure.network_configuration.reverse_proxy
    return list(proxy.hosts or service.targets[env].hosts)


def tls_floor(plan: DeploymentPlan, env: str) -> str:
    """The lowest TLS version allowed in ``env``: the strictest of the security settings
    and the TLS policies that cover it, never below 1.2."""
    versions = ["1.2"]
    security = plan.security
    if security is not None:
        if security.encryption_settings is not None:
            versions.append(security.encryption_settings.in_transit.min_tls_version)
        versions += [
            p.min_version
            for p in security.security_policies
            if isinstance(p, TlsPolicy) and (not p.environments or env in p.environments)
        ]
    return max(v for v in versions if v in _PROTOCOLS)


def nginx_size(value: str) -> str:
    """A size as nginx writes it: ``10Mi`` -> ``10m``."""
    count = int(size_bytes(value))
    for unit, factor in (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)):
        if count % factor == 0:
            return f"{count // factor}{unit}"
    return str(count)


def nginx_string(text: str) -> str:
    """A double-quoted nginx string: ``;``, ``{`` and ``}`` in it stay text."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def site_context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """What ``deploy/nginx-site.conf.j2`` reads (empty when there is no site)."""
    if site_name(plan, service, env) is None:
        return {}
    network = plan.environments[env].infrastructure.network_configuration
    proxy = network.reverse_proxy
    servers: dict[str, dict[str, Any]] = {}
    for ingress in network.ingresses:
        if ingress.service != service.name:
            continue
        server = servers.setdefault(ingress.host, {"host": ingress.host, "tls": False, "paths": []})
        server["tls"] = server["tls"] or ingress.tls
        server["paths"].append(nginx_string(ingress.path))
    port = env_port(service, env)
    return {
        "upstream": f"{service.name}_{env}".replace("-", "_"),
        "backends": [f"{host}:{port}" for host in service.targets[env].hosts],
        "servers": [servers[host] for host in sorted(servers)],
        "certificate_dir": proxy.certificate_dir,
        "protocols": _PROTOCOLS[tls_floor(plan, env)],
        "ciphers": proxy.tls_ciphers,
        "hsts": int(duration_seconds(proxy.hsts_max_age)),
        "body_size": nginx_size(proxy.client_max_body_size),
        "connect_timeout": f"{int(duration_seconds(proxy.connect_timeout)) or 1}s",
        "read_timeout": f"{int(duration_seconds(proxy.read_timeout)) or 1}s",
    }
