"""Kind-specific fields (DESIGN.md section 4: doc.fields.*), each with the box it was read from.

A field that is not found is absent, never guessed: later checks treat absence as 'unknown'.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from appealcheck.extract import parse
from appealcheck.extract.layout import Located, PageLines, distance, nfkc
from appealcheck.models import FieldValue, PageText

_COMPANY_TAIL = re.compile(r"(有限公司|有限责任公司|股份有限公司|集团|商行|经营部|店|厂|中心|公司|"
                           r"(?i:co\.?,? ?ltd\.?|inc\.?|llc|gmbh|limited|corporation|corp\.?))")
_PARTY_END = re.compile(r"[（(]?(盖章|签章|公章|签字|章)[)）]?\s*$")


def _field(name: str, value, loc: Located, raw: str | None = None) -> FieldValue:
    return FieldValue(name=name, value=value, raw=raw if raw is not None else loc.text, page=loc.page,
                      box=loc.box, confidence=round(loc.line.confidence, 3))


def _num(d: Decimal) -> float:
    return float(round(d, 2))


def _clean_name(text: str) -> str:
    text = _PARTY_END.sub("", text).strip(" :：")
    m = _COMPANY_TAIL.search(text)
    # Cut anything printed after the legal form (a stray date or code on the same line).
    if m and m.end() < len(text) and not text[m.end():].strip().startswith(("(", "（")):
        rest = text[m.end():]
        if re.match(r"\s*[\d:：]", rest) or re.search(r"(统一社会|信用代码|纳税人|识别号|日期)", rest):
            text = text[: m.end()]
    return text.strip()


class Extractor:
    """Reads fields from the OCR lines of one document."""

    def __init__(self, pages: list[PageText] | tuple[PageText, ...]):
        self.lines = PageLines(pages)
        self.fields: dict[str, FieldValue] = {}

    def put(self, f: FieldValue | None) -> None:
        """Keep the first value found for a name."""
        if f is not None and f.name not in self.fields and f.value not in (None, ""):
            self.fields[f.name] = f

    def labelled_text(self, name: str, label: str, clean=_clean_name) -> Located | None:
        """A text field after a label, e.g. 被授权方：深圳市…"""
        for lab in self.lines.find(re.compile(label)):
            val = self.lines.value_after(lab)
            if val is None:
                continue
            value = clean(val.text)
            if value and len(value) >= 2:
                self.put(_field(name, value, val))
                return val
        return None

    def labelled_date(self, name: str, label: str) -> None:
        """A date printed after a label on the same line or just right of it."""
        for lab in self.lines.find(re.compile(label)):
            # Photographed boxes overlap: '开票日期：2' may hold the first digit of a date whose line starts under
            # the label's end; the cell right of the label is tried too.
            for loc in (Located(lab.page, lab.line, lab.end, len(lab.line.text)), self.lines.value_after(lab),
                        self.lines.right_of(lab)):
                if loc is None:
                    continue
                for d in parse.find_dates(loc.line.text[loc.start:loc.end]):
                    span = Located(loc.page, loc.line, loc.start + d.start, loc.start + d.end)
                    if d.value is not None:
                        f = _field(name, d.value.isoformat(), span, d.raw)
                        # '2024年10月2' at a line's end may be a cut-off '2024年10月20日': trust it less.
                        if "年" in d.raw and "日" not in d.raw and f.confidence is not None:
                            f = FieldValue(f.name, f.value, f.raw, f.page, f.box, round(f.confidence * 0.5, 3))
                        self.put(f)
                    else:
                        self.put(FieldValue(name=name, value=None, raw=d.raw, page=span.page, box=span.box))
                        self.fields.setdefault(name + "_problem", FieldValue(
                            name=name + "_problem", value=d.problem, raw=d.raw, page=span.page, box=span.box))
                    return

    def labelled_amount(self, name: str, label: str, exclude: str | None = None, last: bool = False,
                        reach: float = 12) -> None:
        """An amount after a label ('合计 ¥1,234.00', 'TOTAL 12.34', 'SUMME EUR 12,34'), on the label's line or the
        nearest line to its right on the row, at most `reach` line heights away."""
        labs = self.lines.find(re.compile(label))
        if exclude:
            ex = re.compile(exclude)
            labs = [lab for lab in labs if not ex.search(lab.line.text)]
        if last:
            labs = labs[::-1]
        for lab in labs:
            for loc in (Located(lab.page, lab.line, lab.end, len(lab.line.text)), self.lines.right_of(lab, reach)):
                if loc is None:
                    continue
                amounts = parse.find_amounts(loc.line.text[loc.start:loc.end])
                if amounts:
                    a = amounts[-1]
                    span = Located(loc.page, loc.line, loc.start + a.start, loc.start + a.end)
                    self.put(_field(name, _num(a.value), span, a.raw))
                    if a.currency:
                        self.put(_field("currency", a.currency, span, a.raw))
                    return

    def uscc_near(self, name: str, anchor: Located | None, stop: re.Pattern[str] | None = None) -> None:
        """The USCC printed on the anchor's line or just below it, up to a line matching `stop`."""
        if anchor is None:
            return
        near = sorted(self.lines.lines_near(anchor), key=lambda loc: loc.line.center[1])
        for i, loc in enumerate(near):
            if i > 0 and stop is not None and stop.search(loc.line.text):
                return
            for u in parse.find_usccs(loc.line.text):
                span = Located(loc.page, loc.line, u.start, u.end)
                self.put(_field(name, u.code, span, u.raw))
                return

    def all_usccs(self) -> None:
        """Every USCC on the document, valid or not (doc.fields.usccs)."""
        found = []
        for page, ln in self.lines.items:
            for u in parse.find_usccs(ln.text):
                loc = Located(page, ln, u.start, u.end)
                found.append({"code": u.code, "valid": u.valid, "kind": u.kind, "page": page, "box": list(loc.box),
                              "confidence": round(float(ln.confidence), 3)})
        if found:
            first = found[0]
            self.fields["usccs"] = FieldValue("usccs", found, ", ".join(f["code"] for f in found),
                                              page=first["page"], box=tuple(first["box"]))

    def period(self, prefer: str = r"期限|有效期|期间|(?i:valid|period|term)") -> None:
        """valid_from / valid_to from the period on the page, preferring a labelled line."""
        pref = re.compile(prefer)
        best = None
        for page, ln in self.lines.items:
            for p in parse.find_periods(ln.text):
                score = 1 if pref.search(ln.text) else 0
                if best is None or score > best[0]:
                    best = (score, page, ln, p)
        if best is None:
            return
        _, page, ln, p = best
        for name, d in (("valid_from", p.start_date), ("valid_to", p.end_date)):
            loc = Located(page, ln, d.start, d.end)
            if d.value is not None:
                self.put(_field(name, d.value.isoformat(), loc, d.raw))
            else:
                self.put(FieldValue(name=name, value=None, raw=d.raw, page=page, box=loc.box))
                self.fields.setdefault(name + "_problem", FieldValue(name + "_problem", d.problem, d.raw, page,
                                                                      loc.box))

    def last_date_outside_period(self, name: str) -> None:
        """The last date on the document that is not part of the validity period (a letter's date)."""
        period_boxes = {self.fields[k].box for k in ("valid_from", "valid_to") if k in self.fields}
        cands = []
        for page, ln in self.lines.items:
            for d in parse.find_dates(ln.text):
                loc = Located(page, ln, d.start, d.end)
                if loc.box in period_boxes or d.value is None:
                    continue
                cands.append((loc, d))
        if cands:
            loc, d = cands[-1]
            self.put(_field(name, d.value.isoformat(), loc, d.raw))


_TRADEMARK = re.compile(
    r"(?:商标注册(?:证)?号|注册商标(?:号|\s*[:：]|(?=\s*第))|商标号|(?i:trade\s*mark\s*(?:reg(?:istration)?\.?\s*)?(?:no\.?|number|#)))"
    r"[^0-9\n]{0,6}?第?\s*([0-9]{5,10})(?![0-9])"
    r"|第\s*([0-9]{5,10})\s*号\s*(?:[「“\"《][^」”\"》]{1,20}[」”\"》])?\s*(?:注册)?商标")
"""A trademark registration number: '商标注册号：第12345678号', '第12345678号「兰图」注册商标',
'Trademark Reg. No. 1234567'."""


_PARENT_SERIAL = re.compile(r"[（(]\s*(?:上级)?授权(?:书)?编号\s*[:：]\s*([A-Za-z0-9][A-Za-z0-9-]*)")
_PARENT_LABEL = re.compile(r"[（(]\s*(?:上级)?授权(?:书)?编号")
_PARENT_SERIAL_CLOSED = re.compile(r"[（(]\s*(?:上级)?授权(?:书)?编号\s*[:：]\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*[)）]")


def _ascii_dashes(text: str) -> str:
    """Full-width forms as ASCII and every dash as '-', one character for one, so offsets still hold."""
    text = "".join(n if len(n := nfkc(c)) == 1 else c for c in text)
    return re.sub("[－—–‐‑−]", "-", text)


def trademark_numbers(x: Extractor) -> None:
    """Every trademark registration number the document cites (doc.fields.trademark_numbers)."""
    found = []
    for page, ln in x.lines.items:
        text = _ascii_dashes(ln.text)  # full-width digits as ASCII, offsets unchanged
        for m in _TRADEMARK.finditer(text):
            g = 1 if m.group(1) else 2
            loc = Located(page, ln, m.start(g), m.end(g))
            found.append({"number": m.group(g), "page": page, "box": list(loc.box),
                          "confidence": round(ln.confidence, 3)})
    if found:
        first = found[0]
        x.fields["trademark_numbers"] = FieldValue("trademark_numbers", found, ", ".join(f["number"] for f in found),
                                                   page=first["page"], box=tuple(first["box"]))


# -- per kind -----------------------------------------------------------------------------------

_LICENSOR = r"(?<!被)(授权方|授权人|授权单位|授权公司|授权主体|甲方)|(?i:licensor|grantor|authori[sz]ing party)"
_LICENSEE = r"被授权(方|人|单位|公司|主体)|乙方|(?i:licensee|authori[sz]ed party|grantee)"


def _letter(x: Extractor) -> None:
    lic = x.labelled_text("licensor", _LICENSOR)
    lee = x.labelled_text("licensee", _LICENSEE)
    if lee is None:
        # No label: '兹授权深圳市启航贸易有限公司在…'
        for loc in x.lines.find(re.compile(r"(兹|现|特)授权")):
            rest = loc.line.text[loc.end:]
            m = _COMPANY_TAIL.search(rest)
            if m:
                lee = Located(loc.page, loc.line, loc.end, loc.end + m.end())
                x.put(_field("licensee", _clean_name(lee.text), lee))
                break
    parties = re.compile(f"{_LICENSOR}|{_LICENSEE}")
    x.uscc_near("licensor_uscc", lic, stop=parties)
    x.uscc_near("licensee_uscc", lee, stop=parties)
    x.period()
    x.labelled_date("issued_on", r"(签发|授权|落款|出具)?日期|(?i:date)(?!\s*of birth)")
    x.last_date_outside_period("issued_on")
    x.labelled_text("serial", r"(授权)?(编号|证书编号|书编号)|(?i:\bNo\.|serial)", clean=lambda s: s.split()[0])
    x.labelled_text("platform", r"(授权)?(平台|店铺名称|店铺)", clean=lambda s: s.strip())
    trademark_numbers(x)
    # A distributor's letter cites the serial of the brand's letter to it: '（授权编号：LA-SQ-2024-00001）',
    # often wrapped onto the next line, anywhere: '…（授权编号：L' | 'A-SQ-2023-62367)。' or '…(授权编号' |
    # ': LA-SQ-2024-09084)。'. Joined with the next line, a serial counts only when its bracket closes.
    items = x.lines.items
    for i, (page, ln) in enumerate(items):
        text = _ascii_dashes(ln.text)
        if not _PARENT_LABEL.search(text):
            continue
        m = _PARENT_SERIAL_CLOSED.search(text)
        if m is not None:
            x.put(_field("parent_serial", m.group(1), Located(page, ln, m.start(1), m.end(1))))
            break
        # The wrapped rest is the next line, or the one after when a photo's tilt sorted the next clause's long
        # line first (A-103-000080: '…(授权编号：X' | '2.现授权…' | 'I-SQ-2023-89103)。').
        found = None
        after = [it for it in items[i + 1:i + 3] if it[0] == page]
        if len(after) == 2 and not re.match(r"\s*\d+\s*[.、．]", after[0][1].text):
            after = after[:1]  # the line after next only past the next clause's own line
        # A photo tilted the other way sorts the wrapped rest just before the label's line (A-107-000137:
        # 'O-SQ-2024-67013)。' | '1.…（授权编号：B'); taken only when the serial runs across the join.
        before = [items[i - 1]] if i > 0 and items[i - 1][0] == page and \
            abs(items[i - 1][1].center[1] - ln.center[1]) < 2 * max(ln.height, 1) else []
        for k, (_, nxt) in enumerate(after + before):
            joined = text + _ascii_dashes(nxt.text)
            m = _PARENT_SERIAL_CLOSED.search(joined)
            if m is not None and k >= len(after) and not m.start(1) < len(text) < m.end(1):
                m = None
            if m is not None:
                found = m
                if m.start(1) < len(text):
                    x.put(_field("parent_serial", m.group(1),
                                 Located(page, ln, m.start(1), min(m.end(1), len(text)))))
                else:
                    x.put(_field("parent_serial", m.group(1),
                                 Located(page, nxt, m.start(1) - len(text), m.end(1) - len(text))))
                break
        if found is not None:
            break
        m = _PARENT_SERIAL.search(text)
        # Cut at the line's end with no closing bracket after: the serial is unread, not the fragment ('X' and the
        # next clause's '2.' made 'X2').
        if m is not None and text[m.end(1):].strip():
            x.put(_field("parent_serial", m.group(1), Located(page, ln, m.start(1), m.end(1))))
        break


_BUYER = re.compile(r"购\s*买\s*方|购\s*方|购货单位|买\s*方|^购$|^买$")
_SELLER = re.compile(r"销\s*售\s*方|销\s*方|销货单位|卖\s*方|^销$|^售$")


def _party_of(x: Extractor, loc: Located, buyers: list[Located], sellers: list[Located]) -> str | None:
    text = loc.line.text
    if _BUYER.search(text[: loc.start + 1]):
        return "buyer"
    if _SELLER.search(text[: loc.start + 1]):
        return "seller"
    # '销售方(章)' by the stamp at the bottom names no block of names (OCR often splits off its '(章)').
    bottom = 0.88 * max((ln.box[3] for p, ln in x.lines.items if p == loc.page), default=0)
    buyers = [b for b in buyers if "章" not in b.line.text and b.line.box[1] < bottom]
    sellers = [s for s in sellers if "章" not in s.line.text and s.line.box[1] < bottom]
    db = min((distance(loc.line, b.line) for b in buyers), default=None)
    ds = min((distance(loc.line, s.line) for s in sellers), default=None)
    if db is None and ds is None:
        # A fax can lose both side labels: the buyer's block is printed above the totals row, the seller's below.
        rows = [t.line for t in x.lines.find(_TOTALS_ROW) if t.page == loc.page]
        if rows:
            return "buyer" if loc.line.center[1] < min(r.center[1] for r in rows) else "seller"
        return None
    # Photos lose one of the two vertical side labels (购买方 above, 销售方 below): judged by the one left, a name
    # well below the buyer's label is the seller's, one well above the seller's label is the buyer's.
    cy = loc.line.center[1]
    if ds is None:
        b = min(buyers, key=lambda b: distance(loc.line, b.line)).line
        return "seller" if _vertical(b) and cy > b.box[3] + 0.5 * b.width else "buyer"
    if db is None:
        s = min(sellers, key=lambda s: distance(loc.line, s.line)).line
        return "buyer" if _vertical(s) and cy < s.box[1] - 0.5 * s.width else "seller"
    return "buyer" if db <= ds else "seller"


def _vertical(line) -> bool:
    """A label printed top to bottom (the side labels of a VAT invoice's party blocks)."""
    return line.height > 1.5 * line.width


_NOT_A_NAME = re.compile(r"(纳税人|识别号|统一社会|地\s*址|开户行|电\s*话"
                         r"|规格|型号|单\s*[位价]|数\s*量|金\s*额|税\s*[率额])")
"""Labels of an invoice's next row or its items table: read where a party's name should be, the name was lost."""


_TITLE = re.compile(r"电子发票\s*[（(]\s*(?:增值[税稅])?(?P<digital>专用|普通)发票\s*[)）]"
                    r"|增值[税稅](?P<electronic>电子)?(?P<kind>专用|普通)发票")
"""The printed type: '增值税专用发票', '上海增值税电子普通发票', or a fully digital '电子发票（增值税专用发票）'."""


def invoice_title(text: str) -> str | None:
    """The invoice's type as printed, in one spelling: 增值税专用发票, 增值税普通发票, 增值税电子专用发票,
    增值税电子普通发票, 电子发票（增值税专用发票） or 电子发票（普通发票）; None when no title was read."""
    m = _TITLE.search(text)
    if m is None:
        return None
    if m["digital"]:
        return "电子发票（增值税专用发票）" if m["digital"] == "专用" else "电子发票（普通发票）"
    return f"增值税{m['electronic'] or ''}{m['kind']}发票"


def _invoice(x: Extractor) -> None:
    # Label and number are often separate OCR lines ('发票代码：' | '4401253539'): read by layout first.
    for name, label, lengths in (("invoice_code", r"发\s*票\s*代\s*码", (10, 12)),
                                 ("invoice_no", r"发\s*票\s*号\s*码|(?i:invoice\s*no\.?)", (8, 20))):
        for lab in x.lines.find(re.compile(label)):
            val = x.lines.value_after(lab)
            if val is None:
                continue
            m = re.search(r"\d[\d ]{6,24}\d", val.text)
            digits = re.sub(r"\s", "", m.group(0)) if m else ""
            if len(digits) in lengths:
                x.put(_field(name, digits, Located(val.page, val.line, val.start + m.start(), val.start + m.end())))
                break
            # One unbroken run of another length, read confidently, is what was printed: keep it, so the
            # number-format check can judge it (9 or 19 digits is no invoice type).
            if name == "invoice_no" and m and " " not in m.group(0) and 6 <= len(digits) <= 22 \
                    and val.line.confidence >= 0.95:
                x.put(_field(name, digits, Located(val.page, val.line, val.start + m.start(), val.start + m.end())))
                break
    whole = "\n".join(ln.text for _, ln in x.lines.items)
    nums = parse.find_invoice_numbers(whole)
    for name, val in (("invoice_code", nums.code), ("invoice_no", nums.number)):
        if val and name not in x.fields:
            locs = x.lines.find(re.compile(re.escape(val)))
            if locs:
                x.put(_field(name, val, locs[0]))
    for page, ln in x.lines.items:
        title = invoice_title(ln.text)
        if title:
            x.put(FieldValue("invoice_type", title, ln.text, page, tuple(ln.box), float(ln.confidence)))
            break
    x.labelled_date("issued_on", r"开票日期|(?i:invoice date|date of issue|date)")
    buyers = x.lines.find(_BUYER)
    sellers = x.lines.find(_SELLER)
    seen_order = {"buyer": 0, "seller": 0}
    # Not the items table header (货物或应税劳务、服务名称 / 项目名称).
    # '名  称：' with wide spacing is often read as two lines, '名' and '称：…'.
    for lab in x.lines.find(re.compile(r"(?<![务目物品])名\s*称|^\s*称\s*(?=[:：])|(?i:\bname\b)")):
        # The items table's header, however misread ('货物或应税劳务、服务名称' read as '信物或户模劳务、服名名称',
        # A-101-000221).
        if re.search(r"劳务|服务|货物|应税|项目", lab.line.text[:lab.start]):
            continue
        val = x.lines.value_after(lab)
        if val is None:
            continue
        name = _clean_name(val.text)
        # A value that is itself a label (the next row's '纳税人识别号：…', or the items table's '规格型号' on a
        # fax that lost the name, A-105-000219) means the name was not read.
        if _NOT_A_NAME.match(name) or len(name) < 4:
            continue
        party = _party_of(x, lab, buyers, sellers)
        if party is None:
            party = "buyer" if seen_order["buyer"] == 0 else "seller"
        seen_order[party] += 1
        x.put(_field(f"{party}_name", name, val))
    for lab in x.lines.find(re.compile(r"纳税人识别号|统一社会信用代码|识别号|(?i:tax\s*id|VAT\s*(no|number))")):
        val = x.lines.value_after(lab)
        if val is None:
            continue
        found = parse.find_usccs(val.line.text[val.start:val.end])
        if not found:
            # One character too many or too few (a photo read '4' as 'K4', A-097-000048): no code to check, but
            # still the number a seal's can be compared with, at a distance that allows for the slip.
            m = re.fullmatch(r"\s*([0-9A-Z]{17}|[0-9A-Z]{19})\s*", val.line.text[val.start:val.end])
            party = _party_of(x, lab, buyers, sellers)
            if m and party == "seller":
                span = Located(val.page, val.line, val.start + m.start(1), val.start + m.end(1))
                x.put(_field("seller_taxpayer_read", m.group(1), span))
            continue
        u = found[0]
        span = Located(val.page, val.line, val.start + u.start, val.start + u.end)
        party = _party_of(x, lab, buyers, sellers) or ("buyer" if "buyer_uscc" not in x.fields else "seller")
        x.put(_field(f"{party}_uscc", u.code, span, u.raw))
    x.labelled_amount("total", r"[(（]?\s*小\s*写\s*[)）]?|(?i:total amount|grand total|amount due)")
    x.labelled_amount("total", r"价税合计")
    if "total" not in x.fields:
        _dotted_total(x)
    _invoice_sums(x)
    _invoice_items(x)
    # The 合计 row prints the amount before tax, then the tax, often in separate cells.
    for lab in x.lines.find(re.compile(r"^\s*合\s*计")):
        if "价税" in lab.line.text:
            continue
        cells = [Located(lab.page, lab.line, lab.end, len(lab.line.text)), *x.lines.row(lab)]
        # Only figures with a currency sign: a bare '3.60' is as likely a fragment of a misread '¥37168.60'.
        found = [(c, a) for c in cells for a in _yen_figures(c.line.text[c.start:c.end])]
        # A figure the columns already gave to the amount or the tax is not the other one too.
        taken = {(f.page, f.box) for k, f in x.fields.items() if k in ("amount", "tax")}
        found = [(c, a) for c, a in found
                 if (c.page, Located(c.page, c.line, c.start + a.start, c.start + a.end).box) not in taken]
        if not found:
            continue
        picks = [("amount", found[0])] + ([("tax", found[-1])] if len(found) > 1 else [])
        for name, (c, a) in picks:
            x.put(_field(name, _num(a.value), Located(c.page, c.line, c.start + a.start, c.start + a.end), a.raw))
        break
    x.labelled_amount("amount", r"(?i:^\s*subtotal)")
    x.labelled_amount("tax", r"(?<!含)税\s*额|(?i:\bVAT\b|\btax\b)", exclude=r"税率|识别号|价税")
    for loc in x.lines.find(_CAPITALS):
        # A character misread inside the words (杏 for 壹) splits them: neither part is the amount, so the words
        # stay unread.
        if loc.line.text[loc.end + 1:loc.end + 2] in _CAPITAL_CHARS and loc.end + 1 < len(loc.line.text):
            break
        v = parse.parse_capital_amount(loc.line.text[loc.start:loc.end])
        if v is not None:
            x.put(_field("total_in_words", _num(v), loc))
            break
    x.labelled_text("check_code", r"校\s*验\s*码", clean=lambda s: re.sub(r"\s", "", s))
    _invoice_unlabelled(x)


_DOTTED = re.compile(r"[¥￥]\s*([0-9][0-9.]*\.[0-9]{2})(?![0-9])")
"""A figure with stray dots among its digits: '¥10.7998.62'."""


def _dotted_total(x: Extractor) -> None:
    """The (小写) total read with stray dots among its digits ('¥10.7998.62' for ¥107998.62): a Chinese invoice
    never groups its figures with dots, so every dot but the last is the OCR's. Seen only on copy-moved totals,
    where the seams between the moved digits read as dots (2 of 380 appeals of seeds 7 and 431, no genuine one)."""
    for lab in x.lines.find(re.compile(r"[(（]\s*小\s*写\s*[)）]")):
        m = _DOTTED.search(lab.line.text, lab.end)
        if m and m.group(1).count(".") >= 2:
            whole, frac = m.group(1).rsplit(".", 1)
            span = Located(lab.page, lab.line, m.start(), m.end())
            x.put(_field("total", float(f"{whole.replace('.', '')}.{frac}"), span, m.group(0)))
            x.put(_field("currency", "CNY", span, m.group(0)))
            return


def _invoice_unlabelled(x: Extractor) -> None:
    """Faxes and faint photos lose the small printed labels (发票号码, 开票日期, 合计) and keep the figures.

    Without labels: three ¥ figures where one is the sum of the other two are amount, tax and total (a page
    that does not add up stays unread here, so the sum check never judges a guess); the first date written
    with 年月日 in the top third is the issue date; an 8- or 20-digit run alone on its line in the top third,
    right half, is the number.
    """
    if not {"amount", "tax", "total"} <= x.fields.keys():
        yen = [(Located(p, ln, m.start, m.end), m) for p, ln in x.lines.items for m in _yen_figures(ln.text)][:40]
        done = False
        for i, (lt, t) in enumerate(yen):
            for j, (la, a) in enumerate(yen):
                for k, (lx, tx) in enumerate(yen):
                    if len({i, j, k}) == 3 and a.value > tx.value > 0 and a.value + tx.value == t.value:
                        for name, loc, m in (("amount", la, a), ("tax", lx, tx), ("total", lt, t)):
                            x.put(_field(name, _num(m.value), loc, m.raw))
                        done = True
                        break
                if done:
                    break
            if done:
                break
    if not x.lines.items:
        return
    # Thirds of the printed area, not of the image: a photo puts the desk above the invoice.
    first = min(ln.box[1] for _, ln in x.lines.items)
    height = max(ln.box[3] for _, ln in x.lines.items)
    width = max(ln.box[2] for _, ln in x.lines.items)
    top = [(p, ln) for p, ln in x.lines.items if p == 0 and ln.center[1] < first + (height - first) / 3]
    if "issued_on" not in x.fields:
        for p, ln in top:
            ds = [d for d in parse.find_dates(ln.text) if d.value is not None and "年" in d.raw]
            if ds:
                x.put(_field("issued_on", ds[0].value.isoformat(), Located(p, ln, ds[0].start, ds[0].end), ds[0].raw))
                break
    if "invoice_no" not in x.fields:
        for p, ln in top:
            m = re.fullmatch(r"\s*(?:No\.?\s*)?(\d{8}|\d{20})\s*", ln.text)
            if m and ln.center[0] > width / 2:
                x.put(_field("invoice_no", m.group(1), Located(p, ln, m.start(1), m.end(1))))
                break


_TOTALS_ROW = re.compile(r"价\s*税|大\s*写|小\s*写")
_CAPITAL_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正"
_CAPITALS = re.compile(f"[{_CAPITAL_CHARS}]{{2,}}")
_YEN_LOOKALIKE = re.compile(r"(?<![A-Za-z0-9])[VYv](?=\d[\d,]*\.\d\d(?!\d))")


def _yen_figures(text: str) -> list[parse.AmountMatch]:
    """The ¥ figures of an invoice line. Photos read the ¥ sign as V or Y, and a figure that loses its sign is
    dropped as a possible fragment: the look-alike is taken as ¥ when a figure with two decimals follows."""
    fixed = _YEN_LOOKALIKE.sub("¥", text)
    return [m for m in parse.find_amounts(fixed) if m.currency == "CNY" and m.raw.lstrip()[:1] in "¥￥"]


def _invoice_sums(x: Extractor) -> None:
    """Amount and tax of the 合计 row: the ¥ figures just above 价税合计, under the 金额 and 税额 columns.

    Found by position rather than by the 合计 label, which faxes and photos often lose or tilt away. A fax that
    loses the 价税合计 label too keeps the amount in capitals beside it: that line is the anchor then, and the ¥
    figure at the end of its row is the total.
    """
    anchors = x.lines.find(re.compile(r"价\s*税\s*合\s*计"))
    if not anchors:
        anchors = [loc for loc in x.lines.find(_CAPITALS)
                   if loc.end - loc.start >= 4 and parse.parse_capital_amount(loc.line.text[loc.start:loc.end])]
        if not anchors:
            return
        if "total" not in x.fields:
            a = anchors[0]
            # The figure may share the words' OCR line ('…圆捌角 ¥239400.80') or stand in a cell to its right.
            cells = [Located(a.page, a.line, a.end, len(a.line.text)), *x.lines.row(a)]
            row = [(c, m) for c in cells for m in _yen_figures(c.line.text[c.start:c.end])]
            if row:
                c, m = row[-1]
                x.put(_field("total", _num(m.value), Located(c.page, c.line, c.start + m.start, c.start + m.end),
                             m.raw))
    a = anchors[0]
    h = max(a.line.height, 1)
    total_box = x.fields["total"].box if "total" in x.fields else None
    # A photo taken at an angle tilts every row: heights are compared as if the page were level (A-105-000210:
    # the tax figure sat 20 px below the 价税合计 line's top, 900 px to its right, on a page sloping 1 in 40).
    slope = max(-0.2, min(0.2, x.lines.slope(a.page)))
    cands = []
    for page, ln in x.lines.items:
        if page != a.page or "小写" in ln.text or "价税" in ln.text or (total_box and ln.box == total_box):
            continue
        if total_box and _overlap(ln.box, total_box):
            continue
        level = ln.center[1] - slope * (ln.center[0] - a.line.center[0])
        if not a.line.box[1] - 3.5 * h <= level <= a.line.box[1] + 0.2 * h:
            continue
        for m in _yen_figures(ln.text):
            cands.append((Located(page, ln, m.start, m.end), m))
    if not cands:
        return
    cols = {}
    for name, label in (("amount", r"^\s*金\s*额\s*$"), ("tax", r"^\s*税\s*额\s*$")):
        heads = [loc for loc in x.lines.find(re.compile(label)) if loc.line.center[1] < a.line.center[1]]
        if heads:
            cols[name] = heads[-1].line.center[0]
    if len(cols) == 2:
        for name, cx in cols.items():
            loc, m = min(cands, key=lambda c: abs(c[0].line.center[0] - cx))
            other = cols["tax" if name == "amount" else "amount"]
            if abs(loc.line.center[0] - cx) <= abs(loc.line.center[0] - other):
                x.put(_field(name, _num(m.value), loc, m.raw))
    elif len(cands) >= 2:
        cands.sort(key=lambda c: c[0].line.box[0])
        for name, (loc, m) in (("amount", cands[0]), ("tax", cands[-1])):
            x.put(_field(name, _num(m.value), loc, m.raw))


_ITEM_HEADS = {"name": r"名\s*称$", "spec": r"^\s*规\s*格", "unit": r"^\s*单\s*位\s*$", "qty": r"^\s*数\s*量\s*$",
               "price": r"^\s*单\s*价\s*$", "amount": r"^\s*金\s*额\s*$", "rate": r"^\s*税\s*率\s*$",
               "tax": r"^\s*税\s*额\s*$"}
"""The headers of a VAT invoice's items table, one OCR line each."""
_LINE_FIGURE = re.compile(r"\s*(-?\d{1,12}\.\d{2})\s*")
_LINE_RATE = re.compile(r"\s*(\d{1,2}(?:\.\d)?)\s*[%％]\s*")
_LINE_EXEMPT = re.compile(r"\s*(免税|不征税|\*{2,})\s*")
"""A line's rate or tax where none applies: 免税 (exempt), 不征税 (not taxed), or stars."""


def _invoice_items(x: Extractor) -> None:
    """The lines of a VAT invoice's items table: each line's amount, rate and tax, read from the 金额, 税率 and 税额
    columns between the header and the 合计 row.

    Read only where the table is read whole: every line in those columns is one figure, a rate or an exemption,
    and every amount has its rate and tax on its row. Anything else (a merged cell, a lost or extra figure) leaves
    the lines unread, so the sums are never judged from a guess.
    """
    amt = x.fields.get("amount")
    if amt is None or amt.box is None:
        return
    page, bottom = amt.page, amt.box[1]
    heads = {}
    for name, pattern in _ITEM_HEADS.items():
        found = [loc for loc in x.lines.find(re.compile(pattern)) if loc.page == page and loc.line.box[3] < bottom]
        if found:
            heads[name] = max(found, key=lambda loc: loc.line.box[1]).line
    if not {"amount", "rate", "tax"} <= heads.keys():
        return
    top = max(heads[k].box[3] for k in ("amount", "rate", "tax"))
    centres = {k: ln.center[0] for k, ln in heads.items()}
    slope = max(-0.2, min(0.2, x.lines.slope(page)))
    ref = heads["amount"].center[0]
    cells: dict[str, list] = {"amount": [], "rate": [], "tax": []}
    for p, ln in x.lines.items:
        level = ln.center[1] - slope * (ln.center[0] - ref)
        if p != page or not top < level < bottom - slope * (amt.box[0] - ref) or any(ln is h for h in heads.values()):
            continue
        col = min(centres, key=lambda k: abs(centres[k] - ln.center[0]))
        if col not in cells:
            continue
        # A cell merged with its neighbour's reaches past that column's centre: the row cannot be split safely.
        if any(k != col and ln.box[0] < c < ln.box[2] for k, c in centres.items()):
            return
        cells[col].append((level, ln))
    if not cells["amount"] or not len(cells["amount"]) == len(cells["rate"]) == len(cells["tax"]):
        return
    rows = []
    for level, ln in sorted(cells["amount"], key=lambda c: c[0]):
        m = _LINE_FIGURE.fullmatch(ln.text.replace(",", ""))
        if m is None:
            return
        row = {"amount": float(m.group(1)), "rate": None, "tax": None, "page": page, "box": list(ln.box),
               "confidence": round(float(ln.confidence), 3)}
        for col in ("rate", "tax"):
            near = min(cells[col], key=lambda c: abs(c[0] - level))
            if abs(near[0] - level) > 0.6 * max(ln.height, 1):
                return
            text = near[1].text.replace(",", "")
            r = (_LINE_RATE if col == "rate" else _LINE_FIGURE).fullmatch(text)
            if r is None and not _LINE_EXEMPT.fullmatch(text):
                return
            if r is not None:
                row[col] = round(float(r.group(1)) / 100, 4) if col == "rate" else float(r.group(1))
            row["confidence"] = min(row["confidence"], round(float(near[1].confidence), 3))
        rows.append(row)
    boxes = [r["box"] for r in rows]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    raw = " + ".join(f"{r['amount']:.2f}" for r in rows)
    conf = min(r["confidence"] for r in rows)
    x.put(FieldValue("item_lines", rows, raw, page, box, conf))
    x.put(FieldValue("items_amount", round(sum(r["amount"] for r in rows), 2), raw, page, box, conf))
    if all(r["tax"] is not None for r in rows):
        x.put(FieldValue("items_tax", round(sum(r["tax"] for r in rows), 2),
                         " + ".join(f"{r['tax']:.2f}" for r in rows), page, box, conf))


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


_TOTAL = (r"(?<!sub)(?<!sub-)(?<!sub )(?i:\btotal\b(?! items)(?!\s*qty))|合\s*计|合\s*計|总\s*计|应\s*收|实\s*收|"
          r"(?i:\bsumme\b|\bgesamt|zu zahlen|total\s*ttc|montant|net à payer|amount due)|お会計|ご請求|お買上計")


_DATE_TIME_GLUED = re.compile(r"(\d{4}[-/.]\d{1,2}[-/.]\d{2}|\d{2}[./]\d{2}[./]\d{2,4}?)(\d{1,2}:\d{2}(?::\d{2})?)")


def _labelled_rows(x: Extractor, label: str, exclude: str):
    """For each line carrying `label` and not `exclude`: the rest of that line, then the cells to its right."""
    ex = re.compile(exclude)
    for lab in x.lines.find(re.compile(label)):
        if not ex.search(lab.line.text):
            yield (Located(lab.page, lab.line, lab.end, len(lab.line.text)), *x.lines.row(lab))


def _largest_labelled_amount(x: Extractor, name: str, label: str, exclude: str) -> None:
    """The largest amount on any row labelled as a total: 'Total HT' and 'Total TTC' both say total."""
    best = None
    for cells in _labelled_rows(x, label, exclude):
        for cell in cells:
            for a in parse.find_amounts(cell.line.text[cell.start:cell.end]):
                if best is None or a.value > best[1].value:
                    best = (cell, a)
            if best is not None and best[0] is cell:
                break
    if best is not None:
        cell, a = best
        span = Located(cell.page, cell.line, cell.start + a.start, cell.start + a.end)
        x.put(_field(name, _num(a.value), span, a.raw))
        if a.currency:
            x.put(_field("currency", a.currency, span, a.raw))


_SPLIT_FIGURE = re.compile(r"(?<![\w.,])[¥￥€$£]?\s*\d(?:[.,]?\d)*(?![\w.,])")
"""A figure of digits and separators only, e.g. '4,2.6,2.0'."""
CURRENCY_DECIMALS = {"JPY": 0}
"""Decimals a till prints for a currency (two unless listed)."""


def split_figure(raw: str, currency: str | None) -> Decimal | None:
    """A figure whose digits are split by separators no locale prints ('4,2.6,2.0' for 426,20; '¥6,3.80.00' for
    ¥6,380.00): its digits with the currency's decimals. None when it parses as written, has fewer than two
    separators, or the currency is unknown; and unless a single digit stands between two separators (a seam no
    grouping leaves), so that a date ('12.03.2024') or a phone number ('0171.234.5678') is never a figure."""
    if currency is None or len(re.findall(r"[.,]", raw)) < 2 or parse.find_amounts(raw):
        return None
    if not re.search(r"[.,]\d[.,]", raw) or parse.find_dates(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    places = CURRENCY_DECIMALS.get(currency, 2)
    if len(digits) <= places:
        return None
    return Decimal(digits) / (10 ** places)


def _split_total(x: Extractor, label: str, exclude: str) -> None:
    """A receipt's total read with separators between its digits, when no total was read otherwise. Copy-moved
    digits on a photo: the seams between the moved digits read as dots and commas (A-467-000025 '4,2.6,2.0' for
    426,20; A-463-000041 '¥6,3.80.00'), so the forged total went unread and was never added up. A till prints a
    total with its currency's decimals, so the digits and the currency say the figure."""
    if "total" in x.fields or "currency" not in x.fields:
        return
    for cells in _labelled_rows(x, label, exclude):
        for cell in cells:
            text = cell.line.text[cell.start:cell.end]
            for m in _SPLIT_FIGURE.finditer(text):
                value = split_figure(m.group(0), x.fields["currency"].value)
                if value is not None:
                    span = Located(cell.page, cell.line, cell.start + m.start(), cell.start + m.end())
                    x.put(_field("total", _num(value), span, m.group(0)))
                    return


def _us_dates(x: Extractor) -> None:
    """US receipts print month first: 03/09/2025 is 9 March there, 3 September in Europe."""
    f = x.fields.get("date")
    whole = " ".join(ln.text for _, ln in x.lines.items)
    us = re.search(r"\bUSD\b|US\$|\b(NY|CA|NJ|TX|FL|WA|IL|MA)\s+\d{5}\b|\bUSA\b|\bSales tax\b", whole, re.I)
    if f is None or not us:
        return
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", f.raw)
    if m and int(m[1]) <= 12 and int(m[2]) <= 12:
        try:
            value = dt.date(int(m[3]), int(m[1]), int(m[2])).isoformat()
        except ValueError:
            return
        x.fields["date"] = FieldValue("date", value, f.raw, f.page, f.box, f.confidence)


RECEIPT_TAX = (r"(?i:\btax\b(?!.?(?:free|id))|\bvat\b(?!\s*(?:no|reg|number|id))|mwst|\btva\b|\bust\b(?!-?\s*id))|"
               r"消\s*[費费]\s*税|税\s*[额額]|内税")
"""A receipt's tax label (OCR reads 消費税 with the simplified 费 too); a tax-free notice or a tax number is not one."""

RECEIPT_REACH = 40
"""How many line heights right of a receipt's label its figure may be (the width of the widest till roll)."""


_ITEMS_HEADER = re.compile(r"(?i)^\s*(金\s*[额額]|amount|montant|betrag|importe|prezzo)\s*$")
"""The header of a receipt's amounts column."""
_TOTALS_LABEL = re.compile(r"^\s*(?:" + _TOTAL + r"|(?i:sub\s*-?\s*total|zwischensumme|sous[- ]total|total\s*ht|netto|"
                           r"sales\s*tax)|小\s*[计計]|税金|" + RECEIPT_TAX + ")")
"""A line that opens the totals block under a receipt's items: a totals label at its start (an item named 'TOTAL
CARE PASTE' or '含税运费' does not)."""
_NOT_ONE_ITEM = re.compile(r"(?i)@|\d\s*[x×]\s*\d")
"""A line reaching into the amounts column that is not one item's figure: a unit price ('2 x 1.50', '2 @ 1.50')."""
_ADJUSTMENT = re.compile(r"(?i)优惠|折扣|割引|値引|rabatt|discount|remise|coupon|pfand|deposit|gutschein")
"""A row among the items that adjusts the sum (a discount printed without its minus, a deposit): nothing is summed."""


def _receipt_items(x: Extractor) -> None:
    """items_total: the sum of the figures in the amounts column, between its header and the totals block.

    Read only where the column has a header and every line reaching into it between header and totals reads as
    one item's figure (no unit price, discount or deposit, nothing unreadable); a receipt without a header (most
    German till rolls) has no items_total."""
    heads = x.lines.find(_ITEMS_HEADER)
    if not heads:
        return
    head = heads[0]
    h = max(head.line.height, 1)
    hx0, hy0, hx1, hy1 = head.line.box
    below = [(p, ln) for p, ln in x.lines.items if p == head.page and ln.center[1] > hy1]
    labels = [Located(p, ln, 0, len(ln.text)) for p, ln in below if _TOTALS_LABEL.search(ln.text)]
    if not labels:
        return
    # The figures on a label's row are the totals block's own, however a photo tilts the row (a subtotal's figure
    # sat 8 px above its label's centre on a scan, A-007-000014).
    theirs = [c.line for lab in labels for c in x.lines.row(lab)]
    # The block must open with a row the totals were read from: an item named like a label ('TOTAL CARE PASTE
    # 10.00') would otherwise end the items early and leave the sum short of the total.
    opening = min(labels, key=lambda lab: lab.line.box[1])
    read = [f.box for k, f in x.fields.items() if k in ("subtotal", "tax", "total") and f.box and f.page == head.page]
    row = [opening.line, *(c.line for c in x.lines.row(opening))]
    if not any(b[0] >= ln.box[0] - 1 and b[2] <= ln.box[2] + 1 and b[1] >= ln.box[1] - 1 and b[3] <= ln.box[3] + 1
               for ln in row for b in read):
        return

    def in_column(ln) -> bool:
        return not (ln.box[2] < hx0 - 2 * h or ln.box[0] > hx1 + 2 * h)

    # In the column the block starts at its first figure; a photo tilts rows, so the labels' own tops (left) can
    # sit a row above or below it (a subtotal's figure 50 px under its label on A-007-000080).
    stop = min([ln.box[1] for ln in theirs if in_column(ln)] or [lab.line.box[1] for lab in labels])
    if any(_ADJUSTMENT.search(ln.text) for _, ln in below if ln.center[1] < stop):
        return
    figures = []
    for _, ln in below:
        if ln.center[1] >= stop or any(ln is t for t in theirs) or not in_column(ln):
            continue
        amounts = parse.find_amounts(ln.text)
        if _NOT_ONE_ITEM.search(ln.text) or (len(amounts) != 1 and any(ch.isdigit() for ch in ln.text)):
            return  # a line of the column that is not one item's figure: the sum would be a guess
        if amounts:
            figures.append((ln, amounts[0]))
    if not figures:
        return
    total = sum(a.value for _, a in figures)
    first = figures[0][0]
    x.put(FieldValue("items_total", _num(total), " + ".join(a.raw for _, a in figures), head.page,
                     (min(ln.box[0] for ln, _ in figures), first.box[1], max(ln.box[2] for ln, _ in figures),
                      max(ln.box[3] for ln, _ in figures)), min(float(ln.confidence) for ln, _ in figures)))
    x.put(FieldValue("items_count", len(figures), str(len(figures)), head.page, first.box))


_TOTAL_EXCLUDE = r"(?i)sub\s*-?\s*total|小\s*计|小\s*計|zwischen|sous|total\s*ht|\bnet(to)?\b|items"
"""Rows that name a total but hold a subtotal, a net figure or a count of items."""


def _receipt(x: Extractor) -> None:
    _largest_labelled_amount(x, "total", _TOTAL, exclude=_TOTAL_EXCLUDE)
    # A till prints its labels on the left and its figures on the right edge, often further from the label than
    # the 12 line heights a form's value may sit: a receipt's row reaches across the paper.
    x.labelled_amount("subtotal", r"(?i:sub\s*-?\s*total|zwischensumme|sous[- ]total|total\s*ht|netto)|小\s*计|小\s*計",
                      reach=RECEIPT_REACH)
    x.labelled_amount("tax", RECEIPT_TAX, exclude=r"税号", reach=RECEIPT_REACH)
    x.labelled_date("date", r"(?i:date|datum|日付)|日期|时间")
    # OCR often swallows the space between a date and a time: '2024-03-1514:32'.
    for loc in x.lines.find(_DATE_TIME_GLUED):
        m = _DATE_TIME_GLUED.match(loc.line.text, loc.start)
        ds = parse.find_dates(m.group(1)) if m else []
        if m and ds and ds[0].value is not None:
            span = Located(loc.page, loc.line, m.start(1), m.end(1))
            x.put(_field("date", ds[0].value.isoformat(), span, m.group(1)))
            x.put(_field("time", m.group(2), Located(loc.page, loc.line, m.start(2), m.end(2))))
            break
    if "date" not in x.fields:
        for page, ln in x.lines.items:
            ds = [d for d in parse.find_dates(ln.text) if d.value is not None]
            if ds:
                x.put(_field("date", ds[0].value.isoformat(), Located(page, ln, ds[0].start, ds[0].end), ds[0].raw))
                break
    _us_dates(x)
    _receipt_currency(x)
    # Before the items are summed: their column ends at the row a total was read from.
    _split_total(x, _TOTAL, _TOTAL_EXCLUDE)
    _receipt_items(x)
    for loc in x.lines.find(re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?\b")):
        x.put(_field("time", loc.text, loc))
        break
    x.labelled_text("receipt_no", r"(?i:receipt\s*(no|#)|bon[- ]?nr|beleg[- ]?nr|trans(action)?\s*(no|#)|"
                                  r"ticket\s*(n°|no))|单号|流水号|小票号|レシート番号",
                    clean=lambda s: s.split()[0] if s.split() else s)
    # The store is usually the first substantial line at the top, printed largest: by the letters' height, not the
    # box's (a photo tilting a long address line made its box taller than the shop's name above it, A-601-000128).
    top = [(page, ln) for page, ln in x.lines.items if page == 0][:6]
    cands = [(round(ln.text_height), -i, page, ln) for i, (page, ln) in enumerate(top)
             if sum(c.isalpha() for c in ln.text) >= 2 and not parse.find_dates(ln.text)]
    if cands:
        _, _, page, ln = max(cands)
        x.put(_field("store", ln.text.strip(), Located(page, ln, 0, len(ln.text))))


def _receipt_currency(x: Extractor) -> None:
    """The receipt's currency: the total's sign, else the first currency the text names."""
    whole = " ".join(ln.text for _, ln in x.lines.items)
    # A yen sign on a Japanese receipt is JPY, not CNY.
    if x.fields.get("currency") and x.fields["currency"].value == "CNY" and re.search(r"[\u3040-\u30ff]|円", whole):
        f = x.fields["currency"]
        x.fields["currency"] = FieldValue("currency", "JPY", f.raw, f.page, f.box, f.confidence)
    if "currency" not in x.fields:
        for cur, rx in (("EUR", r"€|\bEUR\b"), ("JPY", r"円|\bJPY\b"), ("GBP", r"£|\bGBP\b"),
                        ("USD", r"\bUSD\b|US\$"), ("CNY", r"[¥￥]|\bRMB\b|\bCNY\b|元")):
            if re.search(rx, whole):
                x.fields["currency"] = FieldValue("currency", cur, cur)
                break


_OPEN_END = re.compile(r"\s*(?:起\s*)?(?:(?:至|到|-|~|—)\s*)?(?:长期|長期|無固定期限|无固定期限|永久|不约定期限)")
"""What follows the start of a business term that never ends: '2015年08月05日至无固定期限', '…至长期'."""


def _open_term(x: Extractor) -> None:
    """valid_from of a licence whose business term is open-ended (valid_to stays unset: it has none)."""
    for page, ln in x.lines.items:
        for d in parse.find_dates(ln.text):
            if d.value is not None and _OPEN_END.match(ln.text, d.end):
                x.put(_field("valid_from", d.value.isoformat(), Located(page, ln, d.start, d.end), d.raw))
                return


def _license(x: Extractor) -> None:
    name = x.labelled_text("company_name", r"名\s*称")
    x.uscc_near("uscc", name)
    if "uscc" not in x.fields:
        for page, ln in x.lines.items:
            us = parse.find_usccs(ln.text)
            if us:
                x.put(_field("uscc", us[0].code, Located(page, ln, us[0].start, us[0].end), us[0].raw))
                break
    x.labelled_text("legal_representative", r"法\s*定\s*代\s*表\s*人|负\s*责\s*人|经\s*营\s*者",
                    clean=lambda s: s.strip())
    x.labelled_text("registered_capital", r"注\s*册\s*资\s*本", clean=lambda s: s.strip())
    x.labelled_date("established_on", r"成\s*立\s*日\s*期|注\s*册\s*日\s*期")
    x.period(prefer=r"营业期限|经营期限")
    if "valid_from" not in x.fields:
        _open_term(x)
    x.labelled_text("address", r"住\s*所|经营场所|营业场所", clean=lambda s: s.strip())


_BY_KIND = {
    "authorization_letter": _letter,
    "purchase_invoice": _invoice,
    "receipt": _receipt,
    "business_license": _license,
}


def extract_fields(kind: str, pages: list[PageText] | tuple[PageText, ...]) -> dict[str, FieldValue]:
    """Fields of a document of the given kind. Always includes every USCC found (`usccs`)."""
    x = Extractor(pages)
    fn = _BY_KIND.get(kind)
    if fn is not None:
        fn(x)
    x.all_usccs()
    return x.fields
