"""A user sees only cases under their node, by every path (SPEC §1, §12)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import api_as
from tests.factories import open_case, sop_contact


@pytest.fixture
def cases(org):
    return {code: open_case(store=org.nodes[code], score=2) for code in ("S01", "S02", "S03",
                                                                         "S05")}


def ids(response):
    assert response.status_code == 200, response.content
    return {c["id"] for c in response.json()["results"]}


@pytest.mark.parametrize(
    ("username", "visible"),
    [
        ("advisor1", {"S01"}), ("manager1", {"S01"}), ("director1", {"S01"}),
        ("advisor2", {"S02"}), ("manager2", {"S02"}),
        ("regional1", {"S01", "S03"}), ("area1", {"S01", "S03", "S05"}),
        ("hq1", {"S01", "S02", "S03", "S05"}),
    ],
)
def test_case_list_is_scoped_to_the_users_subtree(org, cases, username, visible):
    user = org.users[username]
    assert ids(api_as(user).get("/api/v1/cases/")) == {cases[c].pk for c in visible}
    for code, case in cases.items():
        status = api_as(user).get(f"/api/v1/cases/{case.pk}/").status_code
        assert status == (200 if code in visible else 404)


def test_user_without_a_node_sees_nothing(org, cases, django_user_model):
    loner = django_user_model.objects.create_user("loner", password="x")
    assert ids(api_as(loner).get("/api/v1/cases/")) == set()


def test_anonymous_gets_nothing(org, cases, api):
    assert api.get("/api/v1/cases/").status_code in (401, 403)


def test_case_pages_are_scoped(org, cases, client):
    client.force_login(org.manager2)
    assert client.get(f"/cases/{cases['S01'].pk}/").status_code == 404
    assert client.get(f"/cases/{cases['S02'].pk}/").status_code == 200
    page = client.get("/").content.decode()
    assert cases["S02"].number in page and cases["S01"].number not in page


def test_page_transition_on_another_stores_case_is_404(org, cases, client):
    client.force_login(org.manager2)
    r = client.post(f"/cases/{cases['S01'].pk}/transitions/contact/")
    assert r.status_code == 404
    cases["S01"].refresh_from_db()
    assert cases["S01"].state == "open"


def test_list_filters(org, cases):
    hq = api_as(org.hq1)
    sop_contact(cases["S01"], org.manager1)
    assert ids(hq.get("/api/v1/cases/?state=contacted")) == {cases["S01"].pk}
    assert ids(hq.get("/api/v1/cases/?store=S02")) == {cases["S02"].pk}
    assert ids(hq.get("/api/v1/cases/?level=L3")) == {c.pk for c in cases.values()}
    assert ids(hq.get("/api/v1/cases/?level=L1")) == set()


@time_machine.travel(datetime(2026, 3, 2, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_overdue_filter(org):
    """A Monday afternoon: the 2-hour contact window (business hours) of a case from 12:00 is
    over."""
    late = open_case(store=org.S01, score=2, responded_at=timezone.now() - timedelta(hours=3))
    fresh = open_case(store=org.S01, score=2)
    hq = api_as(org.hq1)
    assert ids(hq.get("/api/v1/cases/?overdue=true")) == {late.pk}
    assert ids(hq.get("/api/v1/cases/?overdue=false")) == {fresh.pk}


def test_bad_filter_is_400(org):
    r = api_as(org.hq1).get("/api/v1/cases/?state=nonsense")
    assert r.status_code == 400 and "state" in r.json()


def test_case_list_is_paginated_without_n_plus_one(org, django_assert_max_num_queries):
    for _ in range(12):
        open_case(store=org.S01, score=2)
    with django_assert_max_num_queries(6):
        r = api_as(org.hq1).get("/api/v1/cases/")
    assert r.json()["next"] is None and len(r.json()["results"]) == 12


def test_admin_lists_only_cases_in_scope(org, cases, client):
    staff = org.manager2
    staff.is_staff = True
    staff.save()
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_case"]))
    client.force_login(staff)
    page = client.get("/admin/cases/case/").content.decode()
    assert cases["S02"].number in page and cases["S01"].number not in page
    assert client.get(f"/admin/cases/case/{cases['S01'].pk}/change/").status_code in (302, 404)
