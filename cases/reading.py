"""Reading a survey comment the way a service manager does (shared/triage/GUIDE.md).

The phrases and their context rules are data (`LexiconEntry` rows, zh-Hans and English); this
module only knows how to apply them. A phrase matches at word boundaries: in English the regular
expression word edges, in Chinese the start of a word that jieba segmented (so 媒体 does not
match inside 多媒体). What a phrase says is then put in its context:

- negation: a negation cue shortly before it in the same clause (没有投诉, not going to sue);
- someone else: a cue in the same clause that it is another person or another shop
  (朋友说要投诉, a friend of mine is suing another dealer);
- fixed and praised: it comes before a "resolved" cue and nothing negative follows;
- suggestion: a complaint word inside a suggestion (希望…, would be nice…) is not a failure;
- sarcasm: praise in quotation marks, or with a sarcasm cue, counts as a complaint;
- praise only: a comment with praise and no complaint carries no flag at all (事故车修得很专业).

The result lists every finding with the phrase and the rule that decided it, so the case can
show why it was opened at its level.
"""

import bisect
import logging
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

# Text past this many characters is not read: a comment is at most 5 000 characters, and what
# decides a case is said early.
MAX_CHARS = 2000
# How far before a phrase a negation cue reaches (characters; Chinese is denser than English).
NEGATION_REACH = {"zh-hans": 5, "en": 24}
# Praise right after a failure word takes it back (态度挺好, attitude was great).
PRAISED_REACH = {"zh-hans": 2, "en": 6}
SENTENCE_END = "。！？!?\n；;"
CLAUSE_END = SENTENCE_END + "，,、：:—()（）"
QUOTES = "\"“”「」『』'‘’"
NUMBERS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9, "十": 10, "几": 3, "多": 3, "n": 3}

@dataclass(frozen=True)
class Entry:
    phrase: str
    language: str
    kind: str  # a cases.models.Cue
    value: str = ""
    weight: float = 1.0


@dataclass
class Hit:
    entry: Entry
    start: int
    end: int
    count: int | None = None
    dropped: str = ""  # the rule that set it aside, empty when it counts


@dataclass
class Reading:
    flags: dict[str, Hit] = field(default_factory=dict)
    failure_type: str | None = None
    failure_hit: Hit | None = None
    emotion: str | None = None
    emotion_hit: Hit | None = None
    complaint: float = 0.0
    praise: float = 0.0
    hits: list[Hit] = field(default_factory=list)
    text: str = ""  # the normalised text the offsets of the hits refer to

    contrast: bool = False

    @property
    def negative(self) -> bool:
        """A complaint about the service is in the text (it opens a case under any score):
        a flag, or complaint that outweighs the praise or follows a "but"."""
        return bool(self.flags) or (self.complaint >= 1 and (
            self.complaint > self.praise or self.contrast))


# ---------------------------------------------------------------------------- segmentation

_jieba = None
_jieba_lock = threading.Lock()


def _tokenizer():
    """jieba's tokenizer, loaded once per process on first use (about half a second)."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _jieba = tokenizer
    return _jieba


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def word_starts(text: str) -> set[int]:
    """Offsets where a Chinese word starts (jieba, dictionary only: no guessing of new words)."""
    starts = set()
    tokenizer = None
    for run in _CJK.finditer(text):
        tokenizer = tokenizer or _tokenizer()
        at = run.start()
        for word in tokenizer.cut(run.group(), HMM=False):
            starts.add(at)
            at += len(word)
    return starts


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, one space for any run of blanks."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS].lower()
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


# ---------------------------------------------------------------------------- patterns

# Kinds whose Chinese phrases must be whole words: a flag is a claim (媒体 is not in 多媒体),
# a context rule changes others. Descriptive cues (failure, emotion, praise) may be part of a
# longer word (态度 in 服务态度).
WORD_KINDS = {"flag", "visits", "negation", "others", "hearsay", "resolved"}

_GAP = "…"
_NUM = "<n>"
_EN_NUMBER = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten"
_ZH_NUMBER = r"\d+|[一二两三四五六七八九十几多]+"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def compile_phrase(phrase: str, language: str) -> re.Pattern:
    """A phrase is literal text with a few extras: `…` is a gap of up to 12 characters within
    the sentence, `<n>` a number (digits or Chinese numerals), `(a|b)` alternatives, `(a)?`
    optional, a final `*` a word stem (wobbl* is wobbles, wobbling)."""
    phrase = normalise(phrase)
    stem = phrase.endswith("*")  # "wobbl*": wobbles, wobbling
    phrase = phrase.rstrip("*")
    out, i = [], 0
    gap = r"[^。！？!?\n；;]{0,12}?"
    while i < len(phrase):
        if phrase.startswith(" " + _GAP + " ", i):
            out.append(rf"(?:\s+{gap})?\s+")  # "a … manager" is also "a manager"
            i += 3
        elif phrase.startswith(_GAP, i) or phrase.startswith("...", i):
            out.append(gap)
            i += 1 if phrase.startswith(_GAP, i) else 3
        elif phrase.startswith(_NUM, i):
            out.append(f"(?P<n>{_ZH_NUMBER if language == 'zh-hans' else _EN_NUMBER})")
            i += len(_NUM)
        elif phrase[i] in "(|)":
            out.append({"(": "(?:", "|": "|", ")": ")"}[phrase[i]])
            i += 1
            if phrase[i - 1] == ")" and phrase.startswith("?", i):
                out.append("?")
                i += 1
        elif phrase[i] == " ":
            out.append(r"\s+")
            i += 1
        else:
            out.append(re.escape(phrase[i]))
            i += 1
    body = "".join(out)
    # Word edges for Latin words in either language: "issue" is not "sue", "immediately" is
    # not "media".
    lead = r"(?<![a-z0-9])" if _latin(phrase[:1]) else ""
    tail = r"(?![a-z0-9])" if _latin(phrase[-1:]) and not stem else ""
    return re.compile(f"{lead}{body}{tail}")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _bucket_key(phrase: str, language: str) -> str:
    """What a match must start with: the first character (Chinese) or first two letters."""
    phrase = normalise(phrase)
    if not phrase or phrase[0] in "(<…." :
        return ""
    if _latin(phrase[0]):
        return phrase[:2] if len(phrase) > 1 and _latin(phrase[1]) else phrase[:1]
    return phrase[0]


def _leading_alternatives(phrase: str) -> list[str]:
    """A phrase that starts with alternatives, (叫|让)…经理, as 叫…经理 and 让…经理: each is then
    found by its first character rather than searched for through the whole text."""
    m = re.match(r"\(([^()]*)\)(?!\?)", phrase)
    if not m:
        return [phrase]
    return [alt + phrase[m.end():] for alt in m.group(1).split("|") if alt]


class Lexicon:
    """The compiled lexicon: patterns grouped by what they start with."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self._buckets: dict[str, list[tuple[Entry, re.Pattern, str]]] = defaultdict(list)
        self._anywhere: list[tuple[Entry, re.Pattern]] = []
        for entry in entries:
            for phrase in _leading_alternatives(entry.phrase):
                pattern = compile_phrase(phrase, entry.language)
                key = _bucket_key(phrase, entry.language)
                if key:
                    # The literal text a match starts with: a cheap test before the pattern's.
                    prefix = re.split(r"…|\.\.\.|<n>|[(| ]", normalise(phrase))[0]
                    self._buckets[key].append((entry, pattern, prefix))
                else:
                    self._anywhere.append((entry, pattern))
        words = [e.phrase for e in entries if e.kind == "word"]
        if words:
            tokenizer = _tokenizer()
            for word in words:
                tokenizer.add_word(normalise(word))

    def find(self, text: str) -> list[Hit]:
        starts = word_starts(text)
        hits = []
        buckets = self._buckets
        length = len(text)
        for i, ch in enumerate(text):
            if ch == " ":
                continue
            candidates = buckets.get(ch)
            inside_word = False
            if _is_cjk(ch):
                inside_word = i not in starts
            elif _latin(ch):
                if i and _latin(text[i - 1]):
                    continue
                candidates = (buckets.get(text[i:i + 2], []) if i + 1 < length else []) + (
                    candidates or [])
            if candidates:
                for entry, pattern, prefix in candidates:
                    if not text.startswith(prefix, i) or (
                            inside_word and entry.kind in WORD_KINDS):
                        continue
                    m = pattern.match(text, i)
                    if m and _whole(m, text, starts, entry):
                        hits.append(_hit(entry, m))
        for entry, pattern in self._anywhere:
            for m in pattern.finditer(text):
                if (entry.kind in WORD_KINDS and _is_cjk(text[m.start()])
                        and m.start() not in starts) or not _whole(m, text, starts, entry):
                    continue
                hits.append(_hit(entry, m))
        return hits


def _whole(m: re.Match, text: str, starts: set[int], entry: Entry) -> bool:
    """A Chinese phrase that sets a flag or a context rule ends where a word ends (朋友 is not
    朋友圈); so does any one-character phrase (差 is not 差点)."""
    end = m.end()
    if entry.kind not in WORD_KINDS:
        if end - m.start() > 1:
            return True
        if _is_cjk(text[m.start()]) and m.start() not in starts:
            return False
    return (not _is_cjk(text[end - 1]) or end in starts or end == len(text)
            or not _is_cjk(text[end])
            or text[end] == text[end - 1] or text[end] == text[m.start()])  # 咯吱咯吱, 哈哈哈


def _hit(entry: Entry, m: re.Match) -> Hit:
    count = None
    if "n" in m.re.groupindex and m.group("n"):
        count = _number(m.group("n"))
    return Hit(entry=entry, start=m.start(), end=m.end(), count=count)


_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10}


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    if word in _EN_NUMBERS:
        return _EN_NUMBERS[word]
    return max((NUMBERS.get(ch, 0) for ch in word), default=0)


# ---------------------------------------------------------------------------- reading

TRIGGERS = {"flag", "visits", "failure", "complaint"}


def _spans(text: str, ends: str) -> list[int]:
    """Offsets where a new sentence (or clause) starts."""
    cuts = [0]
    for i, ch in enumerate(text):
        if ch in ends:
            cuts.append(i + 1)
        elif ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            cuts.append(i + 1)
    return cuts


def _uncovered(hits: list[Hit]) -> list[Hit]:
    """A longer phrase that covers a shorter one of the same kind speaks for it (律师函 / 律师,
    还没修好 / 没修好)."""
    out = []
    by_kind: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_kind[hit.entry.kind].append(hit)
    for same in by_kind.values():
        same.sort(key=lambda h: (h.start, -h.end))
        reach = -1
        for hit in same:
            if hit.end > reach:
                out.append(hit)
                reach = hit.end
            elif hit.end == reach and any(o.start == hit.start and o.end == hit.end
                                          for o in out[-3:]):
                out.append(hit)  # the same words naming another value: both count
    out.sort(key=lambda h: h.start)
    return out


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] in QUOTES and text[end] in QUOTES


def read(text: str, lexicon: Lexicon) -> Reading:
    text = normalise(text)
    reading = Reading(text=text)
    if not text:
        return reading
    hits = lexicon.find(text)
    sentences = _spans(text, SENTENCE_END)
    clauses = _spans(text, CLAUSE_END)

    def sentence(pos):
        return bisect.bisect_right(sentences, pos)

    def clause(pos):
        return bisect.bisect_right(clauses, pos)

    hits = _uncovered(hits)
    by_kind: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_kind[hit.entry.kind].append(hit)
    negations: dict[int, list[Hit]] = defaultdict(list)
    for n in by_kind["negation"]:
        negations[clause(n.start)].append(n)
    hearsay: dict[int, list[Hit]] = defaultdict(list)
    for n in by_kind["hearsay"]:
        hearsay[clause(n.start)].append(n)

    def cancelled(hit, cues) -> bool:
        """A cue of `cues` ends shortly before the hit, in its clause."""
        return any(n.end <= hit.start and hit.start - n.end <= NEGATION_REACH[n.entry.language]
                   for n in cues.get(clause(hit.start), ()))

    # Sarcasm turns the praise of its sentence and of the one before ("Great coffee. Had
    # plenty of time to enjoy it").
    sarcastic_sentences = {n for h in by_kind["sarcasm"]
                           for n in (sentence(h.start), sentence(h.start) - 1)}
    suggestions = [(sentence(h.start), h.start) for h in by_kind["suggestion"]]
    others_clauses = {clause(h.start) for h in by_kind["others"]}
    for hit in by_kind["praise"]:
        if _quoted(text, hit.start, hit.end) or sentence(hit.start) in sarcastic_sentences:
            hit.dropped = "sarcasm"
            reading.complaint += 1
        elif cancelled(hit, negations):
            hit.dropped = "negation"
        else:
            reading.praise += hit.entry.weight

    praised = defaultdict(list)
    for p in by_kind["praise"]:
        if not p.dropped:
            praised[clause(p.start)].append(p)
    # Emotion cues are not negated (不生气 is rare, 不敢 is fear) but do belong to their clause.
    triggers = [h for h in hits if h.entry.kind in TRIGGERS or h.entry.kind == "emotion"]
    for hit in triggers:
        if hit.entry.kind != "emotion" and cancelled(hit, negations):
            hit.dropped = "negation"
        elif clause(hit.start) in others_clauses:
            hit.dropped = "someone_else"
        elif hit.entry.kind == "failure" and any(
                0 <= p.start - hit.end <= PRAISED_REACH[p.entry.language]
                for p in praised.get(clause(hit.start), ())):
            hit.dropped = "praise"
        elif hit.entry.kind in {"failure", "complaint"} and any(
                at <= hit.start and sentence(hit.start) == n for n, at in suggestions):
            hit.dropped = "suggestion"

    # Fixed and praised: what came before the last "resolved" cue is history, unless something
    # negative still follows it.
    for hit in by_kind["resolved"]:
        if cancelled(hit, hearsay):
            hit.dropped = "hearsay"  # 每次都说修好了: their word, not the customer's
        elif _quoted(reading.text, hit.start, hit.end):
            hit.dropped = "sarcasm"  # been "fixed" four times
            reading.complaint += 1
    resolved = [h for h in by_kind["resolved"] if not h.dropped]
    if resolved and (reading.praise > 0 or not any(
            h.entry.kind == "complaint" and not h.dropped for h in triggers)):
        last = max(h.end for h in resolved)
        if not any(h.start >= last and not h.dropped and h.entry.kind in {"complaint", "failure",
                                                                          "flag", "visits"}
                   for h in triggers):
            for h in triggers:
                if h.start < last and not h.dropped and h.entry.kind != "emotion":
                    h.dropped = "resolved"

    live = [h for h in triggers if not h.dropped]
    complaint = sum(h.entry.weight for h in live if h.entry.kind in {"complaint", "failure"})
    complaint += reading.complaint
    contrast = reading.contrast = bool(by_kind["contrast"])
    # Praise and no complaint: a threat word here is in a positive sense (发个朋友圈给你们打广告).
    if reading.praise > 0 and complaint == 0 and not contrast:
        for h in live:
            if h.entry.kind in {"flag", "visits"}:
                h.dropped = "praise"
        live = [h for h in live if not h.dropped]

    for h in live:
        if h.entry.kind == "flag":
            reading.flags.setdefault(h.entry.value, h)
        elif h.entry.kind == "visits":
            count = h.count if h.count is not None else int(h.entry.value or 2)
            if count >= 3:
                reading.flags.setdefault("multiple_repair", h)
            elif count == 2:
                reading.flags.setdefault("repeat_repair", h)
    if "multiple_repair" in reading.flags:
        reading.flags.pop("repeat_repair", None)
    reading.complaint = complaint

    reading.hits = hits
    _failure(reading, live)
    _emotion(reading, [h for h in hits if h.entry.kind == "emotion" and not h.dropped],
             text, sarcastic_sentences)
    return reading


def _failure(reading: Reading, live: list[Hit]) -> None:
    """The failure type the customer is most upset about: the heaviest, later ones winning
    ties (what is said last is usually the point); a safety flag makes it a safety failure."""
    if "safety" in reading.flags:
        reading.failure_type, reading.failure_hit = "safety", reading.flags["safety"]
        return
    totals: dict[str, float] = defaultdict(float)
    last: dict[str, Hit] = {}
    for h in live:
        if h.entry.kind == "failure" and h.entry.value:
            totals[h.entry.value] += h.entry.weight
            last[h.entry.value] = h
    back = [h for f, h in reading.flags.items() if f in {"repeat_repair", "multiple_repair"}]
    if back:
        # Back for the same problem: the repair did not fix it (GUIDE: service_quality).
        totals["service_quality"] += 1
        last.setdefault("service_quality", back[0])
    if not totals:
        return
    best = max(totals, key=lambda v: (totals[v], last[v].start))
    reading.failure_type, reading.failure_hit = best, last[best]


# Threats make a customer angry; public and legal ones more than a complaint made elsewhere.
THREAT_FLAGS = {"media_exposure": 2.5, "lawsuit": 2.5, "public_complaint": 1.0,
                "onsite_complaint": 1.0}


def _emotion(reading: Reading, hits: list[Hit], text: str, sarcastic: set[int]) -> None:
    totals: dict[str, float] = defaultdict(float)
    strongest: dict[str, Hit] = {}
    for h in hits:
        totals[h.entry.value] += h.entry.weight
        best = strongest.get(h.entry.value)
        if best is None or h.entry.weight >= best.entry.weight:
            strongest[h.entry.value] = h
    threats = [h for f, h in reading.flags.items() if f in THREAT_FLAGS]
    if threats:
        totals["angry"] += max(THREAT_FLAGS[f] for f in reading.flags if f in THREAT_FLAGS)
        strongest.setdefault("angry", Hit(entry=Entry(
            phrase=threats[0].entry.phrase, language=threats[0].entry.language, kind="emotion",
            value="angry"), start=threats[0].start, end=threats[0].end))
    if sarcastic or any(h.dropped == "sarcasm" for h in reading.hits):
        totals["humorous"] += 1.0
    if "safety" in reading.flags:
        totals["anxious"] += 1.0
    if "！！" in text or "!!" in text or "？？" in text or "??" in text:
        if totals:
            top = max(totals, key=totals.get)
            totals[top] += 0.5
    if not totals:
        return
    best = max(totals, key=lambda v: totals[v])
    if totals[best] < 1:
        return
    reading.emotion = best
    reading.emotion_hit = strongest.get(best)
