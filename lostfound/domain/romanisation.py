"""Chinese names as documents from outside the mainland spell them in Latin letters.

Taiwan's passports print Wade–Giles without its apostrophes and umlauts: 张晓梅 is ZHANG XIAOMEI on
a mainland passport and CHANG HSIAO-MEI on one from Taiwan; 许 is XU and HSU, 蔡 CAI and TSAI, 郭
GUO and KUO. Dropping the apostrophe merges what Wade–Giles keeps apart (ch'en and chen both print
CHEN), so one spelling here may stand for several pinyin syllables. Hong Kong's documents spell the
Cantonese reading (``hong_kong``).
"""

from __future__ import annotations

from functools import lru_cache

import opencc

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
    "er": "erh", "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh",
    "shuo": "shuo", "huo": "huo", "guo": "kuo", "kuo": "kuo",
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


# --- Hong Kong -------------------------------------------------------------------------------
# Hong Kong's identity cards, passports and Home Return Permits (回乡证) spell names in the
# Government's Cantonese romanisation: 陈大文 is CHAN TAI MAN, 张 CHEUNG, 黄 WONG, 李 LEE.
# Each character's Cantonese readings (Jyutping) come from the cantonese-romanisation package and
# are spelled here the ways Hong Kong names print them.

# Longest first: ng before n, gw before g.
_JYUTPING_INITIALS = (
    "ng", "gw", "kw", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "w", "z", "c", "s", "j"
)  # fmt: skip
_HK_INITIAL: dict[str, tuple[str, ...]] = {
    "b": ("p",), "d": ("t",), "g": ("k",), "gw": ("kw",), "z": ("ch", "ts"), "c": ("ch", "ts"),
    "s": ("s", "sh"), "j": ("y",),
}  # fmt: skip
_HK_FINAL: dict[str, tuple[str, ...]] = {
    "aa": ("a", "ah"), "aai": ("ai",), "aau": ("au",), "aam": ("am",), "aan": ("an",), "aang": ("ang",),
    "aap": ("ap",), "aat": ("at",), "aak": ("ak",), "au": ("au", "ow"), "am": ("am", "um"),
    "an": ("an", "un"), "ap": ("ap", "up"), "at": ("at", "ut"), "ei": ("ei", "ee", "i"),
    "i": ("i", "ee"), "o": ("o", "oh", "or", "aw"), "oi": ("oi", "oy"), "ou": ("o", "ou"),
    "oeng": ("eung",), "oek": ("euk",), "eoi": ("ui", "eui"), "eon": ("un", "eun"), "eot": ("ut", "eut"),
    "u": ("u", "oo"), "ui": ("ui", "ooi"), "un": ("un", "oon"), "ut": ("ut", "oot"),
    "yu": ("u", "ue", "yu"), "yun": ("un", "uen", "yun"), "yut": ("ut", "uet", "yut"),
}  # fmt: skip
# The vowel i after z, c, s and j is spelled apart: 志 CHI or TSZ, 思 SZE, 儀 YEE.
_HK_I = {
    "z": ("chi", "tsz", "tsze", "chee"), "c": ("chi", "tsz", "tsze", "chee"), "s": ("sze", "si", "see", "shi"),
    "j": ("yee", "yi", "i"),
}  # fmt: skip


def hong_kong_spellings(jyutping: str) -> tuple[str, ...]:
    """A Jyutping syllable (its tone number dropped or not) as Hong Kong names spell it: daai6 → TAI."""
    syllable = jyutping.rstrip("123456")
    if syllable in ("m", "ng"):
        return (syllable,)
    initial = next((i for i in _JYUTPING_INITIALS if syllable.startswith(i)), "")
    final = syllable[len(initial) :]
    if final == "i" and initial in _HK_I:
        return _HK_I[initial]
    if initial == "j" and final.startswith("yu"):  # jyu is spelled yu, not yyu: 余 YU or YUE, 袁 YUEN
        return tuple(
            dict.fromkeys(f if f.startswith("y") else "y" + f for f in _HK_FINAL.get(final, (final,)))
        )
    return tuple(
        dict.fromkeys(
            i + f for i in _HK_INITIAL.get(initial, (initial,)) for f in _HK_FINAL.get(final, (final,))
        )
    )


@lru_cache(maxsize=1)
def _cantonese() -> tuple[dict[str, list[str]], opencc.OpenCC]:
    """Jyutping readings by traditional character, and a converter to traditional characters. Read
    when a process first scores a Latin name (some 0.1 s with the tables ``names`` builds from them)."""
    from cantoroman import Cantonese

    return Cantonese().charToLshk, opencc.OpenCC("s2t")


@lru_cache(maxsize=32768)
def hong_kong(char: str) -> tuple[str, ...]:
    """How Hong Kong names spell one character (simplified or traditional); empty if it is not known."""
    jyutping, to_traditional = _cantonese()
    # The package's data is mostly of traditional characters; a character's own entry comes first, as
    # its traditional form may stand for others too (于 is one of the forms of 於, read wu as well).
    readings = jyutping.get(char) or jyutping.get(to_traditional.convert(char), ())
    return tuple(dict.fromkeys(s for j in readings for s in hong_kong_spellings(j.lower())))
