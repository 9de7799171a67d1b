import pytest

from cases.models import CaseEvent
from tests.conftest import api_as
from toolkit.models import CaseProfile, Emotion


@pytest.mark.parametrize("emotion", Emotion.values)
def test_each_emotion_comes_with_its_handling_advice(org, l2_case, emotion):
    response = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/emotion/",
                                        {"emotion": emotion, "note": "电话里情绪明显"},
                                        format="json")
    assert response.status_code == 200
    body = api_as(org.manager1).get(f"/api/v1/cases/{l2_case.pk}/emotion/").json()
    assert body["emotion"] == emotion and body["advice"]


def test_angry_advice_follows_seed_003(org, l2_case):
    body = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/emotion/?lang=en",
                                    {"emotion": "angry"}, format="json").json()
    assert "calm the emotion first" in body["advice"]
    assert CaseEvent.objects.filter(case=l2_case, data__toolkit="emotion").count() == 1


def test_unknown_emotion_is_refused(org, l2_case):
    response = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/emotion/",
                                        {"emotion": "bored"}, format="json")
    assert response.status_code == 400 and not CaseProfile.objects.exists()


def test_strict_emotion_note_with_a_forbidden_phrase_is_refused(org, l2_case):
    response = api_as(org.manager1).put(f"/api/v1/cases/{l2_case.pk}/emotion/", {
        "emotion": "angry", "note": "告诉他下次注意", "strict": True}, format="json")
    assert response.status_code == 400 and not CaseProfile.objects.exists()


def test_nobody_outside_scope_reads_the_emotion(org, l2_case):
    assert api_as(org.advisor2).get(f"/api/v1/cases/{l2_case.pk}/emotion/").status_code == 404
