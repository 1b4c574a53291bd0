"""Self-contained HTML reports: the verdict, the reasons, and every page with the evidence drawn on it.

Pages are embedded as JPEG data URIs and boxes drawn as SVG over them, so one file opens anywhere with no
network and no other files. Everything from the appeal (names, messages, OCR text) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

MAX_PAGE_WIDTH = 1100
SEVERITY_COLOUR = {"info": "#7f8c8d", "low": "#2e86c1", "medium": "#d68910", "high": "#c0392b", "critical": "#7d0b0b"}
VERDICT_COLOUR = {"clean": "#1e8449", "suspicious": "#b9770e", "forged": "#922b21", "error": "#6c3483"}

CSS = """
body{font-family:system-ui,-apple-system,'Noto Sans CJK SC',sans-serif;margin:0;color:#1b1b1b;background:#f4f4f2}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 6px} h2{font-size:17px;margin:22px 0 8px} h3{font-size:15px;margin:14px 0 6px}
.verdict{display:inline-block;padding:3px 10px;border-radius:4px;color:#fff;font-weight:600}
main{padding:8px 24px 40px}
.doc{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:14px 0}
table{border-collapse:collapse;font-size:13px} td,th{border-bottom:1px solid #e5e5e5;padding:4px 8px;text-align:left;
vertical-align:top} th{background:#fafafa;cursor:pointer;user-select:none}
.sev{font-weight:600} .page{position:relative;display:inline-block;margin:8px 0;border:1px solid #ccc}
.page img{display:block} .page svg{position:absolute;left:0;top:0}
.finding-link{cursor:pointer;text-decoration:underline dotted}
.muted{color:#666;font-size:12px} .filters input,.filters select{margin-right:8px;padding:3px}
.seal{display:flex;gap:18px;align-items:flex-start;margin:10px 0;padding:8px;border:1px solid #eee;border-radius:6px}
.seal figure{margin:0;text-align:center;font-size:12px}
.seal img{max-width:200px;max-height:200px;border:1px solid #ddd}
.heatmap img{max-width:100%}
"""


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _data_uri(image: np.ndarray, scale: float, fmt: str, **save: Any) -> str:
    img = Image.fromarray(image)
    if scale < 1.0:
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.LANCZOS)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, fmt, **save)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def page_data_uri(image: np.ndarray, max_width: int = MAX_PAGE_WIDTH) -> tuple[str, float]:
    """A page as a JPEG data URI, downscaled to max_width; returns the URI and the scale applied."""
    scale = min(1.0, max_width / max(image.shape[1], 1))
    return _data_uri(image, scale, "JPEG", quality=82), scale


def _image_uri(image: np.ndarray, max_side: int = 200) -> str:
    """A small image (a seal, a specimen) as a lossless PNG data URI, its long side at most max_side."""
    return _data_uri(image, min(1.0, max_side / max(image.shape[0], image.shape[1], 1)), "PNG")


def specimen_images(records: list[dict[str, Any]], rules_dirs: list[Path] | None = None) -> dict[tuple[str, str], str]:
    """(brand, seal id) -> data URI of each registered seal the records' brands list, for showing beside the seals
    found. A pack that cannot be found or read is left out: the report still renders without its specimens."""
    import re

    from appealcheck.errors import PackError
    from appealcheck.rules.pack import find_pack, load_pack
    from appealcheck.seals.compare import load_specimen

    out: dict[tuple[str, str], str] = {}
    for brand in sorted({str(r["brand"]) for r in records if r.get("brand")}):
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", brand):
            continue  # a results file names packs by id only, never by path
        try:
            pack = load_pack(find_pack(brand, list(rules_dirs or [])))
        except PackError:
            continue
        for spec in pack.seals:
            try:
                out[(brand, spec.id)] = _image_uri(load_specimen(Path(pack.root) / spec.file))
            except PackError:
                continue
    return out


def _seals_html(doc: dict[str, Any], pages: list[np.ndarray], brand: str | None,
                specimens: dict[tuple[str, str], str]) -> str:
    """Each seal found, cut from its page, beside the registered seal it was compared with."""
    items = []
    for k, sl in enumerate(doc.get("seals") or []):
        if not isinstance(sl, dict):
            continue
        page, box = sl.get("page"), sl.get("box")
        # A results file may be old or hand-edited: anything that is not a page index and a 4-number box is skipped.
        if not isinstance(page, int) or not 0 <= page < len(pages) or not isinstance(box, list) or len(box) != 4 \
                or not all(isinstance(v, (int, float)) for v in box):
            continue
        img = pages[page]
        x0, y0, x1, y1 = (int(v) for v in box)
        pad = max(4, (x1 - x0) // 10)
        crop = img[max(0, y0 - pad):min(img.shape[0], y1 + pad), max(0, x0 - pad):min(img.shape[1], x1 + pad)]
        if crop.size == 0:
            continue
        ref_id = sl.get("matched_seal") or sl.get("impression_ref")
        ref_uri = specimens.get((str(brand), str(ref_id))) if ref_id else None
        verdict = "matches" if sl.get("matched_seal") else "closest registered seal (no match)"
        ref = (f"<figure class='registered'><img src='{ref_uri}' alt='registered seal {_e(ref_id)}'>"
               f"<figcaption>{_e(ref_id)}: {verdict}</figcaption></figure>") if ref_uri else \
            "<p class='muted'>No registered seal to compare with.</p>"
        size = sl.get("size_mm")
        size = size if isinstance(size, list) and len(size) == 2 and all(isinstance(v, (int, float)) for v in size) \
            else None
        facts = [f"ring text: {_e(sl.get('text') or '—')}", f"centre: {_e(sl.get('center_text') or '—')}",
                 f"code: {_e(sl.get('code') or '—')}",
                 *([f"lines: {_e(' / '.join(str(x) for x in sl['lines']))}"] if isinstance(sl.get('lines'), list)
                   and sl['lines'] else []),
                 f"shape: {_e(sl.get('shape'))}",
                 f"size: {_e(f'{size[0]:.1f} x {size[1]:.1f} mm' if size else 'unknown')}",
                 f"image match: {_e(sl.get('match_score'))}", f"text similarity: {_e(sl.get('text_similarity'))}"]
        items.append(f"<div class='seal' data-seal='{k}'><figure class='found'><img src='{_image_uri(crop)}' "
                     f"alt='seal {k + 1} on page {page + 1}'><figcaption>seal {k + 1}, page {page + 1}</figcaption>"
                     f"</figure>{ref}<div class='muted'>{'<br>'.join(facts)}</div></div>")
    return f"<h3>Seals ({len(items)})</h3>{''.join(items)}" if items else ""


def _heatmap_html(doc_idx: int, page_idx: int, image: np.ndarray) -> str:
    """The page's noise-consistency map (pixel forensics), folded away under the page."""
    from appealcheck.forensics.pixel import analyse_page, heatmap_png
    from appealcheck.models import Page

    page = Page(page_idx, image, 150.0)
    png = heatmap_png(page, analyse_page(page))
    if png is None:
        return ""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f"<details class='heatmap' id='d{doc_idx}h{page_idx}'><summary>Noise heatmap, page {page_idx + 1} "
            f"(blue: noise as the page's; red: a region whose noise differs, as pasted or retouched pixels do)"
            f"</summary><img src='{uri}' alt='noise heatmap of page {page_idx + 1}'></details>")


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:200] if isinstance(value, (list, dict)) else str(value)


def _marks(doc: dict[str, Any], rule_hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Everything to draw on a document's pages, numbered in the order they are listed."""
    marks = []
    for f in doc.get("findings", []):
        if f.get("box") and f.get("page") is not None:
            marks.append({"page": f["page"], "box": f["box"], "severity": f["severity"], "label": f["id"],
                          "message": f["message"]})
    for h in rule_hits:
        if h.get("file") == doc.get("file") and h.get("box") and h.get("page") is not None:
            marks.append({"page": h["page"], "box": h["box"], "severity": h["severity"], "label": h["rule_id"],
                          "message": h["message"]})
    for i, m in enumerate(marks, 1):
        m["n"] = i
    return marks


def _page_figure(doc_idx: int, page_idx: int, image: np.ndarray, marks: list[dict[str, Any]]) -> str:
    uri, scale = page_data_uri(image)
    h, w = image.shape[:2]
    sw, sh = int(w * scale), int(h * scale)
    shapes = []
    for m in marks:
        if m["page"] != page_idx:
            continue
        x0, y0, x1, y1 = (v * scale for v in m["box"])
        c = SEVERITY_COLOUR.get(m["severity"], "#c0392b")
        # A finding about the whole page (a known file, editing software) is framed, not tinted.
        opacity = 0.0 if (x1 - x0) * (y1 - y0) > 0.5 * sw * sh else 0.12
        shapes.append(
            f'<g class="mark" data-n="{m["n"]}"><title>{_e(m["label"])}: {_e(m["message"])}</title>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 2):.1f}" height="{max(y1 - y0, 2):.1f}" '
            f'fill="{c}" fill-opacity="{opacity}" stroke="{c}" stroke-width="2.5"/>'
            f'<rect x="{x0:.1f}" y="{max(y0 - 18, 0):.1f}" width="22" height="17" fill="{c}"/>'
            f'<text x="{x0 + 11:.1f}" y="{max(y0 - 18, 0) + 13:.1f}" fill="#fff" font-size="12" '
            f'text-anchor="middle">{m["n"]}</text></g>')
    return (f'<div class="page" id="d{doc_idx}p{page_idx}"><img src="{uri}" width="{sw}" height="{sh}" '
            f'alt="page {page_idx + 1}"><svg width="{sw}" height="{sh}" viewBox="0 0 {sw} {sh}">'
            f'{"".join(shapes)}</svg></div>')


def _reason_html(x: dict[str, Any], result: dict[str, Any]) -> str:
    """One reason of the score: what the feature measures and how far it pushed, then the finding it came from
    (document, id and message, linked to the document), so a reviewer sees which evidence is meant."""
    out = f"<li>{_e(x.get('description') or x.get('feature'))} ({x.get('contribution', 0):+.2f})"
    f = x.get("finding")
    if f:
        files = [d.get("file") for d in result.get("documents", [])]
        doc = x.get("document")
        where = f"<a href='#doc{files.index(doc)}'>{_e(doc)}</a>" if doc in files else _e(doc)
        out += f": {where}, <b>{_e(f.get('id'))}</b>, {_e(f.get('message'))}"
    return out + "</li>"


def render_appeal(result: dict[str, Any], pages: dict[str, list[np.ndarray]],
                  specimens: dict[tuple[str, str], str] | None = None, heatmaps: bool = True) -> str:
    """One appeal's report. `pages` maps each document's file name to its page images (may be missing);
    `specimens` holds the registered seal images (`specimen_images`) shown beside the seals found."""
    verdict = result.get("verdict", "error")
    score = result.get("score")
    parts = [f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>appealcheck: "
             f"{_e(result.get('appeal_id'))}</title><style>{CSS}</style></head><body>",
             f"<header><h1>Appeal {_e(result.get('appeal_id'))}</h1>"
             f"<span class='verdict' id='verdict' style='background:{VERDICT_COLOUR.get(verdict, '#555')}'>"
             f"{_e(verdict.upper())}</span> score <b id='score'>{'—' if score is None else f'{score:.2f}'}</b>"
             f" &nbsp; brand <b>{_e(result.get('brand') or '—')}</b>"
             f"<div class='muted'>model: {_e(result.get('versions', {}).get('model'))} · appealcheck "
             f"{_e(result.get('versions', {}).get('appealcheck'))}</div></header><main>"]
    if result.get("error"):
        parts.append(f"<p class='sev' style='color:{VERDICT_COLOUR['error']}' id='error'>{_e(result['error'])}</p>")
    if result.get("explanation"):
        parts.append("<h2>Why</h2><ul id='why'>" + "".join(_reason_html(x, result) for x in result["explanation"])
                     + "</ul>")
    rule_hits = list(result.get("rule_hits", []))
    for di, doc in enumerate(result.get("documents", [])):
        marks = _marks(doc, rule_hits)
        parts.append(f"<section class='doc' id='doc{di}'><h2>{_e(doc.get('file'))}</h2>"
                     f"<div class='muted'>{_e(doc.get('kind'))} · {doc.get('pages', 0)} page(s) · sha256 "
                     f"{_e((doc.get('sha256') or '')[:16])}…</div>")
        if doc.get("error"):
            parts.append(f"<p class='sev'>Unreadable: {_e(doc['error'])}</p></section>")
            continue
        listed = [(m["n"], m) for m in marks]
        unboxed = [f for f in doc.get("findings", []) if not f.get("box")]
        unboxed += [h for h in rule_hits if h.get("file") == doc.get("file") and not h.get("box")]
        if listed or unboxed:
            rows = "".join(
                f"<tr class='finding'><td>{n}</td><td class='sev' style='color:{SEVERITY_COLOUR.get(m['severity'])}'>"
                f"{_e(m['severity'])}</td><td><a class='finding-link' href='#d{di}p{m['page']}'>{_e(m['label'])}</a>"
                f"</td><td>{_e(m['message'])}</td></tr>" for n, m in listed)
            rows += "".join(
                f"<tr class='finding'><td>–</td><td class='sev' style='color:{SEVERITY_COLOUR.get(f['severity'])}'>"
                f"{_e(f['severity'])}</td><td>{_e(f.get('id') or f.get('rule_id'))}</td>"
                f"<td>{_e(f['message'])}</td></tr>" for f in unboxed)
            parts.append("<h3>Findings</h3><table class='findings'><tr><th>#</th><th>severity</th><th>id</th>"
                         f"<th>what</th></tr>{rows}</table>")
        else:
            parts.append("<p class='muted'>No findings on this document.</p>")
        fields = doc.get("fields", {})
        if fields:
            rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(_show(v.get('value')))}</td></tr>" for k, v in fields.items())
            parts.append(f"<details><summary>Fields read ({len(fields)})</summary><table>{rows}</table></details>")
        doc_pages = pages.get(doc.get("file"), [])
        for pi, image in enumerate(doc_pages):
            parts.append(_page_figure(di, pi, image, marks))
            if heatmaps:
                parts.append(_heatmap_html(di, pi, image))
        parts.append(_seals_html(doc, doc_pages, result.get("brand"), specimens or {}))
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "".join(parts)


INDEX_JS = """
const table=document.getElementById('appeals');const rows=[...table.tBodies[0].rows];
function apply(){const q=document.getElementById('q').value.toLowerCase();const v=document.getElementById('v').value;
let n=0;for(const r of rows){const ok=(!v||r.dataset.verdict===v)&&(!q||r.textContent.toLowerCase().includes(q));
r.style.display=ok?'':'none';if(ok)n++;}document.getElementById('count').textContent=n;}
document.getElementById('q').addEventListener('input',apply);document.getElementById('v').addEventListener('change',apply);
table.tHead.querySelectorAll('th').forEach((th,i)=>th.addEventListener('click',()=>{const asc=th.dataset.asc!=='1';
th.dataset.asc=asc?'1':'0';rows.sort((a,b)=>{const x=a.cells[i].dataset.k??a.cells[i].textContent;
const y=b.cells[i].dataset.k??b.cells[i].textContent;const nx=parseFloat(x),ny=parseFloat(y);
const c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
rows.forEach(r=>table.tBodies[0].appendChild(r));}));apply();
"""


def _clusters_html(records: list[dict[str, Any]], links: dict[str, str]) -> str:
    seen: dict[str, dict[str, Any]] = {}
    for r in records:
        for x in r.get("links") or []:
            c = seen.setdefault(x["cluster"], {"appeals": set(), "reasons": x.get("reasons", [])})
            c["appeals"] |= {r.get("appeal_id"), *x.get("appeals", [])}
    if not seen:
        return "<p class='muted'>No appeals share a document with another seller's appeal.</p>"
    items = []
    for cid, c in sorted(seen.items(), key=lambda kv: (-len(kv[1]["appeals"]), kv[0])):
        names = ", ".join(f"<a href='{_e(links.get(a, ''))}'>{_e(a)}</a>" for a in sorted(c["appeals"]))
        reasons = "".join(f"<li>{_e(t)}</li>" for t in c["reasons"][:5])
        items.append(f"<li class='cluster'><b>{_e(cid)}</b> ({len(c['appeals'])} appeals): {names}"
                     f"<ul>{reasons}</ul></li>")
    return f"<ul id='clusters'>{''.join(items)}</ul>"


def render_index(records: list[dict[str, Any]], links: dict[str, str]) -> str:
    """The batch index: a sortable, filterable table of appeals linking to each appeal's page, and the clusters."""
    body = []
    for r in records:
        findings = [f for d in r.get("documents", []) for f in d.get("findings", [])]
        top = ", ".join(sorted({f["id"] for f in findings if f["severity"] in ("high", "critical")}))[:160]
        score = r.get("score")
        href = links.get(r.get("appeal_id"), "")
        name = f"<a href='{_e(href)}'>{_e(r.get('appeal_id'))}</a>" if href else _e(r.get("appeal_id"))
        body.append(f"<tr data-verdict='{_e(r.get('verdict'))}'><td>{name}</td>"
                    f"<td style='color:{VERDICT_COLOUR.get(r.get('verdict'), '#555')}' class='sev'>"
                    f"{_e(r.get('verdict'))}</td><td data-k='{-1 if score is None else score}'>"
                    f"{'' if score is None else f'{score:.2f}'}</td><td>{_e(r.get('brand') or '')}</td>"
                    f"<td>{len(r.get('documents', []))}</td><td>{len(findings)}</td>"
                    f"<td>{_e(top or r.get('error') or '')}</td></tr>")
    counts: dict[str, int] = {}
    for r in records:
        counts[r.get("verdict")] = counts.get(r.get("verdict"), 0) + 1
    summary = " · ".join(f"{_e(k)} {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>appealcheck batch report</title>"
            f"<style>{CSS}</style></head><body><header><h1>Batch report</h1><div>{len(records)} appeals: "
            f"{summary}</div></header><main><div class='filters'><input id='q' placeholder='filter text'>"
            f"<select id='v'><option value=''>all verdicts</option><option>forged</option><option>suspicious"
            f"</option><option>clean</option><option>error</option></select> showing <b id='count'></b></div>"
            f"<table id='appeals'><thead><tr><th>appeal</th><th>verdict</th><th>score</th><th>brand</th>"
            f"<th>documents</th><th>findings</th><th>high and critical</th></tr></thead><tbody>{''.join(body)}"
            f"</tbody></table><h2>Linked appeals</h2>{_clusters_html(records, links)}</main>"
            f"<script>{INDEX_JS}</script></body></html>")


def load_pages(appeal_path: Path) -> dict[str, list[np.ndarray]]:
    """Page images of every readable document of an appeal (unreadable ones are left out)."""
    from appealcheck.errors import InputError
    from appealcheck.ingest import load_appeal

    try:
        appeal = load_appeal(appeal_path)
    except InputError:
        return {}
    return {d.file: [p.image for p in d.pages] for d in appeal.documents}


def write_appeal_report(result: dict[str, Any], appeal_path: Path | None, out: Path,
                        rules_dirs: list[Path] | None = None,
                        specimens: dict[tuple[str, str], str] | None = None) -> Path:
    """Write one appeal's report file (pages re-read from appeal_path when it still exists)."""
    pages = load_pages(appeal_path) if appeal_path is not None and appeal_path.exists() else {}
    if specimens is None:
        specimens = specimen_images([result], rules_dirs)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_appeal(result, pages, specimens), encoding="utf-8")
    return out


def write_batch_report(records: list[dict[str, Any]], out_dir: Path, rules_dirs: list[Path] | None = None) -> Path:
    """index.html plus one page per appeal under out_dir/appeals/."""
    specimens = specimen_images(records, rules_dirs)
    links = {}
    for i, r in enumerate(records):
        inp = r.get("input") or {}
        root = inp.get("root")
        path = Path(root) / inp["path"] if root and inp.get("path") else None
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(r.get("appeal_id")))[:80] or f"appeal-{i}"
        name = f"appeals/{i:05d}-{safe}.html"
        write_appeal_report(r, path, out_dir / name, specimens=specimens)
        links[r.get("appeal_id")] = name
    index = out_dir / "index.html"
    index.write_text(render_index(records, links), encoding="utf-8")
    return index
