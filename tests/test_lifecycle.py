"""The case state machine (SPEC §4, §11): every transition allowed and refused, permissions,
timeline events, deadlines met, and concurrent transitions."""


import pytest

from cases.models import Case, CaseEvent, ImmutableError
from tests.conftest import api_as, run_concurrently
from tests.factories import open_case, sop_walk
from toolkit.models import Contact

HAPPY_PATH = [
    ("contact", "contacted"), ("propose", "plan_proposed"), ("start", "in_progress"),
    ("resolve", "resolved"), ("follow_up", "following_up"), ("close", "closed"),
]


def transition(user, case, name, **data):
    return api_as(user).post(f"/api/v1/cases/{case.pk}/transitions/{name}/", data, format="json")


def walk(case, user, names):
    """The transitions, with the SOP's work done before each (issue 19)."""
    return sop_walk(case, user, names)


def contact_logged_only(case, user):
    """A conversation on record while the case is still open (as if imported): what earns the
    `contact` transition when it is run by name."""
    Contact.objects.create(case=case, channel="phone", outcome="reached", by=user,
                           at=case.triggered_at)


def test_happy_path_through_the_api_records_one_event_per_transition(org):
    """The SOP walked through the API: logging the conversation makes the case contacted, the
    written plan earns propose, the required checklist items earn resolve."""
    case = open_case(store=org.S01, score=2)
    api = api_as(org.manager1)
    r = api.post(f"/api/v1/cases/{case.pk}/contacts/",
                 {"channel": "phone", "outcome": "reached", "note": "contact done"},
                 format="json")
    assert r.status_code == 201, r.content
    for name, state in HAPPY_PATH[1:]:
        data = {"note": f"{name} done"}
        if name == "propose":
            data["plan"] = "更换刹车片,赠送一次保养"
        if name == "resolve":
            for item in case.checklist.filter(required=True):
                assert api.post(f"/api/v1/cases/{case.pk}/checklist/{item.pk}/",
                                {"done": True}, format="json").status_code == 200
        r = transition(org.manager1, case, name, **data)
        assert r.status_code == 200, r.content
        assert r.json()["state"] == state
    events = list(case.events.filter(kind="transition").values_list("from_state", "to_state",
                                                                     "note", "actor__username"))
    assert [e[1] for e in events] == [s for _, s in HAPPY_PATH]
    assert events[0] == ("open", "contacted", "contact done", "manager1")
    case.refresh_from_db()
    assert case.plan == "更换刹车片,赠送一次保养"
    assert case.outcome == "retained"  # no re-score yet


@pytest.mark.parametrize(
    ("done", "name"),
    [
        ([], "propose"), ([], "start"), ([], "resolve"), ([], "follow_up"), ([], "close"),
        ([], "reopen"),
        (["contact"], "contact"), (["contact"], "start"), (["contact"], "resolve"),
        (["contact", "propose"], "resolve"), (["contact", "propose", "start"], "propose"),
        (["contact", "propose", "start", "resolve"], "start"),
        (["contact", "propose", "start", "resolve", "follow_up"], "follow_up"),
        (["contact", "propose", "start", "resolve", "follow_up", "close"], "close"),
    ],
)
def test_transition_from_wrong_state_is_409_and_changes_nothing(org, done, name):
    case = walk(open_case(store=org.S01, score=2), org.manager1, done)
    before = (case.state, case.events.count())
    r = transition(org.manager1, case, name)
    assert r.status_code == 409, r.content
    case.refresh_from_db()
    assert (case.state, case.events.count()) == before


def test_internal_transitions_are_not_callable_by_name(org):
    case = walk(open_case(store=org.S01, score=2), org.manager1, ["contact", "propose"])
    assert transition(org.manager1, case, "await_approval").status_code == 404
    assert transition(org.manager1, case, "approve_plan").status_code == 404


def test_advisor_may_not_make_the_first_call_on_an_l2_case(org):
    case = open_case(store=org.S01, score=5)
    assert case.level == "L2"
    r = transition(org.advisor1, case, "contact")
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.state == "open"


def test_advisor_works_an_l1_case(org):
    case = open_case(store=org.S01, score=6)
    contact_logged_only(case, org.advisor1)
    assert transition(org.advisor1, case, "contact").status_code == 200


def test_advisor_may_not_reopen(org):
    case = walk(open_case(store=org.S01, score=6), org.advisor1,
                ["contact", "propose", "start", "resolve"])
    assert transition(org.advisor1, case, "reopen", reason="客户再次投诉").status_code == 403
    assert transition(org.manager1, case, "reopen", reason="客户再次投诉").status_code == 200


def test_other_store_cannot_touch_the_case(org):
    case = open_case(store=org.S01, score=2)
    assert transition(org.manager2, case, "contact").status_code == 404
    case.refresh_from_db()
    assert case.state == "open"


def test_senior_roles_in_the_chain_may_work_the_case(org):
    case = open_case(store=org.S01, score=0)
    contact_logged_only(case, org.regional1)
    assert transition(org.regional1, case, "contact").status_code == 200
    assert transition(org.area1, case, "propose", plan="区域总监上门致歉").status_code == 200
    assert transition(org.hq1, case, "start").status_code == 200


def test_close_needs_a_valid_outcome_and_defaults_sensibly(org):
    case = walk(open_case(store=org.S01, score=2), org.manager1,
                ["contact", "propose", "start", "resolve"])
    r = transition(org.manager1, case, "close", outcome="maybe")
    assert r.status_code == 400 and "outcome" in r.json()
    r = transition(org.manager1, case, "close")
    assert r.status_code == 200
    assert r.json()["outcome"] == "retained"


def test_close_records_the_outcome(org):
    case = walk(open_case(store=org.S01, score=2), org.manager1,
                ["contact", "propose", "start", "resolve"])
    r = transition(org.manager1, case, "close", outcome="lost", note="客户已流失")
    assert r.json()["state"] == "closed" and r.json()["outcome"] == "lost"


def test_reopen_returns_to_in_progress_with_a_fresh_resolution_deadline(org):
    case = walk(open_case(store=org.S01, score=2), org.manager1,
                ["contact", "propose", "start", "resolve", "follow_up", "close"])
    r = transition(org.manager1, case, "reopen", reason="客户再次投诉")
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    assert r.json()["outcome"] == ""
    waiting = [d for d in r.json()["deadlines"] if d["status"] in ("waiting", "overdue")]
    assert [d["kind"] for d in waiting] == ["resolution"]


def test_transitions_meet_their_deadlines_and_resolve_starts_follow_ups(org):
    case = open_case(store=org.S01, score=2)
    case = walk(case, org.manager1, ["contact", "propose", "start", "resolve"])
    met = {d.kind for d in case.deadlines.all() if d.met_at}
    assert met == {"assembly", "contact", "plan", "execution", "resolution"}
    follow = {d.kind: d.due_at - case.resolved_at for d in case.deadlines.all()
              if d.kind.startswith("followup")}
    assert {k: v.days for k, v in follow.items()} == {
        "followup_3d": 3, "followup_7d": 7, "followup_30d": 30}


def test_closing_cancels_waiting_follow_ups(org):
    case = walk(open_case(store=org.S01, score=2), org.manager1,
                ["contact", "propose", "start", "resolve", "close"])
    assert not case.deadlines.filter(met_at=None, cancelled_at=None).exists()


def test_state_cannot_be_written_directly(org):
    case = open_case(store=org.S01, score=2)
    with pytest.raises(AttributeError):
        case.state = "closed"


def test_timeline_events_are_immutable(org):
    case = open_case(store=org.S01, score=2)
    event = case.events.first()
    event.note = "tampered"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        CaseEvent.objects.filter(pk=event.pk).update(note="tampered")
    with pytest.raises(ImmutableError):
        case.events.all().delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_detail_lists_only_the_transitions_the_user_may_run(org):
    case = open_case(store=org.S01, score=5)
    assert api_as(org.advisor1).get(f"/api/v1/cases/{case.pk}/").json()[
        "allowed_transitions"] == []
    body = api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/").json()
    # The manager may contact the customer, and must log the conversation to earn it.
    assert body["allowed_transitions"] == []
    assert [t["name"] for t in body["blocked_transitions"]] == ["contact"]
    contact_logged_only(case, org.manager1)
    assert api_as(org.manager1).get(f"/api/v1/cases/{case.pk}/").json()[
        "allowed_transitions"] == ["contact"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_on_one_case_cannot_both_win(org):
    case = open_case(store=org.S01, score=2)
    contact_logged_only(case, org.manager1)
    statuses = run_concurrently(lambda: transition(org.manager1, case, "contact").status_code,
                                times=5)
    assert sorted(statuses) == [200] + [409] * 4
    assert Case.objects.get(pk=case.pk).events.filter(kind="transition").count() == 1
