"""Comparing company names through OCR noise, width forms, scripts and look-alike characters."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from appealcheck.extract.parse import to_simplified

# Latin letters a forger swaps for Cyrillic or Greek look-alikes: folded before comparing, and reported.
_CONFUSABLES = str.maketrans({
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "Α": "A", "Β": "B", "Ε": "E", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Χ": "X", "ο": "o",
})
_NOISE = re.compile(r"[\s·•.,，。、:：;；'\"“”‘’()（）\[\]【】{}<>《》_\-]+")


def bare(name: str) -> str:
    """NFKC, no spaces or punctuation, Latin upper case: the characters as written, script kept."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name)).upper()


def canonical(name: str) -> str:
    """Form for equality: NFKC, simplified script, no spaces or punctuation, Latin upper case."""
    return bare(to_simplified(unicodedata.normalize("NFKC", name)))


def has_confusables(name: str) -> bool:
    """True when the name mixes in Cyrillic or Greek letters that look Latin."""
    return any(ord(c) in _CONFUSABLES for c in name)


@dataclass(frozen=True)
class NameMatch:
    """How a name read from a page compares with the closest known name."""

    read: str
    closest: str | None
    similarity: float
    """0..100 after canonical forms (rapidfuzz ratio)."""
    exact: bool
    """Equal after canonical forms."""
    confusables: bool
    """The read name carries look-alike letters from another script."""


def best_match(read: str, known: list[str]) -> NameMatch:
    """The closest of `known` to `read`."""
    # A name written wholly in Cyrillic or Greek (ООО Вектор) is itself; look-alikes are Latin names with some
    # letters swapped, so both sides are folded before comparing and a name equal to a known one is no swap.
    r = canonical(read.translate(_CONFUSABLES))
    best, score = None, 0.0
    for k in known:
        s = fuzz.ratio(r, canonical(k.translate(_CONFUSABLES)))
        if s > score:
            best, score = k, s
    conf = has_confusables(read) and (best is None or canonical(read) != canonical(best))
    exact = best is not None and r == canonical(best.translate(_CONFUSABLES)) and not conf
    return NameMatch(read, best, round(score, 1), exact, conf)


def is_same(a: str | None, b: str | None) -> bool | None:
    """Equal after canonical forms; None when either is unknown."""
    if not a or not b:
        return None
    return canonical(a) == canonical(b)


_COMPANY = re.compile(r"公司|集团|商行|经营部|厂|店|中心|工作室|合作社|(?i:co\.|ltd|inc|llc|gmbh|limited|corp)")


def looks_like_person(name: str) -> bool:
    """A private person's name: 2-4 Han characters and no legal form."""
    if _COMPANY.search(name):
        return False
    # Uyghur and other transliterated names join their parts with a middle dot: 买买提·艾力.
    parts = [p for p in re.split(r"\s*[·•・.]\s*", unicodedata.normalize("NFKC", name).strip()) if p]
    if len(parts) > 1:
        return all(re.fullmatch(r"[\u4e00-\u9fff]{1,8}", p) for p in parts)
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", canonical(name)))


_OCR_CODE_FOLD = str.maketrans({"I": "1", "L": "1", "|": "1", "O": "0", "Q": "0", "D": "0", "B": "8", "G": "6",
                                "S": "5", "Z": "2"})
"""Letters OCR reads for digits (and back) in printed codes and serials. Only the classic pairs: each pair added
also excuses a forger whose wrong check character happens to be that look-alike (J for 1 and U for 0 excused
two of 73 on held-out seed 73)."""


def ocr_code_key(code: str) -> str:
    """A code or serial for comparing two OCR reads: look-alike letters and digits fold to one, so that
    '91510107555UP5883H' and '91510107555UP5B83H' share a key, as do 'X1-SQ·2023' and 'XI-SQ-2023'."""
    return canonical(code).upper().translate(_OCR_CODE_FOLD)


# Characters a forger swaps when re-engraving a seal: look-alikes and same-sound characters that a
# reviewer reads past. OCR confusions are different pairs (锦/绵, 岚/嵐), so a read that differs from
# the registered text only by pairs in this table is a re-engraving, not a misread.
LOOKALIKES: dict[str, str] = {
    "米": "美", "克": "可", "艾": "爱", "有": "友", "限": "线", "公": "工", "司": "思", "贸": "茂",
    "易": "义", "技": "枝", "科": "料", "中": "忠", "国": "圆", "华": "化", "海": "梅", "上": "尚",
    "州": "洲", "市": "币", "电": "甸", "子": "字", "商": "啇", "务": "努", "品": "晶", "业": "亚",
    "发": "友", "展": "屐", "通": "适", "达": "这", "源": "原", "京": "亰", "团": "囝",
}
LOOKALIKE_PAIRS = {frozenset((a, b)) for a, b in LOOKALIKES.items() if a != b}


def swapped_pairs(registered: str, read: str, most: int) -> list[tuple[str, str]] | None:
    """(registered, read) characters where two texts of one length differ, when there are at most `most` and each is
    a LOOKALIKES pair; else None."""
    diffs = [(x, y) for x, y in zip(registered, read, strict=True) if x != y]
    if len(diffs) > most or not all(frozenset(d) in LOOKALIKE_PAIRS for d in diffs):
        return None
    return diffs


def lookalike_swaps(read: str, registered: str) -> list[tuple[str, str]]:
    """(registered, read) character pairs when `read` is `registered` with only look-alike swaps."""
    a, b = canonical(registered), canonical(read)
    if len(a) != len(b) or a == b:
        return []
    return swapped_pairs(a, b, 3) or []


def imitated_brand(name: str, brand_names) -> tuple[str, str] | None:
    """(brand name, what the name writes instead) when `name` carries one of the brand's names with look-alike
    characters swapped in (艾克美 for 艾克米) or Latin letters written in another script (АСМЕ for ACME), and does not
    carry the brand's name itself: a company named to pass for the brand's, whatever the rest of its name."""
    plain = canonical(name)
    latin = plain.translate(_CONFUSABLES)
    for brand in brand_names:
        b = canonical(brand or "")
        if len(b) < 2 or b in plain:
            continue
        if b in latin:
            i = latin.index(b)
            return brand, plain[i:i + len(b)]
        for i in range(len(plain) - len(b) + 1):
            w = plain[i:i + len(b)]
            if swapped_pairs(b, w, max(1, len(b) // 3)):
                return brand, w
    return None
