"""Banks as people name them: 工行, 工商银行, 中国工商银行 and ICBC are one bank.

An owner writes the bank of a lost card the way they say it; the desk copies it off the card.
Matching compares the banks of the cards on both sides, so every way of naming a bank folds to
one key. A bank not in the list keeps its name, without spaces, a leading 中国 or what follows 银行
(a branch, 股份有限公司).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# key: the names and abbreviations in use (Chinese first, then English and its initials).
_NAMES: dict[str, tuple[str, ...]] = {
    "icbc": ("工商银行", "工行", "中国工商银行", "icbc", "industrial and commercial bank of china"),
    "abc": ("农业银行", "农行", "中国农业银行", "abc", "agricultural bank of china"),
    "ccb": ("建设银行", "建行", "中国建设银行", "ccb", "china construction bank"),
    "boc": ("中国银行", "中行", "boc", "bank of china"),
    "bocom": ("交通银行", "交行", "bocom", "bank of communications"),
    "psbc": (
        "邮储银行",
        "邮政储蓄银行",
        "中国邮政储蓄银行",
        "邮政银行",
        "psbc",
        "postal savings bank of china",
    ),
    "cmb": ("招商银行", "招行", "cmb", "china merchants bank"),
    "citic": ("中信银行", "citic", "china citic bank"),
    "ceb": ("光大银行", "中国光大银行", "ceb", "china everbright bank"),
    "cmbc": ("民生银行", "中国民生银行", "cmbc", "china minsheng bank"),
    "cib": ("兴业银行", "cib", "industrial bank"),
    "spdb": ("浦发银行", "浦东发展银行", "上海浦东发展银行", "spdb", "shanghai pudong development bank"),
    "pab": ("平安银行", "pab", "ping an bank"),
    "hxb": ("华夏银行", "hxb", "hua xia bank"),
    "cgb": ("广发银行", "广东发展银行", "cgb", "china guangfa bank"),
    "rcb": ("农商银行", "农村商业银行", "农村信用社", "农信社", "rcb", "rural commercial bank"),
}
_BY_NAME = {name: key for key, spellings in _NAMES.items() for name in spellings}


@lru_cache(maxsize=1024)
def bank_key(raw: str) -> str:
    """One key per bank, whatever it was called; "" for nothing given."""
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    text = " ".join(text.split())
    if text in _BY_NAME:
        return _BY_NAME[text]
    compact = text.replace(" ", "")
    if "银行" in compact:  # 中国工商银行北京分行, 招商银行股份有限公司: the bank is named up to 银行
        compact = compact[: compact.index("银行") + 2]
    # 北京农商银行, 北京农村商业银行: the city's rural bank, which people call 农商银行.
    if compact.endswith(("农商银行", "农村商业银行")):
        return "rcb"
    for candidate in (compact, compact.removeprefix("中国")):
        if candidate in _BY_NAME:
            return _BY_NAME[candidate]
    return compact.removeprefix("中国")
