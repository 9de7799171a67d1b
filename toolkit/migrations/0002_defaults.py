"""Seed defaults: phrase patterns (000 §3.1 §3.3, 001 禁忌 and 立即行动), scripts and the apology
letter (001 话术, 工具3; 000 SARA), emotion advice (003 five emotion states, 000 §3.3), the
departments of 003's 责任界定表, stock thresholds and the care policy. All editable in the admin;
rows an administrator already has are left alone."""

from django.db import migrations

# code, category, pattern, explanation, explanation_en, suggestion, suggestion_en
PHRASES = [
    ("but-apology", "but_apology",
     r"(抱歉|对不起|不好意思|歉意)[^。！？!?\n]{0,40}?(但是|不过|可是)",
     "道歉后立即转折推卸责任,等于没有道歉。",
     "An apology followed by 'but' takes the apology back.",
     "去掉转折,用SARA道歉:具体说明错误→承认→表达遗憾→说明行动。例:“对于……我代表门店向您郑重道歉,这完全是我们的失误。”",
     "Drop the 'but' and use SARA: name the failure, own it, regret it, say what you will do."),
    ("but-apology-en", "but_apology", r"\bsorry\b[^.!?\n]{0,60}?\bbut\b",
     "道歉后立即转折推卸责任,等于没有道歉。",
     "An apology followed by 'but' takes the apology back.",
     "去掉转折,用SARA道歉:具体说明错误→承认→表达遗憾→说明行动。",
     "Drop the 'but': \"I'm sorry we damaged your bumper. It was entirely our mistake, and here "
     "is what we will do.\""),
    ("mechanical-apology", "mechanical_apology", r"(对不起|抱歉|不好意思)[\s,，、!！。.]*\1",
     "像复读机一样重复道歉,客户感觉敷衍。",
     "Repeating 'sorry' like a machine sounds insincere.",
     "只道歉一次,并说清楚为什么道歉:“对于……给您造成的影响,我们深感抱歉。”",
     "Apologise once, for something specific: \"I'm sorry our delay ruined your afternoon.\""),
    ("vague-admission", "vague_admission",
     r"可能是(我们|个别)|(有些|某些)地方做得不够",
     "含糊其辞,不承认具体错误,缺乏诚意。",
     "A vague admission owns nothing specific.",
     "说出具体错误并承认:“这次确实是我们的问题,……”/“这完全是我们的失误,我们在操作流程上存在疏忽。”",
     "Name the mistake: \"This was our mistake: we ...\""),
    ("vague-admission-en", "vague_admission",
     r"\b(might|may) have been (our|a)\b|\bsomewhere we fell short\b",
     "含糊其辞,不承认具体错误,缺乏诚意。",
     "A vague admission owns nothing specific.",
     "说出具体错误并承认:“这次确实是我们的问题。”",
     "Name the mistake: \"This was our mistake: we ...\""),
    ("excuse-busy", "excuse", r"因为(今天|最近|这几天)?(人|客户|车)(太|特别|比较)?多",
     "找借口:客户不关心原因,只关心结果。",
     "An excuse: the customer cares about the result, not the reason.",
     "不找借口,直接承担并给出行动:“我不找任何借口,这次确实是我们做得不好,我现在就给您解决。”",
     "No excuses: \"No excuses, we got this wrong, and I'm fixing it now.\""),
    ("excuse-system", "excuse", r"系统(出)?(了)?(问题|故障)",
     "把系统当借口:客户不关心原因,只关心结果。",
     "Blaming the system is an excuse.",
     "不找借口,直接承担并给出行动:“不管什么原因,都是我们的问题,我现在就给您解决。”",
     "Own it: \"Whatever the cause, it is our problem, and I'm fixing it now.\""),
    ("excuse-common", "excuse", r"(很多|其他|别的)客户都(有|遇到)|不是个例",
     "“很多客户都有这个问题”是在找借口,客户只关心自己的问题。",
     "'Many customers have this' excuses the failure.",
     "“不管什么原因,没修好就是我们的问题。”",
     "\"Whatever the reason, if it isn't fixed it's our problem.\""),
    ("excuse-en", "excuse",
     r"\bbecause (we were|it was|we're) (so |very |too )?(busy|crowded)\b|\bthe system (was|went) down\b",
     "找借口:客户不关心原因,只关心结果。",
     "An excuse: the customer cares about the result, not the reason.",
     "不找借口,直接承担并给出行动。",
     "No excuses: \"We got this wrong, and I'm fixing it now.\""),
    ("blame-not-ours", "blame_shifting", r"不是我们的(问题|责任|错)",
     "推卸责任:客户会觉得你们在找借口、不想负责任。",
     "Shifting blame tells the customer nobody will take responsibility.",
     "“这完全是我们的责任,我们会负责到底。”",
     "\"This is entirely our responsibility, and we will see it through.\""),
    ("blame-left", "blame_shifting", r"已经离职|不是我们现在的人",
     "把责任推给离职员工,客户只看到门店不负责。",
     "Blaming someone who has left is still shifting blame.",
     "“不管什么原因,没修好就是我们的问题。”",
     "\"Whatever the reason, if it isn't fixed it's our problem.\""),
    ("blame-no-way", "blame_shifting", r"我们也没(有)?办法|(厂家|供应商|合作方|总部)的(问题|责任)",
     "把责任推给配件、厂家或合作方,客户只看到门店不负责。",
     "Blaming parts, the maker or a partner is still shifting blame.",
     "“这完全是我们的责任,我们会负责到底。”",
     "\"This is entirely our responsibility, and we will see it through.\""),
    ("blame-en", "blame_shifting",
     r"\bnot our (fault|problem|responsibility)\b|\b(manufacturer|supplier|partner)'?s? (fault|problem)\b",
     "推卸责任:客户会觉得你们在找借口、不想负责任。",
     "Shifting blame tells the customer nobody will take responsibility.",
     "“这完全是我们的责任,我们会负责到底。”",
     "\"This is entirely our responsibility, and we will see it through.\""),
    ("perfunctory-next-time", "perfunctory", r"下次注意",
     "敷衍了事:客户觉得你们根本不重视。",
     "Brushing it off: the customer feels ignored.",
     "给出具体行动和时间:“明天上午10点,我亲自上门处理。”",
     "Give a concrete action and time: \"I'll come to you myself tomorrow at 10.\""),
    ("perfunctory-reschedule", "perfunctory", r"再(帮您|给您|为您)?约个时间",
     "只是再约一次,没有承诺解决,客户觉得又要白跑一趟。",
     "Just booking another visit promises nothing.",
     "“这次免除全部费用,问题不解决不收钱。明天上午10点,我亲自带技术总监上门。”",
     "\"No charge until it's fixed. I'll bring our technical lead to you tomorrow at 10.\""),
    ("perfunctory-hard", "perfunctory", r"有点难办",
     "“这个要求有点难办”让客户觉得你不想解决。",
     "'That's difficult' tells the customer you won't try.",
     "“我的手机24小时开机,随时联系我。我们一起看看怎么解决这个问题。”",
     "\"Let's look together at how to solve this.\""),
    ("stalling-ask-boss", "stalling", r"请示(一下)?(领导|上级|经理)?",
     "拖延不决:“我请示一下”→“领导还在考虑”→客户彻底放弃。",
     "Stalling: 'let me ask my manager' loses the customer by day three.",
     "“这个我可以直接批准。”/“我现在就给您解决。”(在授权范围内当场决定)",
     "\"I can approve this myself.\" / \"I'll fix it for you right now.\""),
    ("stalling-not-my-call", "stalling", r"(我|这个方案|这个)[^。！？!?\n]{0,6}不能做主|领导还在考虑",
     "拖延不决:客户等不起。",
     "Stalling: the customer will not wait.",
     "“这个我可以直接批准。”",
     "\"I can approve this myself.\""),
    ("stalling-tomorrow", "stalling", r"(明天|改天|回头|过几天|下周)(再)?给您(答复|回复|回话)",
     "拖延到明天,客户等不起。",
     "Putting the answer off to tomorrow loses the customer.",
     "给出很近的具体时间:“1小时后我给您答复。”",
     "Give a close, exact time: \"I'll call you back within the hour.\""),
    ("stalling-en", "stalling",
     r"\b(need to|have to|must|will) (ask|check with|consult) (my |our )?(manager|boss|supervisor)\b|\bget back to you tomorrow\b",
     "拖延不决:客户等不起。",
     "Stalling: the customer will not wait.",
     "“这个我可以直接批准。”",
     "\"I can approve this myself.\" / \"I'll call you back within the hour.\""),
    ("vague-promise", "vague_promise",
     r"会尽快(给您|为您|帮您)?(处理|安排|回复|解决)|会安排(人|同事|专人)(联系|跟进|处理)",
     "模糊承诺:没有具体时间和行动,客户无法感知。",
     "A vague promise: no time, no action, nothing the customer can hold on to.",
     "给出具体时间和行动:“今天下午4点,代步车会送到您家。”",
     "Give a time and an action: \"A loaner car will be at your door at 4 pm today.\""),
    ("vague-points", "vague_promise", r"在系统里(给您)?(增加|加)(了)?积分",
     "补偿不可感知:客户看不到价值。",
     "Compensation the customer cannot see has no value to them.",
     "让补偿可感知:“这是500元代金券,下次可直接抵扣,有效期一年。”",
     "Make it tangible: \"Here is a 500-yuan voucher, valid for a year.\""),
    ("you-not-we", "you_not_we", r"你们要理解|理解(一下)?我们的难处",
     "用“你们”把客户推到对立面。",
     "'You must understand us' puts the customer on the other side.",
     "用“我们”:“我们一起看看怎么解决这个问题。”",
     "Say 'we': \"Let's look together at how to solve this.\""),
]

TEMPLATES = {
    ("first_call", "zh-hans"): (
        "{customer}您好,我是{store}的{manager}。\n"
        "我刚看到您给我们打了{score}分,我代表整个团队向您深表歉意。\n"
        "我已经了解了整个情况,这次确实是我们的问题:{problem}。\n"
        "我现在正在制定解决方案,预计1小时后我再给您致电,详细说明我们的处理方案。\n"
        "这次给您添麻烦了,我们一定负责到底。\n"
        "另外,如果您现在方便,我想听听您的想法,看我们怎么做您才满意?"),
    ("first_call", "en"): (
        "Hello {customer}, this is {manager} from {store}.\n"
        "I have just seen that you gave us {score} points, and on behalf of the whole team I "
        "apologise.\n"
        "I have looked into what happened, and this was our fault: {problem}.\n"
        "I am working on a solution now and will call you again within an hour with our plan.\n"
        "I am sorry for the trouble this has caused you; we will see it through to the end.\n"
        "If you have a moment now, I would like to hear what would make this right for you."),
    ("plan_message", "zh-hans"): (
        "{customer}您好,\n"
        "针对您的问题({problem}),我们制定了以下解决方案:\n"
        "【问题解决】\n"
        "{visit_time},我们亲自上门为您诊断,找到根本原因后立即维修,修好后免费路试确保彻底解决;"
        "这次问题不解决,不收任何费用。\n"
        "【补偿措施】\n"
        "{offer}(价值{offer_value})\n"
        "【服务承诺】\n"
        "我的手机{manager_phone}24小时为您开机,有任何问题随时联系我;您后续的所有服务由我亲自跟进。\n"
        "这是我们的方案,如果您还有其他要求,请您告诉我,我们会尽力满足。您看这样可以吗?\n"
        "{manager}"),
    ("plan_message", "en"): (
        "Dear {customer},\n"
        "For your problem ({problem}) we have prepared the following plan:\n"
        "[Fixing the problem]\n"
        "On {visit_time} we will come to you to diagnose it, repair it as soon as we find the "
        "root cause, and road-test it for free until it is truly fixed. Until the problem is "
        "solved, you pay nothing.\n"
        "[Compensation]\n"
        "{offer} (worth {offer_value})\n"
        "[Our commitment]\n"
        "My phone {manager_phone} is on for you 24 hours a day, and I will look after all your "
        "future visits myself.\n"
        "This is our plan. If there is anything else you need, please tell me. Does this work "
        "for you?\n"
        "{manager}"),
    ("callback", "zh-hans"): (
        "{customer}您好,我是{manager}。\n"
        "上次我们为您处理了{problem}的问题,现在用车感觉怎么样?还有其他不对的地方吗?\n"
        "如果一切正常,我想跟您说,这次确实是我们的失误,给您添了这么多麻烦。\n"
        "我们的补救措施和服务态度,您还满意吗?\n"
        "如果您方便的话,能否把之前的{score}分改一下?我们真的希望能再次赢得您的信任。\n"
        "当然,如果您还有任何不满意,请一定告诉我,我会继续改进。\n"
        "另外,这是我的个人承诺:您以后的所有服务,都由我亲自跟进,保证不会再出现类似问题。"),
    ("callback", "en"): (
        "Hello {customer}, this is {manager}.\n"
        "We recently took care of {problem} for you. How is everything now? Is anything still "
        "not right?\n"
        "If all is well, I want to say again that this was our mistake and it caused you a lot "
        "of trouble.\n"
        "Are you satisfied with how we put it right?\n"
        "If you are willing, could you update the {score} points you gave us? We truly hope to "
        "win back your trust.\n"
        "And if anything still bothers you, please tell me and I will keep working on it.\n"
        "My personal promise: I will look after all your future visits myself."),
    ("sara", "zh-hans"): (
        "S 具体:{customer},对于{problem}给您造成的影响,我代表{store}向您郑重道歉。\n"
        "A 承认:这完全是我们的失误,我们在服务流程上存在疏忽。\n"
        "R 遗憾:我深知这给您带来了很大的不便,我们深感抱歉。\n"
        "A 行动:我们会立即为您处理,并已准备了补救方案:{offer}。{visit_time},我会亲自跟进。"),
    ("sara", "en"): (
        "Specific: {customer}, on behalf of {store} I apologise for {problem}.\n"
        "Acknowledge: this was entirely our mistake; we were careless in how we worked.\n"
        "Regret: I know how much trouble this has caused you, and I am truly sorry.\n"
        "Action: we are fixing it now and have prepared a remedy for you: {offer}. On "
        "{visit_time} I will follow up in person."),
    ("letter", "zh-hans"): (
        "亲爱的{customer}:\n\n"
        "首先,请允许我代表{store}全体员工向您表达最诚挚的歉意。\n"
        "这次因{problem}的问题,不仅浪费了您宝贵的时间,更让您对我们失去了信任。这完全是我们的责任。\n"
        "我深知这对您意味着什么,它承载着您的信任和期待。我们的失误让您失望了,真的非常抱歉。\n"
        "请您相信,我们一定会彻底解决这个问题,用实际行动重新赢得您的信任。"
        "{visit_time},我会亲自上门,不解决好,我们不离开。\n"
        "同时,我们准备了一些补偿措施:{offer}。虽然无法弥补给您造成的不便,这是我们的一点心意。\n"
        "往后,您的所有服务都由我亲自跟进,我的手机24小时为您开机:{manager_phone}。\n"
        "再次向您致以最诚挚的歉意。\n\n"
        "{store}\n"
        "{manager}\n"
        "{date}"),
    ("letter", "en"): (
        "Dear {customer},\n\n"
        "First, on behalf of everyone at {store}, please accept our sincere apology.\n"
        "The trouble with {problem} cost you your valuable time and, worse, your trust in us. "
        "That is entirely our responsibility.\n"
        "I know what this means to you. We let you down, and I am truly sorry.\n"
        "We will solve this problem completely and win back your trust through what we do. On "
        "{visit_time} I will come to you in person, and we will not leave until it is fixed.\n"
        "We have also prepared a small token of our apology: {offer}. It cannot undo the "
        "inconvenience; it is our way of saying sorry.\n"
        "From now on I will look after all your visits myself; my phone is on for you 24 hours "
        "a day: {manager_phone}.\n"
        "Once again, my sincere apologies.\n\n"
        "{store}\n"
        "{manager}\n"
        "{date}"),
}

EMOTIONS = {
    "angry": (
        "愤怒型:先安抚情绪,后解决问题。降低音调,客户声音越大你越要轻柔;微微前倾、眼神接触、点头回应,"
        "避免交叉双臂;用缓冲语句(“我完全理解您的感受”“您说的很对”);把焦点从“谁的错”引导到"
        "“怎么解决”:“我知道这是我们的问题,现在最重要的是尽快为您解决。”",
        "Angry: calm the emotion first, solve the problem second. Lower your voice as theirs "
        "rises; lean in, keep eye contact, nod, never cross your arms; use buffer phrases "
        "(\"I completely understand how you feel\"); move from whose fault it is to how to fix "
        "it."),
    "anxious": (
        "焦虑型:提供透明的解释和明确的保障措施。说清楚现在的进展、下一步的具体时间,书面承诺保障"
        "(如代步车、问题不解决不收费),并主动定时同步进度(照片、视频)。",
        "Anxious: give a transparent explanation and clear guarantees. Say where things stand "
        "and exactly when the next step happens, put the guarantees in writing (loaner car, no "
        "charge until fixed) and send progress updates unasked."),
    "confused": (
        "迷茫型:用通俗的语言和实际案例解释,不用术语;一次只讲一件事,请客户复述确认理解,"
        "把方案写成清单发给客户。",
        "Confused: explain in plain words with real examples, no jargon; one point at a time, "
        "ask the customer to repeat it back, and send the plan as a written list."),
    "humorous": (
        "幽默型:适度回应客户的调侃,避免冷场,但不要跟着开玩笑淡化问题;轻松的语气里给出认真的补救方案"
        "(可以考虑有趣味的补偿)。",
        "Humorous: answer the joke lightly so the conversation doesn't freeze, but don't joke "
        "the problem away; give a serious remedy in a light tone (a playful gesture can fit)."),
    "aggrieved": (
        "委屈型:客户感觉被忽视。主动、具体地致歉,承认客户受到的委屈;升级服务,由更高层出面"
        "(“连总监都来了,看来很重视”),并指定专人跟进。",
        "Aggrieved: the customer feels ignored. Apologise first and specifically, acknowledge "
        "what they went through, escalate the service (a senior person steps in) and give them "
        "one named person to follow up."),
}

DEPARTMENTS = [
    ("sales", "销售部", "Sales"),
    ("it", "IT部", "IT"),
    ("customer_service", "客服部", "Customer service"),
    ("after_sales", "售后服务部", "After-sales service"),
    ("workshop", "技术部(车间)", "Workshop"),
    ("parts", "配件部", "Parts"),
    ("hr", "人力资源部", "Human resources"),
    ("manufacturer", "厂家/供应商", "Manufacturer / supplier"),
]

STOCK_THRESHOLDS = {"voucher": 10, "gift": 5, "loaner_car": 1, "car_wash": 10}


def load(apps, schema_editor):
    PhrasePattern = apps.get_model("toolkit", "PhrasePattern")
    for code, category, pattern, expl, expl_en, sugg, sugg_en in PHRASES:
        PhrasePattern.objects.get_or_create(code=code, defaults={
            "category": category, "pattern": pattern, "explanation": expl,
            "explanation_en": expl_en, "suggestion": sugg, "suggestion_en": sugg_en})
    WordTemplate = apps.get_model("toolkit", "WordTemplate")
    for (kind, language), body in TEMPLATES.items():
        WordTemplate.objects.get_or_create(kind=kind, language=language,
                                           defaults={"body": body})
    EmotionAdvice = apps.get_model("toolkit", "EmotionAdvice")
    for emotion, (advice, advice_en) in EMOTIONS.items():
        EmotionAdvice.objects.get_or_create(emotion=emotion, defaults={
            "advice": advice, "advice_en": advice_en})
    Department = apps.get_model("toolkit", "Department")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
    StockThreshold = apps.get_model("toolkit", "StockThreshold")
    for code, threshold in STOCK_THRESHOLDS.items():
        StockThreshold.objects.get_or_create(item_code=code, defaults={"threshold": threshold})
    CarePolicy = apps.get_model("toolkit", "CarePolicy")
    if not CarePolicy.objects.exists():
        CarePolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
