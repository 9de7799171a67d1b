# ruff: noqa: E501 (phrases are data; a long alternation reads better on one line)
"""The default triage lexicon (shared/triage/GUIDE.md), loaded into `LexiconEntry` rows by the
data migration 0006_triage_lexicon_defaults; after that the rows are what counts (edit them in
the admin). Each key is (kind, value); each phrase is literal text, `…` a short gap, `<n>` a
number, `(a|b)` alternatives; a (phrase, weight) pair weighs other than 1.

Phrases are the ways people say a thing, not lines of any test set: a flag needs the
customer's own act or intent (发抖音, 找律师), so a bare word (律师, 安全) is not listed where
it is as often an occupation or praise."""

ZH = {
    # ------------------------------------------------------------------ flags
    ("flag", "public_complaint"): [
        "投诉", "12315", "12345", "315", "消协", "消费者协会", "黑猫", "车质网", "市场监管",
        "工商局", "质监", "举报", "厂家…(投诉|客服|热线|反映)", "(品牌|官方|总部)…(投诉|客服|热线)",
        "400热线", "(投诉|反映)到(厂家|品牌|总部|官方)", "打(厂家|品牌)",
        "市场监督", "监管部门", "热线投诉", "品牌方", "汽车之家投诉", "维权",
    ],
    ("flag", "media_exposure"): [
        "曝光", "媒体", "记者", "电视台", "热搜", "上新闻",
        "发…(抖音|微博|小红书|朋友圈|网上|快手|视频号|论坛|头条|b站|点评|大众点评)",
        "(抖音|微博|小红书|朋友圈|网上|快手|论坛|大众点评)…(曝光|让大家|评评理|看看|发了|也发|已经发)",
        "(发到|发在|传到|挂到|挂在)…(网上|群里|抖音|微博|小红书|朋友圈)", "发差评", "网上…差评",
        "@了",
        "贴吧", "知乎", "汽车之家", "懂车帝", "发视频", "拍视频发", "让大家看看", "公之于众",
    ],
    ("flag", "lawsuit"): [
        "律师函", "(找|请|咨询|联系|问)(了)?律师", "我的律师", "律师…(联系|找你们|处理|介入)",
        "起诉", "告你们", "打官司", "法庭见", "法院", "上法庭", "诉讼", "法律程序", "法律途径",
        "法律手段", "走法律", "仲裁",
        "官司", "告到法院", "律师事务所",
        "律师", "(找|请)好律师",
    ],
    ("flag", "safety"): [
        "刹车…(失灵|软|不灵|没反应|失效|踩不下去|异常|刹不住)", "刹不住", "差点(就)?(追尾|出事|撞|砸|出车祸|翻车|上高速|没命)",
        "(冒|起)(烟|白烟|黑烟|火)", "焦糊味", "烧焦", "起火", "着火", "自燃",
        "方向盘…(沉|打不动|失灵|锁死|抖)", "打不动方向", "方向…失灵", "安全气囊", "气囊…灯",
        "鼓包", "爆胎", "胎压…(掉|低|报警)", "漏气", "螺丝…(松|没拧|没上紧|掉)", "轮胎…掉",
        "溜车", "受伤", "砸到", "不敢(开|让|上路|坐)", "安全隐患", "有危险", "太危险", "很危险",
        "熄火", "失控", "(轮子|车轮|轮胎|方向盘)…(晃|掉|松|飞)", "刹车…不行", "安全带…(坏|卡|扣不上)",
        "漏电", "触电", "(燃气|煤气|天然气)…漏", "烫伤", "吓人", "出车祸", "车祸",
    ],
    ("flag", "refund_request"): [
        "退款", "退钱", "把钱退", "钱退(给我|回来|了|还)", "退差价", "退费", "退还", "全额退",
        "返还…费", "退…(钱|费用|差价)", "(钱|费用|差价)…退(给我|回来|还|了)",
        "退一下", "麻烦退", "钱还我", "把钱还", "退回",
        "退(定金|押金|订金)",
    ],
    ("flag", "requests_senior"): [
        "(叫|让|找|请|要求|喊|要见|见见)…(店长|经理|领导|老板|负责人|高层|总部|上级)",
        "(店长|经理|领导|老板|负责人|高层)…(出来|联系我|给我打|给我回|回电话|回个电话|打电话给我|给个说法|给我个说法|解释|管管|出面|处理一下)",
        "(店长|经理|领导|老板|负责人)呢",
    ],
    ("flag", "onsite_complaint"): [
        "当场…(吵|争|投诉|发火|拍|理论|闹)", "(前台|大厅|接待台|收银台|店里|展厅)…(吵|争|理论|发了一通火|闹)",
        "吵起来", "吵了一架", "吵了一通", "大闹", "拍(了)?桌子", "发了一通火", "理论了", "跟…理论",
        "争了半天", "当众",
        "大吵", "吵了起来", "争吵", "发脾气", "骂了", "摔门", "闹了一场",
    ],
    # ------------------------------------------------------------------ visits for one problem
    ("visits", ""): [
        "第<n>次", "<n>次返厂", "<n>次进厂", "<n>次回厂", "修了<n>次", "修过<n>次", "来了<n>次",
        "<n>次都没(修好|好|解决)",
        "都<n>次了", "这是第<n>回", "<n>次了还",
    ],
    ("visits", "2"): [
        "返修", "又来修", "又来了", "跟没修一样", "还是没修好", "又(坏|响|冒|漏|不制冷|不行|出现|亮|异响|出问题|犯|开始)",
        "(上次|上周|上个月|前天|昨天|刚)…(修|处理|补|换)…(又|还是|跟没修)",
        "老毛病", "又犯了", "再次返厂", "又出现", "问题又", "又开始",
        "(换了|修了|修过|补了|处理了|换过)…(还是|又)",
    ],
    ("visits", "3"): ["反复修", "反复(出现|返厂|进厂)", "多次返修", "修了又修", "每次都没好", "每次…说…(好了|修好了)"],
    # ------------------------------------------------------------------ failure types
    ("failure", "time_delay"): [
        "等了", "等太久", "等半天", "等到", "等配件", "一直等", "排队", "要排", "太慢", "好慢", "很慢",
        "真慢", "慢死", "晚了", "迟到", "拖了", "拖着", "延误", "推迟", "没按时", "超时", "有点久",
        "太久", "好久", "很久", "才到", "才开", "才好", "才进", "没个准信", "没准信", "还没好",
        "预约…(排|等|没用|后面)", "排在…后面", "说好…(点|号|天)…(还|才|没)", "被晾着", "晾着",
        ("一个礼拜了", 0.5), ("天黑", 0.5), "约的…(才|还)",
        ("等", 0.5), "耽误", "迟迟", "一整天", "一上午", "一下午", "好几天", "还没修好", "赶不上", "延期", "不准时",
        "(才|还没)(弄|修|做|洗|好|完|弄完|修完|做完)", "时间…长", "有点长", "太长", "<n>个…小时", "约好…(才|还|结果)",
        "比说的", "比约定", "长了一倍", "还没到", "永远是在路上",
    ],
    ("failure", "service_quality"): [
        "没修好", "没好", "还是(响|有|没|不|漏|滴|异响|坏|一样|老样子)", "跟没修一样", "异响", "咯噔",
        "咯吱", "不制冷", "没热水", "隔音", "霉味", "异味", "漏水", "滴水", "黑屏", "断连", "故障",
        "问题没解决", "没解决", "没处理好", "没检查出来", "偷工减料", "漏做", "粗糙", "没归零",
        "没给归零", "不彻底", "歪", "正常现象", "看能撑几天", "失灵", "没效果", "修不好", "能不能修好",
        "技术不行", "不专业", "吸尘", "没洗干净", "(关|打|锁|开|启动)不(上|开|了)",
        "同一个…问题", "同样的问题", "老问题",
        "漏油", "问题依旧", "老样子", "不工作", "不亮", "坏了", "马虎", "没做好", "没清理干净", "不干净", "臭", ("一股…味", 0.5), "臭味", "臭鸡蛋", "怪味", "故障灯", "(灯|故障灯)…亮", "卡顿", "死机", "不制热", "效果不好", "没用", "白修", "修了…没用",
        "蟑螂", "虫子", "不卫生", "床单", ("不太干净", 2), "打不着", "着不了", "还是…不", "没修好的",
    ],
    ("failure", "property_damage"): [
        ("刮", 1.5), ("划痕", 1.5), ("划了", 1.5), ("划伤", 1.5), ("刮花", 1.5), "碰了", ("撞了", 2), ("追了…尾", 2), ("撞到", 2), "凹", "坑", "掉漆", "弄脏",
        "脏", "泥", "手印", "脚印", "油印", "机油印", "污水", "没收拾", "湿透", ("不见了", 1.5), ("丢了", 1.5),
        "弄丢", "少了", "没了", "损坏", "烟头", "烫坏", "划到", "磕", "破了", "坏了我",
        "蹭", "弄坏", "打碎", "碎了", "裂了", "裂纹", "烫", "磨花", "弄花", "掉了", "丢失",
        "翻乱", "弄乱", "剐", "很脏", "脏了", "脏得", "一塌糊涂",
        "烟味", ("摔坏", 2), "压坏", "碰坏",
        ("拿走", 1.5), ("偷", 1.5), "被偷", "刮了",
    ],
    ("failure", "attitude"): [
        "态度", "不理", "没理", "爱答不理", "不耐烦", "玩手机", "打游戏", "翻白眼", "太冲", "很冲",
        "打断", "没听", "敷衍", "推来推去", "推销", "催我", "脸色", "甩脸", "骗", "忽悠", "撒谎",
        "瞒着", "说话难听", "凶", "吼", "没人管", "点烟", "不听", "不道歉", "急什么", "私自",
        ("没换", 2), ("还是旧的", 2), "没做却", "糊弄", "没回音", "一点回音", "没下文", "没人回", "不回复",
        "没人联系",
        "恶劣", "冷漠", "爱理不理", "骂", "嫌", "推诿", "踢皮球", "甩锅", "不诚信", "看不起", "阴阳怪气", "冷脸", "没礼貌", "不礼貌", "不尊重", "没人理", "不管不问",
        "不承认", "不认账", "找不到人", "没人通知", "没人接",
        "没人…(讲|说明|解释|告诉)", "嘲笑", "讽刺", "当着…面", "一句对不起都没有", "不道歉",
    ],
    ("failure", "process_error"): [
        "发票", "账单", "结算单", "结账", "多收", "收了我", "重复收", "又收", "扣了", "手续费", "报价单",
        "报价…不一样", "对不上", "开错", "没要求做", "没让做", "没人问过我", "没记录", "没有记录",
        "没房", "系统问题", "保修期内", "工时费", "减免", "收费", "收我", "订的", "抬头", "多了一项",
        "三个说法", "退差价",
        "乱收费", "价格不一样", "订单", "工单", "单子", "合同", "索赔", "理赔", "订错", "发错", "搞错", "弄错", "算错", "写错", "收费不", "检测费", "预约…(没|丢|错)",
        "多要", "加价", "说好的价格", "收了两次", "两次工时费",
        "没提前说", "没提前告知", "涨价", "比预期", "系统…(坏|故障|问题)",
        ("(承诺|说好)的…(不认|没有|没了|不算|不给)", 1.5), "不认", "定金", "押金",
    ],
    # ------------------------------------------------------------------ complaint, praise
    ("complaint", ""): [
        "差", "太差", "很差", "真差", "不满意", "失望", "垃圾", "糟糕", "离谱", "过分", "无语", "烦",
        "不行", "不怎么样", "心寒", "呵呵", "凭什么", "说法", "反省", "受不了", "不靠谱", "坑人",
        "被坑", "不划算", "贵", "有啥用", "别扭", "不舒服", "气人", "郁闷", "麻烦", "不爽",
        "没下文", "没回音", "一点回音", "不敢", "终于",
        "注意点", "小心点", "不应该", "怎么能", "太不", "不好", "难受", "生气", "寒心", "后悔",
    ],
    ("praise", ""): [
        "很好", "挺好", "都好", "还好", "满意", "专业", "谢谢", "感谢", "点赞", "👍", "不错", "满分",
        "服气", "暖心", "感动", "贴心", "耐心", "热情", "到位", "给力", "省心", "放心", "靠谱",
        "透明", "实在", "舒服", "干净", "超快", "很快", "值得表扬", "没话说", "没得说",
        "挑不出毛病", "没踩雷", "打广告", "好评", "下次还", "锃亮", "又快又好", "高效", "准时",
        "方便", "很细", "细致", "表扬", "我服", "流畅", "ok", "棒",
        "最好", "及时", "周到", "认真", "负责", "完美", "惊喜", "推荐", "好评如潮", "顺利", "没问题", "放心了",
        "开心", "高兴", "喜欢",
    ],
    # ------------------------------------------------------------------ context rules
    ("negation", ""): [
        "没有", "没投诉", "没想", "没打算", "不会", "不打算", "不至于", "不需要", "不用", "无需",
        "不想", "没必要", "本来…想", "不是来", "并没有", "从没", "从来没", "不算", "不影响", "免得",
        "并非", "无", "别担心", "放心不是",
    ],
    ("others", ""): [
        "朋友", "别的店", "别家", "其他店", "他们那边", "另一家", "那边的", "邻居", "同事", "听说",
        "做律师", "做记者", "是律师", "在别", "外面的店",
        "我是记者", "当记者", "记者朋友", "律师朋友", "当律师", "我是律师",
    ],
    ("resolved", ""): [
        "解决了", "彻底解决", "处理得", "修好了", "搞定了", "就好了", "就好", "补好了", "弄好了",
        "到账了", "换了新件", "升级好了", "找到了原因", "找到原因", "一次就", "没有了", "一点声音都没有",
        "一点味都没有", "当天就", "马上", "处理很快", "帮忙跑",
        "处理好了", "修复了", "恢复正常", "已经好了",
    ],
    ("suggestion", ""): [
        "建议", "希望", "要是…就好了", "要是…就更好", "可以再", "可以考虑", "能…吗", "如果能", "最好能",
        "能不能多", "麻烦下次",
    ],
    # Words of the trade jieba's dictionary splits (雨刮 is not 雨 + 刮).
    ("word", ""): [
        "雨刮", "雨刮器", "刮水器", "车机", "返厂", "进厂", "4s店", "代步车", "行车记录仪", "记录仪",
        "钣金", "喷漆", "补漆", "机油", "刹车片", "刹车盘", "胎压", "轮毂", "后视镜", "保养单",
        "结算单", "工时费", "服务顾问", "接待台", "休息区", "洗车", "异响", "黑屏", "断连",
        "送修", "返修", "延保", "钢丝球", "刮痕",
        "螺丝", "轮子", "车轮", "故障灯", "发动机", "变速箱", "空调滤芯",
    ],
    ("hearsay", ""): ["说", "都说", "说是", "声称", "号称", "据说", "说已经"],
    ("contrast", ""): ["但", "但是", "就是", "不过", "可是", "只是", "结果", "然而", "却", "其他都"],
    ("sarcasm", ""): ["真是", "可真", "整了个", "进错车", "上个户口", "处出感情"],
    # ------------------------------------------------------------------ emotions (seed 003),
    ("emotion", "angry"): [
        ("什么态度", 2), ("垃圾", 2), ("拍了桌子", 2), ("别想糊弄", 2), ("别以为我不敢", 2), "必须",
        "呵呵", "反省", "火大", ("行不行", 2), "气死", "生气", "愤怒", "太过分", "给个说法", "要说法", "走着瞧",
        "等着", "！", ("!!", 0.5), "发火", "一分没少", "凭什么不", "说不在", "白纸黑字", "别想",
        "不给说法", "吵", "超级差", "太差",
        ("恶劣", 2), "恼火", "欺人太甚", "什么玩意", "搞什么", "无耻", "立刻", "马上给我", "不可理喻", "岂有此理",
        "不承认", "要人命", "一塌糊涂",
        "一句对不起都没有", "谁负责", "报警", "永远",
    ],
    ("emotion", "anxious"): [
        ("不敢", 2), ("吓死", 2), ("后怕", 2), "担心", "害怕", "怕", ("提心吊胆", 2), "心慌", "着急",
        "赶紧", "怎么办", "确切时间", "下周要", "老人", "孩子", "万一", "差点", "到底能不能",
        "吓人", "慌", "急", "赶时间", "尽快", "安全吗", "会不会", "急用", "等着用车",
        ("着急", 2), "冷汗", "一身冷汗",
        "什么时候能好", "什么时候能修好", "什么时候能", "天天",
    ],
    ("emotion", "confused"): [
        ("什么意思", 2), ("看不懂", 2), ("没看懂", 2), ("没太看懂", 2), "不懂", ("是干嘛的", 2),
        ("干嘛的", 2), ("以哪个为准", 2), ("三个说法", 2), "怎么回事", "哪来的", "为什么",
        ("不是说…吗", 2), "搞不清", "不明白", "到底", "怎么收", "怎么又",
        "不知道", "解释", "是什么", "搞不懂", "是不是", "哪个", "啥意思",
        "说不清楚", "不清楚", "明明", "怎么会",
    ],
    ("emotion", "humorous"): [
        ("哈哈", 2), "唱歌", "bgm", ("户口", 2), ("处出感情", 2), ("叫出我名字", 2), ("好吃吗", 2),
        ("进错车", 2), ("王者", 2), ("喝完了", 2), "笑死", "搞笑", "😂", "🤣", "给你们的咖啡",
        "换首歌",
        ("哈哈哈", 2), ("哈哈哈哈", 2), "笑死", "绝了", "真有你们的", "开玩笑", "香氛",
    ],
    ("emotion", "aggrieved"): [
        ("失望", 2), ("心寒", 2), ("老客户", 2), "两台车", "就这么对付", "晾着", ("凭什么", 2),
        "敷衍", "委屈", "不公平", "以前", "年了", "这待遇", "没人理", "一点回音都没有", "没下文",
        "脸色", "请了半天假", "特意", "一个电话都没有", "不打算投诉", "越来越", "推来推去", "连个",
        "再也不来", "在也不来",
        "寒心", "多年", "这么多年", "信任", "不被重视", "冷落", "区别对待", "伤心", "难过", "忠实",
        "请假", "白等", "请了假", "白跑",
        ("伤人", 2), "太伤", "我不信", "当着",
    ],
}

EN = {
    ("flag", "public_complaint"): [
        "filed a complaint", "file a complaint", "lodge a complaint", "lodged a complaint",
        "complaint with", "complain to", "complained to", "reporting you", "report you",
        "reported you", "consumer council", "consumer association", "consumer protection",
        "better business bureau", "bbb", "trading standards", "regulator", "manufacturer",
        "customer care line", "brand hotline", "head office complaint", "12315",
        "ombudsman", "consumer affairs", "the brand", "corporate complaint",
    ],
    ("flag", "media_exposure"): [
        "media", "journalist", "reporter", "the news", "tv station", "viral",
        "(post|posting|posted|put|putting) (it|this|them|the video|the photos|the clip)… online",
        "social media", "forum", "on (douyin|weibo|xiaohongshu|tiktok|facebook|twitter|instagram|youtube|reddit)",
        "review sites", "tell everyone", "the press",
        "(one-star|1-star|one star|bad|negative|honest) review", "google review", "yelp", "tripadvisor", "go public", "expose you", "post (about|it|this|photos|pictures|the video|a video)",
    ],
    ("flag", "lawsuit"): [
        "my lawyer", "(contacted|contact|hire|hired|get|call|consult|consulted|called|retained) (a|my) lawyer",
        "lawyer will", "lawyers", "attorney", "sue", "suing", "sued", "lawsuit", "legal action",
        "take legal", "small claims", "court", "legal route",
        "solicitor", "take you to court", "legal",
    ],
    ("flag", "safety"): [
        "brake… (failed|fail|soft|spongy|didn't hold|did not hold|gone|went)", "brakes failed",
        "car rolled", "rolled (a few|back|away|down|forward)", "airbag", "steering (locked|failed|heavy|stiff)",
        "pulls hard", "wheel (nut|nuts|bolt|bolts)", "loose wheel", "smoke (from|coming)",
        "caught fire", "on fire", "fire hazard", "burning smell", "blowout", "bulge",
        "scared to drive", "afraid to drive", "unsafe", "not safe", "dangerous", "nearly crashed",
        "(nearly|almost) (crashed|hit|rear-ended|had an accident|killed|died|lost control|rolled)",
        "could have (killed|crashed|died|been killed)", "injured", "injury", "got hurt", "was hurt",
        "stalled on", "(started|was|is|began|engine|hood|it) smoking", "pedal … (sinks|sank|went|goes) to the floor",
        "no brakes", "wheel came off", "lug nuts", "wobbl", "electric shock", "gas leak", "sparking",
        "exposed wires", "lost power on the (highway|motorway|freeway)",
        "safety (risk|hazard|issue)",
        "(don't|do not|didn't|did not) feel safe", "shakes violently", "steering wheel (shak|vibrat|wobbl)",
    ],
    ("flag", "refund_request"): [
        "refund", "money back", "reimburse", "pay me back", "give me back", "my money",
        "charge back", "chargeback",
        "deposit back",
    ],
    ("flag", "requests_senior"): [
        "(want|need|demand|ask for|asked for|speak to|talk to|get|see|escalate to) (the|a|your|someone) … (manager|supervisor|senior|owner|director|boss)",
        "(manager|supervisor|director|owner) … (call me|contact me|get back to me|on this)",
        "someone senior", "head office", "corporate", "escalate",
        "speak (to|with) (a|the|your) (manager|supervisor|boss)", "your boss", "someone in charge", "who is in charge", "general manager",
    ],
    ("flag", "onsite_complaint"): [
        "made a scene", "make a scene", "raise my voice", "raised my voice", "shouting", "shouted",
        "yelled", "argued with", "argument at", "complained at the desk", "lost my temper",
        "scene at the", "argued at", "shouting match",
    ],
    ("visits", ""): ["been (in|back) <n> times", "<n> times for the same", "(repaired|fixed|serviced|back) <n> times", "<n> visits for", "<n> trips for"],
    ("visits", "2"): [
        "second (time i|time i've|time we|trip|visit|time in|time bringing|time back)",
        "came back again", "back again", "again for the same", "still not fixed", "same problem again",
        "same issue again", "returned for the same",
        "(broke|broken|failed|leaking|back|happening|started) again", "is back", "has come back", "came back again",
    ],
    ("visits", "3"): [
        "third time", "third visit", "third trip", "fourth time", "fourth visit", "fifth time",
        "<n>th time", "<n>rd time", "keeps coming back", "over and over",
    ],
    ("failure", "time_delay"): [
        "wait", "waited", "waiting", "late", "delay", "delayed", "took forever", "<n> hours",
        "hours", "slow", "behind schedule", "not ready", "never ready", "still not ready",
        "nobody updated", "no update", "long wait", "kept waiting", "on time",
        "all day", "forever", "still waiting", "took <n> hours", "missed the appointment", "not on time",
        "hours late", "two hours", "no one called", "nobody called",
        ("took", 0.5), "took <n> minutes", "still nothing", "hours later", "<n> hours later",
    ],
    ("failure", "service_quality"): [
        ("still", 0.5), "not fixed", "didn't fix", "wasn't fixed", "hasn't been fixed", "rattle",
        "rattled", "noise", "leak", "leaking", "check-engine", "warning light", "quick vacuum",
        "a wipe", "found nothing", "misdiagnos", "botched", "sloppy", "stank", "blowing warm",
        "doesn't work", "does not work", "poor quality", "grinding", "smell", "not cleaned",
        "wrong diagnosis", "noisy", "for the same", "same problem", "same issue",
        "not working", "stopped working", "poor job", "not done", "wasn't done", "half-done", "same problem",
        "forgot to", "kept dropping", "keeps dropping", "didn't work", "engine light", "shaking", "vibrat", "wi-fi",
        "cockroach", "bugs", "bed bugs", "unclean", "filthy",
    ],
    ("failure", "property_damage"): [
        ("scratch", 1.5), ("scratched", 1.5), ("dent", 1.5), ("dented", 1.5), ("damage", 1.5),
        ("damaged", 1.5), "dirty", "grease", "stain", "burn", "cigarette", ("lost", 1.5),
        ("missing", 1.5), "cross-threaded", "mud", "broken", "chipped",
        "scuff", "scuffed", "oil pan", "stolen",
        "broke my", "cracked", "gone", "dog got out", "left the gate",
        "wet", "soaking", "soaked", "broke a", "broke the", ("smashed", 1.5), "shattered",
        "warped", "water damage", "ruined", "all over my", "pay for it",
    ],
    ("failure", "attitude"): [
        "rude", "rushed", "ignored", "ignoring", "dismissive", "shrug", "didn't explain",
        "did not explain", "brushed off", "attitude", "unprofessional", "lied", "lying",
        "dishonest", "joyride", "wouldn't even", "would even look", "pushy", "upsell", "condescending",
        "impatient", "nobody would", "anyone would even",
        "impolite", "arrogant", "scam", "rolled (his|her|their) eyes", "eye roll", "treated me like", "yelled at me", "no apology",
        "not his job", "not my job", "wasn't his job", "nobody answered", "no one answered",
    ],
    ("failure", "process_error"): [
        "invoice", "bill", "billed", "charged", "overcharged", "charge", "receipt", "booking",
        "no record", "warranty claim", "paid for", "labour", "labor", "paperwork", "wrong part",
        "wrong parts", ("quote", 0.5), "quoted", "paid", "lists a", "covered",
        "billing", "reservation", "appointment was lost", "lost my booking", "ordered the wrong", "wrong price", "double charged", "charged twice",
        "system was down", "more than quoted", "without telling", "price went up",
        "fee", "waived", "promised",
    ],
    ("complaint", ""): [
        "not happy", "unhappy", "disappointed", "disappointing", "terrible", "awful", "worst",
        "ridiculous", "unacceptable", "never again", "not impressed", "waste", "poor",
        "frustrated", "frustrating", "annoyed", "horrible", "bad", "upset",
        "be more careful", "should not", "shouldn't have", "not acceptable", "disgusting",
    ],
    ("praise", ""): [
        "great", "good", "excellent", "thanks", "thank", "appreciated", "appreciate", "lovely",
        "friendly", "helpful", "professional", "thorough", "smooth", "quick", "painless",
        "model service", "no surprises", "straight with me", "nice", "love", "perfect", "happy",
        "punctual", "tidy", "well done", "fine", "ok", "okay", "brand new", "quiet", "confident",
        "👍", "consistent", "great team", "sorted",
        "best", "amazing", "wonderful", "fantastic", "satisfied", "recommend", "handy", "efficient", "courteous", "polite", "definitely",
        "impressed", "superb", "fair price", "would come back",
        "clear", "no pressure", "cheers",
    ],
    ("negation", ""): [
        "no", "not", "never", "won't", "will not", "no need", "don't need", "nothing to",
        "without", "not going to", "wasn't going to",
        "was going to", "ready to", "about to", "almost",
    ],
    ("others", ""): [
        "friend", "another dealer", "another shop", "other dealer", "other shop", "someone else",
        "heard that", "my neighbour", "my neighbor", "colleague", "as a lawyer", "i'm a lawyer",
        "i am a lawyer", "as a journalist",
        "i'm a journalist", "i am a journalist", "work as a", "works as a", "my job",
    ],
    ("resolved", ""): [
        "sorted", "resolved", "was fixed", "got fixed", "fixed it", "taken care of",
        "was handled", "were handled", "no issues", "fixed on the spot", "works now",
        "working now", "brand new",
        "fixed everything", "already fixed", "had fixed", "fixed the",
    ],
    ("suggestion", ""): [
        "suggestion", "would be nice", "it would help", "please consider", "maybe add",
        "would be great if", "could you", "rather than", "wish",
    ],
    ("hearsay", ""): ["said", "claimed", "supposedly", "told me", "they say", "were told",
                      "was told", "apparently"],
    ("contrast", ""): ["but", "however", "though", "except", "although", "other than",
                       "otherwise"],
    ("sarcasm", ""): ["in fact", "plenty of time", "thanks a lot", "thanks for nothing",
                      "what a great", "bravo", "congratulations"],
    ("emotion", "angry"): [
        ("ridiculous", 2), "furious", "angry", "unacceptable", "outrageous", "explain this or",
        "or i'll", ("i'm not paying", 2), "cover it", "!", "i'll say it again", "or the clip",
        "how dare",
        "pissed", "outraged", "disgusting", "or else", "!!!",
        "unbelievable",
    ],
    ("emotion", "anxious"): [
        ("scared", 2), ("worried", 2), "afraid", "nervous", "anxious", "urgent", "urgently",
        "what if", "worry", "concerned",
        "is it safe", "asap", "as soon as possible", "could have died", "terrified",
    ],
    ("emotion", "confused"): [
        ("not sure", 2), ("which is it", 2), ("can someone explain", 2), ("don't understand", 2),
        "confused", "why is", ("what i'm paying for", 2), "what does", "not sure why",
        "explain", "how come",
        "what is this", "no idea", "which one", "why was i", "why am i",
    ],
    ("emotion", "humorous"): [
        ("haha", 2), ("lol", 2), "😂", "🤣", "in fact", "enjoy it",
        "hilarious", "joke", "bravo", "congrats",
    ],
    ("emotion", "aggrieved"): [
        ("disappointed", 2), ("brushed off", 2), "years as", "loyal", "after buying",
        "nobody senior", "let down", "unfair", "felt", "ignored", "as your customer",
        "two cars",
        "years", "feel ignored", "taken for granted", "not valued",
        ("losing faith", 2), "lost faith", "trust",
    ],
}


def entries():
    """(phrase, language, kind, value, weight) of every default phrase."""
    for language, table in (("zh-hans", ZH), ("en", EN)):
        for (kind, value), phrases in table.items():
            for item in phrases:
                phrase, weight = item if isinstance(item, tuple) else (item, 1)
                yield phrase, language, kind, value, weight
