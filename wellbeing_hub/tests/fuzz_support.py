"""The route fuzzer behind ``test_fuzz_routes.py``: every URL of the project, as every role, with
nasty path ids, query parameters, form fields and JSON bodies; a response of 500 or more, or an
exception out of the view, is a failure.

How it works, so a failure can be reproduced by hand:

* ``routes()`` walks ``django.urls.get_resolver()`` and turns each pattern into a template
  (``/time-bank/requests/{pk}/``) with its parameters and their converters.
* ``build_dataset()`` makes a small demo area through the apps' own demo generators (the same ones
  ``make demo`` runs), one demo user per role, and time-bank API tokens.
* ``Fuzzer.crawl()`` signs in as each role, reads the pages it can reach and resolves every link and
  form action on them, so each route's path parameters get real ids that the role may open. Ids no
  page linked to come from the database (``_database_ids``).
* ``Fuzzer.fuzz_route()`` then sends, per route and role: a GET with the real ids (and reads the
  forms on the page), GETs with nasty values in every query key the view reads plus a random key,
  GETs with raw invalid UTF-8 in the query string, GETs with nasty path ids, and POSTs of each form
  on the page with nasty values (all fields at once, then one field at a time with the others left
  as the page filled them).  JSON endpoints get nasty JSON bodies (see ``json_bodies``).
* Every request runs inside a savepoint, so a database error in one request does not poison the
  rest; nothing is torn down between requests.

Values are chosen by position (route, role, request number), so a run is deterministic; the
hypothesis part in the test module uses ``derandomize=True``.
"""

from __future__ import annotations

import json
import re
import traceback
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

REPO = Path(__file__).resolve().parents[2]
APP_DIRS = (
    "accounts",
    "directory",
    "budgets",
    "timebank",
    "participation",
    "wellbeing_hub",
    "rules",
)
PROJECT_APPS = ("accounts", "directory", "budgets", "timebank", "participation")
ROLES = (
    "anonymous",
    "person",
    "carer",
    "provider",
    "broker",
    "coordinator",
    "commissioner",
    "administrator",
)

# --- nasty values -------------------------------------------------------------------------------

NASTY: tuple[str, ...] = (
    "\x00",
    "a\x00b",
    "²",
    "٣",
    "Ｐ1",
    "p\u200b1",
    "9" * 30,
    str(2**63),
    "-1",
    "0",
    "1e999",
    "NaN",
    "Infinity",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13-01",
    "9999-12-31T23:59:59+14:00",
    "+14:00",
    "x" * 100_000,
    "<script>alert(1)</script>",
    "=1+1",
    "../../etc/passwd",
    "%",
    "\r\nX-Injected: 1",
    "🙂",
    "",
    " ",
    "-0",
    "1.5",
    "١٢",
    "true",
    "[]",
    "{}",
    "'; DROP TABLE x; --",
    "\\",
    "1,5",
    "00:00",
    "24:00",
    "-9223372036854775809",
)

# Raw query strings: the test client sends them as they are (percent-decoding to invalid UTF-8).
RAW_QUERIES: tuple[str, ...] = (
    "%ff",
    "%c0%80",
    "%ed%a0%80",  # an encoded lone surrogate
    "%00",
    "%e2%82",  # a truncated sequence
    "%fe%ff%00%00",
)

# Values put in path parameters (percent-encoded as needed; the raw ones are kept as they are).
NASTY_PATH: tuple[str, ...] = (
    "%ff",
    "%c0%80",
    "9" * 30,
    str(2**63),
    "-1",
    "0",
    "²",
    "٣",
    "Ｐ1",
    "x" * 3000,
    "%00",
    "..%2f..%2fetc%2fpasswd",
    "1e999",
)

# Query keys the views read (grep request.GET and the GET forms), beyond the ones read off pages.
GET_KEYS: tuple[str, ...] = (
    "next",
    "q",
    "pb",
    "start",
    "end",
    "neighbourhood",
    "domain",
    "from",
    "to",
    "all",
    "request",
    "with",
    "direction",
    "code",
    "category",
    "latitude",
    "longitude",
    "within",
    "day",
    "price",
    "sort",
    "page",
    "personal_budgets",
    "time_credits",
    "micro",
    "language",
    "accessibility",
)
ADMIN_GET_KEYS: tuple[str, ...] = ("q", "o", "p", "e", "all", "_changelist_filters", "_to_field")


def nasty(index: int) -> str:
    return NASTY[index % len(NASTY)]


def stable(text: str) -> int:
    """A hash that is the same in every process (``hash`` of a str is salted)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def json_bodies() -> list[Any]:
    """Nasty JSON documents for the JSON endpoints (sent as bytes, some not valid JSON at all)."""
    values: list[Any] = [
        b"[" * 50_000 + b"1" + b"]" * 50_000,  # deeper than json.loads can recurse
        b'{"a":' * 3_000 + b"{}" + b"}" * 3_000,
        [],
        "a string",
        None,
        2**63,
        {"giver": 2**63, "receiver": -(2**63) - 1, "minutes": 2**63},
        {"giver": 1e999, "receiver": "1e999", "minutes": 1e999},
        {"giver": "\u0000", "receiver": "a\u0000b", "minutes": "\u0000", "start": "\u0000"},
        {"giver": [], "receiver": {}, "minutes": [], "start": [], "request": {}},
        {"giver": True, "receiver": False, "minutes": True, "start": True, "confirm": "no"},
        {"giver": "٣", "receiver": "²", "minutes": "٣", "start": "0001-01-01"},
        {"start": "9999-12-31T23:59:59+14:00", "minutes": 60},
        {"start": "0001-01-01T00:00:00-14:00", "minutes": 60},
        {"start": "2026-02-30T10:00:00+00:00", "minutes": 60},
        {"start": "2026-01-01T10:00:00", "minutes": 60},  # no offset
        {"minutes": -1, "start": "2026-01-01T10:00:00+00:00"},
        {"minutes": 0.5, "start": "2026-01-01T10:00:00+00:00"},
        {"minutes": "60", "start": "2026-01-01T10:00:00+00:00"},
        {"description": "x" * 100_000, "idempotency_key": "k" * 10_000},
        {"idempotency_key": {"a": 1}, "description": ["x"], "request": "x"},
        {"request": 2**63, "minutes": 60},
        {"request": -1},
        {"request": "9" * 30},
    ]
    return values


def raw_json_bodies() -> list[bytes]:
    """Bodies that are not JSON (or not UTF-8) at all."""
    return [
        b"",
        b"{",
        b"\xff\xfe\x00",
        b'{"giver": NaN, "receiver": Infinity, "minutes": -Infinity}',
        b'{"minutes": 1e999}',
        b'{"start": "\\ud800"}',
        b"[" * 200_000,
        b'{"a":1,"a":2}',
        b"\x00",
    ]


# --- routes -------------------------------------------------------------------------------------

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")


@dataclass(frozen=True)
class Route:
    template: str  # "/time-bank/requests/{pk}/"
    name: str  # "timebank:request"
    params: tuple[tuple[str, str], ...]  # (name, converter or regex)
    callback: Any = field(compare=False, hash=False)

    @property
    def group(self) -> str:
        return route_group(self)

    def path(self, values: dict[str, str]) -> str:
        result = self.template
        for name, _ in self.params:
            result = result.replace("{" + name + "}", values[name])
        return result


def _pattern_text(pattern: Any) -> tuple[str, list[tuple[str, str]]]:
    """A URL pattern as a template fragment and its parameters."""
    text = str(pattern)
    params: list[tuple[str, str]] = []
    if pattern.__class__.__name__ == "RoutePattern":

        def sub(match: re.Match[str]) -> str:
            params.append((match["name"], match["conv"] or "str"))
            return "{" + match["name"] + "}"

        return _ROUTE_PARAM.sub(sub, text), params
    # A regex pattern: the simple forms this project uses (anchors, optional slash, escapes).
    text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")

    def group(match: re.Match[str]) -> str:
        params.append((match["name"], match["body"]))
        return "{" + match["name"] + "}"

    text = _REGEX_GROUP.sub(group, text)
    text = text.replace("/?", "/").replace("\\.", ".")
    if re.search(r"[\\()\[\]*+?|]", text):
        raise ValueError(f"cannot make a template of {pattern!s}")
    return text, params


def _walk(
    patterns: Iterable[Any], prefix: str, namespace: str, params: list[tuple[str, str]]
) -> Iterator[Route]:
    for entry in patterns:
        try:
            text, own = _pattern_text(entry.pattern)
        except ValueError:
            continue
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, prefix + text, inner, params + own)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else namespace + ":?"
            yield Route("/" + prefix + text, name, tuple(params + own), entry.callback)


def routes() -> list[Route]:
    """Every URL pattern of the project (the admin reduced to the project's own models)."""
    found: list[Route] = []
    seen: set[str] = set()
    for route in _walk(get_resolver().url_patterns, "", "", []):
        if route.template in seen:
            continue
        seen.add(route.template)
        if route.template.startswith("/admin/") and not _project_admin(route):
            continue
        found.append(route)
    return found


def _project_admin(route: Route) -> bool:
    """Django's own admin pages (login, password change, jsi18n, auth and session models, the
    catch-all) are left out; the project's own ModelAdmin pages are kept."""
    parts = route.template.split("/")
    if len(parts) < 4:  # /admin/ index
        return False
    app_label = parts[2]
    return (
        app_label in PROJECT_APPS
        and route.name.endswith(("_changelist", "_change"))
        and "password" not in route.name
    )


def route_group(route: Route) -> str:
    if route.template.startswith("/admin/"):
        return "admin"
    namespace, _, _ = route.name.rpartition(":")
    return namespace.split(":")[0] or "root"


# --- HTML forms ---------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]]  # name -> values a browser would send (first of a select)
    names: list[str]  # every field name, in order


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_has: bool = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""), {}, [])
            self.forms.append(self._form)
            if a.get("action"):
                self.links.append(a["action"])
        elif self._form is None:
            return
        elif tag in ("input", "button", "textarea", "select") and a.get("name"):
            name = a["name"]
            if name not in self._form.names:
                self._form.names.append(name)
            kind = a.get("type", "text").lower()
            if tag == "select":
                self._select, self._select_has = name, False
                return
            if tag == "input" and kind in ("checkbox", "radio"):
                if name not in self._form.fields or kind == "checkbox":
                    self._form.fields.setdefault(name, [])
                    if "checked" in a or not self._form.fields[name]:
                        if kind == "radio":
                            self._form.fields[name] = [a.get("value", "on")]
                        else:
                            self._form.fields[name].append(a.get("value", "on"))
                return
            if tag == "input" and kind == "file":
                return
            if tag == "button" or kind in ("submit", "image", "reset"):
                # the first named button is the one a browser would send
                self._form.fields.setdefault(name, [a.get("value", "")])
                return
            self._form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if (not self._select_has and value) or "selected" in a:
                self._form.fields[self._select] = [value]
                self._select_has = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._form is not None and self._select and self._select not in self._form.fields:
                self._form.fields[self._select] = [""]
            self._select = None


def parse_html(body: bytes) -> tuple[list[Form], list[str]]:
    parser = _FormParser()
    try:
        parser.feed(body.decode("utf-8", "replace"))
    except Exception:
        return [], []
    return parser.forms, parser.links


# --- failures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    group: str
    method: str
    path: str
    role: str
    parameter: str
    value: str
    outcome: str  # "500" or "ExceptionType: message"
    frame: str  # innermost project frame "app/file.py:123 in function"

    def line(self) -> str:
        value = self.value if len(self.value) <= 40 else self.value[:30] + f"…({len(self.value)})"
        path = self.path if len(self.path) <= 90 else self.path[:80] + f"…({len(self.path)})"
        return (
            f"{self.method} {path} as {self.role} [{self.parameter}={value!r}] -> "
            f"{self.outcome} at {self.frame}"
        )

    @property
    def key(self) -> tuple[str, str, str]:
        """Failures with the same route, outcome type and frame are one finding."""
        return (self.method + " " + self.route_name, self.outcome.split(":")[0], self.frame)

    @property
    def route_name(self) -> str:
        try:
            return resolve(urllib.parse.urlsplit(self.path).path).view_name
        except Exception:
            return self.path[:60]


def project_frame(error: BaseException) -> str:
    """The innermost frame of the project's own code in the traceback (else the innermost)."""
    frames = traceback.extract_tb(error.__traceback__)
    chosen = None
    for frame in frames:
        path = Path(frame.filename)
        try:
            relative = path.resolve().relative_to(REPO)
        except ValueError:
            continue
        if relative.parts and relative.parts[0] in APP_DIRS and "tests" not in relative.parts:
            chosen = (str(relative), frame.lineno, frame.name)
    if chosen is None and frames:  # no project code in it (the admin, say): the innermost
        last = frames[-1]
        chosen = (last.filename.split("site-packages/")[-1], last.lineno, last.name)
    return "{}:{} in {}".format(*chosen) if chosen else "?"


# --- the fuzzer ---------------------------------------------------------------------------------


@dataclass
class Dataset:
    users: dict[str, Any]  # role -> User (no entry for anonymous)
    tokens: dict[str, str]  # role -> time-bank API token


def build_dataset() -> Dataset:
    """A small demo area with every app's demo content, one demo user per role and API tokens."""
    from django.test.utils import override_settings

    from accounts.demo_users import create_demo_users
    from accounts.models import User
    from budgets.demo import seed_demo as seed_budgets
    from directory.demo_area import generate_area
    from participation.demo import seed_demo as seed_participation
    from timebank import services as timebank_services
    from timebank.demo import seed_demo as seed_timebank

    generate_area(seed=2026, services=24)
    logins = create_demo_users({"WELLBEING_DEMO_PASSWORD": "fuzz-demo-password"})
    users = {login.role: User.objects.get(username=login.username) for login in logins}
    quiet = "django.core.mail.backends.locmem.EmailBackend"
    with override_settings(MAILERS={"default": {"BACKEND": quiet}}):
        for seed in (seed_timebank, seed_budgets, seed_participation):
            seed(users)
    tokens: dict[str, str] = {}
    for role, user in users.items():
        try:
            with transaction.atomic():
                tokens[role] = timebank_services.issue_api_token(user=user)
        except Exception:  # noqa: S112 (the API is then fuzzed without that role's token)
            continue
    return Dataset(users=users, tokens=tokens)


def _admin_object_id(route: Route) -> str:
    from django.apps import apps

    _, _, app_label, model_name, *_ = route.template.split("/")
    row = apps.get_model(app_label, model_name).objects.order_by("pk").first()
    return urllib.parse.quote(str(row.pk), safe="") if row is not None else "1"


class _ReadRecorder:
    """Records which keys a view reads from ``request.GET`` / ``request.POST`` (every QueryDict),
    so the one-key-at-a-time requests go to the keys the view actually looks at. Iterating over
    the keys records ``*iter`` (the view reads any key it is given)."""

    METHODS = ("__getitem__", "get", "getlist", "__contains__")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> _ReadRecorder:
        from django.http import QueryDict

        self.keys = []
        for name in self.METHODS:
            self._saved[name] = QueryDict.__dict__.get(name)
            setattr(QueryDict, name, self._wrap(getattr(QueryDict, name)))
        self._saved["__iter__"] = QueryDict.__dict__.get("__iter__")
        base_iter = QueryDict.__iter__
        keys = self.keys

        def iterate(qd: Any) -> Any:
            keys.append("*iter")
            return base_iter(qd)

        QueryDict.__iter__ = iterate  # type: ignore[method-assign]
        return self

    def _wrap(self, base: Any) -> Any:
        keys = self.keys

        def wrapper(qd: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(key, str) and key not in keys:
                keys.append(key)
            return base(qd, key, *args, **kwargs)

        return wrapper

    def __exit__(self, *exc: object) -> None:
        from django.http import QueryDict

        for name, value in self._saved.items():
            if value is None:
                delattr(QueryDict, name)
            else:
                setattr(QueryDict, name, value)
        self._saved.clear()


@dataclass(frozen=True)
class Target:
    """A request the sweep made with real ids whose fields the hypothesis pass varies."""

    group: str
    role: str
    method: str
    path: str
    base: tuple[tuple[str, tuple[str, ...]], ...]
    names: tuple[str, ...]


@dataclass
class Seen:
    """What one role saw on one route with real ids."""

    path: str
    status: int
    forms: list[Form]
    links: list[str]
    reads: list[str]


class Fuzzer:
    def __init__(self, dataset: Dataset, all_routes: list[Route]) -> None:
        self.dataset = dataset
        self.routes = all_routes
        self.by_name = {r.name: r for r in all_routes}
        self.clients: dict[str, Client] = {}
        # route name -> role -> real kwargs (as path text); role "*" from the database
        self.real: dict[str, dict[str, dict[str, str]]] = {}
        self.seen: dict[str, dict[str, Seen]] = {}
        # route name -> role -> a POST form on another page whose action is that route
        self.actions: dict[str, dict[str, Form]] = {}
        # what the hypothesis pass varies: (group, role, method, path, base data, field names)
        self.targets: list[Target] = []
        self.failures: list[Failure] = []
        self.requests = 0
        self.last: dict[str, list[str]] = {}

    # clients

    def client(self, role: str) -> Client:
        if role not in self.clients:
            client = Client(raise_request_exception=True)
            if role != "anonymous":
                client.force_login(self.dataset.users[role])
            self.clients[role] = client
        return self.clients[role]

    def relogin(self, role: str) -> None:
        self.clients.pop(role, None)

    # one request

    def send(
        self,
        group: str,
        role: str,
        method: str,
        path: str,
        *,
        parameter: str = "",
        value: str = "",
        data: Any = None,
        content_type: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Any:
        client = self.client(role)
        self.requests += 1
        try:
            with transaction.atomic():
                if method == "GET":
                    response = client.get(path, data or {}, **(extra or {}))
                elif content_type:
                    response = client.generic(
                        "POST", path, data or b"", content_type=content_type, **(extra or {})
                    )
                else:
                    response = client.post(path, data or {}, **(extra or {}))
        except Exception as error:  # every exception is a finding
            message = " ".join(str(error).split())
            if len(message) > 160:
                message = message[:150] + "…"
            self.failures.append(
                Failure(
                    group,
                    method,
                    path,
                    role,
                    parameter,
                    value,
                    f"{type(error).__name__}: {message}",
                    project_frame(error),
                )
            )
            self.relogin(role)
            return None
        if response.status_code >= 500:
            self.failures.append(
                Failure(
                    group,
                    method,
                    path,
                    role,
                    parameter,
                    value,
                    f"status {response.status_code}",
                    "(a response, no exception)",
                )
            )
        if method == "POST" and path.startswith(("/account/sign-out", "/account/sign-in")):
            self.relogin(role)
        return response

    def look(self, group: str, role: str, path: str) -> Seen:
        """A GET with real ids, recording the forms, links and the query keys the view reads."""
        with _ReadRecorder() as recorder:
            response = self.send(group, role, "GET", path)
        status = 0 if response is None else response.status_code
        forms: list[Form] = []
        links: list[str] = []
        if status == 200 and "html" in response.get("Content-Type", ""):
            forms, links = parse_html(response.content)
        return Seen(path, status, forms, links, list(recorder.keys))

    # real ids

    def _learn(self, role: str, href: str) -> str | None:
        """Resolve a link; the first link to each route (per role) gives its real ids."""
        parts = urllib.parse.urlsplit(href)
        if parts.netloc or not parts.path.startswith("/"):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        route = self.by_name.get(match.view_name)
        if route is None or not match.kwargs:
            return None
        per_role = self.real.setdefault(route.name, {})
        if role in per_role:
            return None
        per_role[role] = {k: urllib.parse.quote(str(v), safe="") for k, v in match.kwargs.items()}
        return parts.path

    def _learn_action(self, role: str, form: Form, page: str) -> None:
        """A POST form whose action is another route: that route's fields, for this role."""
        if form.method != "post" or not form.action.startswith("/"):
            return
        try:
            name = resolve(urllib.parse.urlsplit(form.action).path).view_name
        except Resolver404:
            return
        if name in self.by_name and form.action != page:
            self.actions.setdefault(name, {}).setdefault(role, form)

    def crawl(self) -> None:
        """Each role reads each page it can reach once (one page per route): the real ids come
        from the links and form actions, and what the role saw is kept for the fuzzing."""
        start = [
            r
            for r in self.routes
            if not r.params
            and r.group not in ("admin", "oruk-api")
            and not r.template.endswith((".csv", "sign-out/"))
        ]
        for role in ROLES:
            queue = [(r, r.template) for r in start]
            while queue:
                route, path = queue.pop(0)
                if role in self.seen.get(route.name, {}):
                    continue
                seen = self.look("crawl", role, path)
                self.seen.setdefault(route.name, {})[role] = seen
                if seen.status != 200:
                    continue
                for form in seen.forms:
                    self._learn_action(role, form, path)
                for href in seen.links:
                    new = self._learn(role, href)
                    if new and not new.endswith(".csv"):
                        target = self.by_name[resolve(new).view_name]
                        queue.append((target, new))
        self._database_ids()

    def _database_ids(self) -> None:
        """Ids for routes no page linked to, read from the database (first rows)."""
        from directory.models import (
            Organization,
            Service,
            ServiceAtLocation,
            Taxonomy,
            TaxonomyTerm,
        )

        first = {
            "service_id": Service.objects.order_by("pk").values_list("pk", flat=True)[:1],
            "org_id": Organization.objects.order_by("pk").values_list("pk", flat=True)[:1],
            "sal_id": ServiceAtLocation.objects.order_by("pk").values_list("pk", flat=True)[:1],
            "taxonomy_id": Taxonomy.objects.values_list("pk", flat=True)[:1],
            "term_id": TaxonomyTerm.objects.values_list("pk", flat=True)[:1],
            "kind": ["invalid-parameter"],
            "rest": ["no-such-thing"],
            "asset": ["fonts/x.woff2"],
        }
        # Any id seen for the same parameter name in the same namespace.
        pool: dict[tuple[str, str], str] = {}
        for name, per_role in self.real.items():
            for kwargs in per_role.values():
                for key, value in kwargs.items():
                    pool.setdefault((name.split(":")[0], key), value)
        for route in self.routes:
            if not route.params or self.real.get(route.name):
                continue
            if route.group == "admin":
                self.real[route.name] = {"*": {route.params[0][0]: _admin_object_id(route)}}
                continue
            route_kwargs: dict[str, str] = {}
            for key, _ in route.params:
                if key in first and (route.group == "oruk-api" or key != "kind"):
                    values = [str(v) for v in first[key]]
                    route_kwargs[key] = urllib.parse.quote(values[0], safe="") if values else "1"
                else:
                    route_kwargs[key] = pool.get((route.name.split(":")[0], key), "1")
            self.real.setdefault(route.name, {})["*"] = route_kwargs

    def real_kwargs(self, route: Route, role: str) -> dict[str, str]:
        known = self.real.get(route.name, {})
        if role in known:
            return known[role]
        for other in known.values():
            return other
        return {k: "1" for k, _ in route.params}

    # fuzzing one route

    def fuzz_route(self, route: Route) -> None:
        """Every role gets nasty values in one request or two; the roles that can open the page
        (at most two) get every query key the view reads and every form field, one at a time."""
        group = route.group
        salt = stable(route.template)
        if group == "admin":
            roles: tuple[str, ...] = ("administrator",)
        else:
            roles = tuple(r for r in ROLES if r == "anonymous" or r in self.dataset.users)
        seen = self.seen.setdefault(route.name, {})
        for role in roles:
            if role not in seen and (
                group in ("admin", "oruk-api") or role in ("anonymous", "coordinator")
            ):
                path = route.path(self.real_kwargs(route, role))
                seen[role] = self.look(group, role, path)
        deep = [r for r in roles if r in seen and seen[r].status == 200]
        deep.sort(key=lambda r: r == "administrator")  # the administrator last
        any_forms = [f for s in seen.values() for f in s.forms if f.method == "post"]
        self.last = {
            "deep": deep[:2],
            "reads": seen[deep[0]].reads if deep else [],
            "fields": [n for f in seen[deep[0]].forms for n in f.names] if deep else [],
        }
        for r_index, role in enumerate(roles):
            offset = salt + r_index * 7
            path = seen[role].path if role in seen else route.path(self.real_kwargs(route, role))
            if role in deep[:2]:
                self._deep(group, role, route, seen[role], offset, full=role == deep[0])
            elif role == "anonymous" or (salt + r_index) % 3 == 0:
                self._shallow(group, role, route, path, any_forms, offset)
        # forms on other pages that post here (buttons such as approve, confirm, withdraw)
        for role, form in list(self.actions.get(route.name, {}).items())[:2]:
            if role in deep[:1]:
                continue
            page = Seen(form.action, 200, [form], [], [])
            self._post_forms(group, role, page, salt + stable(role), full=True)
        if group != "admin":
            role = deep[0] if deep else "anonymous"
            self._fuzz_path(group, role, route, salt, post=group != "oruk-api")

    def _query_keys(self, route: Route, seen: Seen | None) -> list[str]:
        if route.group == "admin":
            keys = list(ADMIN_GET_KEYS)
        elif route.group == "oruk-api":
            from directory import api as oruk_api

            keys = sorted(oruk_api.SERVICE_FILTERS | oruk_api.PAGING)
        else:
            keys = list(GET_KEYS)
        if seen is not None:
            extra = [k for k in seen.reads if not k.startswith("*")]
            for form in seen.forms:
                if form.method == "get":
                    extra.extend(form.names)
            for href in seen.links:
                if href.startswith("?"):
                    extra.extend(k for k, _ in urllib.parse.parse_qsl(href[1:]))
            keys.extend(k for k in dict.fromkeys(extra) if k not in keys)
        return keys

    def _shallow(
        self, group: str, role: str, route: Route, path: str, forms: list[Form], offset: int
    ) -> None:
        """One GET with every known key nasty and raw invalid UTF-8, one blind POST."""
        keys = self._query_keys(route, None)
        query = urllib.parse.urlencode({k: nasty(offset + j) for j, k in enumerate(keys)})
        raw = RAW_QUERIES[offset % len(RAW_QUERIES)]
        self.send(group, role, "GET", f"{path}?{query}&{raw}={raw}", parameter="*all", value=raw)
        if group in ("admin", "oruk-api") or path.endswith(".csv"):
            return
        names = [n for f in forms for n in f.names] or list(GET_KEYS[:8])
        data = {k: nasty(offset + 3 + j) for j, k in enumerate(dict.fromkeys(names))}
        self.send(group, role, "POST", path, parameter="*blind", value="", data=data)

    def _deep(
        self, group: str, role: str, route: Route, seen: Seen, offset: int, *, full: bool
    ) -> None:
        path = seen.path
        keys = self._query_keys(route, seen)
        # all keys at once (two different mixes), with raw invalid UTF-8
        for n in range(2):
            query = urllib.parse.urlencode(
                {k: nasty(offset + n * 11 + j) for j, k in enumerate(keys)}
            )
            raw = RAW_QUERIES[(offset + n) % len(RAW_QUERIES)]
            self.send(
                group, role, "GET", f"{path}?{query}&zz={raw}", parameter="*all", value=str(n)
            )
        if full:
            # the keys the view reads, one at a time (a view that iterates gets a random key too)
            read = [k for k in seen.reads if not k.startswith("*")]
            for form in seen.forms:
                if form.method == "get":
                    read.extend(form.names)
            for href in seen.links:
                if href.startswith("?"):
                    read.extend(k for k, _ in urllib.parse.parse_qsl(href[1:]))
            read = list(dict.fromkeys(read))
            if "*iter" in seen.reads:
                read.append("zz-unknown")
            if read:
                self.targets.append(Target(group, role, "GET", path, (), tuple(read)))
            for j, key in enumerate(read):
                for k in range(1 if group == "admin" else 2):
                    value = nasty(offset + 3 * j + 17 * k + 5)
                    self.send(
                        group, role, "GET", path, parameter=key, value=value, data={key: value}
                    )
        if group in ("admin", "oruk-api") or path.endswith(".csv"):
            return
        self._post_forms(group, role, seen, offset, full=full)

    def _post_forms(self, group: str, role: str, seen: Seen, offset: int, *, full: bool) -> None:
        """Each POST form on the page: all fields nasty, then (``full``) one field at a time."""
        path = seen.path
        posts = [f for f in seen.forms if f.method == "post"][:4]
        if not posts:
            posts = [Form("post", "", {}, [k for k in seen.reads if not k.startswith("*")])]
        for f_index, form in enumerate(posts):
            target = self._action(form, path)
            if target is None:
                continue
            names = [n for n in form.names if n != "csrfmiddlewaretoken"]
            base = {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
            data: dict[str, Any] = {
                k: nasty(offset + 13 + j + f_index) for j, k in enumerate(names)
            }
            with _ReadRecorder() as recorder:
                self.send(group, role, "POST", target, parameter="*all", value="", data=data)
            if not full:
                continue
            # one field at a time, the others as the page filled them (so validation passes
            # the other fields and the nasty one reaches the code behind the form)
            more = [k for k in recorder.keys if not k.startswith("*") and k not in names]
            frozen = tuple((k, tuple(v)) for k, v in base.items())
            self.targets.append(Target(group, role, "POST", target, frozen, tuple(names + more)))
            for j, name in enumerate(names + more):
                for k in range(2 if j < 12 else 1):
                    value = nasty(offset + j * 5 + k * 19)
                    data = dict(base)
                    data[name] = value
                    self.send(group, role, "POST", target, parameter=name, value=value, data=data)

    def _action(self, form: Form, path: str) -> str | None:
        if not form.action:
            return path
        parts = urllib.parse.urlsplit(form.action)
        if parts.netloc:
            return None
        target = form.action if form.action.startswith("/") else path
        if target.endswith("sign-out/"):
            return None  # it would sign the role out for the rest of the route
        return target

    def _fuzz_path(self, group: str, role: str, route: Route, offset: int, *, post: bool) -> None:
        """Nasty values in each path parameter (the others real)."""
        kwargs = self.real_kwargs(route, role)
        for p_index, (name, _) in enumerate(route.params):
            for n in range(3):
                value = NASTY_PATH[(offset + p_index + n * 4) % len(NASTY_PATH)]
                encoded = value if "%" in value else urllib.parse.quote(value, safe="")
                path = route.path(kwargs | {name: encoded})
                self.send(group, role, "GET", path, parameter=name, value=value)
                if post and n == 0:
                    self.send(group, role, "POST", path, parameter=name, value=value, data={})

    # JSON endpoints

    def fuzz_json(self, route: Route, bodies: list[Any], raw: list[bytes]) -> None:
        """POST JSON bodies to an endpoint as every role with a token (and one without)."""
        path = route.path(self.real_kwargs(route, "coordinator"))
        headers_by_role: dict[str, dict[str, Any]] = {"anonymous": {}} | {
            role: {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            for role, token in self.dataset.tokens.items()
        }
        for r_index, (role, headers) in enumerate(headers_by_role.items()):
            for b_index, body in enumerate(bodies):
                if (b_index + r_index) % 2 and role != "coordinator":
                    continue  # every body as the coordinator, half of them as each other role
                encoded = json.dumps(body).encode() if not isinstance(body, bytes) else body
                shown = encoded[:60].decode("utf-8", "replace")
                self.send(
                    route.group,
                    role,
                    "POST",
                    path,
                    parameter="*json",
                    value=shown,
                    data=encoded,
                    content_type="application/json",
                    extra=headers,
                )
            for body in raw if role in ("anonymous", "coordinator") else ():
                self.send(
                    route.group,
                    role,
                    "POST",
                    path,
                    parameter="*raw-json",
                    value=body[:40].decode("latin-1"),
                    data=body,
                    content_type="application/json",
                    extra=headers,
                )


def summarise(failures: list[Failure], limit: int = 60) -> str:
    """One line per distinct finding (route, exception type, frame), with one reproduction."""
    distinct: dict[tuple[str, str, str], tuple[Failure, int]] = {}
    for failure in failures:
        first, count = distinct.get(failure.key, (failure, 0))
        distinct[failure.key] = (first, count + 1)
    lines = [
        f"{first.line()}  (x{count})" for first, count in sorted(distinct.values(), key=_order)
    ]
    if len(lines) > limit:
        lines = [*lines[:limit], f"… and {len(lines) - limit} more distinct findings"]
    return f"{len(distinct)} distinct findings ({len(failures)} failing requests):\n" + "\n".join(
        lines
    )


def _order(item: tuple[Failure, int]) -> tuple[str, str]:
    return (item[0].path, item[0].method)


# --- a URL configuration for the fuzzer's own test ----------------------------------------------


def _broken_view(request: Any, thing: str) -> Any:
    """Reads a number the way the bugs the fuzzer looks for do (no check)."""
    from django.http import HttpResponse

    return HttpResponse(str(int(request.GET.get("n", "0"))))


def _urlpatterns() -> list[Any]:
    from django.urls import path

    from wellbeing_hub.urls import urlpatterns as project  # the pages' links need their names

    return [path("broken/<str:thing>/", _broken_view, name="broken"), *project]


urlpatterns = _urlpatterns()
