"""The permission matrix (issue 9): every role × every endpoint and page × own store / another
store of the same region / a store of another region and area.

`ROUTES` is the table of every named route of the site. A route missing from it fails
`test_every_route_is_in_the_matrix`, so a new endpoint cannot ship without saying who may use it.
Each check collects every leak it finds and fails once, listing them all."""

import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from attachments.models import Attachment
from cases.models import (
    Case,
    CaseEvent,
    CaseWatcher,
    ChecklistItem,
    Customer,
    SurveyResponse,
)
from compensation.models import Approval, IssuedCompensation, Offer
from demo.seed import network_create, users_create
from notifications.models import Notification
from org.selectors import user_can_see_node
from tests.compensation.factories import contacted_case
from tests.factories import open_case
from toolkit.models import (
    CaseProfile,
    Contact,
    CustomerProfile,
    RootCause,
    StockItem,
    TeamMember,
    TeamRole,
)

STORES = ("S01", "S03", "S02")  # own store; same region, other store; other region and area
ROLES = ("advisor1", "manager1", "director1", "regional1", "area1", "hq1", "advisor2",
         "manager2")
DENIED = {403, 404}


@dataclass(frozen=True)
class Route:
    """How one named route is checked.

    target: the object the URL names ("case", "offer", "approval", "customer", "checklist",
      "member"), "store" for a write naming a store in its body, "list" for a read whose rows
      must stay in scope, "self" for the caller's own things, "staff" for staff-only
      endpoints, "open" for endpoints that read or write nothing of anyone's (a calculator).
    get: GET is a read to check; writes: (method, body) pairs an outsider must not get through.
    """

    api: bool
    target: str
    get: bool = False
    writes: tuple = ()
    own_ok: frozenset = frozenset({200})
    kwargs: dict = field(default_factory=dict)


def _api(target, get=False, writes=(), **kw):
    return Route(api=True, target=target, get=get, writes=writes, **kw)


def _page(target, get=False, writes=(), **kw):
    return Route(api=False, target=target, get=get, writes=writes, **kw)


POST = "post"
CONTACT = {"channel": "phone", "outcome": "reached", "purpose": "other", "note": "x"}
ROUTES: dict[str, Route] = {
    # API ------------------------------------------------------------------------------------
    "api-survey-responses": _api("store", writes=((POST, "survey"),)),
    "api-cases": _api("list", get=True, writes=((POST, "incident"),)),
    "api-case": _api("case", get=True, writes=(("patch", {"severity": "minor"}),)),
    "api-triage-corrections": _api("list", get=True),
    "api-case-transition": _api("case", writes=((POST, {"note": "x"}),),
                                kwargs={"name": "contact"}),
    "api-case-checklist": _api("checklist", writes=((POST, {"done": True}),)),
    "api-case-severity": _api("case", writes=((POST, {"severity": "minor"}),)),
    "api-case-plan": _api("case", writes=(("put", {"plan": "越权方案"}),)),
    "api-case-owner": _api("case", writes=((POST, "reassign"),)),
    "api-case-watchers": _api("case", writes=((POST, {}), ("delete", {}))),
    "api-case-notes": _api("case", writes=((POST, {"note": "越权"}),)),
    "api-case-checklist-waive": _api("checklist", writes=((POST, {"reason": "越权"}),)),
    "api-notifications": _api("list", get=True),
    "api-notifications-read": _api("self", writes=((POST, "others_notifications"),)),
    "api-notifications-unread-count": _api("self", get=True),
    "api-notifications-preferences": _api("self", get=True),
    "api-deliveries-failed": _api("staff", get=True),
    "api-delivery-resend": _api("staff", writes=((POST, {}),), kwargs={"delivery_id": 1}),
    "api-compensation-quote": _api("open"),
    "api-case-quote": _api("case", get=True),
    "api-case-offers": _api("case", get=True, writes=(
        (POST, {"items": [{"code": "voucher", "value": "100"}], "note": ""}),)),
    "api-offer-issue": _api("offer", writes=((POST, {}),)),
    "api-case-onsite": _api("case", get=True, writes=((POST, {"what": "apology"}),)),
    "api-approvals": _api("list", get=True),
    "api-approval-approve": _api("approval", writes=((POST, {}),)),
    "api-approval-reject": _api("approval", writes=((POST, {"reason": "不行"}),)),
    "api-approval": _api("approval", get=True),
    "api-approval-change": _api("approval", writes=((POST, {"total_value": "900",
                                                            "reason": "客户同意"}),)),
    "api-metrics": _api("list", get=True),
    "api-phrases-check": _api("open"),
    "api-case-contacts": _api("case", get=True, writes=((POST, CONTACT),)),
    "api-case-rescore": _api("case", writes=((POST, {"score": 9}),)),
    "api-case-root-cause": _api("case", get=True, writes=(
        ("put", {"category": "process_error", "whys": ["为什么"]}),)),
    "api-case-team": _api("case", get=True, writes=((POST, "team_member"),)),
    "api-case-team-member": _api("member", writes=(("delete", None),)),
    "api-case-emotion": _api("case", get=True, writes=(("put", {"emotion": "angry"}),)),
    "api-case-visit": _api("case", writes=(("put", {"visit_at": "2030-01-01T10:00:00Z"}),)),
    "api-case-words": _api("case", get=True, kwargs={"kind": "first_call"}),
    "api-customer": _api("customer", get=True, writes=(
        ("put", {"birthday": None, "vehicle": "泄露", "preferences": ""}),)),
    "api-report-root-causes": _api("list", get=True),
    "api-stock": _api("list", get=True),
    "api-stock-receive": _api("store", writes=((POST, "stock"),)),
    "api-case-attachments": _api("case", get=True, writes=((POST, {}),)),
    "api-attachment-file": _api("attachment", get=True),
    "api-case-customer-link": _api("case", writes=((POST, {"channel": "copied"}),
                                                   ("delete", None))),
    # Pages ----------------------------------------------------------------------------------
    "dashboard": _page("list", get=True),
    "incident-new": _page("store", get=True, writes=((POST, "incident_form"),)),
    "case-page": _page("case", get=True),
    "case-triage": _page("case", writes=((POST, {"severity": "minor", "note": "x"}),)),
    "triage-corrections": _page("list", get=True),
    "case-transition": _page("case", writes=((POST, {"note": "x"}),), kwargs={"name": "contact"}),
    "case-checklist": _page("checklist", writes=((POST, {"done": "1"}),)),
    "case-plan": _page("case", writes=((POST, {"plan": "越权方案"}),)),
    "case-owner": _page("case", writes=((POST, "reassign_form"),)),
    "case-watchers": _page("case", writes=((POST, {}),)),
    "case-notes": _page("case", writes=((POST, {"note": "越权"}),)),
    "case-checklist-waive": _page("checklist", writes=((POST, {"reason": "越权"}),)),
    "case-offer-add": _page("case", writes=((POST, {"items": ["apology_call"], "note": ""}),)),
    "case-compensate": _page("case", get=True),
    "offer-issue": _page("offer", writes=((POST, {}),)),
    "case-onsite": _page("case", writes=((POST, {"what": "apology"}),)),
    "approvals": _page("list", get=True),
    "approval-approve": _page("approval", writes=((POST, {}),)),
    "approval-reject": _page("approval", writes=((POST, {"reason": "不行"}),)),
    "approval-change": _page("approval", writes=((POST, {"total_value": "900",
                                                         "reason": "客户同意"}),)),
    "case-letter": _page("case", get=True),
    "case-contact-add": _page("case", writes=((POST, CONTACT),)),
    "case-contact-phone": _page("case", get=True, writes=((POST, CONTACT),)),
    "case-rescore": _page("case", writes=((POST, {"score": "9"}),)),
    "case-emotion": _page("case", writes=((POST, {"emotion": "angry"}),)),
    "case-root-cause": _page("case", writes=((POST, {"category": "process_error",
                                                     "whys": "为什么"}),)),
    "phrase-check": _page("open"),
    "escalations": _page("list", get=True),
    "metrics-dashboard": _page("list", get=True),
    "metrics-cases": _page("list", get=True, kwargs={"query": "?kpi=opened"}),
    "metrics-review": _page("list", get=True),
    "notification-list": _page("list", get=True),
    "notifications-read": _page("self", writes=((POST, {}),)),
    "case-attachment-add": _page("case", writes=((POST, {}),)),
    "attachment-file": _page("attachment", get=True),
    "attachment-share": _page("attachment", writes=((POST, {"shared": "1"}),)),
    "case-link-send": _page("case", writes=((POST, {"channel": "copied"}),)),
    "case-link-revoke": _page("case", writes=((POST, {}),)),
    "case-consent": _page("case", writes=((POST, {"opted_out": "on",
                                                  "preferred_channel": "sms"}),)),
}
# Routes outside the matrix, with the reason. Admin pages are scoped by `ScopedAdminMixin`
# (tests/test_admin.py); these others hold nothing of any store.
NOT_SCOPED = {
    "api-token": "public: exchanges a password for a token",
    "schema": "the API description",
    "api-docs": "the API description",
    "healthz": "public liveness probe",
    "login": "public",
    "logout": "the caller's own session",
    "password_change": "the caller's own password",
    "password_change_done": "the caller's own password",
    # No session: the platform's signature, then the card's single-use token, which names its
    # addressee; the decision runs through the scoped services (tests/messenger/).
    "messenger-wecom": "WeCom's signed card callback",
    "messenger-dingtalk": "DingTalk's signed card callback",
    "messenger-feishu": "Feishu's signed card callback",
    **{name: "the customer's page: its link's token is the key, no login (tests/portal)"
       for name in ("portal-page", "portal-choice", "portal-visit", "portal-rescore",
                    "portal-photo")},
}


def _named_routes(patterns=None, prefix="", namespace=""):
    """(name, route) of every named URL pattern, recursively; unnamed ones as (None, route)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _named_routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace and p.name else p.name,
                   prefix + str(p.pattern))


def test_every_route_is_in_the_matrix():
    missing, unnamed = [], []
    for name, route in _named_routes():
        if route.startswith("admin/"):
            continue
        if name is None:
            unnamed.append(route)
        elif name not in ROUTES and name not in NOT_SCOPED:
            missing.append(f"{name} ({route})")
    stale = set(ROUTES) - {n for n, _r in _named_routes()}
    assert not missing, f"routes without a row in ROUTES or NOT_SCOPED: {missing}"
    assert not unnamed, f"unnamed routes cannot be checked: {unnamed}"
    assert not stale, f"ROUTES names routes that no longer exist: {sorted(stale)}"
    api_routes = {n for n, r in _named_routes() if r.startswith("api/v1/")} - set(NOT_SCOPED)
    assert all(ROUTES[n].api for n in api_routes), "an /api/v1/ route is filed as a page"


# --------------------------------------------------------------------------- the data, once


def _store_world(store, nodes, users) -> SimpleNamespace:
    advisor = users["advisor1" if store.code == "S01" else "advisor2" if store.code == "S02"
                    else f"advisor_{store.code.lower()}"]
    case = open_case(store=store, score=2)
    Customer.objects.filter(pk=case.customer_id).update(name=f"顾客{store.code}甲",
                                                         phone=f"1380000{store.code[1:]}00")
    pending_case = contacted_case(store=store)
    pending = APIClient()
    pending.force_authenticate(advisor)
    resp = pending.post(f"/api/v1/cases/{pending_case.pk}/offers/", {
        "items": [{"code": "voucher", "value": "1500"}, {"code": "apology_call"}]},
        format="json")
    assert resp.status_code == 201, resp.content
    approval = Approval.objects.get(pk=resp.json()["approval"]["id"])
    within_case = contacted_case(store=store)
    resp = pending.post(f"/api/v1/cases/{within_case.pk}/offers/",
                        {"items": [{"code": "apology_call"}]}, format="json")
    assert resp.status_code == 201 and resp.json()["status"] == "approved", resp.content
    offer = Offer.objects.get(pk=resp.json()["id"])
    manager = users["manager1" if store.code == "S01" else "manager2" if store.code == "S02"
                    else f"manager_{store.code.lower()}"]
    member = TeamMember.objects.create(case=case, user=manager, role=TeamRole.CS_SPECIALIST)
    StockItem.objects.create(store=store, item_code="car_wash", name="洗车券", quantity=5)
    RootCause.objects.create(case=case, category="process_error", whys=["为什么"])
    attachment = Attachment(case=case, kind="pdf", content_type="application/pdf", size=9)
    attachment.file.save("signed.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    cases = [case, pending_case, within_case]
    return SimpleNamespace(
        store=store, case=case, approval=approval, offer=offer, member=member,
        attachment=attachment,
        customer=Customer.objects.get(pk=case.customer_id),
        checklist=case.checklist.order_by("pk").first(),
        numbers=[c.number for c in Case.objects.filter(pk__in=[c.pk for c in cases])],
        names=list(Customer.objects.filter(cases__in=cases).values_list("name", flat=True)),
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The network, its people and, at each of S01, S03 and S02: an L3 case, a case whose
    offer waits for approval, an approved offer, a team member, a stock row. Built once for
    the module and rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tempfile.mkdtemp(prefix="matrix-media-")):
        with transaction.atomic():
            nodes = network_create()
            users_create(nodes=nodes, password=make_password(None))
            from org.models import User

            users = {u.username: u for u in User.objects.select_related("node")}
            stores = {code: _store_world(nodes[code], nodes, users) for code in STORES}
            yield SimpleNamespace(users=users, stores=stores, nodes=nodes)
            transaction.set_rollback(True)


def _sees(user, store) -> bool:
    return user_can_see_node(user=user, node=store)


def _snapshot() -> tuple:
    """What an outsider's write could change."""
    return (
        list(Case.objects.order_by("pk").values_list("pk", "state", "severity", "level",
                                                     "score_after", "plan", "owner_id")),
        list(CaseWatcher.objects.order_by("pk").values_list("pk", "case_id", "user_id")),
        list(ChecklistItem.objects.order_by("pk").values_list("pk", "done_at", "waive_reason")),
        CaseEvent.objects.count(), Contact.objects.count(), RootCause.objects.count(),
        list(CaseProfile.objects.order_by("pk").values_list("pk", "emotion", "visit_at")),
        list(CustomerProfile.objects.values_list("pk", "vehicle")),
        list(TeamMember.objects.order_by("pk").values_list("pk", "case_id", "user_id")),
        list(Approval.objects.order_by("pk").values_list("pk", "status")),
        list(Offer.objects.order_by("pk").values_list("pk", "status", "total_value")),
        IssuedCompensation.objects.count(), SurveyResponse.objects.count(),
        list(StockItem.objects.order_by("pk").values_list("pk", "quantity")),
        list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        list(Customer.objects.order_by("pk").values_list("pk", "name")),
        list(Attachment.objects.order_by("pk").values_list("pk", "shared_with_customer")),
        list(Customer.objects.order_by("pk").values_list("pk", "contact_opted_out_at")),
    )


def _client(route: Route, user):
    if route.api:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, route: Route, part) -> str:
    kwargs = dict(route.kwargs)
    query = kwargs.pop("query", "")
    if route.target in {"case", "checklist", "member"}:
        kwargs["case_id"] = part.case.pk
    if route.target == "checklist":
        kwargs["item_id"] = part.checklist.pk
    if route.target == "member":
        kwargs["member_id"] = part.member.pk
    if route.target == "offer":
        kwargs["offer_id"] = part.offer.pk
    if route.target == "approval":
        kwargs["approval_id"] = part.approval.pk
    if route.target == "customer":
        kwargs["customer_id"] = part.customer.pk
    if route.target == "attachment":
        kwargs["attachment_id"] = part.attachment.pk
    return reverse(name, kwargs=kwargs) + query


def _body(body, *, world, user, part):
    """Named bodies need the data: a store write names `part.store`."""
    store = part.store.code if part is not None else ""
    if body == "survey":
        return {"source": "matrix", "external_id": f"m-{user.pk}-{store}", "store": store,
                "score": 1, "customer": {"external_id": f"mc-{user.pk}", "name": "越权"}}
    if body == "incident":
        return {"store": store, "failure_type": "attitude", "description": "越权",
                "customer": {"name": "越权"}}
    if body == "incident_form":
        return {"store": part.store.pk, "failure_type": "attitude", "description": "越权",
                "customer_name": "越权", "score": "1"}
    if body == "stock":
        return {"store": store, "item_code": "car_wash", "quantity": 3}
    if body == "reassign":
        return {"owner": user.username, "reason": "越权"}
    if body == "reassign_form":
        return {"owner": user.pk, "reason": "越权"}
    if body == "team_member":
        return {"user": user.pk, "role": TeamRole.CS_SPECIALIST}
    if body == "others_notifications":
        return {"ids": list(Notification.objects.exclude(recipient=user)
                            .values_list("pk", flat=True)[:500])}
    return body


def _send(client, method, url, body, api):
    if body is None:
        return getattr(client, method)(url)
    if api:
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url, body)


def _markers(part) -> list[str]:
    return part.numbers + part.names


def _leaks_in(text: str, part) -> list[str]:
    return [m for m in _markers(part) if re.search(re.escape(m) + r"(?!\d)", text)]


# --------------------------------------------------------------------------- the checks


def test_anonymous_gets_nothing(world, db):
    problems = []
    for name, route in ROUTES.items():
        url = _url(name, route, world.stores["S01"])
        resp = (_client(route, None).get(url) if route.get or not route.writes
                else _send(_client(route, None), route.writes[0][0], url, {}, route.api))
        if route.api and resp.status_code not in {401, 403}:
            problems.append(f"{name}: {resp.status_code}")
        if not route.api and (resp.status_code != 302
                              or not resp["Location"].startswith(reverse("login"))):
            problems.append(f"{name}: {resp.status_code} {resp.get('Location')}")
    assert not problems, "anonymous callers got through:\n" + "\n".join(problems)


def test_reads_show_only_what_lies_in_the_callers_part_of_the_tree(world, db):
    problems = []
    for username in ROLES:
        user = world.users[username]
        for name, route in ROUTES.items():
            if not route.get:
                continue
            client = _client(route, user)
            for code, part in world.stores.items():
                if route.target not in ONCE or code == "S01":
                    resp = client.get(_url(name, route, part), HTTP_ACCEPT="application/json")
                    problems += _judge_read(name, route, user, part, resp,
                                            parts=world.stores.values())
    assert not problems, "read leaks:\n" + "\n".join(problems)


ONCE = {"list", "self", "staff", "store"}  # reads naming no object: asked once per user


def _judge_read(name, route, user, part, resp, *, parts) -> list[str]:
    where = f"{user.username} GET {name} @{part.store.code}"
    if route.target == "staff":
        return [] if resp.status_code == 403 else [f"{where}: {resp.status_code}"]
    if route.target in ONCE:
        if resp.status_code != 200:
            return [f"{where}: {resp.status_code}"]
        text = resp.content.decode()
        return [f"{where}: shows {leak} of {p.store.code}"
                for p in parts if not _sees(user, p.store)
                for leak in _leaks_in(text, p)]
    if _sees(user, part.store):
        return [] if resp.status_code in route.own_ok else [f"{where}: {resp.status_code}"]
    if resp.status_code not in DENIED:
        return [f"{where}: {resp.status_code} for an object outside the scope"]
    return [f"{where}: 404 page shows {leak}" for leak in _leaks_in(resp.content.decode(), part)]


def test_filters_naming_another_node_are_refused_or_empty(world, db):
    problems = []
    for username in ROLES:
        user = world.users[username]
        api, page = _client(_api("list"), user), _client(_page("list"), user)
        for code, part in world.stores.items():
            if _sees(user, part.store):
                continue
            for client, url in ((api, f"/api/v1/metrics/?node={code}"),
                                (page, f"/metrics/?node={code}"),
                                (page, f"/metrics/cases/?kpi=opened&node={code}")):
                resp = client.get(url)
                if resp.status_code not in {400, 403, 404}:
                    leaks = _leaks_in(resp.content.decode(), part)
                    if resp.status_code != 200 or leaks:
                        problems.append(f"{username} {url}: {resp.status_code} {leaks}")
            for client, url in ((api, f"/api/v1/cases/?store={code}"),
                                (api, f"/api/v1/stock/?store={code}"),
                                (page, f"/?store={code}")):
                resp = client.get(url)
                text = resp.content.decode()
                if _leaks_in(text, part) or f'"store":"{code}"' in text.replace(" ", ""):
                    problems.append(f"{username} {url}: shows {code}'s rows")
    assert not problems, "filter leaks:\n" + "\n".join(problems)


def test_writes_from_outside_the_scope_are_refused_and_change_nothing(world, db):
    problems = []
    for username in ROLES:
        user = world.users[username]
        for name, route in ROUTES.items():
            if not route.writes or route.target in {"open", "self"}:
                continue
            for part in world.stores.values():
                if route.target != "staff" and _sees(user, part.store):
                    continue
                url = _url(name, route, part)
                for method, body in route.writes:
                    before = _snapshot()
                    with transaction.atomic():
                        resp = _send(_client(route, user), method, url,
                                     _body(body, world=world, user=user, part=part), route.api)
                        changed = _snapshot() != before
                        transaction.set_rollback(True)
                    where = f"{username} {method.upper()} {name} @{part.store.code}"
                    if changed:
                        problems.append(f"{where}: CHANGED DATA ({resp.status_code})")
                    elif resp.status_code not in DENIED and not (
                            route.target == "store" and resp.status_code in {200, 400}
                            and not route.api):
                        problems.append(f"{where}: {resp.status_code}")
    assert not problems, "write leaks:\n" + "\n".join(problems)


def test_nobody_marks_anothers_notifications_read(world, db):
    problems = []
    for username in ROLES:
        user = world.users[username]
        before = _snapshot()
        with transaction.atomic():
            _send(_client(_api("self"), user), POST, "/api/v1/notifications/read/",
                  _body("others_notifications", world=world, user=user, part=None), True)
            _client(_page("self"), user).post("/notifications/read/")
            others = Notification.objects.exclude(recipient=user).filter(read_at__isnull=False)
            if others.exists():
                problems.append(f"{username} marked {others.count()} of others' as read")
            transaction.set_rollback(True)
        assert _snapshot() == before
    assert not problems, "\n".join(problems)


def test_the_matrix_data_is_what_the_checks_assume(world, db):
    users, stores = world.users, world.stores
    assert _sees(users["regional1"], stores["S03"].store)
    assert not _sees(users["manager1"], stores["S03"].store)
    assert not _sees(users["area1"], stores["S02"].store)
    assert stores["S01"].approval.status == "pending"
    assert stores["S01"].offer.total_value >= Decimal("0")
