import pytest
from django.db import transaction

from notifications.models import Delivery, Notification, NotificationPreference
from notifications.recipients import role_holders
from org.models import Role
from tests.factories import open_case


def _opened(case):
    return Notification.objects.filter(case=case, kind="opened")


@pytest.mark.parametrize(("score", "level", "owner"), [
    (6, "L1", "advisor1"), (5, "L2", "manager1"), (3, "L3", "director1"), (0, "L4", "regional1"),
])
def test_case_opened_reaches_store_manager_and_the_owner_of_its_level(org, score, level, owner):
    case = open_case(store=org.S01, score=score)

    assert case.level == level
    assert sorted(n.recipient.username for n in _opened(case)) == sorted({"manager1", owner})


@pytest.mark.parametrize("score", [6, 5, 3, 0])
def test_every_case_opened_is_urgent(org, score):
    """Seed 001: an urgent alert for every trigger, L1 included."""
    case = open_case(store=org.S01, score=score)

    assert {n.urgent for n in _opened(case)} == {True}


def test_case_opened_at_another_store_reaches_only_that_store(org):
    case = open_case(store=org.S02, score=5)

    assert [n.recipient.username for n in _opened(case)] == ["manager2"]


def test_opened_notification_names_case_customer_score_level_and_links_the_case(org):
    case = open_case(store=org.S01, score=3)

    n = _opened(case).get(recipient=org.manager1)
    assert case.number in n.title and "L3" in n.title and "3" in n.title
    assert case.customer.name in n.title
    assert n.url == f"/cases/{case.pk}/"


def test_reader_who_chose_english_gets_an_english_title(org):
    NotificationPreference.objects.create(user=org.manager1, language="en")

    case = open_case(store=org.S01, score=3)

    titles = {n.recipient.username: n.title for n in _opened(case)}
    assert titles["manager1"].startswith("[URGENT] New case")
    assert titles["director1"].startswith("【紧急】新案件")


def test_rescore_reaches_store_manager_and_owner(org):
    from cases.services import case_rescore

    case = open_case(store=org.S01, score=3)
    with transaction.atomic():
        case_rescore(case=case, score=9, at=case.triggered_at, actor=None)

    rescored = Notification.objects.filter(case=case, kind="rescored")
    assert sorted(n.recipient.username for n in rescored) == ["director1", "manager1"]
    assert "3 → 9" in rescored.first().title


def test_escalation_target_role_is_found_in_the_case_chain(org):
    case = open_case(store=org.S02, score=5)

    def names(role):
        return [u.username for u in role_holders(case=case, role=role)]

    assert names(Role.REGIONAL_DIRECTOR) == ["regional_r3"]
    assert names(Role.AREA_DIRECTOR) == ["area_a2"]
    # S02 has no center director: the next more senior role in its chain hears instead.
    assert names(Role.CENTER_DIRECTOR) == ["regional_r3"]


def test_opened_notifications_get_an_email_delivery_each(org):
    case = open_case(store=org.S01, score=3)

    keys = set(Delivery.objects.filter(notification__case=case).values_list("key", flat=True))
    assert keys == {f"email:{n.pk}" for n in _opened(case)}
