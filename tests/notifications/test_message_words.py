"""What a manager reads on WeCom, in the e-mail or the SMS: Chinese punctuation in Chinese text,
and a deadline warning that names only the deadline it warns of."""

import re

import pytest

from escalation.models import DeadlineKind
from escalation.sweep import deadline_warn
from notifications.messages import message_render
from notifications.models import Notification
from tests.factories import open_case

KINDS = ["approval_decided", "approval_requested", "default", "escalated", "followup_due",
         "opened", "rescored", "warned"]
ASCII_BESIDE_HANZI = re.compile(r"[\u4e00-\u9fff][,;:?!()]|[,;:?!()][\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", KINDS)
def test_chinese_messages_use_chinese_punctuation(org, kind):
    case = open_case(store=org.S01, score=3, vip=True)
    notification = Notification.objects.create(
        recipient=org.manager1, case=case, kind=kind, title="案件提醒", body="客户很不满意",
        url=case.get_absolute_url(), urgent=True,
        params={"score_before": 3, "score_after": 9})
    message = message_render(notification=notification, language="zh-hans")
    text = f"{message.subject}\n{message.text}"
    assert case.number in text
    assert not ASCII_BESIDE_HANZI.search(text), text


def test_a_deadline_warning_names_the_deadline_it_warns_of_not_the_next_step(org):
    case = open_case(store=org.S01, score=3)  # its next step is the first contact
    resolution = case.deadlines.get(kind=DeadlineKind.RESOLUTION)
    assert deadline_warn(deadline=resolution, now=resolution.warn_at)

    warned = Notification.objects.filter(case=case, kind="warned").first()
    text = message_render(notification=warned, language="zh-hans").text
    assert str(DeadlineKind.RESOLUTION.label) in text or "已解决" in text
    assert "首次联系" not in text
