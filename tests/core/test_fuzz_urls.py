"""Every URL pattern of the tenant and public URLconfs, walked with hostile input: no 5xx.

The patterns are resolved from the URLconfs themselves (a new page is fuzzed without editing
this file). Each parameter is filled with values its converter accepts and with hostile ones
(NUL, overlong, RTL override, SQL and tsquery syntax, huge numbers, far dates); each page is
requested with a bag of hostile query parameters, and posted hostile form data, and the API
hostile JSON (deeply nested, wrong types); as anonymous, customer, agent and admin.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters
from django.urls.resolvers import RegexPattern, RoutePattern

from panel1.accounts.models import Role, User
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TicketFactory
from tests.factories.knowledgebase import ArticleFactory

NUL = "a\x00b"
RTL = "invoice\u202egpj.exe\u200b"
TSQUERY = "a & !b | (c:* <-> 'd'"
SQL = "1' OR '1'='1'; DROP TABLE tickets_ticket; -- " + TSQUERY
# One overlong value carries the RTL override, SQL and tsquery syntax too.
OVERLONG = RTL + SQL + "x" * 3000
HUGE = "9" * 30
FAR_PAST = "0001-01-01"
FAR_FUTURE = "9999-12-31"
STRINGS = [NUL, OVERLONG, HUGE]
CONVERTER_VALUES = {
    "int": [HUGE, "0"],
    "uuid": [str(uuid.UUID(int=0)), str(uuid.uuid4())],
    "slug": ["s" * 400, "select-1-or-1"],
}
QUERY_NAMES = [
    "q", "search", "ticket", "status", "priority", "category", "assignee", "requester", "tag",
    "start", "end", "created_after", "created_before", "ordering", "limit", "offset", "page",
    "cursor", "lang", "since", "next", "format", "sort", "o", "p", "search_id", "id",
]  # fmt: skip
QUERY_BAGS = [
    {name: value for name in QUERY_NAMES} for value in (NUL, OVERLONG, TSQUERY, HUGE, FAR_FUTURE)
] + [{"start": FAR_PAST, "end": FAR_FUTURE, "limit": "-1", "offset": HUGE, "ordering": SQL}]
FORM_FIELDS = [
    "subject", "content", "message", "body", "name", "email", "title", "tags", "status",
    "priority", "category", "assignee", "reason", "q", "password", "password1", "password2",
    "username", "ticket", "ids", "action", "value", "rating", "comment", "filters", "text",
    "message_type", "time_spent", "seen_at", "version", "conditions", "actions", "next",
]  # fmt: skip
SCHEMA_PATHS = ("/api/v1/schema/", "/api/v1/docs/")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _template(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _template(entry.pattern)


def _template(pattern) -> str:
    """The pattern as a template with `{converter:name}` holes."""
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(lambda m: f"{{{m.group(1) or 'str'}:{m.group(2)}}}", str(pattern))
    if isinstance(pattern, RegexPattern):
        text = str(pattern).lstrip("^").rstrip("$").replace("\\.", ".")
        return _GROUP.sub(lambda m: f"{{str:{m.group(1)}}}", text)
    return str(pattern)


def _fill(template: str, value_for) -> str:
    def hole(match: re.Match) -> str:
        return quote(value_for(match.group(1), match.group(2)), safe="")

    return "/" + re.sub(r"\{(\w+):(\w+)\}", hole, template)


def _accepts(converter: str, value: str) -> bool:
    """Whether the URL converter lets `value` through to the view (a value it refuses is a
    404 from the resolver: no view code runs, nothing to fuzz)."""
    regex = get_converters().get(converter, get_converters()["str"]).regex
    return re.fullmatch(regex, value) is not None


def _paths(template: str, real: dict[str, str] | None = None) -> list[str]:
    """The concrete paths to request for one pattern: real objects first (so the views run
    their writes with hostile bodies), then each hostile value in every hole its converter
    lets through to the view."""
    if "{" not in template:
        return ["/" + template]
    holes = re.findall(r"\{(\w+):(\w+)\}", template)
    paths = []
    if real and all(name in real for _conv, name in holes):
        paths.append(_fill(template, lambda conv, name: real[name]))
    for value in [*STRINGS, *CONVERTER_VALUES["uuid"][:1]]:
        if all(_accepts(conv, value) for conv, _name in holes):
            paths.append(_fill(template, lambda conv, name, v=value: v))
    for conv, typed in CONVERTER_VALUES.items():
        if "{" + conv + ":" in template:
            paths.extend(
                _fill(template, lambda c, name, v=v, conv=conv: v if c == conv else "x")
                for v in typed
            )
    if not paths:  # every hostile value is refused by the resolver: one to prove the 404
        paths.append(_fill(template, lambda conv, name: NUL))
    return list(dict.fromkeys(paths))


def _hostile_form() -> dict:
    form = {name: RTL + NUL for name in FORM_FIELDS}
    form.update(email="a" * 300 + "@example.test", time_spent=HUGE, rating=HUGE, version="-1")
    return form


DEEP_JSON = "[" * 5000 + "]" * 5000
WRONG_TYPES = json.dumps({name: [{"x": [HUGE, None, True]}] for name in FORM_FIELDS})


def _bags(path: str, *, api: bool) -> list[dict]:
    """Hostile query bags for a pattern's first path. Lists and searches (a path not ending
    in an object) get every bag (typed values reach their filters); an object's page gets the
    NUL and overlong bags (it reads few parameters, none of them dates or numbers); pages get
    those two as well; the schema document reads none but `format`."""
    if path.startswith(SCHEMA_PATHS):
        return QUERY_BAGS[:1]
    if not api:
        return QUERY_BAGS[:2]
    last = path.rstrip("/").rsplit("/", 1)[-1]
    is_object = "%" in last or last.isdigit() or _UUID.fullmatch(last) is not None
    return QUERY_BAGS[:2] if is_object else QUERY_BAGS


def _requests(
    path: str, *, api: bool, first: bool, write: bool
) -> list[tuple[str, str, object, str]]:
    """GET for every path; a hostile write where `write` (the real object and the NUL path:
    on any other hostile path the lookup answers 404 before the body is read); the query
    bags and deep JSON once a pattern."""
    requests = [("GET", path, None, "")]
    if write:
        if api:
            requests.append(("POST", path, WRONG_TYPES, "application/json"))
        else:
            requests.append(("POST", path, _hostile_form(), ""))
    if first:
        requests += [("GET", f"{path}?{urlencode(bag)}", None, "") for bag in _bags(path, api=api)]
        if api:
            requests += [
                ("POST", path, DEEP_JSON, "application/json"),
                ("PATCH", path, WRONG_TYPES, "application/json"),
            ]
    return requests


def _send(client: Client, method: str, url: str, body, content_type: str):
    if content_type:
        return client.generic(method, url, body, content_type=content_type)
    if method == "POST":
        return client.post(url, body)
    return client.get(url)


def _denied(response) -> bool:
    """The role may not use this page at all: 401/403, or a redirect to a login page."""
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302) and "login" in response.get("Location", "")


def _probe(client: Client, paths: list[str], *, failures: list, role: str) -> int:
    """Walk one pattern's paths; answer how many requests were sent.

    When the pattern's first GET is refused to the role (login redirect, 401, 403), the view
    never runs for it: the refusal (the same middleware and decorators for every pattern) is
    probed once more, with a hostile write to the hostile path under the NUL query bag, not
    with every combination."""
    sent = 0

    def check(method, url, body, content_type):
        nonlocal sent
        sent += 1
        response = _send(client, method, url, body, content_type)
        if response.status_code >= 500:
            failures.append(f"{role} {method} {url[:160]!r} -> {response.status_code}")
        return response

    first = check("GET", paths[0], None, "")
    if _denied(first):
        hostile = paths[1] if len(paths) > 1 else paths[0]
        body, content_type = (
            (WRONG_TYPES, "application/json")
            if hostile.startswith("/api/")
            else (_hostile_form(), "")
        )
        check("POST", f"{hostile}?{urlencode(QUERY_BAGS[0])}", body, content_type)
        return sent
    for index, path in enumerate(paths):
        api = path.startswith("/api/")
        requests = _requests(path, api=api, first=index == 0, write=index < 2 or "%00" in path)
        if index == 0:
            requests = requests[1:]  # its GET was the first request
        for request in requests:
            check(*request)
    return sent


def _client(host: str, user: User | None) -> Client:
    client = Client(HTTP_HOST=host)
    client.raise_request_exception = False
    if user is not None:
        client.force_login(user)
    return client


def _tenant_templates() -> list[str]:
    templates = sorted(set(_walk(get_resolver("panel1.urls_tenant").url_patterns)))
    # The admin's per-model views are one code path each; fuzz every model's changelist and
    # add page, and the object views (history, delete, change) of a few models only.
    keep = []
    object_views = 0
    for template in templates:
        if template.startswith("admin/") and "{path:object_id}" in template:
            object_views += 1
            if object_views > 6:
                continue
        keep.append(template)
    return keep


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Thousands of refused requests would each log a warning with a traceback (formatting
    them is most of the walk's time); a 5xx is still logged by django.request at ERROR, and
    the test finds it by its status code anyway."""
    loggers = {name: logging.getLogger(name) for name in ("django.request", "django.security")}
    levels = {name: logger.level for name, logger in loggers.items()}
    loggers["django.request"].setLevel(logging.ERROR)
    loggers["django.security"].setLevel(logging.CRITICAL)
    yield
    for name, logger in loggers.items():
        logger.setLevel(levels[name])


@pytest.fixture
def world(tenant):
    cache.clear()
    customer = CustomerFactory(name="Carol Customer")
    ticket = TicketFactory(requester=customer, subject="Printer jammed")
    article = ArticleFactory(title="Reset your password")
    real = {"ref": ticket.number, "id": str(ticket.pk), "slug": article.slug}
    return {
        "real": real,
        "anonymous": None,
        "customer": customer,
        "agent": AgentFactory(name="Alice Agent"),
        "admin": AdminFactory(name="Ada Admin"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("role", ["anonymous", "customer", "agent", "admin"])
def test_no_tenant_page_or_endpoint_answers_5xx(tenant, world, role):
    host = tenant.domains.get(is_primary=True).domain
    client = _client(host, world[role])
    failures: list[str] = []
    for template in _tenant_templates():
        if template.endswith("logout/"):
            continue  # ends the session the rest of the walk needs
        _probe(client, _paths(template, world["real"]), failures=failures, role=role)
        cache.clear()  # rate limits would turn later probes into 429s
    assert failures == []


@pytest.mark.slow
def test_no_public_page_answers_5xx(session_tenants, db):
    connection.set_schema_to_public()
    platform_admin = User.objects.create_superuser(
        email="platform-fuzz@panel1.test", password="pass-1234-word", role=Role.ADMIN
    )
    failures: list[str] = []
    templates = sorted(set(_walk(get_resolver("panel1.urls_public").url_patterns)))
    for role, user in (("anonymous", None), ("platform-admin", platform_admin)):
        client = _client("localhost", user)
        for template in templates:
            if template.endswith("logout/"):
                continue
            _probe(client, _paths(template)[:3], failures=failures, role=role)
    assert failures == []
