"""Tests of the synthetic appeal corpus (issue 3).

One 150-appeal corpus (``big``, two workers) is generated once per module and shared: the
leakage bound needs that many documents, and the other corpus-level tests ride along on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml
from PIL import Image
from stdnum.cn import uscc

from appealcheck.samples import OPS, generate
from appealcheck.samples import compose as P
from appealcheck.samples.appeal import forge
from appealcheck.samples.brands import BRANDS
from appealcheck.samples.forgeries import applicable, diff_boxes

BIG_SEED = 3
BIG_APPEALS = 150
SMALL_APPEALS = 8


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """150 appeals, half of them with a forgery, written by two workers."""
    out = tmp_path_factory.mktemp("big")
    generate(out, BIG_APPEALS, seed=BIG_SEED, forged_ratio=0.5, workers=2)
    return out


@pytest.fixture(scope="module")
def labels(big) -> list[dict]:
    return [json.loads(x) for x in (big / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_any_workers(big, tmp_path):
    """The first appeals of a two-worker run are byte-identical to a one-worker run of just those.

    Appeal ``i`` depends on (seed, i) only, so this checks both determinism and worker
    independence. Brand packs differ only in the known forgeries found among the appeals.
    """
    generate(tmp_path, SMALL_APPEALS, seed=BIG_SEED, forged_ratio=0.5, workers=1)
    small, ref = _hashes(tmp_path / "appeals"), _hashes(big / "appeals")
    assert small and small == {k: ref[k] for k in small}
    lines = (tmp_path / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == (big / "labels.jsonl").read_text(encoding="utf-8").splitlines()[:SMALL_APPEALS]
    packs, ref_packs = _hashes(tmp_path / "rules"), _hashes(big / "rules")
    assert {k for k in packs if not k.endswith("brand.yaml")} == {k for k in ref_packs if not k.endswith("brand.yaml")}
    for k, h in packs.items():
        if not k.endswith("brand.yaml"):
            assert ref_packs[k] == h, k
    for b in BRANDS:
        mine = yaml.safe_load((tmp_path / "rules" / b.id / "brand.yaml").read_text(encoding="utf-8"))
        theirs = yaml.safe_load((big / "rules" / b.id / "brand.yaml").read_text(encoding="utf-8"))
        mine.pop("known_forgeries"), theirs.pop("known_forgeries")
        assert mine == theirs


def test_appeal_yaml_and_labels(big, labels):
    assert len(labels) == BIG_APPEALS
    for lab in labels:
        d = big / "appeals" / lab["appeal_id"]
        ap = yaml.safe_load((d / "appeal.yaml").read_text(encoding="utf-8"))
        assert ap["appeal_id"] == lab["appeal_id"] and ap["brand"] == lab["brand"]
        assert isinstance(ap["submitted_at"], dt.date)
        assert set(ap["seller"]) >= {"name", "uscc", "account"} and uscc.is_valid(ap["seller"]["uscc"])
        assert lab["label"] == (
            "forged" if any(x["label"] == "forged" for x in lab["documents"]) else "genuine"
        )
        for doc in lab["documents"]:
            assert (d / doc["file"]).exists()
            assert doc["kind"] in {"authorization_letter", "purchase_invoice", "receipt", "business_license"}
            assert set(doc["ops"]) <= set(OPS)
            assert set(doc["capture"]) == {"style", "dpi", "jpeg_quality", "format", "mode"}
            # Each impression as stamped: receipts carry none, the others one; a rocked stamp is partial.
            assert len(doc["seals"]) == (0 if doc["kind"] == "receipt" else 1), doc
            for u in doc["seals"]:
                assert u["partial"] in (0.0, 0.15, 0.3) and abs(u["rotation"]) <= 18 and u["id"]
            w, h = doc["page_size"]
            for r in doc["regions"]:
                x0, y0, x1, y1 = r["box"]
                assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h


def test_text_stays_readable(labels):
    """Captures never drop below what OCR needs: scans and PDFs at >= 150 dpi, photos >= 1200 px."""
    for lab in labels:
        for doc in lab["documents"]:
            c = doc["capture"]
            if c["style"] == "photo":
                assert max(doc["page_size"]) >= 1200, doc["file"]
            else:
                assert c["dpi"] >= 130 if c["style"] == "screenshot" else c["dpi"] >= 150, doc["file"]
            if c["jpeg_quality"] is not None:
                assert 55 <= c["jpeg_quality"] <= 95


def test_small_set_fits_the_size_budget(big, labels):
    """40 appeals of average size plus the brand packs stay under 15 MB (the committed set's floor)."""
    appeal_bytes = sum(p.stat().st_size for p in (big / "appeals").rglob("*") if p.is_file())
    pack_bytes = sum(p.stat().st_size for p in (big / "rules").rglob("*") if p.is_file())
    assert pack_bytes < 2.0e6
    assert 40 * appeal_bytes / len(labels) + pack_bytes < 14.0e6


def test_brand_packs(big):
    for b in BRANDS:
        d = big / "rules" / b.id
        doc = yaml.safe_load((d / "brand.yaml").read_text(encoding="utf-8"))
        assert doc["schema_version"] == 1 and doc["id"] == b.id
        for e in doc["entities"] + doc["distributors"]:
            assert uscc.is_valid(e["uscc"])
        for s in doc["seals"]:
            assert (d / s["file"]).exists() and s["shape"] in ("circle", "ellipse")
            # Palette PNG with per-entry opacity: it must still read as red ink on transparency.
            rgba = np.asarray(Image.open(d / s["file"]).convert("RGBA"))
            ink = rgba[rgba[..., 3] > 200]
            assert len(ink) and (ink[:, 0] > 150).all() and (ink[:, 1] < 80).all()
            assert (rgba[..., 3] == 0).mean() > 0.3
        for t in doc["templates"]:
            assert (d / t["file"]).exists() and t["fields"] and len(t["seal_box"]) == 4
        rules = yaml.safe_load((d / "rules.yaml").read_text(encoding="utf-8"))
        assert rules["rules"] and all(r["id"].startswith(b.id + ".") for r in rules["rules"])
        exp = yaml.safe_load((d / "tests" / "expected.yaml").read_text(encoding="utf-8"))
        for case in exp["cases"]:
            ap = yaml.safe_load((d / "tests" / case / "appeal.yaml").read_text(encoding="utf-8"))
            assert all((d / "tests" / case / x["file"]).exists() for x in ap["documents"])


def test_appeals_load_with_ingest(big, labels):
    """The project's own reader takes generated appeals as they are: every format, no failures."""
    from appealcheck.ingest import load_appeal

    chosen: dict[str, dict] = {}
    for lab in labels:  # a few appeals that together hold jpg, png and pdf files
        for doc in lab["documents"]:
            chosen.setdefault(doc["capture"]["format"], lab)
    assert set(chosen) == {"jpg", "png", "pdf"}
    for lab in {x["appeal_id"]: x for x in chosen.values()}.values():
        d = big / "appeals" / lab["appeal_id"]
        ap = yaml.safe_load((d / "appeal.yaml").read_text(encoding="utf-8"))
        appeal = load_appeal(d)
        assert appeal.failures == ()
        assert appeal.appeal_id == lab["appeal_id"] and appeal.brand == lab["brand"]
        assert appeal.submitted_at == ap["submitted_at"].isoformat()
        assert [(x.file, x.kind_hint) for x in appeal.documents] == [
            (x["file"], x["kind"]) for x in ap["documents"]
        ]
        for doc, want in zip(appeal.documents, lab["documents"], strict=True):
            assert len(doc.pages) == 1 and doc.info.sha256 == want["sha256"]
            page = doc.pages[0]
            assert page.image.ndim == 3 and page.image.shape[2] == 3
            # Label boxes are given on the page as a reader renders it.
            assert abs(page.width - want["page_size"][0]) <= 2 and abs(page.height - want["page_size"][1]) <= 2


def _genuine_specs():
    rng = random.Random(5)
    b = BRANDS[0]
    s = P.seller(rng, dt.date(2025, 6, 1))
    sub = dt.date(2025, 6, 1)
    return (
        sub,
        P.seller(rng, sub),
        [
            P.letter(b, b.entities[0], s, sub, rng),
            P.invoice(b, b.entities[0], s, sub, rng),
            P.receipt(b, "fr", sub, rng),
            P.license_doc(s, rng),
        ],
    )


@pytest.mark.parametrize("op", [o for o in OPS if o not in ("serial_forger",)])
def test_each_op_changes_pixels_inside_its_boxes(op):
    sub, other, specs = _genuine_specs()
    rng = random.Random(op)
    spec = next((s for s in specs if op in applicable(s)), None)
    if spec is None and op == "qr_mismatch":
        for k in range(20):  # find an e-fapiao
            cand = P.invoice(BRANDS[1], BRANDS[1].entities[0], other, sub, random.Random(k))
            if cand.template.startswith("efapiao"):
                spec = cand
                break
    if spec is None and op == "invoice_before_letter":  # needs the seller's letter: the build adds it
        spec = specs[1]
    if spec is None and op == "chain_broken":  # a distributor's letter to the seller
        b = BRANDS[0]
        spec = P.letter(b, b.distributors[1], other, sub, random.Random(3), True, "LA-SQ-2024-00007")
    assert spec is not None, op
    twin, page, _ = forge(spec, op, 120, rng, sub, other, letter_start=dt.date(2025, 1, 1))
    diff = np.abs(twin.image.astype(int) - page.image.astype(int)).max(axis=2) > 0
    if op == "software_metadata":
        assert not diff.any()
        return
    assert diff.any(), op
    covered = np.zeros_like(diff)
    for x0, y0, x1, y1 in diff_boxes(twin.image, page.image):
        covered[y0:y1, x0:x1] = True
    assert not (diff & ~covered).any()


def test_serial_forger_and_ops_present(labels):
    ops = {o for lab in labels for d in lab["documents"] for o in d["ops"]}
    assert len(ops) >= 12
    serial = [lab for lab in labels if lab["serial_forger_id"]]
    assert serial and all(lab["label"] == "forged" for lab in serial)
    assert 0.35 < sum(lab["label"] == "forged" for lab in labels) / len(labels) < 0.65
    for lab in labels:
        for d in lab["documents"]:
            if d["label"] == "forged" and d["ops"] != ["software_metadata"]:
                assert d["regions"], d


def test_only_a_pdf_is_forged_by_an_editors_name_alone(labels):
    """An image naming an editor and differing in nothing else is what an honest crop leaves (HONEST_EDITOR_RATE):
    it is genuine, and labelling it forged made part of the corpus undetectable by design. A PDF's producer is the
    issuer's software, so an editor's name there is a trace; on an image the name comes with a real edit."""
    alone = [d for lab in labels for d in lab["documents"] if d["ops"] == ["software_metadata"]]
    assert alone and all(d["capture"]["format"] == "pdf" for d in alone), [d["file"] for d in alone]
    with_edit = [d for lab in labels for d in lab["documents"]
                 if "software_metadata" in d["ops"] and len(d["ops"]) > 1 and d["capture"]["format"] != "pdf"]
    assert with_edit


# ---------------------------------------------------------------- leakage

# libjpeg's base luminance table: a file's table divided by it gives the quality setting.
_LUMA = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29]
    + [51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103]
    + [121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    float,
)


def _jpeg_quality(im: Image.Image) -> float:
    """Estimate the JPEG quality setting from the luminance table; 100 for lossless files."""
    q = getattr(im, "quantization", None)
    if not q:
        return 100.0
    scale = np.mean(np.array(q[0], float)) / _LUMA.mean() * 100
    return 5000 / scale if scale > 100 else (200 - scale) / 2


def _global_stats(path: Path) -> list[float]:
    """What a reader sees without looking at content or metadata: format, size, quality, colour."""
    data = path.read_bytes()
    pages = 1
    if path.suffix == ".pdf":
        import pypdfium2

        pages = len(pypdfium2.PdfDocument(data))
        im = Image.open(io.BytesIO(data[data.index(b"\xff\xd8") :]))  # the page's JPEG stream
    else:
        im = Image.open(io.BytesIO(data))
    q = _jpeg_quality(im)
    w, h = im.size
    im.draft("RGB", (w // 8, h // 8))  # JPEG decodes at 1/8 scale: the mean colour is all we need
    mean = np.asarray(im.convert("RGB"), float).reshape(-1, 3).mean(axis=0)
    fmt = path.suffix.lstrip(".")
    return [len(data), np.log(len(data)), w, h, w * h, q, *mean, fmt == "jpg", fmt == "png", fmt == "pdf", pages]


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s))


def test_global_statistics_do_not_leak_the_label(big, labels):
    """A classifier on global file statistics alone cannot tell forged documents from genuine ones.

    Editing-software metadata is left out: for the software_metadata forgery it *is* the forgery.
    """
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = [], []
    for lab in labels:
        for d in lab["documents"]:
            X.append(_global_stats(big / "appeals" / lab["appeal_id"] / d["file"]))
            y.append(d["label"] == "forged")
    X, y = np.array(X, float), np.array(y, int)
    assert len(y) > 300 and y.sum() > 60  # enough for an AUC bound of 0.6 to mean something
    # A single statistic separates as well upside down; a cross-validated model picks its own sign.
    single = max(max(a, 1 - a) for a in (_auc(y, X[:, j]) for j in range(X.shape[1]) if X[:, j].std() > 0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    models = {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
        "boosted": GradientBoostingClassifier(n_estimators=100, max_depth=2, random_state=0),
    }
    aucs = {k: _auc(y, cross_val_predict(m, X, y, cv=cv, method="predict_proba")[:, 1]) for k, m in models.items()}
    print(f"leakage AUCs: best single statistic {single:.3f}, " + ", ".join(f"{k} {v:.3f}" for k, v in aucs.items()))
    assert single < 0.6
    assert all(v < 0.6 for v in aucs.values()), aucs


def test_ops_restrict_forgeries_where_they_apply(tmp_path):
    allowed = {"store_unknown", "trademark_unknown"}
    generate(tmp_path, appeals=10, seed=9, forged_ratio=0.95, ops=tuple(sorted(allowed)))
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").open(encoding="utf-8")]
    firsts = [(d["kind"], d["ops"][0]) for lab in labels for d in lab["documents"]
              if d["ops"] and "serial_forger" not in d["ops"]]
    judged = [op for kind, op in firsts if kind in ("authorization_letter", "receipt")]
    assert judged and set(judged) <= allowed
    with pytest.raises(ValueError, match="unknown forgery operation"):
        generate(tmp_path / "x", appeals=1, seed=9, ops=("no_such_op",))


def test_genuine_distributor_letters_stay_within_the_distributors_authorization(labels):
    # A genuine chain never grants beyond the brand's letter to the distributor, and the distributor is
    # authorised on the day of the appeal (an expired one once got a letter stretched past its own end).
    from appealcheck.samples.forgeries import parse_cn_date

    chains = 0
    for a in labels:
        if a["case"] != "distributor":
            continue
        letters = [d for d in a["documents"] if d["kind"] == "authorization_letter"]
        parent = next(d for d in letters if "parent_serial" not in d["fields"])
        for child in letters:
            if "parent_serial" in child["fields"] and child["label"] == parent["label"] == "genuine":
                chains += 1
                assert parse_cn_date(child["fields"]["valid_to"]) <= parse_cn_date(parent["fields"]["valid_to"]), \
                    a["appeal_id"]
    assert chains >= 10


def test_an_invoice_forged_to_predate_the_letter_predates_the_letter_the_appeal_carries(labels):
    # A-083-000061: the invoice was dated before the seller's own letter, which a serial forger's letter then
    # replaced; the forgery was invisible on the page.
    from appealcheck.samples import serial_forgers
    from appealcheck.samples.appeal import build
    from appealcheck.samples.forgeries import parse_cn_date

    def start(letter: dict) -> dt.date:
        return min(parse_cn_date(letter["fields"]["valid_from"]), parse_cn_date(letter["fields"]["issued_on"]))

    ops = ("invoice_before_letter", "period_invalid", "uscc_bad_check", "licensor_unknown")
    out = build(83, 61, 0.6, serial_forgers(83), ops).label
    letter, invoice = out["documents"][:2]
    assert "serial_forger" in letter["ops"] and invoice["ops"] == ["invoice_before_letter"]
    assert parse_cn_date(invoice["fields"]["issued_on"]) < start(letter)
    seen = 0
    for a in labels:
        for d in a["documents"]:
            # The seller's letter: the one to the invoice's buyer.
            letters = [x for x in a["documents"] if x["kind"] == "authorization_letter"
                       and x["fields"].get("licensee") == d["fields"].get("buyer_name")]
            if "invoice_before_letter" in d["ops"] and letters:
                seen += 1
                assert parse_cn_date(d["fields"]["issued_on"]) < start(letters[0]), a["appeal_id"]
    assert seen


def test_copy_moves_made_on_the_captured_file_clone_a_digit_of_the_page(tmp_path):
    """Half the copy-moves edit the captured file: the label says so, its region is the changed digits, and
    there the file shows a digit of the new value that is the same pixels as one elsewhere on the page."""
    generate(tmp_path, appeals=12, seed=161, forged_ratio=0.95, ops=("field_copy_move",))
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").open(encoding="utf-8")]
    after = [(lab, d) for lab in labels for d in lab["documents"] if d.get("stage") == "after_capture"]
    before = [d for lab in labels for d in lab["documents"] if d.get("stage") == "before_capture"]
    assert len(after) >= 3 and before
    for lab, d in after:
        assert d["ops"][0] == "field_copy_move" and d["label"] == "forged"
        assert d["capture"]["style"] != "fax"
        if d["capture"]["jpeg_quality"] is None:
            assert d["resaved_quality"] is None
        else:
            assert d["resaved_quality"] in (80, 85, 90, 92, 95, 98)
        for r in d["regions"]:
            x0, y0, x1, y1 = r["box"]
            # One character, not a whole field.
            assert 0 < x1 - x0 < 60 and 0 < y1 - y0 < 60
        if d["file"].endswith(".pdf"):
            continue
        grey = np.asarray(Image.open(tmp_path / "appeals" / lab["appeal_id"] / d["file"]).convert("L"), np.float32)
        # The region bounds the pasted patch turned with the page: its inner part is all clone (the last one: a
        # neighbour pasted after it may cover an earlier one's edge).
        x0, y0, x1, y1 = (v + k for v, k in zip(d["regions"][-1]["box"], (2, 2, -2, -2), strict=True))
        patch = grey[y0:y1, x0:x1]
        # The clone's source is somewhere else on the page: the best match off the region is the same pixels but
        # for the second JPEG pass, far closer than the next best place (another printing of that digit).
        res = cv2.matchTemplate(grey, patch, cv2.TM_SQDIFF)
        near = []
        for _ in range(2):
            res[max(0, y0 - 3):y0 + 4, max(0, x0 - 3):x0 + 4] = np.inf
            _, _, (mx, my), _ = cv2.minMaxLoc(res)
            near.append(float(np.abs(grey[my:my + patch.shape[0], mx:mx + patch.shape[1]] - patch).mean()))
            x0, y0 = mx, my
        assert near[0] < 7.0 and near[0] < 0.6 * near[1], near


def _software(path: Path) -> str | None:
    with Image.open(path) as im:
        sw = im.info.get("Software") or im.getexif().get(0x0131)
    return sw.decode("utf-8") if isinstance(sw, bytes) else sw


def test_genuine_files_name_photo_editors_too(big, labels):
    """Honest scans pass through photo editors before upload (all 26 real receipts name Photoshop): genuine image
    files of the corpus name the forgers' own editors at about HONEST_EDITOR_RATE, so a model cannot learn that
    an editor's name means forged."""
    from appealcheck.samples.forgeries import EDIT_SOFTWARE

    named = total = 0
    for lab in labels:
        for d in lab["documents"]:
            if d["label"] != "genuine" or d["file"].endswith(".pdf"):
                continue
            total += 1
            named += _software(big / "appeals" / lab["appeal_id"] / d["file"]) in EDIT_SOFTWARE
    assert total > 150
    assert 0.10 <= named / total <= 0.25, (named, total)


def test_an_honest_editor_changes_the_metadata_only():
    from dataclasses import replace

    from appealcheck.samples import capture as C

    cp = C.sample(np.random.default_rng(5), "authorization_letter")
    cp = replace(cp, format="jpeg", software=None)
    named = [C.honest_editor(cp, random.Random(i)) for i in range(400)]
    share = sum(c.software is not None for c in named) / len(named)
    assert abs(share - C.HONEST_EDITOR_RATE) < 0.05
    assert all(replace(c, software=None) == cp for c in named)
    assert C.honest_editor(replace(cp, software="EPSON Scan"), random.Random(0)).software == "EPSON Scan"
    assert C.honest_editor(replace(cp, format="pdf"), random.Random(0)).software is None


@pytest.mark.parametrize("city", sorted(P.V.REGIONS))
def test_a_licence_bears_the_seal_of_the_registry_its_code_names(city):
    """The registry stamped on a seller's licence is one the seal check expects from the licence's credit code: a
    district the code does not name (苏州市工业园区 on a 虎丘区 code) left every Suzhou licence's ring unchecked."""
    from appealcheck.seals.registry import WILD, registry_names, registry_patterns

    rng = random.Random(city)
    code = P.V.uscc(rng, P.V.REGIONS[city])
    doc = P.license_doc(P.Seller("某某有限公司", code, city, "某某店", "", {}), rng)
    ring = doc.seals[0].spec.text
    patterns = [p.split(WILD) for p in registry_patterns(code)]
    assert ring in registry_names(code) or any(ring.startswith(a) and ring.endswith(b) for a, b in patterns), \
        (ring, registry_names(code)[:3])


def test_half_the_pasted_seals_are_blocks_of_another_picture_laid_on_the_captured_file(tmp_path):
    """A seal cut with its paper out of another document's picture and laid on the captured, unsealed page: the
    label says after capture and boxes the block; the page under it carries no impression of its own; and the
    pixel check finds the block there: 8 of these 11 (the other three step 4-7 levels, or ring after a save at 80)."""
    from appealcheck.forensics.pixel import analyse_page
    from appealcheck.ingest.files import read_document

    generate(tmp_path, appeals=20, seed=1063, forged_ratio=0.95, ops=("seal_pasted",))
    labels = [json.loads(line) for line in (tmp_path / "labels.jsonl").open(encoding="utf-8")]
    docs = [(lab, d) for lab in labels for d in lab["documents"] if "seal_pasted" in d["ops"]]
    after = [(lab, d) for lab, d in docs if d["stage"] == "after_capture"]
    assert after and any(d["stage"] == "before_capture" for _, d in docs)
    found = 0
    for lab, d in after:
        assert d["capture"]["style"] != "fax" and len(d["regions"]) == 1
        x0, y0, x1, y1 = d["regions"][0]["box"]
        assert 100 < x1 - x0 < 600 and 100 < y1 - y0 < 600  # a seal with its margin
        doc = read_document(tmp_path / "appeals" / lab["appeal_id"] / d["file"], d["file"])
        signals = [s for p in doc.pages for s in analyse_page(p, jpeg=doc.info.format == "jpeg").report.signals]
        found += any(s.id == "pixel.pasted_region" and s.box[0] < x1 and x0 < s.box[2] and s.box[1] < y1
                     and y0 < s.box[3] for s in signals)
    assert len(after) == 11 and found >= 8, found
