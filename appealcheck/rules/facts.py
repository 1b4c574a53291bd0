"""The facts rules can read (DESIGN.md section 4): one list, used by lint and by docs/rules.md.

The names are a contract like a file format: add freely, never rename. `FACTS` is the single source;
`appealcheck rules facts --markdown` renders it, so the guide cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    """One name a rule may use."""

    name: str
    """Dotted path; `[]` marks a list whose items have the names below it (doc.seals[].text)."""
    type: str
    """CEL type as a rule sees it: string, double, int, bool, list, map; `?` means it may be null."""
    description: str


_F = Fact

_FILE = [
    _F("doc.file.name", "string", "File name inside the appeal."),
    _F("doc.file.sha256", "string", "SHA-256 of the file bytes, lowercase hex."),
    _F("doc.file.format", "string?", "Container format: jpeg, png, tiff, bmp, webp, pdf."),
    _F("doc.file.size_bytes", "int?", "File size in bytes."),
    _F("doc.file.pages", "int", "Number of pages (1 for an image)."),
    _F("doc.file.producer", "string?", "PDF Producer (e.g. the library that wrote it)."),
    _F("doc.file.creator", "string?", "PDF Creator (the application the author used)."),
    _F("doc.file.software", "string?", "EXIF Software of an image (an editor's name is a signal)."),
    _F("doc.file.created", "string?", "Creation time from the file's metadata, ISO 8601."),
    _F("doc.file.modified", "string?", "Modification time from the file's metadata, ISO 8601."),
    _F("doc.file.camera", "string?", "EXIF camera make and model."),
    _F("doc.file.ids", "map", "Identifiers of the original file or camera: xmp.DocumentID, "
                              "xmp.OriginalDocumentID, pdf.ID, ImageUniqueID, BodySerialNumber (when present)."),
]

_FIELDS = [
    ("licensor", "string", "Authorization letter: who grants (the brand or a distributor)."),
    ("licensee", "string", "Authorization letter: who is authorized (the seller)."),
    ("licensor_uscc", "string", "Licensor's unified social credit code."),
    ("licensee_uscc", "string", "Licensee's unified social credit code."),
    ("issued_on", "string", "Date the letter was issued, 'YYYY-MM-DD'."),
    ("valid_from", "string", "Start of the authorized period, 'YYYY-MM-DD'."),
    ("valid_to", "string", "End of the authorized period, 'YYYY-MM-DD'."),
    ("serial", "string", "Letter serial number as printed."),
    ("parent_serial", "string", "Distributor's letter: serial of the brand's letter to the distributor it cites."),
    ("platform", "string", "Marketplace the letter names (e.g. 天猫)."),
    ("invoice_code", "string", "Invoice: 发票代码 (10 or 12 digits; absent on 全电 e-fapiao)."),
    ("invoice_no", "string", "Invoice: 发票号码 (8 or 20 digits)."),
    ("invoice_type", "string", "Invoice: type as printed (e.g. 增值税电子普通发票)."),
    ("buyer_name", "string", "Invoice: 购买方 name."),
    ("buyer_uscc", "string", "Invoice: 购买方 taxpayer id / USCC."),
    ("seller_name", "string", "Invoice: 销售方 name."),
    ("seller_uscc", "string", "Invoice: 销售方 taxpayer id / USCC."),
    ("amount", "double", "Invoice: amount before tax."),
    ("tax", "double", "Invoice: tax."),
    ("total", "double", "Invoice or receipt: total (价税合计 / 合计)."),
    ("total_in_words", "double", "Invoice: the total written in Chinese capitals (大写), as a number."),
    ("check_code", "string", "Invoice: 校验码."),
    ("item_lines", "list", "Invoice: the items table's lines, read only when read whole: maps {amount, rate, tax, "
                           "page, box, confidence}; rate and tax are null on an exempt line (免税, ***)."),
    ("items_amount", "double", "Invoice: the item lines' amounts added up."),
    ("items_tax", "double", "Invoice: the item lines' taxes added up (absent when a line has none)."),
    ("store", "string", "Receipt: store name."),
    ("date", "string", "Receipt: date, 'YYYY-MM-DD'."),
    ("time", "string", "Receipt: time, 'HH:MM[:SS]'."),
    ("subtotal", "double", "Receipt: subtotal."),
    ("items_total", "double", "Receipt: the item lines' figures added up (only under an items header, read whole)."),
    ("items_count", "int", "Receipt: how many item lines were added up."),
    ("currency", "string", "Receipt: currency code (CNY, USD...)."),
    ("receipt_no", "string", "Receipt: receipt or transaction number."),
    ("company_name", "string", "Business license: company name."),
    ("uscc", "string", "Business license: unified social credit code."),
    ("legal_representative", "string", "Business license: legal representative."),
    ("registered_capital", "string", "Business license: registered capital as printed."),
    ("established_on", "string", "Business license: date established, 'YYYY-MM-DD'."),
    ("address", "string", "Business license: address."),
    ("usccs", "list", "Every USCC-shaped code on the document: maps {code, valid, kind, page, box}."),
    ("trademark_numbers", "list", "Letter: trademark registration numbers cited (第12345678号): maps {number, page, "
                                  "box}."),
]

FACTS: tuple[Fact, ...] = (
    _F("doc", "map", "The document being judged."),
    _F("doc.kind", "string?",
       "authorization_letter | purchase_invoice | receipt | business_license | other."),
    _F("doc.text", "string", "All OCR text, pages separated by a form feed."),
    _F("doc.file", "map", "File facts."),
    *_FILE,
    _F("doc.fields", "map", "Extracted fields; a field that was not found is absent (test with has())."),
    *(_F(f"doc.fields.{n}", t, d) for n, t, d in _FIELDS),
    _F("doc.seals", "list", "Seal impressions found on the document."),
    _F("doc.seals[].text", "string", "Ring text as read."),
    _F("doc.seals[].center_text", "string", "Text under the star (e.g. 合同专用章)."),
    _F("doc.seals[].code", "string?", "Security code along the bottom arc."),
    _F("doc.seals[].lines", "list", "Lines across a seal with no ring text, top to bottom (payment apps' and banks' "
                                    "voucher stamps: 支付宝(中国), 网络技术有限公司, 转账凭证专用章)."),
    _F("doc.seals[].taxpayer_no", "string?", "Invoice seal (发票专用章): the taxpayer number across its middle."),
    _F("doc.seals[].shape", "string", "circle | ellipse."),
    _F("doc.seals[].size_mm", "list", "[width, height] of the impression in millimetres."),
    _F("doc.seals[].matched_seal", "string?", "Id of the registered seal it matched best."),
    _F("doc.seals[].match_score", "double?", "Similarity to that seal, 0..1."),
    _F("doc.seals[].impression", "string", "Ink-pressure pattern (base64), compared across appeals by batch links."),
    _F("doc.seals[].ink_spread", "double?", "How much the ink's strength varies over all its pixels, over its median "
       "(flat pasted colour under 0.15 on scans)."),
    _F("doc.seals[].ring_variation", "double?", "How much the strongest ink varies from sector to sector round the "
       "border ring, over its median: a stamp's pressure varies (0.25 and up), a pasted image is flat (under 0.12), "
       "on photos too; null on faxes or with too little ring."),
    _F("doc.seals[].text_under_hidden", "double?", "Share of the print near the seal that vanishes under its ink "
       "(stamped ink lets it show through); null without print around."),
    _F("doc.seals[].star", "double?", "Outer radius of the five-pointed star in the middle, as a share of the seal's "
       "radius; 0 when there is none; null on a colourless page or a seal under 70 px in radius."),
    _F("doc.seals[].ring_width", "double?", "Width of the border ring as a share of the seal's radius; null on a "
       "colourless page, a seal under 70 px in radius or with too little ring."),
    _F("doc.seals[].text_span", "double?", "Degrees of the ring covered by ink of its text band (the widest stretch "
       "without ink is the gap); null when OCR is off."),
    _F("doc.template", "map?", "The registered template the document matched, or null."),
    _F("doc.template.id", "string", "Template id from brand.yaml."),
    _F("doc.template.match_score", "double", "Layout similarity, 0..1."),
    _F("doc.template.deviations", "list", "Fixed phrases or regions that differ from the template."),
    _F("doc.template.registered", "bool", "Whether the page was registered to the template by its fixed lines "
       "(seal placement is judged only then)."),
    _F("doc.forensics", "map", "Pixel and file forensics results by check id (may be empty)."),
    _F("doc.forensics.*", "any", "One entry per forensic check; see `appealcheck facts` output."),
    _F("doc.error", "string?", "Why the document could not be read, or null."),
    _F("appeal", "map", "The appeal the document came in."),
    _F("appeal.id", "string", "Appeal id."),
    _F("appeal.submitted_at", "string", "Date validity is judged at, 'YYYY-MM-DD'."),
    _F("appeal.seller", "map", "Who filed the appeal."),
    _F("appeal.seller.name", "string?", "Seller's legal name."),
    _F("appeal.seller.shop", "string?", "Shop name."),
    _F("appeal.seller.uscc", "string?", "Seller's USCC."),
    _F("appeal.seller.account", "map", "Behaviour signals, numbers only."),
    _F("appeal.seller.account.*", "int", "e.g. age_days, prior_violations, appeals_90d."),
    _F("brand", "map", "The brand pack (from brand.yaml)."),
    _F("brand.id", "string", "Pack id."),
    _F("brand.name", "string", "Brand name."),
    _F("brand.names", "list", "Brand names and trademarks as printed."),
    _F("brand.entities", "list", "Legal entities that may issue documents."),
    _F("brand.entities[].name", "string", "Entity name."),
    _F("brand.entities[].uscc", "string?", "Entity USCC."),
    _F("brand.entities[].role", "string?", "Role, e.g. owner."),
    _F("brand.distributors", "list", "Authorized resellers."),
    _F("brand.distributors[].name", "string", "Distributor name."),
    _F("brand.distributors[].uscc", "string?", "Distributor USCC."),
    _F("brand.distributors[].valid_from", "string?", "Start of its authorization, 'YYYY-MM-DD'."),
    _F("brand.distributors[].valid_to", "string?", "End of its authorization, 'YYYY-MM-DD'."),
    _F("brand.trademarks", "list", "Registered trademarks: maps {number, name, classes}."),
    _F("brand.stores", "list", "Shops that sell the brand: maps {name, country}."),
    _F("brand.policy", "map", "The brand's policy."),
    _F("brand.policy.individuals_allowed", "bool", "May a letter name a private person as licensee."),
    _F("brand.policy.max_validity_days", "int?", "Longest authorization period the brand grants."),
    _F("brand.policy.thresholds", "map?", "Score thresholds {suspicious, forged}."),
    _F("brand.policy.thresholds.suspicious", "double", "Score at which an appeal is suspicious."),
    _F("brand.policy.thresholds.forged", "double", "Score at which an appeal is forged."),
)

ROOTS = ("doc", "appeal", "brand")
"""The variables a rule sees."""

_NAMES = {f.name for f in FACTS}
_OPEN = {f.name[:-2] for f in FACTS if f.name.endswith(".*")}
_LISTS = {f.name for f in FACTS if f.type.startswith("list")}


def is_known(path: str) -> bool:
    """Whether a dotted path (lists written `x[]`, e.g. doc.seals[].text) names a fact or lies under an open map."""
    if path in _NAMES:
        return True
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in _OPEN:
            return True
    # Indexing a plain list (doc.fields.usccs[]) or a scalar list (size_mm[]) reaches an item.
    return path.endswith("[]") and path[:-2] in _LISTS


def field_names() -> list[str]:
    """Names under doc.fields, in the order of FACTS."""
    return [f.name.removeprefix("doc.fields.") for f in FACTS if f.name.startswith("doc.fields.")]


def markdown_table() -> str:
    """The facts as a Markdown table (for docs/rules.md)."""
    rows = ["| Name | Type | Meaning |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f.type} | {f.description.replace('|', '&#124;')} |" for f in FACTS]
    return "\n".join(rows)
