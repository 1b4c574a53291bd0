"""Content consistency checks that need only the fields read from the page.

A field the OCR did not read is unknown: no finding is ever raised on missing data.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein
from stdnum.cn import uscc as cn_uscc

from appealcheck.checks.interface import Check, DocContext
from appealcheck.checks.names import ocr_code_key
from appealcheck.extract.parse import WEEKDAY_NAMES, repair_uscc, weekday_conflict
from appealcheck.models import Finding
from appealcheck.ocr.rapid import RE_READ_BELOW

_USCC_SHAPE = re.compile(r"^[1-9A-HNY][1-9][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$")
"""Registration authority, class code and a six-digit division code: other 18-character IDs (a SEPA creditor
id such as DE67ZZZ00000169386) do not have this shape and are no business of this check."""


class UsccCheckDigit(Check):
    """Every unified social credit code printed must carry a valid check digit."""

    id = "content.uscc"
    version = "5"  # 2: a seal's line read one character off the page's valid code is the OCR's slip; 3: as far
    # off as the seal check calls a misreading; 4: a code's shape judged with O/I/Z/S read as digits; 5: a run of an
    # invoice's cipher block (密码区) is no code (parse.find_usccs)

    def run(self, ctx: DocContext) -> list[Finding]:
        f = ctx.fields.get("usccs")
        if f is None:
            return []
        known = _known_codes(ctx)
        out = []
        for u in f.value:
            # A line read this doubtfully is noise as often as a code: a fax's faint footer came out as the
            # 18 digits '216447544006201035' at 0.66 (A-097-000195). Forged codes were read at 0.97 or more.
            if u.get("confidence") is not None and u["confidence"] < DOUBTFUL_READ:
                continue
            # The shape is the printed code's: a fax's 0 read as O ('9131011511RQ7RWNOD', a forged check character
            # on fresh seed 971's A-971-000068) is no letter a USCC carries, and no reason to leave the code alone.
            printed = repair_uscc(u["code"])
            if u.get("kind") == "uscc" and not u.get("valid") and not cn_uscc.is_valid(printed) \
                    and _USCC_SHAPE.match(printed):
                if _misread_of(u["code"], known, u.get("confidence")) and not _qr_says_invalid(ctx, u["code"]):
                    continue
                if _seal_misread(ctx, u):
                    continue
                out.append(Finding(
                    id="content.uscc_check_digit", severity="high", check=self.id,
                    message=f"USCC {u['code']} fails its check digit: no registered company has this code",
                    page=u["page"], box=tuple(u["box"]), measured=u["code"],
                    expected="a code with a valid check digit"))
        return out


def _known_codes(ctx: DocContext) -> set[str]:
    """The valid codes this document could be printing: those read validly elsewhere on the page (the seal's
    middle line repeats the seller's), the appealing seller's and the brand's parties'."""
    codes = [u["code"] for u in (ctx.fields["usccs"].value or []) if u.get("valid")]
    codes.append(ctx.appeal.seller.uscc or "")
    if ctx.brand is not None:
        codes += [e.uscc or "" for e in ctx.brand.entities] + [d.uscc or "" for d in ctx.brand.distributors]
    return {c.strip().upper() for c in codes if c and cn_uscc.is_valid(c)}


DOUBTFUL_READ = RE_READ_BELOW
"""A code whose line was read below this confidence (the OCR's own mark of doubt, below which it reads a line a
second time) is not judged."""

SURE_READ = 0.97
"""A code read at least this confidently is taken as printed when only its check character is in doubt."""


def _misread_of(code: str, known: set[str], confidence: float | None = None) -> bool:
    """Whether an invalid code is an OCR slip of a known valid one: a look-alike letter for a digit in the first
    seventeen (8 read as B), or any one character of them with the check character itself intact (a scan's 8
    read as 6). A wrong check character, the classic slip of a hand-edited code, is excused only as a look-alike
    read with doubt (below `SURE_READ`): forgers' random check characters are look-alikes of the right one too."""
    key = ocr_code_key(code)
    for k in known:
        if ocr_code_key(k) == key and (k[-1:] == code[-1:] or (confidence is not None and confidence < SURE_READ)):
            return True
        if len(k) == len(code) == 18 and k[17] == code[17] and sum(a != b for a, b in zip(k, code, strict=True)) == 1:
            return True
    return False


def _seal_misread(ctx: DocContext, u: dict) -> bool:
    """Whether an invalid code is an invoice seal's red line read a few characters off a code printed validly on
    the same page: the seal repeats its seller's code, and its small red digits are read worse than the print.

    How far is the seal check's to say (`seals.TAXPAYER_FAR`, the characters by which a seal's number must differ
    from the seller's before a mismatch is claimed when a reading fails its check digit): the seal's number is
    that check's evidence, and a number it calls a misreading is not a forged code here either. Genuine
    photographed invoices: 9131011535M4LMPXXE printed, the seal's line read ...XXF (A-431-000064);
    9144010679E37W0XNX printed, read 3144010579E37W0XNX (A-1019-000047). A forger's wrong check character is
    typed into the print, in black; a seal engraved with another number is `seal.taxpayer_mismatch`."""
    from appealcheck.checks.seals import TAXPAYER_FAR, red_ink

    if ctx.kind != "purchase_invoice":
        return False
    code = u["code"]
    printed = {v["code"] for v in ctx.fields["usccs"].value if v.get("valid") and v is not u}
    near = any(len(k) == len(code) == 18 and Levenshtein.distance(k, code) < TAXPAYER_FAR for k in printed)
    return near and red_ink(ctx, u)


def _qr_says_invalid(ctx: DocContext, code: str) -> bool:
    """Whether a QR code on the document carries this code (look-alikes folded) with an invalid check character:
    the printed code is then what it reads as, not an OCR slip (a licence's QR holds its uniscid)."""
    from appealcheck.checks.qr import read_qr_codes

    key = ocr_code_key(code)
    for q in read_qr_codes(ctx):
        for m in _USCC_IN_TEXT.finditer(q.text.upper()):
            if ocr_code_key(m.group(0)) == key and not cn_uscc.is_valid(m.group(0)):
                return True
    return False


_USCC_IN_TEXT = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


class ImpossibleDate(Check):
    """A date that does not exist on the calendar (2月30日) is never printed by a real system."""

    id = "content.dates"

    def run(self, ctx: DocContext) -> list[Finding]:
        out = []
        for name, f in ctx.fields.items():
            if name.endswith("_problem") and f.value:
                out.append(Finding(id="content.date_impossible", severity="high", check=self.id,
                                   message=f"{name.removesuffix('_problem')} reads '{f.raw}': {f.value}",
                                   page=f.page, box=f.box, measured=f.raw, expected="a real calendar date"))
        return out


class LicenceTerm(Check):
    """A business licence's term (营业期限) runs from the day the company was founded (成立日期).

    A founding date moved earlier to make a young shop look established, with the term left as printed, no longer
    starts the term. Both dates are read off the same page, so one misread digit can also part them: the finding is
    'medium', and the gap in days is a model input of its own. Companies re-registered under a new form can print a
    later term start; a reviewer sees both dates boxed.
    """

    id = "content.license_term"
    applies_to = ("business_license",)

    def run(self, ctx: DocContext) -> list[Finding]:
        founded, start = ctx.date("established_on"), ctx.date("valid_from")
        if founded is None or start is None or founded == start:
            return []
        f = ctx.fields["established_on"]
        return [Finding(id="content.license_term_start", severity="medium", check=self.id,
                        message=f"Founded {founded}, but the business term starts {start}: a licence's term runs "
                                "from the day the company was founded",
                        page=f.page, box=f.box, measured=str(founded), expected=str(start))]

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        founded, start = ctx.date("established_on"), ctx.date("valid_from")
        gap = float(abs((start - founded).days)) if founded and start else None
        return {"content.license_term.gap_days": gap}


class ValidityPeriod(Check):
    """A letter's period must run forwards and cover the day the appeal is judged."""

    id = "content.period"
    applies_to = ("authorization_letter",)

    def run(self, ctx: DocContext) -> list[Finding]:
        start, end = ctx.date("valid_from"), ctx.date("valid_to")
        out = []
        if start and end and start > end:
            f = ctx.fields["valid_to"]
            out.append(Finding(id="content.period_reversed", severity="high", check=self.id,
                               message=f"Validity period ends ({end}) before it starts ({start})",
                               page=f.page, box=f.box, measured=f"{start}..{end}", expected="start before end"))
        when = ctx.submitted_at
        if when and end and start and start <= end and not (start <= when <= end):
            f = ctx.fields["valid_to"] if when > end else ctx.fields["valid_from"]
            word = "expired" if when > end else "not yet valid"
            out.append(Finding(id="content.period_outside", severity="medium", check=self.id,
                               message=f"Authorization {word} on the appeal date {when}: valid {start} to {end}",
                               page=f.page, box=f.box, measured=str(when), expected=f"{start}..{end}"))
        return out


def _lost_lead(words: float, total: float) -> bool:
    """Whether the capitals read as the figure without its leading digits: a fax that lost '叁万' of
    '叁万玖仟捌佰圆…' reads 9800.86 for 39800.86 (A-107-000093). The words are unread then, not different."""
    if not 0 < words < abs(total):
        return False
    k = len(str(int(words)))  # the fewest digits that hold the words' value
    return 10**k < abs(total) and abs(abs(total) % 10**k - words) < 0.005


class CapitalAmount(Check):
    """On an invoice the total in Chinese capitals (大写) must equal the figure (小写)."""

    id = "content.invoice_words"
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        words, total = ctx.fields.get("total_in_words"), ctx.fields.get("total")
        if words is None or total is None or not all(isinstance(f.value, int | float) for f in (words, total)):
            return []  # not read as numbers: unknown, not a mismatch
        w, t = float(words.value), float(total.value)
        if abs(w - t) < 0.005 or _lost_lead(w, t):
            return []
        return [Finding(id="content.total_words_mismatch", severity="high", check=self.id,
                        message=f"Total in capitals reads {words.value:.2f} but the figure reads {total.value:.2f}",
                        page=words.page, box=words.box, measured=words.value, expected=total.value)]


class Weekday(Check):
    """A printed day of the week must be the date's: editing a date and forgetting its weekday is a classic slip."""

    id = "content.weekday"

    def run(self, ctx: DocContext) -> list[Finding]:
        out = []
        for page in ctx.ocr:
            for line in page.lines:
                hit = weekday_conflict(line.text)
                if hit is None:
                    continue
                d, w = hit
                actual = WEEKDAY_NAMES[d.value.weekday()]
                # Medium: one misread 二/三 makes the same disagreement.
                out.append(Finding(
                    id="content.weekday_mismatch", severity="medium", check=self.id,
                    message=f"'{d.raw}' was a {actual}, but the line says '{w.raw}' ({WEEKDAY_NAMES[w.weekday]})",
                    page=page.page, box=line.box, measured=w.raw, expected=actual))
        return out


_RIC_LABEL = re.compile(r"身份证|身份證|公民身份号码|公民身份號碼")
"""Only an identity-card label: 证件号码 (document number) also labels company codes."""
_RIC_CAND = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")


class ResidentId(Check):
    """A resident identity card number (居民身份证号码) printed for a named person must be a valid one: region,
    birth date and check digit (python-stdnum's cn.ric)."""

    id = "content.resident_id"

    def run(self, ctx: DocContext) -> list[Finding]:
        from stdnum.cn import ric, uscc

        out = []
        for page in ctx.ocr:
            for line in page.lines:
                if not _RIC_LABEL.search(line.text):
                    continue
                for m in _RIC_CAND.finditer(line.text.replace(" ", "")):
                    code = m.group(0).upper()
                    if ric.is_valid(code) or uscc.is_valid(code):  # an all-digit company code is not an ID
                        continue
                    # Masked: results travel to CSVs and reports; the reviewer has the page for the full number.
                    shown = f"{code[:6]}********{code[14:]}"
                    out.append(Finding(
                        id="content.resident_id_invalid", severity="high", check=self.id,
                        message=f"resident ID {shown} is not a valid number (region, birth date or check digit)",
                        page=page.page, box=line.box, measured=shown,
                        expected="an ID number with a real birth date and a valid check digit"))
        return out
