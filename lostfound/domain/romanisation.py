"""A pinyin syllable as a Taiwan passport spells it: Wade–Giles, without its apostrophes and umlauts.

张晓梅 is ZHANG XIAOMEI on a mainland passport and CHANG HSIAO-MEI on one from Taiwan; 许 is XU and
HSU, 蔡 CAI and TSAI, 郭 GUO and KUO. Dropping the apostrophe merges what Wade–Giles keeps apart
(ch'en and chen both print CHEN), so one spelling here may stand for several pinyin syllables.
"""

from __future__ import annotations

from functools import lru_cache

# Longest first: zh before z.
_INITIALS = (
    "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w"
)  # fmt: skip
_WG_INITIAL = {
    "zh": "ch", "ch": "ch", "sh": "sh", "b": "p", "p": "p", "d": "t", "t": "t", "g": "k", "k": "k",
    "j": "ch", "q": "ch", "x": "hs", "r": "j", "z": "ts", "c": "ts",
}  # fmt: skip
# Whole syllables spelled apart from their parts.
_WHOLE = {
    "zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih", "zi": "tzu", "ci": "tzu", "si": "ssu",
    "er": "erh", "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh", "yue": "yueh", "yong": "yung",
    "shuo": "shuo", "huo": "huo", "guo": "kuo", "kuo": "kuo", "hui": "hui", "wo": "wo",
}  # fmt: skip
# Finals that change, whatever the initial (after j, q and x pinyin's u is ü, which drops its dots).
_FINAL = {
    "ong": "ung", "iong": "iung", "ian": "ien", "ie": "ieh", "ve": "ueh", "ue": "ueh", "v": "u", "vn": "un"
}  # fmt: skip


@lru_cache(maxsize=4096)
def wade_giles(syllable: str) -> str:
    """``syllable``: toneless pinyin as ``names`` reads it (ü written v). Not pinyin: returned as it is."""
    if syllable in _WHOLE:
        return _WHOLE[syllable]
    initial = next((i for i in _INITIALS if syllable.startswith(i)), "")
    final = syllable[len(initial) :]
    if not final:
        return syllable
    if final == "e" and initial in ("g", "k", "h"):
        final = "o"  # 哥 ko, 可 ko, 和 ho
    elif final == "uo" and initial not in ("", "w"):
        final = "o"  # 多 to, 罗 lo, 左 tso, 卓 cho
    elif final == "ui" and initial in ("g", "k"):
        final = "uei"  # 贵 kuei
    else:
        final = _FINAL.get(final, final)
    return _WG_INITIAL.get(initial, initial) + final
