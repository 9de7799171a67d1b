"""The demo network, users and cases of `seed_demo` (SPEC §11)."""

import random
from datetime import timedelta

from django.utils import timezone

from metrics.facts import case_facts_rebuild
from org.models import NodeKind, OrgNode, Role
from org.services import node_create, user_upsert

from .models import Case, FailureType, IntakeSource, Outcome
from .services import case_rescore, case_transition, survey_response_receive

DEMO_SOURCE = "dms"

# area → region → stores; S01 and S02 sit in different regions of different areas.
NETWORK = {
    ("A1", "华东大区"): {("R1", "上海区域"): ["S01", "S03"], ("R2", "杭州区域"): ["S05", "S07"]},
    ("A2", "华南大区"): {("R3", "广州区域"): ["S02", "S04"], ("R4", "深圳区域"): ["S06", "S08"]},
}
STORE_NAMES = {
    "S01": "上海浦东服务中心", "S02": "广州天河服务中心", "S03": "上海闵行服务中心",
    "S04": "广州番禺服务中心", "S05": "杭州西湖服务中心", "S06": "深圳南山服务中心",
    "S07": "杭州滨江服务中心", "S08": "深圳福田服务中心",
}
NAMED_USERS = [
    ("advisor1", Role.ADVISOR, "S01", "王小明"),
    ("manager1", Role.SERVICE_MANAGER, "S01", "李经理"),
    ("director1", Role.CENTER_DIRECTOR, "S01", "张总监"),
    ("regional1", Role.REGIONAL_DIRECTOR, "R1", "陈区域"),
    ("area1", Role.AREA_DIRECTOR, "A1", "刘大区"), ("hq1", Role.HQ, "HQ", "总部赵"),
    ("advisor2", Role.ADVISOR, "S02", "黄小华"),
    ("manager2", Role.SERVICE_MANAGER, "S02", "周经理"),
]
COMMENTS = [
    (0, "同一个问题修了3次还没修好,我要去12315投诉", ["onsite_complaint"]),
    (2, "等了四个小时没人理,态度恶劣", []),
    (3, "刹车异响,感觉很不安全", []),
    (5, "洗车没洗干净,车内还有划痕", []),
    (6, "一般吧,等待时间有点长", []),
    (4, "我要发抖音曝光你们", []),
    (1, "收费不透明,我要退款", ["refund_request"]),
    (6, "服务顾问不专业", []),
    (8, "还行", ["onsite_complaint"]),
]
SERVICE_TYPES = ["悬挂异响", "保养", "空调不制冷", "钣金喷漆", "发动机故障灯"]
FIRST_NAMES = "张王李赵刘陈杨黄周吴"
# How far each case walks along the SOP, and how many of each.
WALKS = [
    ([], 40), (["contact"], 25), (["contact", "propose"], 20),
    (["contact", "propose", "start"], 25), (["contact", "propose", "start", "resolve"], 20),
    (["contact", "propose", "start", "resolve", "follow_up"], 30),
    (["contact", "propose", "start", "resolve", "follow_up", "close"], 140),
]


def network_create() -> dict[str, OrgNode]:
    nodes = {"HQ": OrgNode.objects.filter(code="HQ").first()
             or node_create(code="HQ", name="总部", kind=NodeKind.HQ)}
    for (area_code, area_name), regions in NETWORK.items():
        area = _node(area_code, area_name, NodeKind.AREA, nodes["HQ"])
        nodes[area_code] = area
        for (region_code, region_name), stores in regions.items():
            region = _node(region_code, region_name, NodeKind.REGION, area)
            nodes[region_code] = region
            for code in stores:
                nodes[code] = _node(code, STORE_NAMES[code], NodeKind.STORE, region)
    return nodes


def _node(code, name, kind, parent):
    return OrgNode.objects.filter(code=code).first() or node_create(code=code, name=name,
                                                                    kind=kind, parent=parent)


def users_create(*, nodes: dict[str, OrgNode], password: str) -> None:
    for username, role, node_code, name in NAMED_USERS:
        user_upsert(username=username, password=password, role=role, node=nodes[node_code],
                    first_name=name)
    # Every other node gets its people too, so escalations and notifications reach someone.
    for code, node in nodes.items():
        if node.kind == NodeKind.STORE and code not in {"S01", "S02"}:
            for role, prefix in ((Role.ADVISOR, "advisor"), (Role.SERVICE_MANAGER, "manager"),
                                 (Role.CENTER_DIRECTOR, "director")):
                user_upsert(username=f"{prefix}_{code.lower()}", password=password, role=role,
                            node=node)
        elif node.kind == NodeKind.REGION and code != "R1":
            user_upsert(username=f"regional_{code.lower()}", password=password,
                        role=Role.REGIONAL_DIRECTOR, node=node)
        elif node.kind == NodeKind.AREA and code != "A1":
            user_upsert(username=f"area_{code.lower()}", password=password,
                        role=Role.AREA_DIRECTOR, node=node)
    integration = user_upsert(username="integration", password=password, role=Role.HQ,
                              node=nodes["HQ"], first_name="Survey system")
    # The survey system's source: its account posts responses with a token (the README's
    # example); a source that signs its requests is set to "signed requests only".
    IntakeSource.objects.update_or_create(
        code=DEMO_SOURCE, defaults={"name": "DMS", "account": integration, "signed_only": False})
    user_upsert(username="admin", password=password, role=Role.HQ, node=nodes["HQ"],
                first_name="Administrator", is_staff=True, is_superuser=True)


def cases_create(*, nodes: dict[str, OrgNode], seed: int = 7) -> int:
    """A few hundred cases across every state and level, spread over the last three months."""
    rng = random.Random(seed)
    stores = [n for n in nodes.values() if n.kind == NodeKind.STORE]
    bot = nodes["HQ"].members.get(username="integration")
    failure_types = list(FailureType.objects.all())
    now = timezone.now()
    number = 0
    for steps, count in WALKS:
        for _ in range(count):
            number += 1
            store = stores[number % len(stores)] if number > 8 else nodes[f"S0{number}"]
            score, comment, flags = rng.choice(COMMENTS)
            age = timedelta(minutes=rng.randint(5, 170)) if not steps else timedelta(
                hours=rng.randint(3, 24 * 90))
            result = survey_response_receive(
                actor=bot, store=store, source=DEMO_SOURCE, external_id=f"demo-{number}",
                score=score, comment=comment, flags=flags, responded_at=now - age,
                customer={"external_id": f"demo-cust-{number}",
                          "name": f"{rng.choice(FIRST_NAMES)}先生", "phone": "13800000000",
                          "vip": rng.random() < 0.2},
                service_record={"order_number": f"RO-{number:05d}",
                                "service_type": rng.choice(SERVICE_TYPES),
                                "advisor": "王小明", "technician": "赵师傅",
                                "visit_at": now - age - timedelta(hours=2),
                                "amount": rng.choice([300, 800, 1200, 2600])},
            )
            case = result.response.case
            if case is None:
                continue
            Case.objects.filter(pk=case.pk).update(failure_type=rng.choice(failure_types))
            _walk(case=case, steps=steps, rng=rng)
    # The failure types above were set in bulk; bring the metrics facts in step.
    case_facts_rebuild()
    return Case.objects.count()


# Hours after T0 at which each step of a demo case happened, at the earliest and latest.
STEP_HOURS = {"contact": (0.2, 3), "propose": (1, 5), "start": (2, 9), "resolve": (6, 30),
              "follow_up": (30, 80), "close": (80, 800)}


def _walk(*, case: Case, steps: list[str], rng: random.Random) -> None:
    actor = case.store.members.get(role=Role.SERVICE_MANAGER)
    at = case.triggered_at
    now = timezone.now()
    for name in steps:
        low, high = STEP_HOURS[name]
        at = min(max(at, case.triggered_at + timedelta(hours=rng.uniform(low, high))), now)
        params = {}
        if name == "close":
            params["outcome"] = rng.choices(Outcome.values, weights=[7, 2, 1])[0]
        if name == "follow_up":
            case_rescore(case=case, score=rng.choice([10, 10, 9, 8, 6]), at=at, actor=actor)
        case = case_transition(case_id=case.pk, name=name, actor=actor, at=at, **params)
