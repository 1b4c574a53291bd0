"""Realistic field values: company names, USCC codes, amounts in words, dates."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import uscc as _uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Administrative division codes of real cities, so the region part of a code looks plausible.
REGIONS = {
    "上海市": "310115",
    "深圳市": "440300",
    "广州市": "440106",
    "杭州市": "330106",
    "北京市": "110105",
    "苏州市": "320506",
    "宁波市": "330212",
    "成都市": "510107",
    "义乌市": "330782",
    "东莞市": "441900",
}
DISTRICTS = {
    # The first is the district REGIONS names: its registry stamps the licences of the city's companies.
    "上海市": ["浦东新区", "闵行区", "徐汇区"],
    "深圳市": ["南山区", "龙岗区", "宝安区"],
    "广州市": ["天河区", "白云区", "番禺区"],
    "杭州市": ["西湖区", "余杭区", "滨江区"],
    "北京市": ["朝阳区", "海淀区", "丰台区"],
    "苏州市": ["吴中区", "工业园区"],
    "宁波市": ["鄞州区", "北仑区"],
    "成都市": ["武侯区", "高新区"],
    "义乌市": ["稠城街道", "北苑街道"],
    "东莞市": ["长安镇", "虎门镇"],
}
PLANNED_CITIES = {"大连市": "2102", "宁波市": "3302", "厦门市": "3502", "青岛市": "3702", "深圳市": "4403"}
"""Cities with their own tax bureau (计划单列市): their invoice codes name the city, not the province."""


def invoice_region(city: str) -> str:
    """The four region digits of an invoice code: the province's (3100, 4400) or a planned city's own."""
    return PLANNED_CITIES.get(city) or REGIONS[city][:2] + "00"


_WORDS = [
    "启航",
    "锦程",
    "鸿运",
    "恒达",
    "卓越",
    "优品",
    "嘉禾",
    "瑞丰",
    "星辰",
    "汇通",
    "盛世",
    "博远",
    "德信",
    "华悦",
    "新纪元",
    "东方",
    "明辉",
    "荣昌",
    "安泰",
    "晨光",
    "宏图",
    "润泽",
    "天成",
    "佳美",
    "聚源",
    "海川",
]
_TRADES = ["贸易", "电子商务", "商贸", "科技", "供应链", "实业", "进出口", "数码科技"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
STREETS = [
    "科技园路",
    "建设大道",
    "人民路",
    "解放路",
    "中山路",
    "创业路",
    "长江路",
    "滨河路",
    "新华路",
    "金桥路",
]

# Look-alike replacements a forger uses when re-engraving a seal or retyping a name.
SIMILAR = {
    "米": "美",
    "克": "可",
    "艾": "爱",
    "有": "友",
    "限": "线",
    "公": "工",
    "司": "思",
    "贸": "茂",
    "易": "义",
    "技": "枝",
    "科": "料",
    "中": "忠",
    "国": "圆",
    "华": "化",
    "海": "梅",
    "上": "尚",
    "州": "洲",
    "市": "币",
    "电": "甸",
    "子": "字",
    "商": "啇",
    "务": "努",
    "品": "晶",
    "业": "亚",
    "发": "友",
    "展": "屐",
    "通": "适",
    "达": "这",
    "源": "原",
    "星": "是",
    "东": "冻",
    "方": "万",
    "天": "夭",
    "成": "戍",
    "新": "亲",
    "锦": "绵",
    "程": "呈",
    "恒": "桓",
    "鸿": "洪",
    "运": "云",
    "卓": "桌",
    "越": "超",
    "瑞": "端",
    "丰": "非",
    "佳": "隹",
}


def uscc(rng: random.Random, region: str = "440300", valid: bool = True) -> str:
    """A unified social credit code (GB 32100) with a correct check digit (or a wrong one)."""
    body = "91" + region
    # The organisation code part uses digits and capitals, like codes issued since 2015.
    org = "".join(rng.choice("0123456789") for _ in range(2)) + "".join(
        rng.choice("ABCDEFGHJKLMNPQRTUWXY0123456789") for _ in range(7)
    )
    code = body + org
    check = _uscc.calc_check_digit(code + "0")
    if not valid:
        check = rng.choice([c for c in _USCC_ALPHABET if c != check])
    return code + check


def bad_check(code: str, rng: random.Random) -> str:
    """The same code with a wrong check digit (a typical forger's manual edit)."""
    good = _uscc.calc_check_digit(code)
    return code[:-1] + rng.choice([c for c in _USCC_ALPHABET if c not in (good, code[-1])])


def company(rng: random.Random, city: str | None = None, trade: str | None = None) -> tuple[str, str]:
    """A company legal name and its city."""
    city = city or rng.choice(sorted(REGIONS))
    word = rng.choice(_WORDS) + rng.choice(_WORDS)
    if word[:2] == word[2:]:
        word = word[:2] + "永兴"
    return f"{city.removesuffix('市')}{word}{trade or rng.choice(_TRADES)}有限公司", city


def person(rng: random.Random) -> str:
    """A Chinese personal name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def address(rng: random.Random, city: str) -> str:
    """A street address in ``city``."""
    dist = rng.choice(DISTRICTS.get(city, ["中心区"]))
    room = f"{rng.randint(1, 30)}层{rng.randint(1, 20):02d}室"
    return f"{city}{dist}{rng.choice(STREETS)}{rng.randint(1, 999)}号{room}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_BIG = ["", "万", "亿"]


def amount_in_words(amount_fen: int) -> str:
    """RMB amount in 大写 as printed on invoices, e.g. 壹仟贰佰叁拾肆圆伍角陆分 / 壹佰圆整."""
    yuan, fen = divmod(amount_fen, 100)
    jiao, fen = divmod(fen, 10)
    out = ""
    if yuan == 0:
        out = "零圆" if (jiao or fen) else "零圆整"
    else:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        parts: list[str] = []
        zero_pending = False
        for gi in range(len(groups) - 1, -1, -1):
            g = groups[gi]
            if g == 0:
                zero_pending = bool(parts)
                continue
            s = ""
            digits = [(g // 10**k) % 10 for k in range(3, -1, -1)]
            started = False
            for k, d in enumerate(digits):
                if d == 0:
                    if started:
                        zero_pending = True
                    continue
                if zero_pending and (started or parts):
                    s += "零"
                zero_pending = False
                s += _DIGITS[d] + _UNITS[3 - k]
                started = True
            zero_pending = digits[-1] == 0 and started
            parts.append(s + _BIG[gi])
        out = "".join(parts) + "圆"
    if jiao == 0 and fen == 0:
        return out if out.endswith("整") else out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


def money(amount_fen: int) -> str:
    """``1234.56`` style amount."""
    return f"{amount_fen // 100}.{amount_fen % 100:02d}"


def cn_date(d: dt.date) -> str:
    """2025年06月03日."""
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniform date in [start, end]."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
