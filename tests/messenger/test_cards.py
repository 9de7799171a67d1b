"""What each platform is sent and shown: the card's content (in the approver's scope, no
phone, the customer's name shortened), the platforms' URL checks, the card redrawn with the
decision, and escalation cards (acknowledge, take over) through the case's own services."""

import json
import time
from datetime import timedelta

import pytest
import time_machine

from cases.models import Case, CaseEvent, CaseEventKind
from cases.services import case_watch
from escalation.models import Escalation
from escalation.sweep import escalation_process_one
from messenger import conf
from messenger.services import card_issue, card_token_for
from notifications.models import Notification
from tests.compensation.factories import contacted_case
from tests.conftest import api_as
from tests.escalation.conftest import T0
from tests.factories import open_case

from .conftest import (
    DingTalk,
    Feishu,
    WeCom,
    link,
    pending_approval,
    requests_to,
    send_cards,
    tap,
    wecom_encrypt,
    wecom_signature,
)

pytestmark = pytest.mark.django_db


def _history_elsewhere(org):
    """The customer got ¥300 at a store of another region (outside manager1's scope), then an
    offer at S01 that waits for manager1."""
    earlier = contacted_case(store=org.S02, customer_id="cust-shared")
    resp = api_as(org.advisor2).post(f"/api/v1/cases/{earlier.pk}/offers/",
                                     {"items": [{"code": "voucher", "value": "300"}]},
                                     format="json")
    assert resp.json()["status"] == "approved"
    case = contacted_case(store=org.S01, customer_id="cust-shared")
    resp = api_as(org.advisor1).post(f"/api/v1/cases/{case.pk}/offers/",
                                     {"items": [{"code": "voucher", "value": "1500"}]},
                                     format="json")
    return earlier, case


def test_wecom_card_shows_the_case_the_amount_and_the_history_in_the_approvers_scope(
        org, fake):
    link(org.manager1, "wecom", "zhangsan")
    earlier, case = _history_elsewhere(org)
    send_cards(case)
    [sent] = WeCom(fake).sent()
    assert (sent["touser"], sent["msgtype"], sent["agentid"]) == ("zhangsan", "template_card",
                                                                  1000002)
    card = sent["template_card"]
    assert card["card_type"] == "button_interaction"
    assert "¥1,500.00" in card["main_title"]["title"]
    text = json.dumps(sent, ensure_ascii=False)
    customer = case.customer
    assert customer.name not in text and customer.name[0] + "**" in text
    assert customer.phone not in text
    assert "¥1,800.00" in text  # what the decision commits, with the other store's offer
    assert "其他门店" in text
    assert earlier.number not in text
    assert [o["text"] for o in card["button_selection"]["option_list"]] == [
        r[:16] for r in conf.REJECT_REASONS]
    assert card["card_action"]["url"].endswith("/approvals/")
    assert requests_to(fake, "/cgi-bin/message/send")[0].args["access_token"] == "wecom-at"


def test_wecom_url_check_answers_the_decrypted_echo_only_when_signed(org, fake, client):
    echo = wecom_encrypt("echo-123")
    ts, nonce = str(int(time.time())), "n1"
    good = wecom_signature(timestamp=ts, nonce=nonce, encrypt=echo)
    url = "/messenger/wecom/callback/"
    resp = client.get(url, {"msg_signature": good, "timestamp": ts, "nonce": nonce,
                            "echostr": echo})
    assert resp.status_code == 200 and resp.content == b"echo-123"
    resp = client.get(url, {"msg_signature": "0" * 40, "timestamp": ts, "nonce": nonce,
                            "echostr": echo})
    assert resp.status_code == 403


def test_wecom_envelope_of_another_corp_or_with_a_dtd_is_refused(org, fake, client):
    approval = pending_approval(org)
    ts, nonce = str(int(time.time())), "n1"
    for body, encrypt in [
        (None, wecom_encrypt("<xml><Event>template_card_event</Event></xml>", corp_id="other")),
        ('<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', "b"),
    ]:
        body = body or f"<xml><Encrypt>{encrypt}</Encrypt></xml>"
        signature = wecom_signature(timestamp=ts, nonce=nonce, encrypt=encrypt)
        resp = client.post(f"/messenger/wecom/callback/?msg_signature={signature}"
                           f"&timestamp={ts}&nonce={nonce}", data=body,
                           content_type="text/xml")
        assert resp.status_code == 403
    approval.refresh_from_db()
    assert approval.status == "pending"


def test_wecom_card_button_is_replaced_by_the_decision(org, fake):
    link(org.manager1, "wecom")
    approval = pending_approval(org)
    send_cards(approval.case)
    wecom = WeCom(fake)
    [card] = wecom.sent()
    tap(wecom.request(user_id="wecom-manager1", action="approve", token=wecom.token(card)))
    [update] = requests_to(fake, "/cgi-bin/message/update_template_card")
    body = json.loads(update.data)
    assert body["userids"] == ["wecom-manager1"] and body["response_code"].startswith("rc-")
    assert org.manager1.first_name in body["button"]["replace_name"]


def test_dingtalk_card_is_sent_from_the_template_and_updated_with_the_decision(org, fake):
    link(org.manager1, "dingtalk", "ding-user-1")
    approval = pending_approval(org)
    send_cards(approval.case)
    ding = DingTalk(fake)
    [sent] = ding.sent()
    assert sent["cardTemplateId"] == "tpl.schema" and sent["receiverUserIdList"] == [
        "ding-user-1"]
    assert sent["robotCode"] == "ding-robot" and sent["conversationType"] == 0
    params = sent["cardData"]["cardParamMap"]
    assert all(isinstance(v, str) for v in params.values())
    assert params["actions"] == "approve,reject" and params["finished"] == "false"
    [send] = requests_to(fake, "/v1.0/im/interactiveCards/send")
    assert send.headers["x-acs-dingtalk-access-token"] == "ding-at"

    resp = tap(ding.request(user_id="ding-user-1", action="approve", token=ding.token(sent)))
    assert resp.json()["success"] is True
    [update] = requests_to(fake, "/v1.0/im/interactiveCards", method="PUT")
    body = json.loads(update.data)
    assert body["outTrackId"] == sent["outTrackId"]
    assert body["cardData"]["cardParamMap"]["finished"] == "true"
    assert body["cardData"]["cardParamMap"]["token"] == ""
    resp = tap(ding.request(user_id="ding-user-1", action="approve", token=ding.token(sent)))
    assert resp.json()["success"] is False


def test_feishu_answer_redraws_the_card_with_the_decision_and_a_toast(org, fake):
    link(org.manager1, "feishu", "ou_manager")
    approval = pending_approval(org)
    send_cards(approval.case)
    feishu = Feishu(fake)
    [sent] = feishu.sent()
    assert (sent["receive_id"], sent["msg_type"]) == ("ou_manager", "interactive")
    assert requests_to(fake, "/open-apis/im/v1/messages")[0].args["receive_id_type"] == "open_id"
    card = feishu.card(sent)
    assert card["schema"] == "2.0"
    form = next(e for e in card["body"]["elements"] if e["tag"] == "form")
    assert form["elements"][0] == {"tag": "input", "name": "reason", "required": False,
                                   "placeholder": {"tag": "plain_text",
                                                   "content": "驳回理由 Reason"}}

    resp = tap(feishu.request(user_id="ou_manager", action="reject", token=feishu.token(sent),
                              reason="金额过高"))
    answer = resp.json()
    assert answer["toast"]["type"] == "success"
    redrawn = json.dumps(answer["card"]["data"], ensure_ascii=False)
    assert "金额过高" in redrawn and '"button"' not in redrawn
    resp = tap(feishu.request(user_id="ou_manager", action="approve", token=feishu.token(sent)))
    assert resp.json()["toast"]["type"] == "error"
    approval.refresh_from_db()
    assert approval.status == "rejected"


def test_feishu_url_check_needs_the_verification_token(org, fake, client):
    body = {"type": "url_verification", "challenge": "ch-1", "token": "fs-token"}
    resp = client.post("/messenger/feishu/callback/", body, content_type="application/json")
    assert resp.json() == {"challenge": "ch-1"}
    body["token"] = "wrong"
    resp = client.post("/messenger/feishu/callback/", body, content_type="application/json")
    assert resp.status_code == 403


def test_a_platform_that_is_not_configured_refuses_every_callback(org, client, monkeypatch):
    monkeypatch.setattr(conf, "FEISHU_APP_ID", "")
    resp = client.post("/messenger/feishu/callback/", {"type": "url_verification",
                                                       "token": ""},
                       content_type="application/json")
    assert resp.status_code == 404


@pytest.fixture
def escalated(org, messenger):
    """A case whose first contact was missed: escalated to the regional director, whose
    messenger account is linked (each platform)."""
    link(org.regional1, messenger.platform)
    # A Monday morning: the contact window counts business hours.
    with time_machine.travel(T0, tick=False) as traveller:
        case = open_case(store=org.S01, score=5)  # L2, owned by manager1
        traveller.shift(timedelta(hours=2))
        assert escalation_process_one() is True
        send_cards(case)
        [card] = messenger.sent()
        yield case, card


def test_escalation_card_offers_acknowledge_and_take_over(org, messenger, escalated):
    case, card = escalated
    assert messenger.buttons(card) == ["ack", "takeover"]
    assert case.number in json.dumps(card, ensure_ascii=False)


def test_taking_over_from_the_escalation_card_makes_the_director_the_owner_once(
        org, messenger, escalated):
    case, card = escalated
    user_id = f"{messenger.platform}-regional1"
    request = messenger.request(user_id=user_id, action="takeover", token=messenger.token(card))
    tap(request)
    tap(request)
    tap(messenger.request(user_id=user_id, action="ack", token=messenger.token(card)))
    case.refresh_from_db()
    assert case.owner == org.regional1
    [event] = CaseEvent.objects.filter(case=case, kind=CaseEventKind.REASSIGNED)
    assert event.actor == org.regional1
    assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE,
                                        actor=org.regional1).exists()


def test_acknowledging_writes_one_note_on_the_timeline(org, messenger, escalated):
    case, card = escalated
    request = messenger.request(user_id=f"{messenger.platform}-regional1", action="ack",
                                token=messenger.token(card))
    tap(request)
    tap(request)
    [note] = CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE, actor=org.regional1)
    assert {"wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书"}[messenger.platform] \
        in note.note
    assert Case.objects.get(pk=case.pk).owner == org.manager1


def test_an_advisor_cannot_take_over_from_a_card(org, messenger, escalated):
    """Taking over is reassigning: the case's own rule (service manager or above) decides."""
    case, _card = escalated
    identity = link(org.advisor1, messenger.platform)
    escalation_row = Escalation.objects.get(case=case)
    notification = Notification.objects.filter(case=case, kind="escalated").first()
    card = card_issue(notification=notification, identity=identity, subject="escalation",
                      escalation=escalation_row)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        tap(messenger.request(user_id=f"{messenger.platform}-advisor1", action="takeover",
                              token=card_token_for(card)))
    assert Case.objects.get(pk=case.pk).owner == org.manager1
    card.refresh_from_db()
    assert card.used_at is None


def test_watchers_get_no_escalation_card(org, fake):
    """Only the people the escalation targets decide from a card; a watcher hears of it as
    before."""
    link(org.director1, "wecom")
    with time_machine.travel(T0, tick=False) as traveller:
        case = open_case(store=org.S01, score=5)
        case_watch(case_id=case.pk, user=org.director1, actor=org.director1)
        traveller.shift(timedelta(hours=2))
        escalation_process_one()
        send_cards(case)
    assert WeCom(fake).sent() == []


def test_wecom_other_app_events_get_an_empty_answer_and_change_nothing(org, fake, client):
    approval = pending_approval(org)
    encrypt = wecom_encrypt("<xml><MsgType>event</MsgType><Event>enter_agent</Event></xml>")
    ts, nonce = str(int(time.time())), "n2"
    signature = wecom_signature(timestamp=ts, nonce=nonce, encrypt=encrypt)
    resp = client.post(f"/messenger/wecom/callback/?msg_signature={signature}&timestamp={ts}"
                       f"&nonce={nonce}", data=f"<xml><Encrypt>{encrypt}</Encrypt></xml>",
                       content_type="text/xml")
    assert resp.status_code == 200 and resp.content == b""
    approval.refresh_from_db()
    assert approval.status == "pending"
