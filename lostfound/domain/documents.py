"""What a photographed document says: which document it is and the fields an officer would type.

Pure: the input is the lines text recognition found (text, confidence, box). Numbers are settled
by their own check characters, never by a guess: an ID number by ISO 7064 MOD 11-2 together with
the birth date printed beside it, a card number by Luhn, an amount by its words in capitals. A
field that cannot be settled is returned *uncertain*, with the readings it could be, and is never
filled in for the officer.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from lostfound.domain import identifiers as ids


class DocumentKind(StrEnum):
    ID_CARD = "id_card"
    BANK_CARD = "bank_card"
    DEPOSIT_SLIP = "deposit_slip"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Line:
    text: str
    confidence: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels


@dataclass(frozen=True)
class FieldReading:
    value: str  # empty when uncertain and nothing could be chosen
    confidence: float
    uncertain: bool = False
    alternatives: tuple[str, ...] = ()  # what it could be (or what was read) when uncertain
    repaired: bool = False  # a misread character was put right by a check character

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"value": self.value, "confidence": round(self.confidence, 3)}
        if self.uncertain:
            out["uncertain"] = True
        if self.alternatives:
            out["alternatives"] = list(self.alternatives)
        if self.repaired:
            out["repaired"] = True
        return out


@dataclass
class DocumentReading:
    kind: DocumentKind
    fields: dict[str, FieldReading] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "fields": {k: v.as_dict() for k, v in self.fields.items()}}


# Below this a recognised line of text is shown to the officer as uncertain. Names need more: a
# rare character misread as a common one (璐 as 路) still looks like a name.
CONFIDENT = 0.90
NAME_CONFIDENT = 0.95


def as_read(text: str, confidence: float, enough: float = CONFIDENT) -> FieldReading:
    """A field with no check of its own: filled in only when recognition was confident."""
    if confidence >= enough:
        return FieldReading(text, confidence)
    return FieldReading("", confidence, uncertain=True, alternatives=(text,))


# Characters recognition confuses, by what they might be: a letter inside a number is always a
# misread digit; 1 and 7 are misread for each other, and only a check character can tell which.
_AS_DIGITS: dict[str, str] = {
    "B": "8", "D": "0", "O": "0", "Q": "0", "U": "0", "I": "17", "L": "1", "|": "1", "T": "7",
    "S": "5", "Z": "2", "G": "6", "1": "17", "7": "71",
}  # fmt: skip
_AS_CHECK: dict[str, str] = {"K": "X", "×": "X", "*": "X", "Y": "X"}
MAX_AMBIGUOUS = 10  # 2**10 readings at most are tried
MAX_REPAIRS = 1  # two 1/7 swaps often make another valid number: a check character settles one


def _compact(text: str) -> str:
    """Upper-case ASCII without separators (NFKC folds the full-width digits some engines return)."""
    return re.sub(r"[\s\-—_.,:;·'\"`]+", "", unicodedata.normalize("NFKC", text).upper())


def _options(raw: str, last_may_be_x: bool) -> list[str] | None:
    """For each character the digits it may stand for (first: the likeliest); None if hopeless."""
    out = []
    for position, char in enumerate(raw):
        if last_may_be_x and position == len(raw) - 1 and (char == "X" or char in _AS_CHECK):
            out.append("X")
        elif char in _AS_DIGITS:
            out.append(_AS_DIGITS[char])
        elif char.isdigit() and char.isascii():
            out.append(char)
        else:
            return None
    return out


def _readings(options: list[str]) -> Iterable[tuple[str, int]]:
    """Every reading the options allow, with how many characters differ from the likeliest."""
    ambiguous = [i for i, choice in enumerate(options) if len(choice) > 1][:MAX_AMBIGUOUS]
    base = [choice[0] for choice in options]
    for picks in itertools.product(*(options[i] for i in ambiguous)):
        chars = list(base)
        changed = 0
        for i, pick in zip(ambiguous, picks, strict=True):
            changed += pick != chars[i]
            chars[i] = pick
        yield "".join(chars), changed


# --- resident ID numbers ---------------------------------------------------------------------


def _id_valid(number: str, today: date) -> bool:
    return len(number) == ids.ID_LENGTH and ids.check_id_number(number, today) is None


def settle_id_number(
    raw: str, confidence: float, today: date, birth: date | None = None, sex: str | None = None
) -> FieldReading:
    """Settle an 18-character ID number read as ``raw``, using the printed birth date and sex if read."""
    text = _compact(raw)
    options = _options(text, last_may_be_x=True)
    if options is None or len(options) != ids.ID_LENGTH:
        return FieldReading("", confidence, uncertain=True, alternatives=(text,) if text else ())

    def agrees(number: str) -> bool:
        if birth is not None and ids.birth_date_of(number) != birth:
            return False
        return sex is None or ids.sex_of(number) == sex

    likeliest = "".join(choice[0] for choice in options)
    candidates: dict[str, int] = {}
    for number, changed in _readings(options):
        if _id_valid(number, today) and agrees(number):
            candidates.setdefault(number, changed)
    if birth is not None and not candidates:
        # The printed birth date is a second reading of digits 7 to 14.
        number = likeliest[:6] + birth.strftime("%Y%m%d") + likeliest[14:]
        if _id_valid(number, today) and agrees(number):
            candidates[number] = 1
    return _settled(candidates, text, likeliest, confidence)


def _settled(candidates: dict[str, int], text: str, likeliest: str, confidence: float) -> FieldReading:
    """The reading as it stands when it checks; else the one repair of a single character, provided
    no reading with one more change checks too (two misreads can look like one other misread)."""
    if candidates.get(likeliest) == 0:
        return FieldReading(likeliest, confidence, repaired=likeliest != text)
    near = [n for n, changed in candidates.items() if changed <= MAX_REPAIRS + 1]
    if len(near) == 1 and candidates[near[0]] <= MAX_REPAIRS:
        return FieldReading(near[0], confidence, repaired=True)
    ranked = tuple(sorted(candidates, key=lambda n: (candidates[n], n)))[:5]
    return FieldReading("", confidence, uncertain=True, alternatives=ranked or (likeliest,))


# --- card numbers --------------------------------------------------------------------------


def settle_card_number(raw: str, confidence: float) -> tuple[FieldReading, FieldReading]:
    """A bank card number (16 to 19 digits, Luhn) and its last 4 digits."""
    text = _compact(raw)
    options = _options(text, last_may_be_x=False)
    if options is None or not 16 <= len(options) <= 19:
        return FieldReading("", confidence, uncertain=True, alternatives=(text,)), FieldReading(
            "", confidence, uncertain=True
        )
    candidates: dict[str, int] = {}
    for number, changed in _readings(options):
        if ids.luhn_valid(number):
            candidates.setdefault(number, changed)
    likeliest = "".join(choice[0] for choice in options)
    number = _settled(candidates, text, likeliest, confidence)
    if not number.uncertain:
        return number, FieldReading(number.value[-4:], confidence)
    # A number that fails Luhn may have been put together wrong: its last 4 are only a suggestion.
    return number, FieldReading("", confidence, uncertain=True, alternatives=(likeliest[-4:],))


# --- amounts -------------------------------------------------------------------------------

_CAPITAL_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True)) | dict(
    zip("〇一二三四五六七八九", range(10), strict=True)
) | {"两": 2}  # fmt: skip
_CAPITAL_UNITS = {"拾": 10, "十": 10, "佰": 100, "百": 100, "仟": 1000, "千": 1000}


def capital_amount(text: str) -> Decimal | None:
    """An amount written in capitals (壹拾万元整, 叁佰伍拾元伍角) as a number of yuan."""
    text = re.sub(r"[\s（）()：:]|人民币|大写", "", text).replace("圆", "元")
    if not text or "元" not in text:
        return None
    whole, _, fraction = text.partition("元")
    total = section = number = 0
    for char in whole:
        if char in _CAPITAL_DIGITS:
            number = _CAPITAL_DIGITS[char]
        elif char in _CAPITAL_UNITS:
            section += (number or 1) * _CAPITAL_UNITS[char]
            number = 0
        elif char == "万":
            total += (section + number) * 10_000
            section = number = 0
        elif char == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
        else:
            return None
    yuan = total + section + number
    cents = number = 0
    for char in fraction.rstrip("整正"):
        if char in _CAPITAL_DIGITS:
            number = _CAPITAL_DIGITS[char]
        elif char == "角":
            cents += number * 10
            number = 0
        elif char == "分":
            cents += number
            number = 0
        else:
            return None
    return Decimal(yuan) + Decimal(cents) / 100


_FIGURES = re.compile(r"(?:[¥￥]|RMB|CNY|小写)[^0-9]{0,3}([0-9][0-9,，]*(?:[.．][0-9]{1,2})?)", re.IGNORECASE)


def figure_amount(text: str) -> Decimal | None:
    match = _FIGURES.search(text)
    if not match:
        return None
    try:
        return Decimal(match.group(1).replace(",", "").replace("，", "").replace("．", "."))
    except InvalidOperation:
        return None


def settle_amount(figures: tuple[Decimal, float] | None, words: tuple[Decimal, float] | None) -> FieldReading:
    """Figures and capitals are two readings of one amount: they settle it when they agree."""
    if figures and words:
        if figures[0] == words[0]:
            return FieldReading(f"{figures[0]:.2f}", max(figures[1], words[1]))
        return FieldReading("", min(figures[1], words[1]), uncertain=True,
                            alternatives=(f"{figures[0]:.2f}", f"{words[0]:.2f}"))  # fmt: skip
    (amount, confidence) = figures or words  # type: ignore[misc]
    return as_read(f"{amount:.2f}", confidence)


# --- finding fields on the page ---------------------------------------------------------------


def _middle(line: Line) -> float:
    return (line.box[1] + line.box[3]) / 2


def _right_of(label: Line, lines: Sequence[Line], fits: Callable[[str], bool] | None = None) -> Line | None:
    """The line beside a label read on its own: on its row (boxes of a tilted card overlap a
    little), starting past most of the label, the one whose middle is nearest the label's;
    on a tilted page, the nearest that ``fits`` what the label announces, if one does."""
    middle = _middle(label)
    start = label.box[0] + (label.box[2] - label.box[0]) * 0.6
    row = [
        ln for ln in lines
        if ln is not label and ln.box[1] <= middle <= ln.box[3] and ln.box[0] >= start
    ]  # fmt: skip
    fitting = [ln for ln in row if fits is not None and fits(re.sub(r"\s+", "", ln.text))]

    # Nearest by row first; a value far along the row (a stamp, another column) counts as farther.
    def distance(ln: Line) -> float:
        return abs(_middle(ln) - middle) + 0.25 * max(0.0, ln.box[0] - label.box[2])

    return min(fitting or row, key=distance) if row else None


def _after_label(
    lines: Sequence[Line], labels: Sequence[str], fits: Callable[[str], bool] | None = None
) -> tuple[str, float] | None:
    """The text after the first of ``labels`` on its line, or on the line to its right."""
    for line in lines:
        text = re.sub(r"\s+", "", line.text)
        for label in labels:
            at = text.find(label)
            if at < 0:
                continue
            rest = text[at + len(label) :].lstrip(":：")
            if rest:
                return rest, line.confidence
            neighbour = _right_of(line, lines, fits)
            if neighbour is not None:  # the label's own confidence says nothing of the value
                return re.sub(r"\s+", "", neighbour.text), neighbour.confidence
    return None


_CJK_NAME = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff·]{1,14}")
_LATIN_NAME = re.compile(r"^[A-Z]{2,}(?: [A-Z]{2,}){1,3}$")
_BIRTH = re.compile(r"([12][0-9]{3})\s*[年./\-]\s*([0-9]{1,2})\s*[月./\-]\s*([0-9]{1,2})")
_LONG_RUN = re.compile(r"[0-9A-Z|×*]{15,}")
_BANK = re.compile(r"([\u3400-\u9fff]{2,12}银行)")


# Words printed on the documents themselves: a "name" holding one was read off the wrong line.
_FORM_WORDS = ("民族", "性别", "出生", "住址", "公民", "号码", "存款", "取款", "现金", "金额", "账号",
               "户名", "银行", "日期", "交易", "凭条", "回单", "大写", "小写", "签名", "专用章", "业务",
               "网点", "柜员")  # fmt: skip
_CARD_WORDS = frozenset({"VALID", "THRU", "FROM", "GOOD", "DEBIT", "CREDIT", "UNIONPAY", "BANK", "CARD",
                         "MONTH", "YEAR", "EXPIRES", "VISA", "MASTERCARD", "PLATINUM", "GOLD",
                         "VALIDTHRU", "GOODTHRU"})  # fmt: skip


def _looks_like_name(text: str) -> bool:
    return bool(_CJK_NAME.fullmatch(text)) and not any(word in text for word in _FORM_WORDS)


def _name(found: tuple[str, float] | None) -> FieldReading | None:
    if found is None:
        return None
    text, confidence = found
    if any(word in text for word in _FORM_WORDS):
        return None
    if not _CJK_NAME.fullmatch(text) or not _common_characters(text):
        return FieldReading("", confidence, uncertain=True, alternatives=(text,))
    return as_read(text, confidence, NAME_CONFIDENT)


def _common_characters(name: str) -> bool:
    """Whether every character is a common simplified one (GB 2312). Recognition sometimes reads
    a simplified character as a traditional look-alike (曾 as 會); a rare character in a real name
    is then checked by the officer too."""
    try:
        name.replace("·", "").encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _birth(lines: Sequence[Line]) -> tuple[date, float] | None:
    found = _after_label(lines, ["出生"])
    candidates = [found] if found else [(ln.text, ln.confidence) for ln in lines]
    for text, confidence in candidates:
        match = _BIRTH.search(text)
        if match:
            try:
                return date(*map(int, match.groups())), confidence
            except ValueError:
                return None
    return None


def _sex(lines: Sequence[Line]) -> tuple[str, float] | None:
    found = _after_label(lines, ["性别"])
    if found and found[0][:1] in ("男", "女"):
        return ("M" if found[0][0] == "男" else "F"), found[1]
    return None


def _id_number_line(lines: Sequence[Line]) -> tuple[str, float] | None:
    labelled = _after_label(lines, ["公民身份号码", "身份号码", "号码"])
    if labelled and _LONG_RUN.search(_compact(labelled[0])):
        return _LONG_RUN.search(_compact(labelled[0])).group(0), labelled[1]  # type: ignore[union-attr]
    runs = [(m.group(0), ln.confidence) for ln in lines if (m := _LONG_RUN.search(_compact(ln.text)))]
    near = [run for run in runs if 17 <= len(run[0]) <= 19]
    return (near or runs or [None])[0]


def read_id_card(lines: Sequence[Line], today: date) -> dict[str, FieldReading]:
    fields: dict[str, FieldReading] = {}
    name = _name(_after_label(lines, ["姓名"], _looks_like_name))
    if name:
        fields["holder_name"] = name
    birth, sex = _birth(lines), _sex(lines)
    number_line = _id_number_line(lines)
    if number_line:
        number = settle_id_number(number_line[0], number_line[1], today, birth and birth[0], sex and sex[0])
        if number.uncertain and (birth or sex):
            # The printed date or sex may be what was misread: try the number on its own.
            alone = settle_id_number(number_line[0], number_line[1], today)
            if not alone.uncertain:
                number = FieldReading("", number.confidence, uncertain=True, alternatives=(alone.value,))
        fields["id_number"] = number
    settled = fields.get("id_number")
    from_number = settled.value if settled and not settled.uncertain else ""
    if birth:
        fields["birth_date"] = FieldReading(birth[0].isoformat(), birth[1])
    elif from_number:
        fields["birth_date"] = FieldReading(str(ids.birth_date_of(from_number)), settled.confidence)  # type: ignore[union-attr]
    if sex:
        fields["sex"] = FieldReading(sex[0], sex[1])
    elif from_number:
        fields["sex"] = FieldReading(ids.sex_of(from_number) or "", settled.confidence)  # type: ignore[union-attr]
    return fields


def _bank(lines: Sequence[Line]) -> FieldReading | None:
    for line in lines:
        match = _BANK.search(re.sub(r"\s+", "", line.text))
        if match:
            return as_read(match.group(1), line.confidence)
    return None


_DIGIT_GROUP = re.compile(r"^[0-9A-Z|]{3,19}$")
_LATIN_WORD = re.compile(r"^[A-Z]{2,}$")


def _row_groups(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines grouped by row, each row left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=_middle):
        height = line.box[3] - line.box[1]
        if rows and abs(_middle(rows[-1][-1]) - _middle(line)) <= height / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.box[0]) for row in rows]


def _joined(row: Sequence[Line], texts: Sequence[str] | None = None) -> Line:
    box = (row[0].box[0], min(ln.box[1] for ln in row), row[-1].box[2], max(ln.box[3] for ln in row))
    text = " ".join(texts if texts is not None else [ln.text.strip() for ln in row])
    return Line(text, min(ln.confidence for ln in row), box)


def _rows(lines: Sequence[Line]) -> list[Line]:
    """Lines on one row joined left to right: recognition often returns each group of an embossed
    number, or each word of a name, as a line of its own."""
    return [_joined(row) for row in _row_groups(lines)]


def _deduplicated(row: Sequence[Line]) -> Line:
    """Boxes that overlap may both hold the digit where they meet: of the readings with or without
    it, the one that passes Luhn (when only one does)."""
    texts = [ln.text.strip() for ln in row]
    overlaps = [i for i in range(1, len(row)) if row[i].box[0] < row[i - 1].box[2] and len(texts[i]) > 1]
    if not overlaps or ids.luhn_valid(_compact(" ".join(texts))):
        return _joined(row)
    passing = []
    for drops in itertools.product((False, True), repeat=min(len(overlaps), 3)):
        variant = [
            text[1:] if i in overlaps[:3] and drops[overlaps.index(i)] else text
            for i, text in enumerate(texts)
        ]
        digits = _compact(" ".join(variant))
        if any(drops) and 16 <= len(digits) <= 19 and digits.isdigit() and ids.luhn_valid(digits):
            passing.append(variant)
    return _joined(row, passing[0]) if len(passing) == 1 else _joined(row)


def _card_numbers(lines: Sequence[Line], grouped: bool) -> list[Line]:
    """Rows of 16 to 19 digits; ``grouped``: printed in groups, as card numbers are (one run of 18
    digits on an ID card is no card number)."""
    digits = [
        ln for ln in lines
        if all(_DIGIT_GROUP.match(part) for part in ln.text.upper().split())
        and sum(c.isdigit() for c in ln.text) >= 0.75 * len(_compact(ln.text))
    ]  # fmt: skip
    rows = [_deduplicated(row) for row in _row_groups(digits)]
    return [
        row for row in rows
        if 16 <= len(_compact(row.text)) <= 19 and (len(row.text.split()) >= 2 or not grouped)
    ]  # fmt: skip


def read_bank_card(lines: Sequence[Line]) -> dict[str, FieldReading]:
    fields: dict[str, FieldReading] = {}
    numbers = _card_numbers(lines, grouped=False)
    if numbers:
        best = max(numbers, key=lambda ln: (ln.box[3] - ln.box[1]) * (ln.box[2] - ln.box[0]))
        fields["card_number"], fields["card_last4"] = settle_card_number(best.text, best.confidence)
    bank = _bank(lines)
    if bank:
        fields["bank"] = bank
    words = [
        ln for ln in lines
        if all(_LATIN_WORD.match(w) and w not in _CARD_WORDS for w in ln.text.upper().split()) and ln.text.strip()
    ]  # fmt: skip
    holders = [row for row in _rows(words) if _LATIN_NAME.match(row.text.strip())]
    if holders:
        fields["holder_name"] = as_read(holders[0].text.strip(), holders[0].confidence)
    return fields


def read_deposit_slip(lines: Sequence[Line]) -> dict[str, FieldReading]:
    fields: dict[str, FieldReading] = {}
    holder = _name(_after_label(lines, ["户名", "姓名", "客户名称"], _looks_like_name))
    if holder:
        fields["holder_name"] = holder
    bank = _bank(lines)
    if bank:
        fields["bank"] = bank
    figures = words = None
    for line in lines:
        text = re.sub(r"\s+", "", line.text)
        if figures is None and (amount := figure_amount(text)) is not None:
            figures = (amount, line.confidence)
        if words is None and (amount := capital_amount(text.split("大写")[-1])) is not None:
            words = (amount, line.confidence)
    if figures or words:
        fields["amount"] = settle_amount(figures, words)
    return fields


_SIGNS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.ID_CARD: ("公民身份号码", "身份号码", "姓名", "民族", "住址", "出生", "性别"),
    DocumentKind.BANK_CARD: (
        "银联",
        "UNIONPAY",
        "VALID",
        "THRU",
        "借记卡",
        "信用卡",
        "储蓄卡",
        "DEBIT",
        "CREDIT",
    ),
    DocumentKind.DEPOSIT_SLIP: ("存款", "凭条", "回单", "户名", "金额", "大写", "账号", "交易"),
}


def classify(lines: Sequence[Line]) -> DocumentKind:
    text = "".join(re.sub(r"\s+", "", ln.text).upper() for ln in lines)
    scores = {kind: sum(sign in text for sign in signs) for kind, signs in _SIGNS.items()}
    if _card_numbers(lines, grouped=True):
        scores[DocumentKind.BANK_CARD] += 2
    best = max(scores, key=lambda kind: scores[kind])
    ranked = sorted(scores.values(), reverse=True)
    return best if ranked[0] >= 2 and ranked[0] > ranked[1] else DocumentKind.UNKNOWN


def read_document(lines: Sequence[Line], today: date) -> DocumentReading:
    """Which document the lines come from, and its fields."""
    ordered = sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))
    kind = classify(ordered)
    if kind is DocumentKind.ID_CARD:
        return DocumentReading(kind, read_id_card(ordered, today))
    if kind is DocumentKind.BANK_CARD:
        return DocumentReading(kind, read_bank_card(ordered))
    if kind is DocumentKind.DEPOSIT_SLIP:
        return DocumentReading(kind, read_deposit_slip(ordered))
    return DocumentReading(kind)
