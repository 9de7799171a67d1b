"""The phrase checker, table-driven over the seeds' own examples (000 §3.1–§3.3, 001 禁忌 and
立即行动): every wrong example is flagged with its category, every right example passes."""

import pytest

from tests.conftest import api_as
from toolkit.models import WordKind, WordLanguage
from toolkit.phrases import phrases_check
from toolkit.words import words_render

WRONG = [
    # 000 §3.1 错误的道歉方式
    ("很抱歉给您带来不便,但是这不是我们的问题...", "but_apology"),
    ("对不起对不起对不起", "mechanical_apology"),
    ("可能是我们有些地方做得不够好...", "vague_admission"),
    ("因为今天人太多了...", "excuse"),
    ("系统出问题了...", "excuse"),
    # 000 §3.3 用“我们”代替“你们”
    ("你们要理解我们的难处", "you_not_we"),
    # 000 §3.2 可感知性
    ("我们会在系统里给您增加积分", "vague_promise"),
    # 001 opening story
    ("我再帮您约个时间重新检查一下吧。", "perfunctory"),
    ("可能是个别情况,我们一定想办法解决。", "vague_admission"),
    # 001 立即行动原则 错误话术
    ("我们会尽快给您处理。", "vague_promise"),
    ("我们会安排人联系您。", "vague_promise"),
    # 001 禁忌1 推卸责任
    ("这个问题确实比较复杂,不是我们的问题。", "blame_shifting"),
    ("上次那个技师已经离职了,不是我们现在的人。", "blame_shifting"),
    ("配件是原厂的,我们也没办法。", "blame_shifting"),
    ("很多客户都有这个问题,不是个例。", "excuse"),
    # 001 禁忌2 敷衍了事
    ("不好意思啊,下次注意。", "perfunctory"),
    ("我再帮您约个时间看看吧。", "perfunctory"),
    ("您这个要求有点难办...", "perfunctory"),
    # 001 禁忌3 拖延不决
    ("我需要请示一下领导。", "stalling"),
    ("这个方案我不能做主。", "stalling"),
    ("我明天给您答复。", "stalling"),
    ("领导还在考虑", "stalling"),
    # English counterparts
    ("I'm sorry for the wait, but it is not our fault.", "but_apology"),
    ("It's not our problem, the supplier's fault.", "blame_shifting"),
    ("I need to check with my manager.", "stalling"),
]

RIGHT = [
    # 000 §3.1 SARA
    "陈女士,对于我们在洗车环节造成您的车辆后保险杠受损,我代表门店向您郑重道歉。",
    "这完全是我们的失误,我们在操作流程上存在疏忽。",
    "我深知这给您的春节出行计划造成了影响,我们深感抱歉。",
    "我们会立即为您修复,并已制定了三个补救方案供您选择...",
    # 000 §3.2 and §3.3
    "这是500元代金券,下次可直接抵扣,有效期一年",
    "我们有三个方案:A、B、C,您觉得哪个更合适?",
    "我们一起看看怎么解决这个问题",
    "我完全理解您的感受...",
    "换做是我,我也会...",
    "您说的很对...",
    "感谢您指出这个问题...",
    "我知道这是我们的问题,现在最重要的是尽快为您解决",
    # 001 立即行动原则 正确话术
    "明天上午10点,我亲自带技术总监上门为您诊断,您看方便吗?",
    "今天下午4点,代步车会送到您家,您先用着,等我们修好再换回来。",
    # 001 禁忌 1–3 正确示例
    "这完全是我们的责任,我们会负责到底。",
    "不管什么原因,没修好就是我们的问题。",
    "我不找任何借口,这次确实是我们做得不好。",
    "明天上午10点,我亲自上门处理。",
    "这次免除全部费用,问题不解决不收钱。",
    "我的手机24小时开机,随时联系我。",
    "我现在就给您解决。",
    "这个我可以直接批准。",
    "1小时后我给您答复。",
    "I'm sorry we damaged your bumper. It was entirely our mistake.",
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "category"), WRONG)
def test_each_wrong_example_is_flagged_with_its_category(text, category):
    warnings = phrases_check(text=text)
    assert category in {w.category for w in warnings}, text
    assert all(w.suggestion for w in warnings)
    assert text[warnings[0].start:warnings[0].end] == warnings[0].match


@pytest.mark.django_db
@pytest.mark.parametrize("text", RIGHT)
def test_each_right_example_passes(text):
    assert phrases_check(text=text) == []


@pytest.mark.parametrize("kind", WordKind.values)
@pytest.mark.parametrize("language", WordLanguage.values)
def test_default_scripts_and_letters_pass_the_checker(org, l2_case, kind, language):
    words = words_render(case=l2_case, kind=kind, language=language, actor=org.manager1)
    assert words.warnings == [], [w.match for w in words.warnings]


def test_check_endpoint_returns_warnings_with_better_phrasing(org):
    response = api_as(org.advisor1).post("/api/v1/phrases/check/",
                                         {"text": "我需要请示一下领导。"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is False
    assert body["warnings"][0]["category"] == "stalling"
    assert "直接批准" in body["warnings"][0]["suggestion"]


def test_check_endpoint_speaks_english_on_request(org):
    response = api_as(org.advisor1).post("/api/v1/phrases/check/?lang=en",
                                         {"text": "不是我们的问题"}, format="json")
    assert "responsibility" in response.json()["warnings"][0]["suggestion"]


def test_check_endpoint_rejects_missing_text(org):
    response = api_as(org.advisor1).post("/api/v1/phrases/check/", {}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()
