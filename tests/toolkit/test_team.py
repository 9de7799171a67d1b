import pytest

from cases.models import CaseEvent
from tests.conftest import api_as
from tests.factories import open_case
from toolkit.models import TeamMember
from toolkit.scope import team_case_ids


def add(client, case, user, role):
    return client.post(f"/api/v1/cases/{case.pk}/team/", {"user": user.pk, "role": role},
                       format="json")


def test_the_manager_builds_the_seed_team(org, l2_case):
    client = api_as(org.manager1)
    for user, role in [(org.manager1, "leader"), (org.director1, "technical_lead"),
                       (org.advisor1, "cs_specialist"), (org.manager_s03, "senior_sa")]:
        assert add(client, l2_case, user, role).status_code == 201
    team = client.get(f"/api/v1/cases/{l2_case.pk}/team/").json()
    assert {m["role"] for m in team} == {"leader", "technical_lead", "cs_specialist",
                                         "senior_sa"}
    assert CaseEvent.objects.filter(case=l2_case, kind="note",
                                    data__toolkit="team_add").count() == 4


def test_a_member_from_another_store_sees_that_case_and_only_that_case(org, l2_case):
    other = open_case(store=org.S01, score=5)
    client = api_as(org.manager2)
    assert client.get(f"/api/v1/cases/{l2_case.pk}/team/").status_code == 404
    add(api_as(org.manager1), l2_case, org.manager2, "senior_sa")
    assert client.get(f"/api/v1/cases/{l2_case.pk}/team/").status_code == 200
    assert client.get(f"/api/v1/cases/{l2_case.pk}/contacts/").status_code == 200
    assert client.get(f"/api/v1/cases/{other.pk}/contacts/").status_code == 404
    assert list(team_case_ids(user=org.manager2).values_list("case_id", flat=True)) == [
        l2_case.pk]


def test_a_team_member_works_the_case(org, l2_case):
    add(api_as(org.manager1), l2_case, org.advisor2, "senior_sa")
    response = api_as(org.advisor2).put(f"/api/v1/cases/{l2_case.pk}/emotion/",
                                        {"emotion": "anxious"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(("user", "role"), [("advisor1", "leader"), ("manager1", "captain")])
def test_bad_members_are_refused(org, l2_case, user, role):
    response = add(api_as(org.manager1), l2_case, getattr(org, user), role)
    assert response.status_code == 400
    assert not TeamMember.objects.exists()


def test_one_leader_and_no_one_twice(org, l2_case):
    client = api_as(org.manager1)
    add(client, l2_case, org.manager1, "leader")
    assert add(client, l2_case, org.director1, "leader").status_code == 400
    assert add(client, l2_case, org.manager1, "senior_sa").status_code == 400
    assert TeamMember.objects.count() == 1


def test_an_advisor_cannot_change_the_team(org, l2_case):
    assert add(api_as(org.advisor1), l2_case, org.advisor1, "cs_specialist").status_code == 403


def test_the_leader_removes_a_member_and_the_member_loses_sight(org, l2_case):
    client = api_as(org.manager1)
    add(client, l2_case, org.manager_s03, "leader")
    member = add(client, l2_case, org.manager2, "senior_sa").json()
    leader = api_as(org.manager_s03)
    response = leader.delete(f"/api/v1/cases/{l2_case.pk}/team/{member['id']}/")
    assert response.status_code == 204
    assert api_as(org.manager2).get(f"/api/v1/cases/{l2_case.pk}/team/").status_code == 404
    assert CaseEvent.objects.filter(case=l2_case, data__toolkit="team_remove").exists()
