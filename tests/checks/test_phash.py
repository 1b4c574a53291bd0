"""Known forged seals by perceptual hash: the same seal image re-saved is found, other impressions are not."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

from appealcheck.checks.parties import KnownForgery
from appealcheck.checks.phash import PHASH_MAX_DISTANCE, distance, phash
from appealcheck.errors import PackError
from appealcheck.rules.pack import load_pack
from appealcheck.samples import seals as S
from appealcheck.seals.find import find_seals
from tests.seals.test_seals import OFFICIAL, _ctx, _page, _stamped, make_pack


def _resaved(img: np.ndarray, quality: int = 55, scale: float = 0.85) -> np.ndarray:
    im = Image.fromarray(img)
    im = im.resize((int(im.width * scale), int(im.height * scale)))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("RGB"))


def _seal_hash(img: np.ndarray) -> str:
    x0, y0, x1, y1 = find_seals(img)[0].box
    return phash(img[y0:y1, x0:x1])


def test_distances_separate_one_seal_image_from_other_impressions():
    forged = _stamped(OFFICIAL, seed=1, rotation=8.0)
    same = [_seal_hash(_resaved(forged)), _seal_hash(_resaved(forged, 40, 0.6))]
    others = [_seal_hash(_stamped(OFFICIAL, seed=s, rotation=r)) for s, r in ((2, 8.0), (3, -5.0), (4, 0.0), (5, 8.5))]
    h = _seal_hash(forged)
    assert all(distance(h, x) <= PHASH_MAX_DISTANCE for x in same)
    assert all(distance(h, x) > PHASH_MAX_DISTANCE for x in others)


def _pack_listing(tmp_path, phash_value: str):
    make_pack(tmp_path / "acme")
    brand = yaml.safe_load((tmp_path / "acme" / "brand.yaml").read_text(encoding="utf-8"))
    brand["known_forgeries"] = [{"phash": phash_value, "region": "seal", "note": "seal sold by a forger"}]
    (tmp_path / "acme" / "brand.yaml").write_text(yaml.safe_dump(brand, allow_unicode=True), encoding="utf-8")
    return load_pack(tmp_path / "acme")


def test_a_listed_forged_seal_pasted_into_a_new_letter_is_found(tmp_path):
    rng = np.random.default_rng(9)
    forged_seal = S.impression(OFFICIAL, 150, rng, 12.0)
    first = _page()
    S.stamp(first, forged_seal, (900, 1180), S.ink_color(np.random.default_rng(1)))
    pack = _pack_listing(tmp_path, _seal_hash(first))
    # The forger pastes the same seal image into another letter, which the seller sends as a re-saved JPEG.
    second = _page(with_text=False)
    S.stamp(second, forged_seal, (700, 900), S.ink_color(np.random.default_rng(1)))
    (f,) = KnownForgery().run(_ctx(_resaved(second, 70, 1.0), pack))
    assert f.id == "content.known_forgery_similar" and f.severity == "high"
    assert "seal sold by a forger" in f.message
    x0, y0, x1, y1 = f.box
    assert 500 < (x0 + x1) / 2 < 900 and 700 < (y0 + y1) / 2 < 1100
    # Genuine letters stamped with the registered seal are not that image.
    for seed, rot in ((2, 12.0), (3, -3.0)):
        assert KnownForgery().run(_ctx(_stamped(OFFICIAL, seed=seed, rotation=rot), pack)) == []


def _darker(img: np.ndarray) -> np.ndarray:
    return (img.astype(np.float32) * 0.85).astype(np.uint8)


def _pasted_elsewhere(seal: np.ndarray) -> np.ndarray:
    page = _page(with_text=False)
    S.stamp(page, seal, (600, 1500), S.ink_color(np.random.default_rng(1)))
    return page


PHASH_CASES = [
    ("the listed file's own seal", lambda seal, first: first, True),
    ("re-saved as a JPEG", lambda seal, first: _resaved(first, 70, 1.0), True),
    ("re-saved small and rough", lambda seal, first: _resaved(first, 40, 0.6), True),
    ("scaled up", lambda seal, first: _resaved(first, 90, 1.3), True),
    ("printed and scanned darker", lambda seal, first: _darker(first), True),
    ("pasted into another letter", lambda seal, first: _resaved(_pasted_elsewhere(seal), 80, 1.0), True),
    ("a genuine impression of the seal, turned 12 degrees",
     lambda seal, first: _stamped(OFFICIAL, seed=2, rotation=12.0), False),
    ("a genuine impression, turned -3 degrees", lambda seal, first: _stamped(OFFICIAL, seed=3, rotation=-3.0), False),
    ("a genuine impression, upright", lambda seal, first: _stamped(OFFICIAL, seed=4, rotation=0.0), False),
    ("a genuine impression at the listed one's angle, re-saved",
     lambda seal, first: _resaved(_stamped(OFFICIAL, seed=5, rotation=12.5), 70, 1.0), False),
    ("no seal at all", lambda seal, first: _page(), False),
]


@pytest.mark.parametrize(("name", "make", "listed"), PHASH_CASES, ids=[c[0] for c in PHASH_CASES])
def test_a_listed_forged_seal_image_against_transforms_and_genuine_impressions(tmp_path, name, make, listed):
    seal = S.impression(OFFICIAL, 150, np.random.default_rng(9), 12.0)
    first = _page()
    S.stamp(first, seal, (900, 1180), S.ink_color(np.random.default_rng(1)))
    pack = _pack_listing(tmp_path, _seal_hash(first))
    found = KnownForgery().run(_ctx(make(seal, first), pack))
    assert [f.id for f in found] == (["content.known_forgery_similar"] if listed else [])


@pytest.mark.parametrize("entry,field", [
    ({"phash": "xyz"}, "phash"),
    ({"phash": "ab" * 8}, "phash"),  # a 64-bit hash: the pack needs the 144-bit one
    ({"phash": "ab" * 18, "region": "page"}, "region"),
    ({"sha256": "12345"}, "sha256"),
])
def test_malformed_known_forgeries_are_pack_errors(tmp_path, entry, field):
    make_pack(tmp_path / "acme")
    brand = yaml.safe_load((tmp_path / "acme" / "brand.yaml").read_text(encoding="utf-8"))
    brand["known_forgeries"] = [entry]
    (tmp_path / "acme" / "brand.yaml").write_text(yaml.safe_dump(brand, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError, match=field):
        load_pack(tmp_path / "acme")


def test_fingerprint_command_prints_entries_a_pack_accepts(tmp_path):
    Image.fromarray(_stamped(OFFICIAL, seed=1)).save(tmp_path / "forged.png")
    cmd = [sys.executable, "-m", "appealcheck.cli", "rules", "fingerprint"]
    proc = subprocess.run([*cmd, str(tmp_path / "forged.png")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [sorted(e) for e in yaml.safe_load(proc.stdout)] == [["note", "sha256"]]  # seal lines commented out
    entries = yaml.safe_load(proc.stdout.replace("# - {phash", "- {phash"))
    assert [sorted(e) for e in entries] == [["note", "sha256"], ["note", "phash", "region"]]
    pack = _pack_listing(tmp_path / "p", entries[1]["phash"])
    found = KnownForgery().run(_ctx(_stamped(OFFICIAL, seed=1), pack))
    assert [f.id for f in found] == ["content.known_forgery_similar"]
    bad = subprocess.run([*cmd, str(tmp_path / "x.png")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2  # no such file: a usage error
