"""The customer's own page (issue 22): opened by a link only, refusing every other key the
same way, recording the customer's answers once."""

import io
import os
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from attachments.services import attachment_add, attachment_share_set
from cases.models import Case, CaseEvent
from cases.services import case_transition
from compensation.models import Offer
from portal import conf, ratelimit
from portal.models import CustomerLink
from portal.services import link_create, link_url, links_revoke
from tests.conftest import api_as
from tests.factories import open_case, sop_contact, sop_walk

pytestmark = pytest.mark.django_db


def page(token: str, suffix: str = "", **kwargs):
    return Client().get(f"/c/{token}/{suffix}", **kwargs)


def post(client: Client, token: str, what: str, data: dict):
    return client.post(f"/c/{token}/{what}/", data)


def _photo(case, actor, *, shared: bool):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    photo = attachment_add(actor=actor, case=case, note="悬挂部件",
                           upload=SimpleUploadedFile("p.jpg", buffer.getvalue()))
    if shared:
        attachment_share_set(actor=actor, attachment=photo, shared=True)
    return photo


def test_the_page_apologises_in_the_managers_name_and_shows_progress(link, org):
    _link, token, case = link
    response = page(token)
    assert response.status_code == 200
    text = response.content.decode()
    assert case.customer.name in text and org.S01.name in text
    assert "我们已联系您" in text and "已解决" in text
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    english = page(token, "?lang=en").content.decode()
    assert "We contacted you" in english and "truly sorry" in english


def _refusal(token: str, suffix: str = "") -> str:
    response = page(token, suffix)
    assert response.status_code == 404
    return response.content.decode()


def test_expired_revoked_tampered_and_unknown_links_are_refused_alike(link, org):
    made, token, case = link
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refusals = {_refusal(tampered), _refusal("x" * 43), _refusal("a" * 500)}
    with time_machine.travel(made.expires_at + timedelta(seconds=1)):
        refusals.add(_refusal(token))
    assert page(token).status_code == 200
    links_revoke(case_id=case.pk, actor=org.manager1)
    refusals.add(_refusal(token))
    # One page for every reason: nothing tells why, nothing names the case or the customer.
    assert len(refusals) == 1
    assert case.customer.name not in refusals.pop()


def test_a_new_link_replaces_the_old_one(link, org):
    _made, old, case = link
    _new, token = link_create(case_id=case.pk, actor=org.manager1)
    assert page(old).status_code == 404
    assert page(token).status_code == 200


def test_closing_the_case_revokes_its_link_for_good(org):
    case = open_case(store=org.S01, score=6)
    case = sop_walk(case, org.manager1, ["contact"])
    _made, token = link_create(case_id=case.pk, actor=org.manager1)
    case = sop_walk(case, org.manager1, ["propose", "start", "resolve", "follow_up", "close"])
    assert page(token).status_code == 404
    case_transition(case_id=case.pk, name="reopen", actor=org.manager1, reason="客户再次投诉")
    assert page(token).status_code == 404
    assert CustomerLink.objects.get(case=case).revoked_at is not None


def test_only_the_links_own_cases_shared_photos_are_reachable(link, org):
    _made, token, case = link
    shared = _photo(case, org.manager1, shared=True)
    private = _photo(case, org.manager1, shared=False)
    other_case = sop_contact(open_case(store=org.S01, score=6), org.manager1)
    other = _photo(other_case, org.manager1, shared=True)
    text = page(token).content.decode()
    assert f"/c/{token}/photos/{shared.pk}/" in text
    assert f"photos/{private.pk}/" not in text
    assert page(token, f"photos/{shared.pk}/").status_code == 200
    assert page(token, f"photos/{private.pk}/").status_code == 404
    assert page(token, f"photos/{other.pk}/").status_code == 404
    assert other_case.customer.name not in text


def test_the_customers_choice_lands_on_the_case_once(link, org):
    _made, token, case = link
    text = page(token).content.decode()
    assert 'name="tier" value="basic"' in text
    client = Client()
    response = post(client, token, "choice", {"tier": "expected"})
    assert response.status_code == 302
    offer = Offer.objects.get(case=case)
    assert offer.tier == "expected" and offer.proposed_by == org.manager1
    event = CaseEvent.objects.get(case=case, data__compensation="customer_choice")
    assert event.data["by"] == "customer" and event.data["channel"] == "copied"
    assert event.actor is None
    assert Case.objects.get(pk=case.pk).state in {"plan_proposed", "awaiting_approval"}
    # A second submit, even of another option, changes nothing.
    post(client, token, "choice", {"tier": "surprise"})
    assert Offer.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, data__compensation="customer_choice").count() == 1


def test_an_option_not_offered_is_refused_and_changes_nothing(link):
    _made, token, case = link
    response = post(Client(), token, "choice", {"tier": "custom"})
    assert response.status_code == 302
    assert not Offer.objects.filter(case=case).exists()


def test_the_visit_time_is_one_of_the_offered_and_is_taken_once(link):
    _made, token, case = link
    from portal.selectors import slots_open

    slots = slots_open(case=case)
    client = Client()
    post(client, token, "visit", {"slot": (slots[0] + timedelta(minutes=7)).isoformat()})
    assert not CaseEvent.objects.filter(case=case, data__portal="visit_chosen").exists()
    post(client, token, "visit", {"slot": slots[1].isoformat()})
    post(client, token, "visit", {"slot": slots[2].isoformat()})
    from toolkit.models import CaseProfile

    assert CaseProfile.objects.get(case=case).visit_at == slots[1]
    assert CaseEvent.objects.filter(case=case, data__portal="visit_chosen").count() == 1
    assert 'name="slot"' not in page(token).content.decode()


def test_the_rescore_at_the_end_lands_on_the_case_once(link, org):
    _made, token, case = link
    assert 'name="score"' not in page(token).content.decode()  # not before it is resolved
    case = sop_walk(case, org.manager1, ["propose", "start", "resolve"])
    client = Client()
    post(client, token, "rescore", {"score": "9", "comment": "态度很好"})
    post(client, token, "rescore", {"score": "2", "comment": "改主意"})
    case.refresh_from_db()
    assert case.score_after == 9
    assert CaseEvent.objects.filter(case=case, kind="rescored").count() == 1
    assert "9" in page(token).content.decode()


def test_a_bad_score_is_refused(link, org):
    _made, token, case = link
    case = sop_walk(case, org.manager1, ["propose", "start", "resolve"])
    post(Client(), token, "rescore", {"score": "eleven"})
    post(Client(), token, "rescore", {"score": "11"})
    case.refresh_from_db()
    assert case.score_after is None


def _inside_one_window():
    """The clock held just after a minute starts, so the requests share one window."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=1)
    return time_machine.travel(start, tick=False)


def test_requests_are_rate_limited_per_link(link, monkeypatch):
    _made, token, _case = link
    monkeypatch.setattr(conf, "RATE_PER_TOKEN", 3)
    with _inside_one_window():
        assert [page(token).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_guessing_links_from_one_address_is_rate_limited(link, monkeypatch):
    _made, token, _case = link
    monkeypatch.setattr(conf, "RATE_PER_IP", 3)
    with _inside_one_window():
        codes = [page(f"guess{n}" + "x" * 40).status_code for n in range(3)]
        assert codes == [404, 404, 404]
        assert page(token).status_code == 429


def test_the_api_makes_and_revokes_the_link(contacted, org):
    client = api_as(org.manager1)
    response = client.post(f"/api/v1/cases/{contacted.pk}/customer-link/", {}, format="json")
    assert response.status_code == 201
    url = response.json()["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert url == link_url(token)
    assert page(token).status_code == 200
    assert client.delete(f"/api/v1/cases/{contacted.pk}/customer-link/").status_code == 204
    assert page(token).status_code == 404


def test_another_stores_staff_cannot_make_a_link(contacted, org):
    client = api_as(org.manager2)
    response = client.post(f"/api/v1/cases/{contacted.pk}/customer-link/", {}, format="json")
    assert response.status_code == 404
    assert not CustomerLink.objects.exists()


def test_only_the_hash_of_the_token_is_stored(link):
    made, token, _case = link
    assert token not in made.token_hash and len(made.token_hash) == 64
    assert made.expires_at > timezone.now() + timedelta(days=6)


def test_a_refused_link_leaves_no_token_in_the_log(link, caplog):
    _made, token, _case = link
    tampered = token[:-3] + "zzz"
    with caplog.at_level("DEBUG"):
        assert page(tampered).status_code == 404
    assert tampered not in caplog.text


@pytest.mark.postgres_only(reason="row locks: two taps at once")
@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_record_one_choice_and_one_rescore(org):
    from tests.conftest import run_concurrently

    case = sop_contact(open_case(store=org.S01, score=6), org.manager1)
    _made, token = link_create(case_id=case.pk, actor=org.manager1)
    tiers = iter(["basic", "surprise", "expected", "basic"])
    run_concurrently(lambda: post(Client(), token, "choice", {"tier": next(tiers)}), times=4)
    assert Offer.objects.filter(case=case).count() == 1
    resolved = sop_walk(open_case(store=org.S01, score=6), org.manager1,
                        ["contact", "propose", "start", "resolve"])
    _made, token = link_create(case_id=resolved.pk, actor=org.manager1)
    scores = iter(["10", "3", "7", "0"])
    run_concurrently(lambda: post(Client(), token, "rescore", {"score": next(scores)}), times=4)
    assert CaseEvent.objects.filter(case=resolved, kind="rescored").count() == 1


@pytest.mark.postgres_only(reason="a cache shared by processes is Redis, run beside PostgreSQL")
def test_rate_limits_count_across_web_workers_with_a_shared_cache(link, monkeypatch):
    """With CACHE_URL on Redis, the limit is one for all processes: two cache clients stand for
    two web workers, and the second sees what the first counted."""
    _made, token, _case = link
    url = os.environ.get("REDIS_URL")
    assert url, "REDIS_URL names the Redis the shared cache would use"
    prefix = f"test-{uuid.uuid4().hex}"
    workers = [RedisCache(url, {"KEY_PREFIX": prefix}) for _ in range(2)]
    monkeypatch.setattr(conf, "RATE_PER_TOKEN", 3)
    with _inside_one_window():
        monkeypatch.setattr(ratelimit, "cache", workers[0])
        assert [page(token).status_code for _ in range(3)] == [200, 200, 200]
        monkeypatch.setattr(ratelimit, "cache", workers[1])
        assert page(token).status_code == 429
