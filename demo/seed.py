"""The demo network, users and cases of `seed_demo` (SPEC §11). The cases are not written into
the tables: `History` lives through the last four months with the clock moved (time-machine),
and each step calls the service the survey system, a member of staff or the beat would have
called at that moment, so every row, notification and figure is one the product made."""

import heapq
import itertools
import logging
import math
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import time_machine
from celery import current_app
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import Case, ChecklistItem, FailureType, IntakeSource, Level, Severity
from cases.permissions import can_work
from cases.services import (
    case_report_incident,
    case_transition,
    checklist_item_set,
    default_outcome,
    survey_response_receive,
)
from compensation.models import RemedyItem
from compensation.selectors import pending_approval_for
from compensation.services import ItemChoice, approval_approve, compensation_issue, offer_create
from compensation.sweep import approvals_sweep
from escalation.deadlines import waiting_q
from escalation.models import Deadline, unsettled_q
from escalation.models import DeadlineKind as K
from escalation.sweep import sweep
from notifications.services import notifications_mark_read
from notifications.tasks import deliveries_pickup
from org.models import NodeKind, OrgNode, Role, User
from org.services import node_create, user_upsert
from toolkit.models import (
    Channel,
    ContactOutcome,
    ContactPurpose,
    Department,
    StockItem,
    StockReason,
)
from toolkit.services import contact_log, rescore_record, root_cause_set, stock_receive

DEMO_SOURCE = "dms"
# The source the triage scorer (score.py, docs/triage.md) posts its labelled comments as.
EVALUATION_SOURCE = "triage-eval"

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
    for code, name in ((DEMO_SOURCE, "DMS"), (EVALUATION_SOURCE, "Triage evaluation")):
        IntakeSource.objects.update_or_create(
            code=code, defaults={"name": name, "account": integration, "signed_only": False})
    user_upsert(username="admin", password=password, role=Role.HQ, node=nodes["HQ"],
                first_name="Administrator", is_staff=True, is_superuser=True)


# ---------------------------------------------------------------- what happens to a case


# (score, comment, flags, failure type an SA reporting it in the store would pick, weight)
VOICES = [
    (6, "一般吧,等待时间有点长", [], "time_delay", 14),
    (6, "服务顾问不专业,问什么都说不清楚", [], "attitude", 10),
    (6, "预约了还要排队一个小时", [], "time_delay", 8),
    (5, "洗车没洗干净,车内还有划痕", [], "property_damage", 10),
    (5, "保养后发动机故障灯又亮了", [], "service_quality", 10),
    (4, "结算单和报价不一致,多收了钱", [], "process_error", 7),
    (8, "还行,就是当场跟前台吵了一架", ["onsite_complaint"], "attitude", 5),
    (3, "空调修了两次还是不制冷", [], "service_quality", 8),
    (2, "等了四个小时没人理,态度恶劣", [], "time_delay", 7),
    (1, "收费不透明,我要退款", ["refund_request"], "process_error", 5),
    (3, "刹车异响,感觉很不安全", [], "safety", 4),
    (4, "我要发抖音曝光你们", [], "attitude", 3),
    (0, "同一个问题修了3次还没修好,我要去12315投诉", ["onsite_complaint"], "service_quality", 4),
]
SERVICE_TYPES = ["悬挂异响", "保养", "空调不制冷", "钣金喷漆", "发动机故障灯"]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"
# What a manager offers by severity: (item code, value or None for the catalog's / the order's).
PLANS = {
    Severity.MINOR: [[("apology_call", None), ("voucher", "100"), ("car_wash", None)],
                     [("apology_call", None), ("voucher", "200")]],
    Severity.MODERATE: [[("apology_call", None), ("waive_fee", None), ("discount", "200")],
                        [("apology_visit", None), ("apology_letter", None), ("voucher", "300"),
                         ("gift", "200")]],
    Severity.SEVERE: [[("apology_visit", None), ("waive_fee", None), ("free_maintenance", "800"),
                       ("loaner_car", "300")],
                      [("apology_visit", None), ("waive_fee", None), ("gift", "300"),
                       ("voucher", "300")]],
    Severity.CRISIS: [[("senior_visit", None), ("refund", None), ("extended_warranty", "2000"),
                       ("loaner_car", "300"), ("gift", "500")],
                      [("senior_visit", None), ("waive_fee", None),
                       ("extended_warranty", "3000"), ("loaner_car", "300"),
                       ("dedicated_advisor", None)]],
}
# What a store keeps in stock, how much a delivery brings it up to, and when it reorders.
STOCK = {"voucher": (40, 12), "car_wash": (40, 12), "gift": (15, 5), "loaner_car": (4, 0)}
# How twenty cases in a row end: the re-score (None: the customer could not be reached again)
# and whether the customer comes back for another visit. Dealt in turn, so every month of the
# history shows about the same rates: 75 % recovered, 80 % back for another visit (fewer of
# those closed in the last days, who have not come back yet).
FATES = ([(10, True)] * 8 + [(9, True)] * 6 + [(9, False)]
         + [(8, True), (8, False), (7, True), (5, False), (None, False)])
# How long people usually take for a step, whatever clock its deadline counts on.
WITHIN = {"contact": timedelta(hours=2), "plan": timedelta(hours=3),
          "execution": timedelta(hours=5), "resolution": timedelta(hours=22)}
HISTORY_DAYS = 120
# The beat runs the sweeps every 30 s.
BEAT = 30


def cases_create(*, nodes: dict[str, OrgNode], seed: int = 7, days: int = HISTORY_DAYS) -> int:
    """A few hundred cases made by living through the last `days` days: the clock is moved
    (time-machine) and each step calls the service that the survey system, a member of staff or
    the beat would have called at that moment. Returns the number of cases."""
    History(nodes=nodes, rng=random.Random(seed), days=days).run()
    return Case.objects.count()


@dataclass
class Story:
    """What will happen to one case; times not given here are drawn as the story goes, each
    from the deadline it has to meet (or, for the one it misses, just after it)."""

    store: OrgNode
    t0: datetime
    voice: tuple
    incident: bool = False
    vip: bool = False
    miss: str = ""  # the one deadline kind this case misses, if its level can still rise
    score_after: int | None = 10  # None: the customer never re-scores
    by_survey: bool = False  # the re-score comes as a new survey response
    returns_after: timedelta | None = None  # a later visit, counted from the close
    items: list | None = None  # the offer, when the story fixes it
    at: dict = field(default_factory=dict)  # fixed times of steps ("contact", "offer", …)


class History:
    """Lives through the last `days` days. Events (a story's next step, a beat sweep, people
    reading their notifications, stock deliveries) run in time order, each with the clock moved
    to its moment; every write goes through the product's services and commits as it would."""

    def __init__(self, *, nodes: dict[str, OrgNode], rng: random.Random, days: int):
        self.nodes, self.rng = nodes, rng
        self.end = timezone.now().replace(microsecond=0)
        self.start = self.end - timedelta(days=days)
        self.queue: list = []
        self.order = itertools.count()
        self.ticks: set[datetime] = set()
        self.stores = [n for n in nodes.values() if n.kind == NodeKind.STORE]
        self.people = {(u.node_id, u.role): u for u in
                       User.objects.filter(is_active=True).order_by("-pk")}
        self.bot = User.objects.get(username="integration")
        self.types = {t.code: t for t in FailureType.objects.all()}
        self.numbers = itertools.count(1)
        self.fates: list = []

    # ------------------------------------------------------------ the clock

    def at(self, when: datetime, action, *args) -> None:
        if when <= self.end:
            heapq.heappush(self.queue, (when, next(self.order), action, args))

    def tick_after(self, moment: datetime) -> None:
        """The first beat after `moment` runs the sweeps (once per beat)."""
        seconds = math.floor(moment.timestamp() / BEAT + 1) * BEAT
        tick = datetime.fromtimestamp(seconds, tz=UTC)
        if tick not in self.ticks and tick <= self.end:
            self.ticks.add(tick)
            self.at(tick, self.sweep)

    def run(self) -> None:
        with _recorded_as_it_happens(), time_machine.travel(self.start, tick=False) as clock:
            self.plan()
            while self.queue:
                when, _n, action, args = heapq.heappop(self.queue)
                clock.move_to(when)
                action(*args)
            clock.move_to(self.end)
            self.sweep()
            self.pick_up()

    def sweep(self) -> None:

        sweep()
        approvals_sweep()

    def pick_up(self) -> None:

        deliveries_pickup.delay()

    def read_notifications(self) -> None:
        """Each evening everyone reads what came in."""

        for user in self.readers:
            notifications_mark_read(user=user)

    # ------------------------------------------------------------ the plan

    def plan(self) -> None:
        self.readers = list(User.objects.filter(is_active=True).exclude(username="integration"))
        day = timezone.localtime(self.start).replace(hour=18, minute=30, second=0)
        while day < self.end:
            if day.date() < timezone.localtime(self.end).date():
                self.at(day + timedelta(minutes=self.rng.randint(0, 90)), self.read_notifications)
            # The beat's pick-up sends what waited out the quiet hours (22:00–08:00).
            self.at(day - timedelta(hours=10, minutes=25), self.pick_up)
            if day.weekday() == 0:
                self.at(day - timedelta(hours=8), self.restock)
            day += timedelta(days=1)
        self.at(self.start + timedelta(minutes=5), self.restock)
        for story in self.stories():
            self.at(story.t0 + timedelta(seconds=self.rng.randint(20, 240)), self.step,
                    self.live(story))

    def stories(self) -> list[Story]:
        rng = self.rng
        out = []
        first = timezone.localtime(self.start).date() + timedelta(days=1)
        days = (timezone.localtime(self.end).date() - first).days - 1
        # Customers answer surveys in the day, 8:00 to 20:00.
        times = sorted(
            datetime.combine(first + timedelta(days=rng.randrange(days)), time(8),
                             tzinfo=timezone.get_current_timezone())
            + timedelta(minutes=rng.uniform(0, 12 * 60)) for _ in range(190))
        for t0 in times:
            out.append(self.story(store=rng.choice(self.stores), t0=t0))
        out += self.stories_today()
        return out

    def story(self, *, store: OrgNode, t0: datetime, voice=None, **fixed) -> Story:
        rng = self.rng
        voice = voice or rng.choices(VOICES, weights=[v[-1] for v in VOICES])[0]
        if not self.fates:
            self.fates = rng.sample(FATES, len(FATES))
        score_after, comes_back = self.fates.pop()
        story = Story(
            store=store, t0=t0, voice=voice, incident=rng.random() < 0.15,
            vip=rng.random() < 0.2,
            miss=rng.choices(["", "contact", "plan", "execution", "resolution"],
                             weights=[80, 7, 4, 4, 5])[0],
            score_after=score_after, by_survey=rng.random() < 0.3,
            returns_after=timedelta(days=rng.uniform(0.3, 4)) if comes_back else None,
        )
        for name, value in fixed.items():
            setattr(story, name, value)
        return story

    def stories_today(self) -> list[Story]:
        """The cases on people's desks now: countdowns running, overdue ones, approvals
        waiting for manager1, regional1 and area1."""
        e, h = self.end, timedelta(hours=1)
        s = {code: self.nodes[code] for code in ("S01", "S02", "S03", "S04", "S05", "S06")}
        later = {"contact": e + 9 * h}
        mild, upset, angry, crisis = VOICES[0], VOICES[3], VOICES[7], VOICES[-1]

        def today(**story):
            return self.story(**{"incident": False, "vip": False, "miss": "", **story})

        def waiting(contact, offer):
            return {"contact": e - contact * h, "offer": e - offer * h, "decision": e + 9 * h}

        return [
            # Open, the first-contact countdown running.
            today(store=s["S01"], t0=e - 0.4 * h, voice=mild, at=later),
            today(store=s["S02"], t0=e - 0.3 * h, voice=upset, at=later),
            today(store=s["S04"], t0=e - 1.2 * h, voice=mild, at=later),
            # Open and overdue: nobody called within 2 h (escalated), the plan not yet due; on a
            # working day (the first-contact clock counts business hours).
            today(store=s["S01"], t0=e - 2.8 * h, voice=upset, at=later, miss="contact"),
            today(store=s["S02"], t0=e - 3.3 * h, voice=mild, at=later, miss="contact"),
            # Contacted, the plan being drafted.
            today(store=s["S01"], t0=e - 1.6 * h, voice=VOICES[2],
                  at={"contact": e - 1.1 * h, "offer": e + 2 * h}),
            # A plan the customer accepted (within the advisor's authority), execution next.
            today(store=s["S03"], t0=e - 2.5 * h, voice=mild,
                  at={"contact": e - 2.2 * h, "offer": e - 0.6 * h, "start": e + h}),
            # Offers above the proposer's limit: an advisor's for manager1, a center director's
            # and a manager's for regional1, regional directors' for area1.
            today(store=s["S01"], t0=e - 3 * h, voice=mild, at=waiting(2.6, 0.7),
                  items=[("apology_call", None), ("voucher", "300"), ("discount", "300")]),
            today(store=s["S01"], t0=e - 2 * h, voice=VOICES[1], at=waiting(1.7, 0.3),
                  items=[("apology_call", None), ("gift", "400"), ("car_wash", None),
                         ("voucher", "300")]),
            today(store=s["S03"], t0=e - 3.5 * h, voice=angry, at=waiting(3.2, 1.5),
                  items=[("apology_visit", None), ("free_maintenance", "1500"),
                         ("extended_warranty", "1500"), ("loaner_car", "300")]),
            today(store=s["S01"], t0=e - 3.2 * h, voice=VOICES[4], at=waiting(2.9, 0.9),
                  items=[("apology_visit", None), ("waive_fee", "1200"),
                         ("free_maintenance", "1600")]),
            today(store=s["S05"], t0=e - 3.6 * h, voice=crisis, at=waiting(3.3, 1.2),
                  items=[("senior_visit", None), ("refund", "2600"),
                         ("extended_warranty", "4000"), ("loaner_car", "300")]),
            today(store=s["S01"], t0=e - 3.1 * h, voice=VOICES[10], at=waiting(2.8, 0.5),
                  items=[("senior_visit", None), ("waive_fee", "2600"),
                         ("extended_warranty", "3000"), ("gift", "500")]),
            # In progress, past the 24-hour resolution deadline (escalated to headquarters).
            today(store=s["S01"], t0=e - 27 * h, voice=upset, miss="resolution",
                  at={"resolve": e + 3 * h}),
            today(store=s["S02"], t0=e - 29 * h, voice=mild, miss="resolution",
                  at={"resolve": e + 3 * h}),
            # In progress on time, and resolved waiting for the callback.
            today(store=s["S05"], t0=e - 6 * h, voice=upset, at={"resolve": e + 8 * h}),
            today(store=s["S01"], t0=e - 20 * h, voice=mild,
                  at={"resolve": e - 2 * h, "callback": e + 5 * h}),
        ]

    # ------------------------------------------------------------ running a story

    def step(self, story_steps) -> None:
        try:
            when = next(story_steps)
        except StopIteration:
            return
        self.at(when, self.step, story_steps)

    def until(self, case: Case, when: datetime) -> datetime:
        """Before the story's next step at `when`: the beat warns of and escalates the case's
        deadlines that fall before it. Time only moves forward."""

        when = max(when, timezone.now() + timedelta(minutes=1))
        for warn_at, due_at in Deadline.objects.filter(waiting_q(), case=case).values_list(
                "warn_at", "due_at"):
            for moment in (warn_at, due_at):
                if moment and moment < when:
                    self.tick_after(moment)
        return when

    def due(self, case: Case, kind: str) -> datetime | None:

        return (Deadline.objects.filter(waiting_q(), case=case, kind=kind)
                .values_list("due_at", flat=True).first())

    def earliest(self, case: Case, *, but: str = "") -> datetime:
        """The next deadline of the case not yet fired (the clocks differ: a business-hours
        first contact can fall due after the 24-hour resolution)."""

        now = timezone.now()
        due = (Deadline.objects.filter(unsettled_q(), case=case, due_at__gt=now)
               .exclude(kind=but).order_by("due_at").values_list("due_at", flat=True).first())
        return due or now + timedelta(days=30)

    def within(self, case: Case, span: timedelta) -> datetime:
        """A moment in the next `span`, before any deadline of the case falls due."""
        now = timezone.now()
        return now + min(span, (self.earliest(case) - now) * 0.5)

    def when(self, story: Story, step: str, case: Case, kind: str | None, *,
             after: datetime, share=(0.2, 0.75), late=(10, 90)) -> datetime:
        """When `step` happens: fixed by the story, or a share of the time left before its
        deadline, or minutes after the deadline when this is the one the story misses (only
        while the level can still rise: an escalation never leaves it where it was)."""
        if step in story.at:
            return story.at[step]
        due = self.due(case, kind) if kind else None
        if due is None:
            return after + timedelta(minutes=self.rng.uniform(10, 60))
        others = self.earliest(case, but=kind)
        if story.miss == kind and case.level != Level.L4 and after < due < others:
            return min(due + timedelta(minutes=self.rng.uniform(*late)),
                       due + (others - due) * 0.5)
        # A clock of business hours may put the deadline the next morning; people still act
        # within about the window's length, and before any other deadline of the case.
        horizon = min(due, others) - after
        horizon = min(horizon, WITHIN.get(kind, horizon))
        return after + horizon * self.rng.uniform(*share)

    def worker(self, case: Case) -> User:
        """Who works the case: its owner while the level allows, else the store's manager."""

        if case.owner and can_work(case, case.owner):
            return case.owner
        return self.person(case.store, Role.SERVICE_MANAGER)

    def person(self, node: OrgNode, role: str) -> User:
        return self.people[(node.pk, role)]

    def live(self, story: Story):
        """The case's life, one step per `yield` (the time of the next step)."""

        rng, now = self.rng, timezone.now
        case = self.intake(story)
        if case is None:
            return

        def awake():
            """The case as it is now (a sweep may have raised its level) and who works it."""
            fresh = self.refresh(case)
            return fresh, self.worker(fresh)

        # First contact; now and then a call nobody answers first.
        at = self.when(story, "contact", case, K.CONTACT, after=now())
        if rng.random() < 0.25 and "contact" not in story.at:
            yield self.until(case, now() + (at - now()) * 0.4)
            case, actor = awake()
            contact_log(case_id=case.pk, actor=actor, channel=Channel.PHONE,
                        outcome=ContactOutcome.NO_ANSWER, purpose=ContactPurpose.FIRST_CALL)
        yield self.until(case, at)
        case, actor = awake()
        contact_log(case_id=case.pk, actor=actor, channel=Channel.PHONE,
                    outcome=ContactOutcome.REACHED, purpose=ContactPurpose.FIRST_CALL,
                    note="已致电客户,诚恳道歉并了解详细情况。")
        self.tick(case, actor, "call_customer")
        # The plan: look into it, talk to the staff, then make the offer.
        offer_at = self.when(story, "offer", case, K.PLAN, after=now(), share=(0.3, 0.75))
        yield self.until(case, now() + (offer_at - now()) * 0.5)
        case, actor = awake()
        self.tick(case, actor, "review_feedback", "talk_staff", "draft_plan")
        yield self.until(case, offer_at)
        case, actor = awake()
        items = story.items or rng.choice(PLANS[Severity(case.severity)])
        offer = offer_create(
            case_id=case.pk, actor=actor, note="解决问题 + 补偿 + 服务承诺",
            items=[ItemChoice(code=c, value=Decimal(v) if v else None) for c, v in items])
        self.tick(case, actor, "present_plan")
        approval = _pending_approval(case)
        if approval is not None:
            if "decision" in story.at:
                decided = story.at["decision"]
            else:
                due = min(d for d in (approval.due_at, self.earliest(case)) if d)
                decided = now() + (due - now()) * rng.uniform(0.2, 0.7)
            yield self.until(case, decided)
            approval_approve(approval_id=approval.pk, actor=self.approver(approval),
                             note="同意")
        else:
            yield self.until(case, self.when(story, "start", case, K.EXECUTION, after=now(),
                                             share=(0.1, 0.5)))
            case, actor = awake()
            self.transition(case, actor, "start")
        # Execution: hand over what was promised.
        yield self.until(case, self.within(case, timedelta(minutes=rng.uniform(20, 120))))
        case, actor = awake()
        self.issue(offer, actor)
        codes = set(offer.lines.values_list("code", flat=True))
        self.tick(case, actor, "visit_booked", *[
            name for code, name in (("loaner_car", "loaner_car"), ("gift", "gift_sent"),
                                    ("apology_letter", "apology_letter")) if code in codes])
        if "apology_letter" not in codes and case.severity != Severity.MINOR:
            self.tick(case, actor, "apology_letter")
        resolve_at = self.when(story, "resolve", case, K.RESOLUTION, after=now(),
                               share=(0.2, 0.7), late=(60, 600))
        yield self.until(case, now() + (resolve_at - now()) * 0.7)
        case, actor = awake()
        self.tick(case, actor, "tech_verification")
        yield self.until(case, resolve_at)
        case, actor = awake()
        self.tick(case, actor, "customer_verification")
        case = self.transition(case, actor, "resolve", note="问题已解决,客户确认。")
        if "loaner_car" in codes:
            self.at(now() + timedelta(hours=rng.uniform(2, 30)), self.car_back, case)
        self.root_cause(case, actor)
        # The callback within 24 h and the re-score.
        yield self.until(case, story.at.get("callback")
                         or now() + timedelta(hours=rng.uniform(3, 20)))
        case, actor = awake()
        reached = story.score_after is not None
        contact_log(case_id=case.pk, actor=actor, channel=Channel.PHONE,
                    outcome=ContactOutcome.REACHED if reached else ContactOutcome.NO_ANSWER,
                    purpose=ContactPurpose.CALLBACK,
                    note="回访客户,邀请重新评分。" if reached else "")
        if reached and not story.by_survey:
            rescore_record(case_id=case.pk, actor=actor, score=story.score_after,
                           note="回访时客户重新评分")
        self.tick(case, actor, "callback_24h")
        self.transition(case, actor, "follow_up")
        if reached and story.by_survey:
            yield self.until(case, now() + timedelta(hours=rng.uniform(4, 40)))
            self.survey(story, case.customer, score=story.score_after, comment="", visit=False)
        # Follow-ups at 3 and 7 days; some cases are kept open to the 30-day one.
        for item, low, high, channel in (("followup_3d", 1.5, 2.9, Channel.WECHAT),
                                         ("followup_7d", 3.2, 5.8, Channel.PHONE),
                                         ("followup_30d", 16, 25, Channel.PHONE)):
            if item == "followup_30d" and rng.random() < 0.6:
                break
            yield self.until(case, case.resolved_at + timedelta(days=rng.uniform(low, high)))
            case, actor = awake()
            contact_log(case_id=case.pk, actor=actor, channel=channel,
                        outcome=ContactOutcome.REACHED, purpose=ContactPurpose.FOLLOW_UP,
                        note="客户表示车辆使用正常。")
            self.tick(case, actor, item)
        yield self.until(case, now() + timedelta(hours=rng.uniform(1, 30)))
        case, actor = awake()
        self.transition(case, actor, "close", outcome=_outcome(case))
        if story.returns_after is not None:
            yield now() + story.returns_after
            self.survey(story, case.customer, score=rng.choice([9, 10, 10]), comment="",
                        service_type="保养")

    # ------------------------------------------------------------ single steps

    def refresh(self, case: Case) -> Case:
        return Case.objects.select_related("store", "owner", "customer").get(pk=case.pk)

    def intake(self, story: Story) -> Case | None:
        score, comment, flags, type_code, _weight = story.voice
        customer = {"external_id": f"demo-cust-{next(self.numbers)}",
                    "name": f"{self.rng.choice(SURNAMES)}{self.rng.choice(['先生', '女士'])}",
                    "phone": f"139{self.rng.randint(10000000, 99999999)}", "vip": story.vip}
        if story.incident:

            return case_report_incident(
                actor=self.person(story.store, Role.ADVISOR), store=story.store,
                customer=customer, failure_type=self.types.get(type_code),
                description=f"客户在店内反映:{comment}", flags=flags, score=None,
                occurred_at=story.t0)
        response = self.survey(story, customer, score=score, comment=comment, flags=flags,
                               responded_at=story.t0)
        return response.case

    def survey(self, story: Story, customer, *, score: int, comment: str, flags=(),
               responded_at: datetime | None = None, service_type: str | None = None,
               visit: bool = True):
        """A survey response from the DMS; with `visit`, about the service visit it follows
        (a re-score asked for after a case comes without one)."""

        number = next(self.numbers)
        visited = (responded_at or timezone.now()) - timedelta(hours=self.rng.uniform(2, 6))
        if not isinstance(customer, dict):
            customer = {"external_id": customer.external_id, "name": customer.name,
                        "phone": customer.phone, "vip": customer.vip}
        return survey_response_receive(
            actor=self.bot, store=story.store, source=DEMO_SOURCE, external_id=f"demo-{number}",
            score=score, comment=comment, flags=list(flags),
            responded_at=responded_at or timezone.now(), customer=customer,
            service_record={"order_number": f"RO-{number:06d}",
                            "service_type": service_type or self.rng.choice(SERVICE_TYPES),
                            "advisor": "王小明", "technician": "赵师傅", "visit_at": visited,
                            "amount": Decimal(self.rng.choice([300, 600, 800, 1200, 2600]))}
            if visit else None,
        ).response

    def tick(self, case: Case, actor: User, *codes: str) -> None:

        for item in ChecklistItem.objects.filter(case=case, code__in=codes,
                                                 done_at__isnull=True).select_related("case"):
            checklist_item_set(item=item, done=True, actor=actor)

    def transition(self, case: Case, actor: User, name: str, **params) -> Case:
        return case_transition(case_id=case.pk, name=name, actor=actor, **params)

    def approver(self, approval) -> User:
        return self.person(approval.approver_node, approval.approver_role)

    def issue(self, offer, actor: User) -> None:


        try:
            compensation_issue(offer_id=offer.pk, actor=actor)
        except ValidationError:  # out of stock: an urgent delivery, then hand it over
            self.restock(stores=[offer.case.store], urgent=True)
            compensation_issue(offer_id=offer.pk, actor=actor)

    def car_back(self, case: Case) -> None:

        stock_receive(store=case.store, item_code="loaner_car", quantity=1,
                      actor=self.person(case.store, Role.SERVICE_MANAGER),
                      reason=StockReason.RETURN, note=str(case))

    def restock(self, stores=None, urgent: bool = False) -> None:
        """A store reorders what runs low (on Mondays; at once when something ran out)."""

        held = {(s.store_id, s.item_code): s.quantity for s in StockItem.objects.all()}
        for store in stores or self.stores:
            manager = self.person(store, Role.SERVICE_MANAGER)
            for code, (full, reorder) in STOCK.items():
                have = held.get((store.pk, code), 0)
                if code == "loaner_car" and (store.pk, code) in held:
                    continue  # the fleet is bought once; cars come back
                if have <= reorder or urgent and have < full:
                    stock_receive(store=store, item_code=code, quantity=full - have,
                                  actor=manager, name=_item_name(code))

    def root_cause(self, case: Case, actor: User) -> None:

        if self.rng.random() < 0.4:
            return
        category, department, whys = self.rng.choice(CAUSES)
        root_cause_set(case_id=case.pk, actor=actor, category=category, whys=whys,
                       root_cause=whys[-1], department=Department.objects.filter(
                           code=department).first())


CAUSES = [
    ("process_error", "after_sales", ["为什么等待这么久?", "预约排程没有预留返修工位"]),
    ("human_negligence", "workshop", ["为什么故障复现?", "技师未按标准流程做路试"]),
    ("product_defect", "parts", ["为什么异响?", "配件批次存在缺陷"]),
    ("human_negligence", "customer_service", ["为什么客户不满?", "前台未及时告知进度"]),
]


def _item_name(code: str) -> str:

    return RemedyItem.objects.filter(code=code).values_list("name", flat=True).first() or code


def _pending_approval(case: Case):

    return pending_approval_for(case=case)


def _outcome(case: Case) -> str:

    return default_outcome(case)


@contextmanager
def _recorded_as_it_happens():
    """Every step commits on its own, as it would have (the sweeps insist on it). The e-mails
    of the past are sent when they were due, by the deliver task run in this process (Celery
    eager), to a mailbox that keeps nothing. A local SQLite file is written without waiting
    for the disk at each commit, PostgreSQL without waiting for the WAL flush."""

    vendor = connection.vendor
    pragma = {"sqlite": ("PRAGMA synchronous=OFF", "PRAGMA synchronous=FULL"),
              "postgresql": ("SET synchronous_commit TO OFF", "RESET synchronous_commit")}
    fast, safe = pragma.get(vendor, (None, None))
    if fast and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(fast)
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    # A line per task run would bury the start banner.
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        current_app.conf.task_always_eager = eager
        trace.setLevel(level)
        if fast and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(safe)
