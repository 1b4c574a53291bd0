"""Document kind from text and layout.

Each kind has weighted cue phrases; the page's aspect ratio adds a layout cue (till receipts are
long and narrow). The kind with the highest score wins if it clears a floor, else 'other'.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CUES: dict[str, list[tuple[str, float]]] = {
    "authorization_letter": [
        (r"授\s*权\s*书", 4), (r"授权委托书", 4), (r"被授权(方|人|单位)", 3), (r"授权(方|人|单位)", 2),
        (r"授权期限|授权有效期|有效期限", 2), (r"特此授权|特此证明", 2), (r"兹授权|现授权|授权.{0,10}销售", 2),
        (r"(?i)letter of authori[sz]ation|authori[sz]ation letter", 4), (r"(?i)hereby authori[sz]e", 3),
        (r"(?i)licensee|licensor", 2),
    ],
    "purchase_invoice": [
        (r"发\s*票", 3), (r"增值税", 3), (r"发票代码", 3), (r"发票号码", 3), (r"价税合计", 4),
        (r"购\s*买\s*方|购货单位", 2), (r"销\s*售\s*方|销货单位", 2), (r"开票日期", 3), (r"税\s*额", 1),
        (r"(?i)\binvoice\b", 3), (r"(?i)invoice (no|number|date)", 2), (r"(?i)\bbill to\b", 2), (r"(?i)\bVAT\b", 1),
        (r"校验码|机器编号", 2), (r"电子发票", 3),
    ],
    "receipt": [
        (r"(?i)\breceipt\b", 3), (r"(?i)\bsub\s*-?total\b", 2), (r"(?i)\btotal\b", 1), (r"(?i)\bcash\b", 1),
        (r"(?i)\bchange\b", 1), (r"(?i)kassenbon|\bbeleg", 2), (r"(?i)\bsumme\b", 2), (r"(?i)\bmwst\b|\bust\b", 1),
        (r"(?i)\bbar\b|\bec[- ]?karte\b", 1), (r"(?i)rückgeld|\bzu zahlen\b", 2),
        (r"(?i)\bticket\b", 2), (r"(?i)total ttc", 2), (r"(?i)\btva\b", 1), (r"(?i)esp[eè]ces|rendu", 1),
        (r"領収書|レシート", 3), (r"合計", 2), (r"小計", 1), (r"お釣り|お預り|釣銭", 2),
        (r"小票|购物凭证|销售单", 3), (r"收银|收款", 2), (r"找零|实收|应收", 2), (r"流水号|单号", 1),
        (r"(?i)\bcashier\b|\bstore\b|\bqty\b", 1),
        (r"(?i)thank you|merci|vielen dank|ありがとう|谢谢惠顾|欢迎光临", 1),
    ],
    "business_license": [
        (r"营\s*业\s*执\s*照", 5), (r"法定代表人", 2), (r"注册资本", 3), (r"成立日期", 2), (r"经营范围", 3),
        (r"营业期限", 2), (r"登记机关", 3), (r"类\s*型", 1), (r"住\s*所", 1),
    ],
}
_COMPILED = {k: [(re.compile(p), w) for p, w in v] for k, v in _CUES.items()}
MIN_SCORE = 3.0


@dataclass(frozen=True)
class Classification:
    """Kind chosen and the score of every kind, for explanations."""

    kind: str
    scores: dict[str, float]


def classify(text: str, width: int | None = None, height: int | None = None) -> Classification:
    """Choose a document kind from OCR text and the first page's shape."""
    norm = unicodedata.normalize("NFKC", text)
    scores = {k: sum(w for rx, w in cues if rx.search(norm)) for k, cues in _COMPILED.items()}
    if width and height and height / max(width, 1) > 1.9:
        scores["receipt"] += 3
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    return Classification(kind if best >= MIN_SCORE else "other", {k: float(v) for k, v in scores.items()})
