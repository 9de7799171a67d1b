"""Triage reads the comment like a service manager (issue 18, shared/triage/GUIDE.md): flags,
failure type, emotion and why; severity from the incident; corrections; bad input."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case, CaseEvent, LexiconEntry
from cases.reading import read
from cases.triage import lexicon, triage
from notifications.models import Notification
from tests.conftest import api_as

URL = "/api/v1/survey-responses/"
DATA = Path(__file__).parent / "data"


def post(org, n="r1", score=9, comment="", **over):
    body = {"source": "dms", "external_id": n, "store": "S01", "score": score,
            "comment": comment,
            "customer": {"external_id": f"c-{n}", "name": "李先生", "phone": "13812345678"}}
    body.update(over)
    r = api_as(org.integration).post(URL, body, format="json")
    assert r.status_code == 201, r.content
    return r.json()["case"]


def reads(comment, score=9):
    return triage(score=score, comment=comment, flags=set(), record=None, vip=False)


# ------------------------------------------------------------------------- the issue's lines

@pytest.mark.parametrize(("score", "comment"), [
    (9, "Please call me immediately"),            # "immediately" is not "media"
    (8, "Thanks for the courtesy car"),           # "courtesy" holds no "court"
    (10, "事故车维修很专业，谢谢"),                  # 事故 in praise
    (10, "没有投诉，很满意"),                        # negated
    (10, "车载多媒体屏幕卡顿的问题给升级好了，现在流畅多了"),  # 多媒体 is not 媒体; fixed, praised
    (9, "朋友说要投诉他们那边的4S店，我倒觉得咱们这家挺好的"),  # someone else's complaint
    (9, "A friend of mine is suing another dealer, but you were straight with me."),
    (10, "上次刹车异响的问题这次彻底解决了，谢谢张师傅"),  # a fixed problem praised
    (9, "放心不是来曝光的哈哈，就是想夸一下洗车小哥"),
    (10, "建议增加上门取送车，住得远来一趟不容易"),       # a suggestion
])
def test_words_in_a_harmless_sense_open_nothing(org, score, comment):
    assert post(org, score=score, comment=comment) is None
    assert Case.objects.count() == 0


def test_issue_is_not_sue_and_a_complaint_under_a_high_score_opens_an_l1_case(org):
    case = post(org, score=9, comment="There is an issue with the invoice, the total is wrong.")
    assert case["level"] == "L1" and case["flags"] == []
    assert case["failure_type"] == "process_error"
    assert case["triage"]["failure_type"]["said"] == "invoice"


@pytest.mark.parametrize(("comment", "flags", "level", "failure_type", "emotion"), [
    ("整体还行，但交车又晚了一个半小时，再有下次我直接发朋友圈曝光", {"media_exposure"}, "L4",
     "time_delay", "angry"),
    ("第三次come back for the same 电动尾门关不上的问题", {"multiple_repair"}, "L3",
     "service_quality", None),
    ("师傅技术好，就是试车把我座椅后视镜全调乱了也不调回来，跟他说了一声也没理我", set(), "L1",
     "attitude", None),
    ("Had to raise my voice at the service desk before anyone would even look up my car. "
     "Going on the owners' forum tonight.", {"onsite_complaint", "media_exposure"}, "L4",
     "attitude", "angry"),
    ("Great coffee in the lounge. Had plenty of time to enjoy it — four hours, in fact.", set(),
     "L1", "time_delay", "humorous"),
])
def test_flags_failure_type_and_emotion_come_from_the_text(org, comment, flags, level,
                                                           failure_type, emotion):
    case = post(org, score=8, comment=comment)
    assert set(case["flags"]) == flags
    assert (case["level"], case["failure_type"], case["emotion"]) == (level, failure_type,
                                                                      emotion)
    detail = api_as(org.manager1).get(f"/api/v1/cases/{case['id']}/").json()
    assert (detail["failure_type"], detail["emotion"]) == (failure_type, emotion)
    for flag in flags:  # why: the phrase that fired each flag
        assert detail["triage"]["flags"][flag]["rule"] == "phrase"
        assert detail["triage"]["flags"][flag]["said"]


def test_negated_and_fixed_words_are_shown_as_set_aside(org):
    case = post(org, score=5, comment="就换个机油等了两个多小时。不至于投诉，但是真的太慢了")
    assert case["flags"] == [] and case["failure_type"] == "time_delay"
    aside = {(s["said"], s["rule"]) for s in case["triage"]["set_aside"]}
    assert ("投诉", "negation") in aside


def test_a_text_flag_joins_the_flags_from_history(org):
    cust = {"external_id": "h1", "name": "张先生"}
    for n, days in (("a", 60), ("b", 30)):
        post(org, n=n, score=9, customer=cust, service_record={
            "order_number": f"RO-{n}", "service_type": "悬挂异响",
            "visit_at": (timezone.now() - timedelta(days=days)).isoformat()})
    case = post(org, n="c", score=7, comment="我已经打了厂家热线投诉", customer=cust,
                service_record={"order_number": "RO-c", "service_type": "悬挂异响",
                                "visit_at": timezone.now().isoformat()})
    assert set(case["flags"]) == {"multiple_repair", "public_complaint"}
    assert case["triage"]["flags"]["multiple_repair"] == {"rule": "history", "earlier_visits": 2}


# ------------------------------------------------------------------------- severity, seed 001

def test_seed_worked_example_through_intake_is_severe_with_coefficient_8_1(org):
    """Seed 001 工具2: VIP, 严重, 多次返修, 公开投诉 → 1.5 × 3 × (1 + 0.5 + 0.3) = 8.1."""
    cust = {"external_id": "li", "name": "李先生", "vip": True}
    for n, days in (("a", 60), ("b", 30)):
        post(org, n=n, score=9, customer=cust, service_record={
            "order_number": f"RO-{n}", "service_type": "悬挂异响", "amount": "1200.00",
            "visit_at": (timezone.now() - timedelta(days=days)).isoformat()})
    case = post(org, n="c", score=0, customer=cust,
                comment="悬挂异响修了还是响，我已经向厂家客服投诉了",
                service_record={"order_number": "RO-c", "service_type": "悬挂异响",
                                "amount": "1200.00", "visit_at": timezone.now().isoformat()})
    assert set(case["flags"]) == {"vip", "multiple_repair", "public_complaint"}
    assert case["triage"]["flags"]["public_complaint"]["rule"] == "phrase"
    assert case["level"] == "L4" and case["severity"] == "severe"
    quote = api_as(org.manager1).get(f"/api/v1/cases/{case['id']}/quote/")
    assert quote.status_code == 200, quote.content
    assert quote.json()["coefficient"] == "8.1"


@pytest.mark.parametrize(("score", "comment", "severity"), [
    (0, "", "moderate"),            # a score alone is never a crisis
    (2, "等了好久", "moderate"),
    (6, "", "minor"),
    (8, "刹车软得跟踩棉花一样，差点追尾", "crisis"),
    (8, "第三次来修同一个异响了", "severe"),
    (8, "第二次来修同一个异响了", "moderate"),
])
def test_severity_is_the_incidents_not_the_levels(org, score, comment, severity):
    assert post(org, score=score, comment=comment)["severity"] == severity


# ------------------------------------------------------------------------- alert

def test_every_new_case_alerts_the_store_manager_urgently(org):
    case = post(org, score=6)  # L1
    alert = Notification.objects.get(recipient=org.manager1, case_id=case["id"], kind="opened")
    assert alert.urgent is True


# ------------------------------------------------------------------------- corrections

def test_owner_corrects_triage_and_level_checklist_and_timeline_follow(org):
    case = post(org, score=8, comment="第三次来修同一个异响了")  # L3, service_quality
    url = f"/api/v1/cases/{case['id']}/"
    codes_before = {i["code"] for i in api_as(org.director1).get(url).json()["checklist"]}
    assert "tech_verification" in codes_before
    r = api_as(org.director1).patch(url, {"failure_type": "attitude", "flags": [],
                                          "emotion": "aggrieved", "note": "只是态度问题"},
                                    format="json")
    assert r.status_code == 200, r.content
    detail = r.json()
    assert (detail["failure_type"], detail["emotion"], detail["flags"]) == (
        "attitude", "aggrieved", [])
    assert detail["level"] == "L1" and detail["severity"] == "minor"  # re-run from the flags
    assert "tech_verification" not in {i["code"] for i in detail["checklist"]}
    events = CaseEvent.objects.filter(case_id=case["id"], kind="corrected")
    changes = {e.data["field"]: (e.data["from"], e.data["to"], e.actor) for e in events}
    assert changes["failure_type"] == ("service_quality", "attitude", org.director1)
    assert changes["flags"] == (["multiple_repair"], [], org.director1)
    assert changes["level"][:2] == ("L3", "L1")
    assert Case.objects.get(pk=case["id"]).owner.role == "advisor"
    report = api_as(org.director1).get("/api/v1/triage/corrections/").json()
    row = next(r for r in report if r["store"] == "S01")
    assert row["cases"] == 1
    assert row["corrections"] == {"failure_type": 1, "severity": 0, "emotion": 1, "flags": 1}


def test_corrections_need_the_owner_or_someone_senior_and_valid_values(org):
    case = post(org, score=2, comment="等了四个小时")  # L3: a center director's case
    url = f"/api/v1/cases/{case['id']}/"
    assert api_as(org.advisor1).patch(url, {"severity": "minor"},
                                      format="json").status_code == 403
    assert api_as(org.manager2).patch(url, {"severity": "minor"},
                                      format="json").status_code == 404
    assert api_as(org.director1).patch(url, {"severity": "huge"},
                                       format="json").status_code == 400
    assert api_as(org.director1).patch(url, {"flags": ["vip", "x"]},
                                       format="json").status_code == 400
    assert api_as(org.director1).patch(url, {}, format="json").status_code == 400
    assert not CaseEvent.objects.filter(case_id=case["id"], kind="corrected").exists()
    r = api_as(org.director1).patch(url, {"severity": "severe"}, format="json")
    assert r.json()["severity"] == "severe" and r.json()["level"] == "L3"


def test_case_page_shows_why_and_corrects(org, client):
    case = post(org, score=8, comment="再有下次我直接发朋友圈曝光")
    client.force_login(org.regional1)
    page = client.get(f"/cases/{case['id']}/")
    assert page.status_code == 200
    assert "朋友圈曝光" in page.content.decode()
    r = client.post(f"/cases/{case['id']}/triage/", {
        "failure_type": "time_delay", "severity": "minor", "emotion": "", "flags": [],
        "note": "不是曝光"})
    assert r.status_code == 302
    stored = Case.objects.get(pk=case["id"])
    assert (stored.flags, stored.level, stored.failure_type.code) == ([], "L1", "time_delay")
    report = client.get("/triage/corrections/")
    assert report.status_code == 200 and "S01" in report.content.decode()


# ------------------------------------------------------------------------- data, bad input

def test_a_lexicon_row_switched_off_in_the_admin_stops_counting(org):
    assert "media_exposure" in reads("我要发抖音曝光你们").flags
    LexiconEntry.objects.filter(kind="flag", value="media_exposure").update(active=False)
    LexiconEntry.objects.first().save()  # a save clears the cache, as the admin's would
    assert "media_exposure" not in reads("我要发抖音曝光你们").flags


@pytest.mark.parametrize("comment", [
    "", "   \n\t ", "差" * 10_000, "服务很好👍" * 2_000, "等了三個小時，態度很差，我要投訴！",
    "Service 很好 but 等了 3 hours 😡😡😡 !!!", "\u200b\u0000<script>alert(1)</script>",
    "第" * 5000 + "次", "…" * 3000, "(((((" * 500,
])
def test_any_text_is_triaged_without_error(db, comment):
    result = reads(comment)
    assert result.level in {"L1", "L2", "L3", "L4"}
    json.dumps(result.why)  # storable


@pytest.mark.parametrize("comment", ["", "  ", "x" * 5000, "服務態度很差😡" * 500,
                                     "Terrible Service 太差了 \u200b"])
def test_intake_stores_any_comment(org, comment):
    post(org, score=3, comment=comment)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("name", ["triage_probe.jsonl", "triage_probe2.jsonl",
                                  "triage_probe3.jsonl", "triage_probe4.jsonl",
                                  "triage_probe5.jsonl", "triage_probe6.jsonl",
                                  "triage_probe7.jsonl", "triage_probe8.jsonl",
                                  "triage_probe9.jsonl"])
def test_sets_written_apart_from_dev_page_nobody_wrongly(db, name):
    """Sets written apart from dev.jsonl in the GUIDE's sense, to see that the rules generalise:
    whatever else they miss, no false L4 (it pages a regional director)."""
    out = io.StringIO()
    try:
        call_command("triage_eval", str(DATA / name), stdout=out)
    except CommandError:
        pass  # a figure below target; printed, and read in docs/triage.md
    assert "false_L4                 0  ok" in out.getvalue()


def test_reading_starts_the_segmenter_once(db):
    first = read("事故车修复很专业", lexicon())
    assert first.flags == {}
    from cases import reading

    assert reading._jieba is not None
    tokenizer = reading._jieba
    read("刹车失灵", lexicon())
    assert reading._jieba is tokenizer
