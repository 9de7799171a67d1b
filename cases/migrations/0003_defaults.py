"""Default intake policy, keyword lexicon (SPEC §2), failure types and checklist (seed 001 工具1)."""

from django.db import migrations

KEYWORDS = {
    "media_exposure": ["曝光", "媒体", "记者", "微博", "抖音", "小红书", "热搜", "journalist",
                       "media", "social media"],
    "lawsuit": ["律师", "起诉", "法院", "诉讼", "lawyer", "lawsuit", "sue ", "court"],
    "safety": ["安全", "刹车", "失灵", "起火", "事故", "brake", "fire", "accident", "unsafe"],
    "public_complaint": ["投诉", "12315", "消协", "complaint"],
    "refund_request": ["退款", "退钱", "refund", "money back"],
    "requests_senior": ["找领导", "叫你们领导", "找经理", "manager now"],
    "": ["失望", "太差", "很差", "差劲", "垃圾", "不满意", "糟糕", "态度恶劣", "再也不来",
         "disappointed", "terrible", "awful", "worst", "rude", "never again"],
}

FAILURE_TYPES = [
    ("time_delay", "等待时间过长/延误", "Time delay"),
    ("service_quality", "服务质量/维修质量", "Service quality"),
    ("property_damage", "财物损坏", "Property damage"),
    ("attitude", "服务态度", "Attitude"),
    ("safety", "安全问题", "Safety"),
    ("process_error", "流程/系统错误", "Process or system error"),
]

# (code, title, English title, failure types it applies to; empty = all)
CHECKLIST = [
    ("call_customer", "致电客户道歉", "Call the customer", []),
    ("review_feedback", "查阅客户反馈与服务记录", "Review the feedback and service record", []),
    ("talk_staff", "与SA、技师沟通了解情况", "Talk to the SA and technician", []),
    ("draft_plan", "制定挽回方案", "Draft the plan", []),
    ("present_plan", "向客户提出方案(解决+补偿+承诺)",
     "Present the plan (fix + compensation + commitment)", []),
    ("loaner_car", "代步车送达", "Loaner car delivered",
     ["time_delay", "service_quality", "property_damage", "safety"]),
    ("gift_sent", "礼品寄出", "Gift sent", []),
    ("apology_letter", "道歉信寄出", "Apology letter sent", []),
    ("visit_booked", "预约到店/上门", "Visit booked", []),
    ("tech_verification", "技术验证(找到根因、修复、测试)",
     "Technical verification (root cause found, fixed, tested)",
     ["service_quality", "property_damage", "safety", "process_error"]),
    ("customer_verification", "客户确认签字", "Customer confirms and signs", []),
    ("callback_24h", "24小时内回访并邀请重新评分", "Callback within 24 h asking for a re-score", []),
    ("followup_3d", "3天回访", "Follow-up at 3 days", []),
    ("followup_7d", "7天回访", "Follow-up at 7 days", []),
    ("followup_30d", "30天回访", "Follow-up at 30 days", []),
]


def load(apps, schema_editor):
    IntakePolicy = apps.get_model("cases", "IntakePolicy")
    NegativeKeyword = apps.get_model("cases", "NegativeKeyword")
    FailureType = apps.get_model("cases", "FailureType")
    ChecklistTemplateItem = apps.get_model("cases", "ChecklistTemplateItem")
    IntakePolicy.objects.get_or_create(pk=1, defaults={"score_threshold": 6})
    for flag, words in KEYWORDS.items():
        for word in words:
            NegativeKeyword.objects.get_or_create(word=word, defaults={"flag": flag})
    types = {}
    for code, name, name_en in FAILURE_TYPES:
        types[code], _ = FailureType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en})
    for position, (code, title, title_en, only) in enumerate(CHECKLIST, start=1):
        item, created = ChecklistTemplateItem.objects.get_or_create(
            code=code, defaults={"title": title, "title_en": title_en, "position": position * 10})
        if created and only:
            item.failure_types.set([types[c] for c in only])


class Migration(migrations.Migration):
    # The rows written here are audited: the audit table must exist first.
    dependencies = [("cases", "0002_initial"), ("audit", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
