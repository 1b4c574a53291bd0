"""The model's inputs: one fixed, ordered, versioned feature vector per document.

The list is a contract with every saved model (its features.json repeats it): add a feature, remove one
or change what one means, and bump FEATURE_VERSION, which makes older models refuse to load and the
feature cache miss. A value that could not be measured stays None (NaN for LightGBM, which routes it
on its own branch); nothing is zero-filled to look like a measurement. Counts of findings are real
measurements (the checks ran and raised none), so they are 0, not None.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from appealcheck.models import DOCUMENT_KINDS, SEVERITIES, Appeal, DocumentResult

FEATURE_VERSION = 17
"""Bumped whenever FEATURES or the way a value is computed changes. 14: info notes leave `finding.max_severity`.
15: `finding.pixel.pasted_region`. 16: the file and pixel forensics measurements (`file.forensics.*`,
`pixel.forensics.*`), and `finding.pixel.compression_mismatch`. 17: `finding.text.column_misaligned` and
`text.column_short`."""


@dataclass(frozen=True)
class Feature:
    """One model input."""

    name: str
    """Stable name, stored in saved models and explanations."""
    description: str
    """What it measures, in words a reviewer understands (used in explanations)."""
    source: str | None = None
    """The finding or check id the value comes from, so an explanation can point at its evidence; an id prefix
    ending in '.' (a family) points at the family's most severe finding."""


KNOWN_FINDINGS: tuple[tuple[str, str], ...] = (
    # Extend this registry as checks land (and bump FEATURE_VERSION): each id becomes its own count.
    ("content.uscc_check_digit", "a printed company code (USCC) fails its check digit"),
    ("content.date_impossible", "a printed date does not exist on the calendar"),
    ("content.period_reversed", "the authorization ends before it starts"),
    ("content.period_outside", "the appeal was filed outside the authorization period"),
    ("content.period_too_long", "the authorization runs longer than the brand ever grants"),
    ("content.total_words_mismatch", "the amount in words differs from the amount in figures"),
    ("content.invoice_sum_mismatch", "invoice amount plus tax does not add up to the total"),
    ("content.invoice_tax_mismatch", "invoice tax does not match its rate"),
    ("content.invoice_number_format", "invoice code or number does not have the form its printed type gives it"),
    ("content.invoice_code_date", "the invoice's code or number was issued for a later year than its date"),
    ("content.invoice_lines_mismatch", "the invoice's item lines do not add up to its amount or tax"),
    ("content.invoice_line_tax_mismatch", "an invoice line's tax is not its amount times its rate"),
    ("content.receipt_sum_mismatch", "receipt lines or tax do not add up to the total"),
    ("content.qr_mismatch", "the invoice QR code disagrees with the printed invoice"),
    ("content.licensor_lookalike", "the licensor's name imitates a brand entity"),
    ("content.licensor_unknown", "the licensor is not one of the brand's entities or distributors"),
    ("content.licensor_uscc_mismatch", "the licensor's company code is not the registered one"),
    ("content.distributor_not_authorized", "the licensing distributor was not authorized at the time"),
    ("content.licensee_not_seller", "the letter names someone other than the appealing seller"),
    ("content.individual_licensee", "the letter licenses a private person"),
    ("content.buyer_not_seller", "the invoice buyer is not the appealing seller"),
    ("content.invoice_issuer_lookalike", "the invoice issuer's name imitates a brand entity"),
    ("content.invoice_issuer_unknown", "the invoice issuer is not a known brand entity or distributor"),
    ("content.issued_after_appeal", "the document is dated after the appeal was filed"),
    ("content.license_term_start", "the licence's business term does not start on its founding date"),
    ("content.known_forgery", "this exact file is on the brand's list of known forgeries"),
    ("content.known_forgery_similar", "a seal on the page is the image of a seal the brand knows is forged"),
    ("content.weekday_mismatch", "a printed weekday is not the weekday of its date"),
    ("content.resident_id_invalid", "a printed resident identity card number is not a valid one"),
    ("content.trademark_unknown", "the letter cites a trademark number the brand did not register"),
    ("content.currency_country_mismatch", "the receipt's currency is not that of its shop's country"),
    ("content.date_format_country", "the receipt's date is written in another country's order"),
    ("content.time_format_country", "the receipt's clock is not the one its country's tills print"),
    ("content.store_unknown", "the receipt's shop is not one the brand lists"),
    ("content.invoice_before_letter", "the seller's invoice predates the seller's own authorization"),
    ("content.chain_serial_mismatch", "a distributor's letter cites a brand letter that is not the distributor's"),
    ("content.chain_period_exceeds", "a distributor's letter runs past the distributor's own authorization"),
    ("file.dates_disagree", "the file's recorded dates contradict each other"),
    ("file.editing_history", "the file's metadata records an editing history"),
    ("file.overlay_image", "a PDF page has an image laid over its content"),
    ("file.pdf_incremental_update", "the PDF was changed after it was first written"),
    ("file.pdf_javascript", "the PDF carries JavaScript"),
    ("file.pdf_modified_after_signing", "the PDF was changed after it was signed"),
    ("file.thumbnail_mismatch", "the embedded thumbnail differs from the image"),
    ("pixel.copy_move", "a region of the page is copied from elsewhere on it"),
    ("pixel.noise_inconsistency", "a region's noise differs from the rest of the page"),
    ("pixel.pasted_region", "a block of other paper, cut sharp, is pasted on the page"),
    ("pixel.compression_mismatch", "a region does not carry the JPEG save the rest of the page carries"),
    ("file.editing_software", "the file's metadata names image-editing software"),
    ("seal.pasted", "the seal looks pasted in rather than stamped"),
    ("seal.text_mismatch", "the seal's ring text differs from the registered seal"),
    ("seal.unregistered", "the seal matches none of the brand's registered seals"),
    ("seal.entity_mismatch", "the seal belongs to a different company than the issuer"),
    ("seal.size_mismatch", "the seal is not the registered size"),
    ("seal.shape_mismatch", "the seal is not the registered shape"),
    ("seal.taxpayer_mismatch", "the invoice seal's taxpayer number is not the printed seller's"),
    ("seal.star_mismatch", "the seal's star is missing or cut to another size than the registered seal's"),
    ("seal.ring_width_mismatch", "the seal's border ring is cut thinner or thicker than the registered seal's"),
    ("seal.text_span_mismatch", "the seal's ring text spans another angle than the registered seal's"),
    ("template.unmatched", "the document matches none of the brand's templates"),
    ("template.fixed_text_missing", "wording every genuine document of this template has is missing"),
    ("template.layout_shift", "text sits where the template does not put it"),
    ("template.retired", "the document uses a template the brand has retired"),
    ("template.field_pattern", "a field does not have the form the brand's template prints"),
    ("template.seal_outside", "the seal is stamped where the brand's template never puts it"),
    ("text.baseline_shift", "digits of a line, or a letter's field, sit off the line's baseline (printed apart)"),
    ("text.font_inconsistent", "digits of a line, a date or an amount are another size or face than the page's others"),
    ("text.glyph_cloned", "two printings of a digit are the same pixels: one was cloned on the captured image"),
    ("text.field_size", "a letter's licensee is printed a size off the same characters of its licensor"),
    ("text.ink_colour", "a value is printed in another ink hue than the rest of the page (typed in afterwards)"),
    ("text.column_misaligned", "a receipt's total ends short of the column its other amounts are right-aligned on"),
)
"""Finding ids with their own feature (a count). Other ids fall into 'other findings' counts by severity."""

FAMILIES: tuple[tuple[str, str], ...] = (
    ("content", "findings where the document's facts disagree with each other, the brand or the appeal"),
    ("seal", "findings about the seals"),
    ("template", "findings where the document departs from the brand's template"),
    ("file", "findings in the file's metadata or structure"),
    ("pixel", "findings in the page's pixels"),
    ("text", "findings where characters of a line were not printed with the rest, or were cloned"),
)
"""Finding id prefixes counted together (the id's part before the first dot)."""

CHECK_MEASUREMENTS: tuple[tuple[str, str], ...] = (
    # Measurements the checks report in DocumentResult.features; names as the checks emit them.
    ("content.invoice_math.sum_error", "how far invoice amount plus tax is from the total"),
    ("content.invoice_math.words_error", "how far the amount in words is from the total"),
    ("content.invoice_math.lines_error", "how far the invoice's item lines add up from its amount"),
    ("content.invoice_math.lines_tax_error", "how far the invoice's item lines' taxes add up from its tax"),
    ("content.receipt_math.error", "how far the receipt's subtotal and tax are from its total"),
    ("content.licensor.similarity", "how closely the licensor's name matches a brand entity"),
    ("content.licensee.seller_similarity", "how closely the licensee's name matches the appealing seller"),
    ("content.invoice_issuer.similarity", "how closely the invoice issuer matches a known brand entity"),
    ("content.document_dates.period_days", "length of the authorization period in days"),
    ("content.document_dates.days_to_expiry", "days from the appeal to the end of the authorization"),
    ("content.license_term.gap_days", "days between a licence's founding date and the start of its term"),
    ("content.document_dates.age_days", "age of the document in days when the appeal was filed"),
    ("content.invoice_qr.mismatches", "fields where the invoice QR code disagrees with the print"),
    ("content.trademark.unknown", "trademark registration numbers cited that are not the brand's"),
    ("content.receipt_locale.country_known", "the receipt's country could be told (so its currency and formats "
     "were judged)"),
    ("content.store.similarity", "how closely the receipt's store matches a store the brand lists"),
    ("file.software.editor", "metadata names image-editing software"),
    ("file.forensics.modified_after_days", "days between the file's recorded creation and its last modification"),
    ("file.forensics.xmp_history_events", "save, convert and derive events in the file's XMP edit history"),
    ("file.forensics.xmp_editor", "the file's XMP history names image-editing software"),
    ("file.forensics.thumbnail_mismatch", "how far the EXIF thumbnail differs from the image"),
    ("file.forensics.jpeg_q0_mean", "the JPEG's mean luminance quantisation step (its last save's quality)"),
    ("file.forensics.pdf_updates", "times the PDF was saved again after it was first written"),
    ("file.forensics.pdf_javascript", "the PDF carries JavaScript"),
    ("file.forensics.pdf_form_fields", "form fields in the PDF"),
    ("file.forensics.pdf_overlay_images", "images laid over a PDF page's content"),
    ("file.forensics.pdf_fonts", "fonts the PDF uses"),
    ("file.forensics.pdf_text_pages", "pages of the PDF with a text layer"),
    ("file.forensics.pdf_signatures", "digital signatures in the PDF"),
    ("pixel.forensics.noise_level", "the page's scan or sensor noise level"),
    ("pixel.forensics.noise_inconsistent_blocks", "blocks whose noise differs from pages' blocks of their brightness"),
    ("pixel.forensics.noise_max_ratio", "how many times noisier or cleaner the most inconsistent region is"),
    ("pixel.forensics.copy_move_pairs", "blocks of the page found repeated elsewhere on it"),
    ("pixel.forensics.copy_move_corr", "share of identical pixels in the most alike repeated blocks (a copy brings "
     "its noise along)"),
    ("pixel.forensics.copy_move_gap", "the closest repeat's difference over the page's other repeats' (a copy is "
     "far closer than repeated print)"),
    ("pixel.forensics.copy_move_region", "the largest region found repeated elsewhere on the page (share of the "
     "page)"),
    ("pixel.forensics.pasted_regions", "blocks of other paper, cut sharp, on the page"),
    ("pixel.forensics.jpeg_grid_strength", "how strongly the JPEG 8x8 block grid shows"),
    ("pixel.forensics.jpeg_grid_offset", "how far the JPEG block grid is shifted from the image's corner (a crop or "
     "a paste after a save)"),
    ("pixel.forensics.jpeg_history_quality", "the quality of the JPEG save the page's blocks carry"),
    ("pixel.forensics.compression_mismatches", "regions that do not carry the page's JPEG save"),
    ("seal.count", "number of seals found"),
    ("seal.text_similarity", "how closely the seal's ring text matches the registered seal"),
    ("seal.image_score", "how closely the seal image matches the registered seal"),
    ("seal.min_sector", "agreement of the seal's weakest sector with the registered seal"),
    ("seal.size_error_mm", "how far the seal's size is from the registered size (mm)"),
    ("seal.ink_spread", "how the seal ink spreads into the paper (stamped ink bleeds)"),
    ("seal.edge_sharpness", "sharpness of the seal's edges (pasted seals are often too sharp)"),
    ("seal.text_under_hidden", "how much printed text the seal ink hides"),
    ("seal.ring_ink_variation", "how much the seal's ink varies round its ring (a stamp's pressure varies; a "
     "pasted image is one flat colour)"),
    ("seal.ring_read_score", "the OCR confidence of the seal's ring text"),
    ("seal.lookalike_swaps", "look-alike characters swapped in the seal text"),
    ("seal.ring_coverage", "how complete the seal's outer ring is"),
    ("seal.ring_plain_nats", "how plainly the seal's ring shows a character other than the registered one"),
    ("seal.star_off", "how far the seal's star is from the registered star's size (log ratio; a missing star: 3.0)"),
    ("seal.ring_width_off", "how far the seal's border ring width is from the registered one's (log ratio)"),
    ("seal.text_span_off", "degrees by which the seal's ring text span differs from the registered seal's"),
    ("template.match_score", "how closely the document matches its template"),
    ("template.missing", "template phrases missing from the document"),
    ("template.inversions", "template phrases out of their usual order"),
    ("template.retired", "the matched template is retired"),
    ("template.seal_offset", "how far the seal lies outside the template's seal region (share of the page)"),
    ("text.baseline_score", "how far digits or a letter's field sit off their line's baseline, beyond its scatter"),
    ("text.height_score", "how far a run of digits is sized unlike its line, beyond the line's scatter"),
    ("text.clone_closest", "the closest two printings of a digit, over how far apart the page's printings are"),
    ("text.field_size_gap", "how far a letter's licensee is sized off the same characters of its licensor"),
    ("text.ink_score", "how far a value's ink hue is from the page's print, beyond the page's own spread"),
    ("text.column_short", "line heights by which a receipt's total ends short of its amounts' right-aligned column"),
)

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    # The fields each kind is expected to carry; a missing one is a weak signal (retyped or pasted areas
    # often fail to read), and a flag for a field the kind does not carry is None, not 0.
    "authorization_letter": ("licensor", "licensee", "valid_from", "valid_to", "issued_on", "serial"),
    "purchase_invoice": ("invoice_code", "invoice_no", "buyer_name", "seller_name", "total", "tax",
                         "total_in_words"),
    "receipt": ("store", "total", "date", "receipt_no"),
    "business_license": ("company_name", "uscc"),
}
_ALL_KEY_FIELDS = tuple(dict.fromkeys(f for fs in KEY_FIELDS.values() for f in fs))

EDITOR_PATTERN = re.compile(r"photoshop|gimp|meitu|美图|canva|pixlr|affinity|paint\.net|picsart|snapseed|fotor|"
                            r"illustrator|coreldraw|inkscape|稿定|醒图|\bps\b", re.IGNORECASE)
"""Editing software in a file's software/producer/creator strings (independent of the file.software check)."""

_FORMATS = ("jpeg", "png", "tiff", "bmp", "webp", "pdf")
SEVERITY_RANK = {s: i + 1 for i, s in enumerate(SEVERITIES)}
"""Severity as a number, 1 (info) to 5 (critical); 0 means 'no finding'."""


def _build() -> tuple[Feature, ...]:
    out: list[Feature] = []
    out += [Feature(f"finding.{fid}", desc, fid) for fid, desc in KNOWN_FINDINGS]
    out += [Feature(f"finding.other.{s}", f"other {s}-severity findings", None) for s in SEVERITIES]
    out.append(Feature("finding.max_severity",
                       "the most severe finding on the document (0 none, 2 low .. 5 critical; notes count as none)"))
    # Every finding of a family together: one forgery type is rare in any training set (a few documents, too few
    # for a leaf), while "some content check disagreed" is common enough to learn and carries to new types.
    out += [Feature(f"finding.family.{fam}", desc, f"{fam}.") for fam, desc in FAMILIES]
    out += [Feature(name, desc, name.rsplit(".", 1)[0]) for name, desc in CHECK_MEASUREMENTS]
    out += [Feature(f"kind.{k}", f"the document is a {k.replace('_', ' ')}") for k in DOCUMENT_KINDS]
    out += [
        Feature("ocr.lines", "number of text lines read"),
        Feature("ocr.mean_confidence", "average OCR confidence of the text"),
        Feature("ocr.min_confidence", "lowest OCR confidence of any line"),
        Feature("ocr.dereddened_lines", "lines read again under red seal ink"),
    ]
    out += [Feature(f"file.format.{f}", f"the file is a {f.upper()}") for f in _FORMATS]
    out += [
        Feature("file.pages", "number of pages"),
        Feature("file.size_kb", "file size in KB"),
        Feature("file.editor_in_metadata", "software, producer or creator names an image editor", "file.software"),
        Feature("file.has_camera", "the file records the camera that took it"),
        Feature("file.has_dates", "the file records when it was created or modified"),
    ]
    out += [Feature(f"field.{f}.present", f"the {f.replace('_', ' ')} could be read") for f in _ALL_KEY_FIELDS]
    out.append(Feature("field.read_fraction", "share of the kind's key fields that could be read"))
    out += [
        Feature("seller.age_days", "age of the seller's account in days"),
        Feature("seller.prior_violations", "the seller's earlier violations"),
        Feature("seller.appeals_90d", "the seller's appeals in the last 90 days"),
    ]
    out += [Feature(f"rules.{s}", f"brand rules of {s} severity that fired") for s in SEVERITIES]
    return tuple(out)


FEATURES: tuple[Feature, ...] = _build()
"""The fixed, ordered list. Its order is the column order of every feature matrix."""
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
_MONOTONE_MEASUREMENTS = {"text.clone_closest": -1, "text.ink_score": 1, "text.column_short": 1,
                          "seal.ring_ink_variation": -1,
                          "template.seal_offset": 1, "seller.age_days": -1, "seal.star_off": 1,
                          "seal.ring_width_off": 1, "seal.text_span_off": 1, "seal.ink_spread": -1,
                          "seal.text_under_hidden": 1, "seal.edge_sharpness": 1, "seal.text_similarity": -1,
                          "seal.min_sector": -1, "seal.image_score": -1,
                          "file.forensics.xmp_history_events": 1, "file.forensics.xmp_editor": 1,
                          "file.forensics.thumbnail_mismatch": 1, "file.forensics.pdf_updates": 1,
                          "file.forensics.pdf_javascript": 1, "file.forensics.pdf_overlay_images": 1,
                          "pixel.forensics.noise_inconsistent_blocks": 1, "pixel.forensics.noise_max_ratio": 1,
                          "pixel.forensics.copy_move_gap": -1, "pixel.forensics.pasted_regions": 1,
                          "pixel.forensics.compression_mismatches": 1}
"""Measurements whose direction is known, each constrained because a tree learnt it backwards when left free:
- two printings of a digit closer together can only raise the score (trees learnt the genuine range of real
  receipts, 0.5-0.8, as suspicious from a few synthetic ones);
- a seal's ink flatter round its ring or over the page (less spread, harder edges, more of the print under it
  hidden), or its star, ring, text or image further from the registered seal's, can only raise it (a genuine
  licence's registry seal of fresh seed 823 scored 0.44 from its ink spreading more than seed 7's);
- an older seller account can only lower it (seed 7's oldest accounts, 14 forged to 11 genuine over 1500 days,
  taught that any account older than its oldest genuine one, 1907 days, is forged: a genuine appeal of seed 467
  with no finding at all scored 0.67 from an account of 2000 days);
- the file and pixel forensics measurements that grade one kind of evidence (an edit history, a PDF saved again or
  laid over, noise that differs, a repeat far closer than the page's others, a pasted block) can only raise it.
  Those that describe the capture (noise level, JPEG quality and grid, fonts) are left free, and so are the
  identity and size of repeats: a screenshot repeats its print pixel for pixel, a receipt its lines."""
MONOTONE: tuple[int, ...] = tuple(
    0 if n in ("finding.other.info", "rules.info") else 1 if n.startswith(("finding.", "rules."))
    else 1 if n.startswith("field.") else _MONOTONE_MEASUREMENTS.get(n, 0) for n in FEATURE_NAMES)
"""LightGBM monotone constraints in FEATURES order: one more finding or rule hit can only raise the score. A few
hundred training appeals hold a rare finding a handful of times, too few to stop a tree learning it backwards.
A key field read (`field.*.present`, `field.read_fraction`) can only raise it too, so a field the OCR could not
read never does: unread is unknown, never a mismatch. Left free, trees learnt a receipt number never read as forged
from seed 907 (a handful of forged receipts lacked one), and 17 of the 26 genuine real receipts, whose numbers
the OCR does not find, went `suspicious` (session 25).
Notes ('not checked', severity info) are not evidence either way: they are left free and out of
`finding.max_severity`. Counted as findings, a fax letter's one note ('one-bit print, text not checked') raised
genuine fax letters of fresh seed 829 to 0.62-0.92 with no finding at all."""
_BY_NAME = {f.name: f for f in FEATURES}
_KNOWN_IDS = {fid for fid, _ in KNOWN_FINDINGS}
_MEASUREMENTS = {name for name, _ in CHECK_MEASUREMENTS}


def feature(name: str) -> Feature:
    """The Feature called `name` (KeyError if unknown)."""
    return _BY_NAME[name]


def features_fingerprint() -> str:
    """Hash of the ordered names: two models with the same FEATURE_VERSION must agree on it too."""
    return hashlib.sha256("\n".join(FEATURE_NAMES).encode()).hexdigest()[:16]


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    """The appeal-level inputs in the shape of `facts()['appeal']` (what document_features reads)."""
    s = appeal.seller
    return {"id": appeal.appeal_id, "brand": appeal.brand, "submitted_at": appeal.submitted_at,
            "seller": {"name": s.name, "shop": s.shop, "uscc": s.uscc, "account": dict(s.account)}}


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float) and math.isfinite(v):
        return float(v)
    return None


def document_features(doc: DocumentResult, appeal: dict[str, Any] | None,
                      rule_hits: list[dict[str, Any]] | None = None) -> dict[str, float | None]:
    """The feature vector of one document, keyed and ordered as FEATURES.

    `appeal` is the facts-shaped appeal dict (see appeal_dict); `rule_hits` are the appeal's hits in the
    DESIGN.md section 5 shape. A hit with a `file` counts for that document only; one without counts for
    every document. rule_hits None means rules were not evaluated: those features are then None.
    """
    v: dict[str, float | None] = dict.fromkeys(FEATURE_NAMES)
    if doc.error is not None:
        return v  # an unreadable document measured nothing
    for fid, _ in KNOWN_FINDINGS:
        v[f"finding.{fid}"] = 0.0
    for s in SEVERITIES:
        v[f"finding.other.{s}"] = 0.0
    for fam, _ in FAMILIES:
        v[f"finding.family.{fam}"] = 0.0
    worst = 0
    for f in doc.findings:
        key = f"finding.{f.id}" if f.id in _KNOWN_IDS else f"finding.other.{f.severity}"
        v[key] = (v[key] or 0.0) + 1.0
        if f.severity == "info":
            continue  # notes ('not checked') are no evidence: in no family and not the worst severity
        fam = f"finding.family.{f.id.split('.', 1)[0]}"
        if fam in v:
            v[fam] = (v[fam] or 0.0) + 1.0
        worst = max(worst, SEVERITY_RANK.get(f.severity, 0))
    v["finding.max_severity"] = float(worst)
    for name, value in doc.features.items():
        if name in _MEASUREMENTS:
            v[name] = _num(value)
    if doc.kind is not None:
        for k in DOCUMENT_KINDS:
            v[f"kind.{k}"] = 1.0 if doc.kind == k else 0.0
    lines = [ln for p in doc.ocr for ln in p.lines]
    if doc.ocr:
        v["ocr.lines"] = float(len(lines))
        v["ocr.dereddened_lines"] = float(sum(ln.source == "dereddened" for ln in lines))
    if lines:
        conf = [ln.confidence for ln in lines]
        v["ocr.mean_confidence"] = sum(conf) / len(conf)
        v["ocr.min_confidence"] = min(conf)
    info = doc.info
    if info is not None:
        for f in _FORMATS:
            v[f"file.format.{f}"] = 1.0 if info.format == f else 0.0
        v["file.pages"] = float(doc.pages)
        v["file.size_kb"] = info.size_bytes / 1024
        strings = [s for s in (info.software, info.producer, info.creator) if s]
        v["file.editor_in_metadata"] = 1.0 if any(EDITOR_PATTERN.search(s) for s in strings) else 0.0
        v["file.has_camera"] = 1.0 if info.camera else 0.0
        v["file.has_dates"] = 1.0 if (info.created or info.modified) else 0.0
    expected = KEY_FIELDS.get(doc.kind or "", ())
    for name in expected:
        v[f"field.{name}.present"] = 1.0 if name in doc.fields and doc.fields[name].value not in (None, "") else 0.0
    if expected:
        v["field.read_fraction"] = sum(v[f"field.{n}.present"] or 0.0 for n in expected) / len(expected)
    account = ((appeal or {}).get("seller") or {}).get("account") or {}
    for key in ("age_days", "prior_violations", "appeals_90d"):
        v[f"seller.{key}"] = _num(account.get(key))
    if rule_hits is not None:
        for s in SEVERITIES:
            v[f"rules.{s}"] = 0.0
        for hit in rule_hits:
            if hit.get("file") in (None, doc.file) and hit.get("severity") in SEVERITY_RANK:
                v[f"rules.{hit['severity']}"] = (v[f"rules.{hit['severity']}"] or 0.0) + 1.0
    return v


def vector(row: dict[str, float | None]) -> list[float]:
    """Row as a list in FEATURES order, None as NaN (what LightGBM treats as missing)."""
    return [math.nan if row.get(n) is None else float(row[n]) for n in FEATURE_NAMES]


def stable_json(obj: Any) -> str:
    """Canonical JSON for hashing and caching."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
