"""Links between appeals: exact fingerprints, different sellers, union-find clusters, linear scale."""

from __future__ import annotations

from appealcheck.batch.links import attach, fingerprints, link


def rec(aid, seller, *docs, brand="acme"):
    return {"schema_version": 1, "appeal_id": aid, "brand": brand, "seller": {"name": seller}, "documents": list(docs)}


def doc(kind, sha, **fields):
    return {"file": f"{kind}.png", "kind": kind, "sha256": sha, "fields": {k: {"value": v} for k, v in fields.items()}}


LETTER = dict(serial="AC-2024-00017", issued_on="2024-01-01", valid_from="2024-01-01", valid_to="2025-12-31")


def test_serial_forger_letters_cluster_across_sellers():
    records = [
        rec("A1", "甲公司", doc("authorization_letter", "s1", licensee="甲公司", **LETTER)),
        rec("A2", "乙公司", doc("authorization_letter", "s2", licensee="乙公司", **LETTER)),
        rec("A3", "丙公司", doc("authorization_letter", "s3", licensee="丙公司", **{**LETTER, "serial": "AC-2024-99"})),
        rec("A4", "丁公司", doc("authorization_letter", "s4", licensee="丁公司", **LETTER)),
    ]
    clusters = link(records)
    assert [(c.id, c.appeals) for c in clusters] == [("C1", ("A1", "A2", "A4"))]
    assert "same letter serial and dates" in clusters[0].reasons[0]
    linked = {r["appeal_id"]: r["links"] for r in attach(records, clusters)}
    assert linked["A3"] == [] and linked["A2"][0]["appeals"] == ["A1", "A4"]


def test_same_seller_resubmitting_is_not_a_link():
    records = [rec("A1", "甲公司", doc("receipt", "x", store="Madison Grand", date="2024-03-01", total=99.5)),
               rec("A2", "甲 公司", doc("receipt", "x", store="MADISON GRAND", date="2024-03-01", total=99.5))]
    assert link(records) == []


def test_chains_join_through_different_documents():
    inv = doc("purchase_invoice", "i1", invoice_code="031001900111", invoice_no="12345678")
    records = [rec("A1", "甲", inv), rec("A2", "乙", inv, doc("receipt", "r", store="S", date="2024-01-01", total=5.0)),
               rec("A3", "丙", doc("receipt", "r2", store="s", date="2024-01-01", total=5.0)),
               rec("A4", "丁", doc("receipt", "r3", store="s", date="2024-01-01", time="12:33", total=5.0))]
    clusters = link(records)
    # A4's receipt has a time the others lack: another sale, not the same receipt.
    assert len(clusters) == 1 and clusters[0].appeals == ("A1", "A2", "A3")
    assert len(clusters[0].reasons) == 3  # same file, same invoice, same receipt


def test_partial_letters_do_not_fingerprint():
    """A letter whose serial was not read gives no letter fingerprint (unknown is not a match)."""
    d = doc("authorization_letter", "s", issued_on="2024-01-01", valid_from="2024-01-01", valid_to="2025-12-31")
    assert [fp.kind for fp in fingerprints(rec("A", "x", d))] == ["file"]


def test_linking_is_linear_in_appeals():
    """100,000 appeals, a forger's letter in every 50th: one pass over a hash index."""
    import time

    records = []
    for i in range(100_000):
        fields = LETTER if i % 50 == 0 else {**LETTER, "serial": f"AC-{i}"}
        letter = doc("authorization_letter", f"h{i}", licensee=f"seller{i}", **fields)
        records.append(rec(f"A{i}", f"seller{i}", letter))
    t0 = time.perf_counter()
    clusters = link(records)
    took = time.perf_counter() - t0
    assert len(clusters) == 1 and len(clusters[0].appeals) == 2000
    assert took < 60  # measured in bench/link_speed.py; a quadratic pass would take hours


def test_a_distributors_own_letter_shared_by_its_resellers_is_not_a_link():
    own = dict(LETTER, licensee="上海锦程贸易有限公司")
    records = [rec("A1", "甲公司", doc("authorization_letter", "s1", **own)),
               rec("A2", "乙公司", doc("authorization_letter", "s2", **own))]
    assert link(records) == []


# ------------------------------------------------------------------ device and editor identifiers


def _with_ids(kind, sha, **ids):
    return {**doc(kind, sha), "file_meta": {"format": "jpeg", "ids": ids}}


def test_same_original_file_identifier_links_sellers():
    records = [rec("A1", "甲公司", _with_ids("receipt", "r1", **{"xmp.DocumentID": "xmp.did:7F1A2B3C4D5E"})),
               rec("A2", "乙公司", _with_ids("receipt", "r2", **{"xmp.DocumentID": "xmp.did:7F1A2B3C4D5E"})),
               rec("A3", "丙公司", _with_ids("receipt", "r3", **{"xmp.DocumentID": "xmp.did:0000AAAA1111"})),
               rec("A4", "丁公司", _with_ids("receipt", "r4", BodySerialNumber="SN-48213377")),
               rec("A5", "戊公司", _with_ids("receipt", "r5", BodySerialNumber="SN-48213377")),
               rec("A6", "己公司", _with_ids("receipt", "r6", BodySerialNumber="1"))]  # too short to mean anything
    clusters = link(records)
    assert [c.appeals for c in clusters] == [("A1", "A2"), ("A4", "A5")]
    assert "same original file or camera" in clusters[0].reasons[0]


def test_same_seller_with_one_camera_is_not_a_link():
    records = [rec("A1", "甲公司", _with_ids("receipt", "r1", BodySerialNumber="SN-48213377")),
               rec("A2", "甲公司", _with_ids("receipt", "r2", BodySerialNumber="SN-48213377"))]
    assert link(records) == []


# ------------------------------------------------------------------ seal impressions


def _seal_doc(name, pattern, ref="acme-official", partial=False):
    from appealcheck.seals.compare import encode_impression

    return {"file": name, "kind": "authorization_letter", "sha256": name, "fields": {},
            "seals": [{"impression": encode_impression(pattern), "impression_ref": ref, "partial": partial}]}


def test_seal_patterns_link_only_when_one_impression():
    import numpy as np

    rng = np.random.default_rng(3)
    base = rng.normal(size=288)
    noisy = base + rng.normal(scale=0.3, size=288)  # the same impression, captured again: correlation ~0.95
    other = rng.normal(size=288)
    records = [rec("A1", "甲公司", _seal_doc("l1.png", base)),
               rec("A2", "乙公司", _seal_doc("l2.png", noisy)),
               rec("A3", "丙公司", _seal_doc("l3.png", other)),
               rec("A4", "丁公司", _seal_doc("l4.png", base, ref="acme-contract")),  # another registered seal
               rec("A5", "戊公司", _seal_doc("l5.png", base, partial=True))]  # cut by the page edge
    clusters = link(records)
    assert [c.appeals for c in clusters] == [("A1", "A2")]
    assert "same seal impression (ink pattern correlation 0.9" in clusters[0].reasons[0]


def test_a_pasted_impression_links_through_captures_and_genuine_ones_do_not(tmp_path):
    """Real pixels: one inked impression pasted onto two sellers' letters, each captured differently, links;
    two genuine impressions of the same registered seal do not."""
    import io

    import numpy as np
    from PIL import Image

    from appealcheck.samples import capture as C
    from appealcheck.samples import seals as S
    from tests.seals.test_seals import OFFICIAL, _ctx, _page, make_pack

    pytest_pack = make_pack(tmp_path / "acme")

    def letter(alpha, seed, style):
        img = _page()
        S.stamp(img, alpha, (900, 1180), S.ink_color(np.random.default_rng(seed)))
        cp = C.CaptureParams(style, 150, 88, "jpg", seed)
        cap = C.apply(img, cp, None, (2025, 1, 1))
        return np.asarray(Image.open(io.BytesIO(cap.data)).convert("RGB"))

    from appealcheck.seals import seal_facts

    pasted = S.impression(OFFICIAL, 150, np.random.default_rng(41), 6.0)
    pages = {"A1": letter(pasted, 1, "scan"), "A2": letter(pasted, 2, "screenshot"),
             "A3": letter(S.impression(OFFICIAL, 150, np.random.default_rng(42), 6.0), 3, "scan"),
             "A4": letter(S.impression(OFFICIAL, 150, np.random.default_rng(43), -4.0), 4, "scan")}
    records = []
    for i, (aid, img) in enumerate(pages.items()):
        facts = seal_facts(_ctx(img, pytest_pack))
        assert len(facts) == 1 and facts[0]["impression_ref"] == "acme-official"
        records.append(rec(aid, f"seller {i}", {"file": "letter.jpg", "kind": "authorization_letter",
                                                "sha256": aid, "fields": {}, "seals": facts}))
    clusters = link(records)
    assert [c.appeals for c in clusters] == [("A1", "A2")]



def test_one_image_on_many_sellers_documents_joins_none_of_them():
    """A printed or electronic stamp is the same image everywhere: past SEAL_MAX_SELLERS it links nobody, while a
    forger's paste shared by three sellers in the same block still links."""
    import numpy as np

    from appealcheck.batch.links import SEAL_MAX_SELLERS

    rng = np.random.default_rng(5)
    stamp, paste = rng.normal(size=288), rng.normal(size=288)
    records = [rec(f"S{i:03d}", f"seller {i}", _seal_doc(f"s{i}.png", stamp + rng.normal(scale=0.1, size=288)))
               for i in range(SEAL_MAX_SELLERS + 5)]
    records += [rec(f"F{i}", f"buyer {i}", _seal_doc(f"f{i}.png", paste + rng.normal(scale=0.3, size=288)))
                for i in range(3)]
    clusters = link(records)
    assert [c.appeals for c in clusters] == [("F0", "F1", "F2")]


def test_an_identifier_on_many_sellers_files_is_a_constant_not_an_original():
    from appealcheck.batch.links import ID_MAX_SELLERS

    records = [rec(f"A{i:03d}", f"seller {i}", _with_ids("receipt", f"r{i}", ImageUniqueID="0000000000000000"))
               for i in range(ID_MAX_SELLERS + 1)]
    assert link(records) == []


def test_a_flat_pasted_seal_has_no_pressure_pattern():
    import numpy as np

    from appealcheck.samples import seals as S
    from appealcheck.seals.compare import impression
    from appealcheck.seals.find import find_seals
    from tests.seals.test_seals import OFFICIAL, _page, _stamped

    flat = _page()
    S.paste_flat(flat, OFFICIAL, 150, (900, 1180), 8.0, (210, 40, 45))
    assert not impression(flat, find_seals(flat)[0], None).any()
    inked = _stamped(OFFICIAL, seed=2)
    assert np.abs(impression(inked, find_seals(inked)[0], None)).sum() > 10
