"""Issue 21, "pickers list people, not service accounts": the owner, watcher and review-action
owner pickers leave out `admin` (a staff account), `integration` (the account a survey system
posts with) and an account with no role in the organisation; choosing one anyway is refused and
changes nothing. One rule: cases.selectors.people."""

import re

from django.contrib.auth.hashers import make_password

from cases.models import Case
from org.models import User
from tests.conftest import api_as, client_for
from tests.factories import open_case

SERVICE = ("admin", "integration", "robot")


def _options(page: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return set(re.findall(r"\((\w+)\)</option>", select)) | set(
        re.findall(r">(\w+)</option>", select))


def _robot(org) -> User:
    """An account at HQ with no role: a script's login, say."""
    return User.objects.create(username="robot", node=org.HQ, password=make_password(None))


def test_the_case_pages_owner_and_watcher_pickers_list_only_people(org):
    _robot(org)
    case = open_case(store=org.S01, score=5)
    page = client_for(org.manager1).get(f"/cases/{case.pk}/").content.decode()
    owners, watchers = _options(page, "owner"), _options(page, "user")
    assert {"director1", "regional1"} <= owners and {"advisor1", "regional1"} <= watchers
    assert not (owners | watchers) & set(SERVICE)


def test_a_service_account_cannot_be_made_owner_or_watcher(org):
    case = open_case(store=org.S01, score=5)
    client = client_for(org.manager1)
    for account in (org.admin, org.integration):
        client.post(f"/cases/{case.pk}/owner/", {"owner": account.pk, "reason": "交接"})
        client.post(f"/cases/{case.pk}/watchers/", {"user": account.pk})
        api = api_as(org.manager1)
        assert api.post(f"/api/v1/cases/{case.pk}/owner/", {
            "owner": account.username, "reason": "交接"}, format="json").status_code == 400
        assert api.post(f"/api/v1/cases/{case.pk}/watchers/", {
            "user": account.username}, format="json").status_code == 400
    assert Case.objects.get(pk=case.pk).owner == org.manager1
    assert not case.watchers.exists()


def test_the_review_action_owner_picker_lists_only_people(org):
    _robot(org)
    page = client_for(org.hq1).get("/metrics/review/?month=2026-02").content.decode()
    owners = _options(page, "owner")
    assert {"advisor1", "manager2", "hq1"} <= owners
    assert not owners & set(SERVICE)
