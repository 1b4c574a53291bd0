"""Who issued a document and to whom: the brand's entities and distributors, and the appeal's seller.

Only names the OCR read are judged; an unread party is unknown, never a mismatch.
"""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz.distance import Levenshtein
from stdnum.cn import uscc as cn_uscc

from appealcheck.checks.interface import Check, DocContext, field_date
from appealcheck.checks.names import best_match, canonical, imitated_brand, is_same, looks_like_person, ocr_code_key
from appealcheck.models import FieldValue, Finding

NEAR_MISS = 75.0
"""Similarity above which a different name is a look-alike of a known one rather than a stranger."""


def _known_issuers(ctx: DocContext) -> list[str]:
    b = ctx.brand
    return [e.name for e in b.entities] + [d.name for d in b.distributors] if b else []


def _one_slip(read: str, name: str | None, code: FieldValue | None, own_code: str | None) -> bool:
    """Whether `read` is `name` with one character of eight or more misread ('苏州海川農光贸易' for 苏州海川晨光贸易
    on a fax, A-751-000292), and the company code printed beside it, if read, is no other company's. A forger
    changes the whole name; the OCR slips on one character."""
    a, b = canonical(read), canonical(name or "")
    if len(a) != len(b) or len(a) < 8 or Levenshtein.distance(a, b) != 1:
        return False
    printed = code.value if code is not None and isinstance(code.value, str) else None
    # Only a valid code is another company's: a misread one is as unknown as the name.
    if not printed or not own_code:
        return True
    return not (cn_uscc.is_valid(canonical(printed)) and canonical(printed) != canonical(own_code))


def _sides_unsplit(ctx: DocContext, buyer: FieldValue) -> bool:
    """Whether the 'buyer' read is the brand's own party with no issuer read at all: a fax lost the 购买方/销售方
    labels and the issuer's name was taken for the buyer's (A-751-000301), so who bought is unknown."""
    return "seller_name" not in ctx.fields and any(is_same(buyer.value, k) for k in _known_issuers(ctx))


SEAL_CONFIRMS = 0.85
"""Image score from which a seal on the document is an impression of the registered one (an exact, image-level
match, not a reading)."""


def party_confirmed(ctx: DocContext, name: str, code_field: str) -> bool:
    """Whether the document itself shows the brand's party `name` beyond its OCR'd name: the party's code read
    exactly as registered for it, or a seal matching its registered seal image. A near-miss of the name is then
    the OCR's slip (星岚 read as 星岗), not a forger's look-alike company, whose code and seal are its own."""
    b = ctx.brand
    reg = [e.uscc for e in b.entities if is_same(e.name, name)] + \
        [d.uscc for d in b.distributors if is_same(d.name, name)]
    code = ctx.fields.get(code_field)
    if code is not None and code.value and any(r and canonical(r) == canonical(code.value) for r in reg):
        return True
    under = {canonical(u["code"]) for u in _codes_under(ctx, name)} if code is None else set()
    if any(r and canonical(r) in under for r in reg):
        return True
    specs = {sp.id: sp for sp in b.seals if is_same(sp.entity, name)}
    if not specs:
        return False
    from appealcheck.seals import IMAGE_MATCH, analyse_seals, is_match

    # Seals of one layout score high whatever their text (a forger's 上海盛世佳美 seal scored 0.88 against 澜图's,
    # A-089-000141): a ring read confidently must also read as the registered text. A ring read as registered is
    # the stronger proof: a photo's impression then needs only look like the seal (0.84, A-097-000247).
    return any(o.match is not None and o.match.spec_id in specs and is_match(o.match, o.text)
               and (o.match.image_score >= SEAL_CONFIRMS
                    or (o.match.text_similarity >= 100 and o.match.image_score >= IMAGE_MATCH))
               for o in analyse_seals(ctx))


def _codes_under(ctx: DocContext, name: str) -> list[dict]:
    """Valid codes printed just under the field that read as `name`'s near-miss, in its column: a fax loses the
    纳税人识别号 label, and the code it keeps is the party's own (A-089-000157)."""
    found = ctx.fields.get("usccs")
    names = [f for f in ctx.fields.values() if f.name.endswith(("_name", "licensor")) and isinstance(f.value, str)
             and f.box and best_match(f.value, [name]).similarity >= NEAR_MISS]
    if found is None or not isinstance(found.value, list) or not names:
        return []
    out = []
    for f in names:
        x0, y0, x1, y1 = f.box
        h = max(y1 - y0, 1)
        out += [u for u in found.value if u.get("valid") and u.get("page") == f.page and u.get("box")
                and y1 - 0.5 * h <= u["box"][1] <= y1 + 2.5 * h and u["box"][0] < x1 and x0 < u["box"][2]]
    return out


def _finding(fid: str, severity: str, check: str, msg: str, f: FieldValue | None, measured, expected) -> Finding:
    return Finding(id=fid, severity=severity, check=check, message=msg, page=f.page if f else None,
                   box=f.box if f else None, measured=measured, expected=expected)


class Licensor(Check):
    """A letter's licensor must be one of the brand's entities, or a distributor authorised on the letter's date."""

    id = "content.licensor"
    applies_to = ("authorization_letter",)

    def _match(self, ctx: DocContext):
        f = ctx.fields.get("licensor")
        if f is None or ctx.brand is None or not f.value:
            return None, None
        return f, best_match(f.value, _known_issuers(ctx))

    def run(self, ctx: DocContext) -> list[Finding]:
        f, m = self._match(ctx)
        if m is None:
            return []
        out = []
        known = _known_issuers(ctx)
        if m.confusables:
            out.append(_finding("content.licensor_lookalike", "critical", self.id,
                                f"Licensor '{m.read}' mixes in look-alike letters from another script", f, m.read,
                                m.closest))
        elif not m.exact and m.similarity >= NEAR_MISS:
            if party_confirmed(ctx, m.closest, "licensor_uscc"):
                return out
            out.append(_finding("content.licensor_lookalike", "high", self.id,
                                f"Licensor reads '{m.read}', a near-miss of the brand's '{m.closest}' "
                                f"({m.similarity:.0f}% alike)", f, m.read, m.closest))
        elif not m.exact and (fake := imitated_brand(f.value, ctx.brand.names)) is not None:
            out.append(_finding("content.licensor_lookalike", "high", self.id,
                                f"Licensor '{m.read}' is not among {ctx.brand.id}'s entities or distributors and "
                                f"writes {fake[1]} for the brand's name {fake[0]}", f, m.read, known))
        elif not m.exact:
            out.append(_finding("content.licensor_unknown", "high", self.id,
                                f"Licensor '{m.read}' is not among {ctx.brand.id}'s entities or distributors",
                                f, m.read, known))
        else:
            dist = next((d for d in ctx.brand.distributors if is_same(d.name, m.closest)), None)
            when = ctx.date("issued_on") or ctx.date("valid_from")
            if dist is not None and when is not None:
                ok_from = dist.valid_from is None or dist.valid_from <= when
                ok_to = dist.valid_to is None or when <= dist.valid_to
                if not (ok_from and ok_to):
                    out.append(_finding(
                        "content.distributor_not_authorized", "high", self.id,
                        f"Distributor {dist.name} was authorised {dist.valid_from} to {dist.valid_to}, "
                        f"but the letter is dated {when}", ctx.fields.get("issued_on") or f, str(when),
                        f"{dist.valid_from}..{dist.valid_to}"))
            # The brand's own record of the distributor's period bounds what it may grant, even when the brand's
            # letter in the appeal was itself extended by a forger (A-101-000072).
            end = ctx.date("valid_to")
            if dist is not None and dist.valid_to is not None and end is not None and end > dist.valid_to and \
                    not any(o.id == "content.distributor_not_authorized" for o in out):
                out.append(_finding(
                    "content.chain_period_exceeds", "medium", self.id,
                    f"Distributor {dist.name} grants until {end}, beyond its own authorization, which the brand "
                    f"registered as ending {dist.valid_to}", ctx.fields["valid_to"], str(end),
                    f"on or before {dist.valid_to}"))
            ent = next((e for e in ctx.brand.entities if is_same(e.name, m.closest)), None)
            reg = ent.uscc if ent else (dist.uscc if dist else None)
            code = ctx.fields.get("licensor_uscc")
            if reg and code and code.value and canonical(code.value) != canonical(reg):
                out.append(_finding("content.licensor_uscc_mismatch", "high", self.id,
                                    f"Licensor code {code.value} differs from the registered {reg} of {m.closest}",
                                    code, code.value, reg))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        f, m = self._match(ctx)
        return {"content.licensor.similarity": m.similarity if m else None}


class Licensee(Check):
    """The licensee must be the seller who filed the appeal, and a company unless the brand allows individuals."""

    id = "content.licensee"
    applies_to = ("authorization_letter",)

    def run(self, ctx: DocContext) -> list[Finding]:
        f = ctx.fields.get("licensee")
        if f is None or not f.value:
            return []
        out = []
        seller = ctx.appeal.seller.name
        same = is_same(f.value, seller)
        # The first link of a chain: the brand authorises one of its registered distributors.
        if same is False and ctx.brand is not None:
            if any(is_same(f.value, d.name) for d in ctx.brand.distributors):
                same = True
        if same is False and _one_slip(f.value, seller, ctx.fields.get("licensee_uscc"), ctx.appeal.seller.uscc):
            same = None
        if same is False:
            out.append(_finding("content.licensee_not_seller", "high", self.id,
                                f"Letter authorises '{f.value}', but the appeal was filed by '{seller}'", f,
                                f.value, seller))
        allowed = ctx.brand.policy.individuals_allowed if ctx.brand else True
        if not allowed and looks_like_person(f.value):
            out.append(_finding("content.individual_licensee", "medium", self.id,
                                f"Licensee '{f.value}' looks like a private person; the brand authorises companies",
                                f, f.value, "a company"))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        f = ctx.fields.get("licensee")
        seller = ctx.appeal.seller.name
        if f is None or not f.value or not seller:
            return {"content.licensee.seller_similarity": None}
        return {"content.licensee.seller_similarity": best_match(f.value, [seller]).similarity}


class InvoiceParties(Check):
    """An invoice's buyer must be the appealing seller, and its seller the brand or one of its distributors."""

    id = "content.invoice_parties"
    applies_to = ("purchase_invoice",)

    def run(self, ctx: DocContext) -> list[Finding]:
        out = []
        buyer = ctx.fields.get("buyer_name")
        seller = ctx.appeal.seller.name
        if buyer is not None and is_same(buyer.value, seller) is False and \
                not _slip_of_seller(ctx.fields, seller, ctx.appeal.seller.uscc) and \
                not _one_slip(buyer.value, seller, ctx.fields.get("buyer_uscc"), ctx.appeal.seller.uscc) and \
                not _sides_unsplit(ctx, buyer):
            out.append(_finding("content.buyer_not_seller", "medium", self.id,
                                f"Invoice buyer '{buyer.value}' is not the appealing seller '{seller}'", buyer,
                                buyer.value, seller))
        issuer = ctx.fields.get("seller_name")
        # The appealing seller's own name where the issuer goes means the two sides were not told apart (a fax
        # loses the small 购买方/销售方 labels): the issuer is unknown, not a stranger.
        if issuer is not None and ctx.brand is not None and issuer.value and is_same(issuer.value, seller) is not True:
            m = best_match(issuer.value, _known_issuers(ctx))
            if not m.exact and m.similarity >= NEAR_MISS:
                if party_confirmed(ctx, m.closest, "seller_uscc"):
                    return out
                out.append(_finding("content.invoice_issuer_lookalike", "high", self.id,
                                    f"Invoice issuer '{issuer.value}' is a near-miss of '{m.closest}'", issuer,
                                    issuer.value, m.closest))
            elif not m.exact and (fake := imitated_brand(issuer.value, ctx.brand.names)) is not None:
                out.append(_finding("content.invoice_issuer_lookalike", "high", self.id,
                                    f"Invoice issuer '{issuer.value}' writes {fake[1]} for the brand's name {fake[0]}",
                                    issuer, issuer.value, fake[0]))
            elif not m.exact:
                out.append(_finding("content.invoice_issuer_unknown", "low", self.id,
                                    f"Invoice issuer '{issuer.value}' is not the brand or an authorised distributor",
                                    issuer, issuer.value, _known_issuers(ctx)))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        issuer = ctx.fields.get("seller_name")
        if issuer is None or ctx.brand is None or not issuer.value:
            return {"content.invoice_issuer.similarity": None}
        return {"content.invoice_issuer.similarity": best_match(issuer.value, _known_issuers(ctx)).similarity}


class DocumentDates(Check):
    """Dates against the appeal: nothing issued after the appeal was filed, no period longer than the brand allows."""

    id = "content.document_dates"

    def run(self, ctx: DocContext) -> list[Finding]:
        out = []
        when = ctx.submitted_at
        for name in ("issued_on", "date", "established_on"):
            d = ctx.date(name)
            if when and d and d > when:
                out.append(_finding("content.issued_after_appeal", "high", self.id,
                                    f"{name} {d} is after the appeal was filed ({when})", ctx.fields[name], str(d),
                                    f"on or before {when}"))
        start, end = ctx.date("valid_from"), ctx.date("valid_to")
        limit = ctx.brand.policy.max_validity_days if ctx.brand else None
        if ctx.kind == "authorization_letter" and start and end and limit and (end - start).days > limit:
            out.append(_finding("content.period_too_long", "medium", self.id,
                                f"Authorization runs {(end - start).days} days; {ctx.brand.id} grants at most {limit}",
                                ctx.fields["valid_to"], (end - start).days, limit))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        start, end = ctx.date("valid_from"), ctx.date("valid_to")
        when = ctx.submitted_at
        issued = ctx.date("issued_on") or ctx.date("date")
        return {
            "content.document_dates.period_days": float((end - start).days) if start and end else None,
            "content.document_dates.days_to_expiry": float((end - when).days) if end and when else None,
            "content.document_dates.age_days": float((when - issued).days) if issued and when else None,
        }


class KnownForgery(Check):
    """A file the brand has seen forged before (its sha256 is in the pack's known_forgeries), or a seal whose image
    is a listed forged seal's (pHash within PHASH_MAX_DISTANCE bits)."""

    id = "content.known_forgery"

    def run(self, ctx: DocContext) -> list[Finding]:
        if ctx.brand is None or not ctx.brand.known_forgeries:
            return []
        sha = ctx.document.info.sha256
        for k in ctx.brand.known_forgeries:
            if k.sha256 and k.sha256.lower() == sha:
                return [Finding(id="content.known_forgery", severity="critical", check=self.id,
                                message=f"This exact file is a known forgery in {ctx.brand.id}'s pack"
                                        + (f": {k.note}" if k.note else ""),
                                page=0, box=(0, 0, ctx.document.pages[0].width, ctx.document.pages[0].height),
                                measured=sha, expected="a file not on the known-forgery list")]
        listed = [k for k in ctx.brand.known_forgeries if k.phash]
        if not listed:
            return []
        from appealcheck.checks import phash as P
        from appealcheck.seals import analyse_seals

        out = []
        for fp in P.seal_fingerprints(ctx.document.pages, analyse_seals(ctx)):
            for k in listed:
                d = P.distance(fp.phash, k.phash)
                if d <= P.PHASH_MAX_DISTANCE:
                    out.append(Finding(
                        id="content.known_forgery_similar", severity="high", check=self.id,
                        message=f"This seal is the image of a known forged seal in {ctx.brand.id}'s pack (pHash "
                                f"{d} of 144 bits apart)" + (f": {k.note}" if k.note else ""),
                        page=fp.page, box=fp.box, measured=fp.phash,
                        expected=f"not within {P.PHASH_MAX_DISTANCE} bits of {k.phash}"))
                    break
        return out



TRADEMARK_CONFIDENT = 0.95
"""OCR confidence of the line below which a cited registration number is not judged."""


class TrademarkNumbers(Check):
    """A trademark registration number a letter cites must be one the brand registered (when its pack lists them)."""

    id = "content.trademark"
    applies_to = ("authorization_letter",)

    def _unknown(self, ctx: DocContext) -> tuple[list[dict], set[str]] | None:
        f = ctx.fields.get("trademark_numbers")
        if f is None or ctx.brand is None or not ctx.brand.trademarks:
            return None
        registered = {t.number.lstrip("0") for t in ctx.brand.trademarks}
        # A number read with doubt (OCR slips a digit) is unknown, not a wrong registration.
        sure = [t for t in f.value if t.get("confidence", 1.0) >= TRADEMARK_CONFIDENT]
        return [t for t in sure if t["number"].lstrip("0") not in registered], registered

    def run(self, ctx: DocContext) -> list[Finding]:
        got = self._unknown(ctx)
        if got is None:
            return []
        out = []
        for t in got[0]:
            n = t["number"].lstrip("0")
            near = [r for r in sorted(got[1])
                    if len(r) == len(n) and sum(a != b for a, b in zip(r, n, strict=True)) == 1]
            why = f", one digit off from the registered {near[0]}" if near else ""
            out.append(Finding(
                id="content.trademark_unknown", severity="high", check=self.id,
                message=f"Trademark registration no. {t['number']} is not one of {ctx.brand.id}'s registrations{why}",
                page=t["page"], box=tuple(t["box"]), measured=t["number"],
                expected=sorted(x.number for x in ctx.brand.trademarks)))
        return out

    def measure(self, ctx: DocContext) -> dict[str, float | None]:
        got = self._unknown(ctx)
        return {"content.trademark.unknown": float(len(got[0])) if got is not None else None}


def invoice_before_letter(seller: str | None, docs, seller_uscc: str | None = None) -> dict[str, list[Finding]]:
    """Findings across an appeal's documents (DocumentResults), keyed by file: an invoice for stock bought
    before the seller's own authorization began (its letter's start or issue date, whichever is earlier)."""
    starts = []
    for d in docs:
        lee = d.fields.get("licensee")
        if d.kind != "authorization_letter" or lee is None or is_same(lee.value, seller) is not True:
            continue
        days = [x for x in (field_date(d.fields.get("valid_from")), field_date(d.fields.get("issued_on"))) if x]
        if days:
            starts.append((min(days), d.file))
    if not starts:
        return {}
    start, letter = min(starts)
    out: dict[str, list[Finding]] = {}
    for d in docs:
        if d.kind != "purchase_invoice":
            continue
        # The distributor's own purchase from the brand, in a chain appeal, naturally comes first: only the
        # seller's purchases are judged, and an unread buyer is unknown.
        if not _bought_by(d, seller, seller_uscc):
            continue
        issued = field_date(d.fields.get("issued_on"))
        if issued is not None and issued < start:
            f = d.fields["issued_on"]
            out.setdefault(d.file, []).append(_finding(
                "content.invoice_before_letter", "medium", "content.appeal_dates",
                f"Invoice dated {issued}, {(start - issued).days} days before the seller's authorization in "
                f"{letter} began ({start})", f, str(issued), f"on or after {start}"))
    return out


def _slip_of_seller(fields, seller: str | None, seller_uscc: str | None) -> bool:
    """Whether a buyer name that is a near-miss of the seller's is the OCR's slip: the buyer's code beside it reads
    exactly as the seller's own ('星辰' read as '星展' beside the seller's code, A-101-000257)."""
    buyer, code = fields.get("buyer_name"), fields.get("buyer_uscc")
    if buyer is None or code is None or not seller or not seller_uscc or not isinstance(code.value, str):
        return False
    return canonical(code.value) == canonical(seller_uscc) and \
        best_match(buyer.value, [seller]).similarity >= NEAR_MISS


def _bought_by(invoice, seller: str | None, seller_uscc: str | None) -> bool:
    """Whether the invoice's buyer is the appealing seller: by the buyer's name, or, when that was not read, by
    the seller's taxpayer number printed on the invoice (where only the buyer's can be), or by the seller's full
    name on a line of its own when the issuer read is someone else."""
    buyer = invoice.fields.get("buyer_name")
    if buyer is not None:
        return is_same(buyer.value, seller) is True or _slip_of_seller(invoice.fields, seller, seller_uscc)
    codes = invoice.fields.get("usccs")
    if bool(seller_uscc) and codes is not None and isinstance(codes.value, list) and any(
            u.get("valid") and u.get("code") == seller_uscc.strip().upper() for u in codes.value):
        return True
    # A fax loses the small 购买方 labels and the buyer's name with them, but the seller's own full name printed on
    # a purchase invoice whose issuer is someone else is its buyer's (A-757-000126, three months before the letter).
    issuer = invoice.fields.get("seller_name")
    if issuer is not None and is_same(issuer.value, seller) is not False:
        return False  # the seller read as the issuer: the sides are unknown
    key = canonical(seller or "")
    return len(key) >= 6 and any(_names(canonical(line), key) for line in (invoice.text or "").splitlines())


_LABEL_ENDS = ("称", "方", "头", "户", "位")
"""Last characters of the labels a party's name follows on an invoice line (名称, 购买方, 抬头, 客户, 单位)."""


def _names(line: str, key: str) -> bool:
    """Whether a canonical OCR line names the company `key` itself: alone, or after a label, with no further
    characters of a name after it (深圳市启航贸易有限公司东莞分公司 is its branch, another buyer)."""
    at = line.find(key)
    if at < 0:
        return False
    before, after = line[:at], line[at + len(key):]
    return (not before or before.endswith(_LABEL_ENDS)) and not re.match(r"[\u4e00-\u9fff]", after)


def _letters_to(docs, name: str | None) -> list:
    return [d for d in docs if d.kind == "authorization_letter" and d.fields.get("licensee") is not None
            and is_same(d.fields["licensee"].value, name) is True]


def _serial_key(serial: str) -> str:
    """A serial for comparing two OCR reads: 'X1-SQ·2023' is 'XI-SQ-2023' (I/1, O/0 and dots read for dashes)."""
    return ocr_code_key(serial)


def _same_serial(a: str, b: str) -> bool:
    """Two reads of one serial. A fax may also drop or garble one letter of the prefix ('XI-SQ' read as 'X-SQ',
    A-089-000191): with every digit the same, one edit is the OCR's; a forger's citation changes the number."""
    ka, kb = _serial_key(a), _serial_key(b)
    if ka == kb:
        return True
    digits = re.sub(r"\D", "", a)
    return len(digits) >= 4 and digits == re.sub(r"\D", "", b) and Levenshtein.distance(ka, kb) <= 1


def _whole_serial(serial) -> bool:
    """Whether a serial was read with its number (four digits or more)."""
    return isinstance(serial, str) and sum(c.isdigit() for c in serial) >= 4


def broken_chain(seller: str | None, docs) -> dict[str, list[Finding]]:
    """Findings across an appeal's letters, keyed by file: a distributor's letter to the seller must cite the
    serial of the brand's letter to that distributor, and may not grant beyond that letter's period."""
    out: dict[str, list[Finding]] = {}
    for letter in _letters_to(docs, seller):
        licensor = letter.fields.get("licensor")
        parents = _letters_to(docs, licensor.value) if licensor is not None else []
        parents = [p for p in parents if p is not letter]
        if not parents:
            continue
        # An expired letter and its renewal may both be there: the cited one decides, else the latest-ending.
        cited = letter.fields.get("parent_serial")
        # A serial read without its number is a part read (a fax's 'BO' of BO-SQ-2024-66686, A-437-000052): it can
        # neither confirm nor contradict the citation. Nor can a citation read so (a photo's 'X4Y' for
        # 'XI·SQ-2024-94700', A-829-000175, from a box seven pixels wide).
        if cited is not None and not _whole_serial(cited.value):
            cited = None
        serials = [p.fields["serial"] for p in parents if p.fields.get("serial") is not None
                   and _whole_serial(p.fields["serial"].value)]
        same = [p for p in parents if cited is not None and p.fields.get("serial") is not None
                and _whole_serial(p.fields["serial"].value) and _same_serial(p.fields["serial"].value, cited.value)]
        if cited is not None and serials and not same:
            out.setdefault(letter.file, []).append(_finding(
                "content.chain_serial_mismatch", "high", "content.appeal_chain",
                f"The letter cites the distributor's authorization {cited.value}, but the brand's letter(s) to "
                f"{licensor.value} in this appeal are {', '.join(s.value for s in serials)}", cited, cited.value,
                [s.value for s in serials]))
        parent = same[0] if same else max(parents, key=lambda p: field_date(p.fields.get("valid_to")) or dt.date.min)
        end, parent_end = field_date(letter.fields.get("valid_to")), field_date(parent.fields.get("valid_to"))
        if end is not None and parent_end is not None and end > parent_end:
            out.setdefault(letter.file, []).append(_finding(
                "content.chain_period_exceeds", "medium", "content.appeal_chain",
                f"The distributor grants until {end}, beyond its own authorization, which ends {parent_end} "
                f"({parent.file})", letter.fields["valid_to"], str(end), f"on or before {parent_end}"))
    return out


APPEAL_CHECKS = (
    ("content.appeal_dates", "An invoice must not predate the seller's own authorization (its letter's start or "
                             "issue)."),
    ("content.appeal_chain", "A distributor's letter must cite the brand's letter to that distributor and stay within "
                             "its period."),
)
"""The checks that need two documents of one appeal (id, what they judge), run by `appeal_findings`."""


def appeal_findings(seller: str | None, docs, seller_uscc: str | None = None) -> dict[str, list[Finding]]:
    """Every finding that needs two documents of one appeal, keyed by the file it is about."""
    out: dict[str, list[Finding]] = {}
    for part in (invoice_before_letter(seller, docs, seller_uscc), broken_chain(seller, docs)):
        for file, found in part.items():
            out.setdefault(file, []).extend(found)
    return out
