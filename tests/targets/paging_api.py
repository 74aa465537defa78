"""Stand-ins for the PagerDuty and Opsgenie REST APIs on 127.0.0.1, for the configure
scripts' tests.

Each keeps its objects in memory, answers as the real API does for the calls the scripts
make, and checks every request: method and path, the auth and accept headers, and the
exact shape of each JSON body (keys, types, and that every reference names an object
that exists). A request that breaks a rule is answered 400 and recorded in ``problems``;
every request is recorded in ``calls``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

Answer = tuple[int, Any]


class Rejected(Exception):
    """A request the real API would refuse, or one the script must not make."""


def shape(value: Any, expected: Any, where: str = "body") -> None:
    """``value`` has exactly the keys of ``expected``; a type or a check at each leaf."""
    if isinstance(expected, dict):
        if not isinstance(value, dict) or set(value) != set(expected):
            keys = sorted(value) if isinstance(value, dict) else type(value).__name__
            raise Rejected(f"{where}: expected keys {sorted(expected)}, got {keys}")
        for key, inner in expected.items():
            shape(value[key], inner, f"{where}.{key}")
    elif isinstance(expected, list):
        if not isinstance(value, list) or not value:
            raise Rejected(f"{where}: expected a non-empty list")
        for index, item in enumerate(value):
            shape(item, expected[0], f"{where}[{index}]")
    elif isinstance(expected, type):
        if not isinstance(value, expected) or isinstance(value, bool) is not (expected is bool):
            raise Rejected(f"{where}: expected {expected.__name__}, got {value!r}")
    elif callable(expected):
        if not expected(value):
            raise Rejected(f"{where}: unexpected value {value!r}")
    elif value != expected:
        raise Rejected(f"{where}: expected {expected!r}, got {value!r}")


class StandIn:
    """What both stand-ins share: the server, the header checks and the call log."""

    auth = ""
    accept = ""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self._next = 0
        self.url = ""

    def new_id(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self._next:04d}"

    @property
    def changes(self) -> list[tuple[str, str]]:
        """The calls that change something."""
        return [call for call in self.calls if call[0] != "GET"]

    def handle(self, method: str, target: str, headers: Any, raw: bytes) -> Answer:
        self.calls.append((method, target))
        try:
            if headers.get("Authorization") != self.auth:
                raise Rejected(f"{method} {target}: wrong Authorization header")
            if headers.get("Accept") != self.accept:
                raise Rejected(f"{method} {target}: wrong Accept header")
            body = None
            if method != "GET":
                if headers.get("Content-Type") != "application/json":
                    raise Rejected(f"{method} {target}: body is not sent as JSON")
                body = json.loads(raw)
            url = urlsplit(target)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            parts = [unquote(p) for p in url.path.strip("/").split("/")]
            return self.route(method, parts, query, body)
        except (Rejected, json.JSONDecodeError) as problem:
            self.problems.append(str(problem))
            return 400, {"error": str(problem)}

    def route(self, method: str, parts: list[str], query: dict[str, str], body: Any) -> Answer:
        raise NotImplementedError

    @contextmanager
    def serving(self) -> Iterator[StandIn]:
        """Serve on a free port of 127.0.0.1 while the block runs."""
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                status, payload = api.handle(
                    self.command, self.path, self.headers, self.rfile.read(length)
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


def _iso(value: Any) -> bool:
    return isinstance(value, str) and _ISO.fullmatch(value) is not None


class PagerDuty(StandIn):
    """PagerDuty's REST API v2: users, schedules, escalation policies, services and their
    integrations. Lists answer at most ``page`` objects at a time."""

    auth = "Token token=pd-test-token"
    accept = "application/vnd.pagerduty+json;version=2"
    KINDS: ClassVar[dict[str, str]] = {
        "users": "user",
        "schedules": "schedule",
        "escalation_policies": "escalation_policy",
        "services": "service",
    }

    def __init__(self, users: list[str], schedules: tuple[str, ...] = (), page: int = 2) -> None:
        super().__init__()
        self.page = page
        self.objects: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in self.KINDS}
        for email in users:
            uid = self.new_id("PU")
            self.objects["users"][uid] = {"id": uid, "type": "user", "email": email}
        for name in schedules:
            self._store("schedules", {"type": "schedule", "name": name, "schedule_layers": []})

    def _store(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        obj = {**obj, "id": obj.get("id") or self.new_id("P")}
        self.objects[kind][obj["id"]] = obj
        return obj

    def named(self, kind: str, name: str) -> dict[str, Any]:
        """The object of ``kind`` called ``name`` (for the test's assertions)."""
        return next(o for o in self.objects[kind].values() if o.get("name") == name)

    def _exists(self, kind: str) -> Callable[[Any], bool]:
        return lambda value: value in self.objects[kind]

    def _target(self, value: Any) -> bool:
        kind = {"schedule_reference": "schedules", "user_reference": "users"}.get(value["type"])
        return kind is not None and value["id"] in self.objects[kind]

    def _shapes(self) -> dict[str, Any]:
        user = {"user": {"id": self._exists("users"), "type": "user_reference"}}
        return {
            "schedule": {
                "type": "schedule",
                "name": _text,
                "description": str,
                "time_zone": _text,
                "schedule_layers": [
                    {
                        "name": _text,
                        "start": _iso,
                        "rotation_virtual_start": _iso,
                        "rotation_turn_length_seconds": int,
                        "users": [user],
                    }
                ],
            },
            "escalation_policy": {
                "type": "escalation_policy",
                "name": _text,
                "description": str,
                "num_loops": int,
                "escalation_rules": [
                    {
                        "escalation_delay_in_minutes": lambda v: isinstance(v, int) and v >= 1,
                        "targets": [lambda t: isinstance(t, dict) and self._target(t)],
                    }
                ],
            },
            "service": {
                "type": "service",
                "name": _text,
                "description": str,
                "escalation_policy": {
                    "id": self._exists("escalation_policies"),
                    "type": "escalation_policy_reference",
                },
                "incident_urgency_rule": {"type": "constant", "urgency": "severity_based"},
            },
        }

    def route(self, method: str, parts: list[str], query: dict[str, str], body: Any) -> Answer:
        kind = parts[0]
        if kind not in self.KINDS:
            raise Rejected(f"{method} /{'/'.join(parts)}: no such endpoint")
        wrapper = self.KINDS[kind]
        if method == "GET" and len(parts) == 1:
            return self._list(kind, query)
        if method == "GET" and len(parts) == 2:
            obj = self.objects[kind].get(parts[1])
            if obj is None:
                return 404, {"error": {"message": "Not Found"}}
            if kind == "services" and query.get("include[]") == "integrations":
                obj = {**obj, "integrations": obj.get("integrations", [])}
            else:
                obj = {k: v for k, v in obj.items() if k != "integrations"}
            return 200, {wrapper: obj}
        if kind == "users":
            raise Rejected(f"{method} /users: the script must not change users")
        if method == "POST" and len(parts) == 3 and parts[2] == "integrations":
            return self._integration(parts[1], body)
        if method in ("POST", "PUT"):
            shape(body, {wrapper: self._shapes()[wrapper]})
            obj = body[wrapper]
            if method == "POST" and len(parts) == 1:
                if any(o.get("name") == obj["name"] for o in self.objects[kind].values()):
                    raise Rejected(f"POST /{kind}: {obj['name']} exists already")
                return 201, {wrapper: self._store(kind, obj)}
            if method == "PUT" and len(parts) == 2 and parts[1] in self.objects[kind]:
                kept = self.objects[kind][parts[1]].get("integrations")
                updated = self._store(kind, {**obj, "id": parts[1]})
                if kept is not None:
                    updated["integrations"] = kept
                return 200, {wrapper: updated}
        raise Rejected(f"{method} /{'/'.join(parts)}: no such endpoint")

    def _list(self, kind: str, query: dict[str, str]) -> Answer:
        if set(query) != {"query", "limit", "offset"}:
            raise Rejected(f"GET /{kind}: list without query, limit and offset")
        field = "email" if kind == "users" else "name"
        needle = query["query"].lower()
        found = [o for o in self.objects[kind].values() if needle in o.get(field, "").lower()]
        offset, limit = int(query["offset"]), min(int(query["limit"]), self.page)
        shown = found[offset : offset + limit]
        more = offset + limit < len(found)
        return 200, {kind: shown, "limit": limit, "offset": offset, "more": more}

    def _integration(self, service: str, body: Any) -> Answer:
        if service not in self.objects["services"]:
            raise Rejected(f"POST /services/{service}/integrations: no such service")
        shape(body, {"integration": {"type": "events_api_v2_inbound_integration", "name": _text}})
        integration = {
            **body["integration"],
            "id": self.new_id("PI"),
            "integration_key": f"routing-key-{self._next}",
        }
        self.objects["services"][service].setdefault("integrations", []).append(integration)
        return 201, {"integration": integration}


class Opsgenie(StandIn):
    """Opsgenie's REST API v2: users, teams, schedules, escalations and API integrations.
    With ``show_keys`` false, an integration's key is shown only when it is created."""

    auth = "GenieKey og-test-key"
    accept = "application/json"
    KINDS = ("teams", "schedules", "escalations")

    def __init__(self, users: list[str], show_keys: bool = True) -> None:
        super().__init__()
        self.users = {email: self.new_id("U") for email in users}
        self.objects: dict[str, dict[str, dict[str, Any]]] = {
            kind: {} for kind in (*self.KINDS, "integrations")
        }
        self.show_keys = show_keys

    def named(self, kind: str, name: str) -> dict[str, Any]:
        """The object of ``kind`` called ``name`` (for the test's assertions)."""
        return next(o for o in self.objects[kind].values() if o["name"] == name)

    def _has(self, kind: str) -> Callable[[Any], bool]:
        return lambda name: any(o["name"] == name for o in self.objects[kind].values())

    def _recipient(self, value: Any) -> bool:
        kinds = {"schedule": "schedules", "team": "teams"}
        return (
            isinstance(value, dict)
            and set(value) == {"type", "name"}
            and value["type"] in kinds
            and self._has(kinds[value["type"]])(value["name"])
        )

    def _shapes(self, body: Any) -> dict[str, Any]:
        user = lambda email: email in self.users  # noqa: E731
        schedule = {
            "name": _text,
            "description": str,
            "timezone": _text,
            "enabled": bool,
            "rotations": [
                {
                    "name": _text,
                    "startDate": _iso,
                    "type": lambda v: v in ("weekly", "daily", "hourly"),
                    "length": int,
                    "participants": [{"type": "user", "username": user}],
                }
            ],
        }
        if isinstance(body, dict) and "ownerTeam" in body:
            schedule["ownerTeam"] = {"name": self._has("teams")}
        return {
            "teams": {
                "name": _text,
                "description": str,
                "members": [{"user": {"username": user}, "role": "user"}],
            },
            "schedules": schedule,
            "escalations": {
                "name": _text,
                "description": str,
                "rules": [
                    {
                        "condition": "if-not-acked",
                        "notifyType": "default",
                        "delay": {"timeAmount": int, "timeUnit": "minutes"},
                        "recipient": self._recipient,
                    }
                ],
            },
            "integrations": {
                "type": "API",
                "name": _text,
                "enabled": True,
                "responders": [{"type": "escalation", "name": self._has("escalations")}],
            },
        }

    def route(self, method: str, parts: list[str], query: dict[str, str], body: Any) -> Answer:
        if parts[0] != "v2" or len(parts) < 2:
            raise Rejected(f"{method} /{'/'.join(parts)}: no such endpoint")
        kind, rest = parts[1], parts[2:]
        if kind == "users" and method == "GET" and len(rest) == 1:
            uid = self.users.get(rest[0])
            if uid is None:
                return 404, {"message": "No user exists with username " + rest[0]}
            return 200, {"data": {"id": uid, "username": rest[0]}}
        if kind == "integrations":
            return self._integrations(method, rest, query, body)
        if kind not in self.KINDS:
            raise Rejected(f"{method} /{'/'.join(parts)}: no such endpoint")
        if method == "GET" and len(rest) == 1:
            if query != {"identifierType": "name"}:
                raise Rejected(f"GET /v2/{kind}/{rest[0]}: not looked up by name")
            found = [o for o in self.objects[kind].values() if o["name"] == rest[0]]
            if not found:
                return 404, {"message": f"No {kind} exists with name {rest[0]}"}
            return 200, {"data": found[0]}
        if method == "POST" and not rest:
            shape(body, self._shapes(body)[kind])
            if self._has(kind)(body["name"]):
                raise Rejected(f"POST /v2/{kind}: {body['name']} exists already")
            obj = {**body, "id": self.new_id("O")}
            self.objects[kind][obj["id"]] = obj
            return 201, {"data": {"id": obj["id"], "name": obj["name"]}}
        if method == "PATCH" and len(rest) == 1 and rest[0] in self.objects[kind]:
            if query.get("identifierType", "id") != "id":
                raise Rejected(f"PATCH /v2/{kind}/{rest[0]}: not addressed by id")
            shape(body, self._shapes(body)[kind])
            self.objects[kind][rest[0]] = {**body, "id": rest[0]}
            return 200, {"data": {"id": rest[0], "name": body["name"]}}
        raise Rejected(f"{method} /v2/{kind}/{'/'.join(rest)}: no such endpoint")

    def _integrations(
        self, method: str, rest: list[str], query: dict[str, str], body: Any
    ) -> Answer:
        stored = self.objects["integrations"]
        if method == "GET" and not rest:
            if query != {"type": "API"}:
                raise Rejected("GET /v2/integrations: not filtered by type API")
            listed = [{k: o[k] for k in ("id", "name", "type", "enabled")} for o in stored.values()]
            return 200, {"data": listed}
        if method == "GET" and len(rest) == 1 and rest[0] in stored:
            obj = dict(stored[rest[0]])
            if not self.show_keys:
                del obj["apiKey"]
            return 200, {"data": obj}
        if method == "POST" and not rest:
            shape(body, self._shapes(body)["integrations"])
            if self._has("integrations")(body["name"]):
                raise Rejected(f"POST /v2/integrations: {body['name']} exists already")
            obj = {**body, "id": self.new_id("I"), "apiKey": f"api-key-{self._next}"}
            stored[obj["id"]] = obj
            return 201, {"data": {"id": obj["id"], "name": obj["name"], "apiKey": obj["apiKey"]}}
        raise Rejected(f"{method} /v2/integrations/{'/'.join(rest)}: no such endpoint")
