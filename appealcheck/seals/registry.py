"""Whose seal a business licence must bear: the registry (登记机关) of the region its credit code names.

Characters 3-8 of a unified social credit code (统一社会信用代码) are the administrative division code of the
authority that registered the company, and the licence carries that authority's seal: 上海市浦东新区市场监督管理局
for 310115. The division names come from python-stdnum's table of Chinese division codes (cn/loc), history
included, so a licence issued before a district was renamed or merged is still expected.
"""

from __future__ import annotations

import functools
import re

SUFFIXES = ("市场监督管理局", "工商行政管理局", "行政审批局")
"""Names the registries have carried: market regulation (since 2018), industry and commerce before it, and the
administrative-approval bureaus some cities moved registration to."""

_NOT_A_PLACE = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"}
_MUNICIPALITIES = ("11", "12", "31", "50")
"""Beijing, Tianjin, Shanghai, Chongqing: provinces that are one city; their districts sit right under them."""


def _names(code: str, key: str) -> list[str]:
    """Every name the division `code` has had ('[1983-1989]南头区办事处,[1990-]南山区' -> both)."""
    from stdnum import numdb

    out = []
    for _part, props in numdb.get("cn/loc").info(code):
        value = props.get(key)
        if value:
            out += [re.sub(r"^\[[^\]]*\]", "", v).strip() for v in value.split(",")]
    return [n for n in out if n and n not in _NOT_A_PLACE]


@functools.lru_cache(maxsize=512)
def _places(uscc: str | None, finest: bool = False) -> tuple[str, ...]:
    """The places a credit code's registry may be named after, most specific first (with `finest`, those of the
    code's own level only: 上海市浦东新区 for 310115, not 上海市); () when it names no region."""
    if not uscc or len(uscc) != 18 or not uscc[2:8].isdigit():
        return ()
    region = uscc[2:8]
    province = _names(region[:2] + "0000", "province")
    if not province:
        return ()
    prefecture = _names(region[:4] + "00", "county") if region[2:4] != "00" else []
    county = _names(region, "county") if region[4:] != "00" else []
    places: list[str] = []
    if region[:2] in _MUNICIPALITIES:
        places += [p + c for p in province for c in county]
        places += province if not (finest and county) else []
    else:
        places += [p + c for p in prefecture for c in county] + county
        if not (finest and county):
            places += prefecture + [p + q for p in province for q in prefecture]
            places += province if not (finest and prefecture) else []
    return tuple(dict.fromkeys(places))


def registry_names(uscc: str | None) -> tuple[str, ...]:
    """Names the registry of a credit code's region may carry on its seal; () when the code names no region."""
    return tuple(place + suffix for place in _places(uscc) for suffix in SUFFIXES)


WILD = "…"
"""In a ring text to expect (`seals.read.verify`): whatever the ring reads there."""


def registry_patterns(uscc: str | None) -> tuple[str, ...]:
    """The registry names of a credit code's region with a place of their own between its place and the bureau
    (深圳市…市场监督管理局): a town's or a district's registry under a city's code (东莞市长安镇, which no division
    table lists). The place and the bureau are held to the code; what lies between is read as it stands."""
    return tuple(place + WILD + suffix for place in _places(uscc, finest=True) for suffix in SUFFIXES)


@functools.lru_cache(maxsize=1)
def _all_places() -> frozenset[str]:
    """Every division name in python-stdnum's table (cn/loc.dat), former names included."""
    from pathlib import Path

    import stdnum

    text = (Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text(encoding="utf-8")
    names = set()
    for value in re.findall(r'(?:county|province)="([^"]*)"', text):
        names.update(re.sub(r"^\[[^\]]*\]", "", v).strip() for v in value.split(","))
    return frozenset(n for n in names if n and n not in _NOT_A_PLACE)


def is_registry_name(text: str) -> bool:
    """The text is some real registry's name: one to three division names, then a registry suffix. A licence from
    the neighbouring district (下城区 for 上城区) reads like a one-character change of the expected name, but it is
    a real registry, and companies that move keep their code."""
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return _places_in(text[: -len(suffix)], 3)
    return False


@functools.lru_cache(maxsize=4096)
def _places_in(rest: str, parts: int) -> bool:
    """`rest` is a run of at most `parts` division names."""
    if not rest:
        return True
    places = _all_places()
    return parts > 0 and any(rest[:k] in places and _places_in(rest[k:], parts - 1)
                             for k in range(2, min(len(rest), 12) + 1))


__all__ = ["SUFFIXES", "WILD", "is_registry_name", "registry_names", "registry_patterns"]
