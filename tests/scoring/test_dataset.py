"""Labels files, the feature cache, and train/eval end to end on a few generated appeals."""

from __future__ import annotations

import json

import pytest

from appealcheck.errors import InputError
from appealcheck.scoring.dataset import build_table, load_corpus, read_labels


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from appealcheck.samples import generate

    out = tmp_path_factory.mktemp("corpus")
    generate(out, appeals=6, seed=3)
    return out


def test_platform_labels_csv_and_jsonl(tmp_path):
    csv = tmp_path / "l.csv"
    csv.write_text("appeal_id,label\nA1,genuine\nA2,FORGED\n", encoding="utf-8")
    lab = read_labels(csv, ["A1", "A2"])
    assert lab.level == "appeal" and lab.appeals["A2"].label == 1
    js = tmp_path / "l.jsonl"
    js.write_text('{"appeal_id": "A1", "label": "forged"}\n\n', encoding="utf-8")
    assert read_labels(js, ["A1"]).appeals["A1"].label == 1


@pytest.mark.parametrize("text, suffix, words", [
    ("appeal_id,label\nA1,genuine\nZZ,forged\n", ".csv", ["line 3", "unknown appeal id 'ZZ'"]),
    ("appeal_id,label\nA1,maybe\n", ".csv", ["line 2", "'maybe'", "not genuine or forged"]),
    ("id,verdict\nA1,forged\n", ".csv", ["line 1", "appeal_id and label"]),
    ('{"appeal_id": "A1", "label": "forged"}\n{oops\n', ".jsonl", ["line 2", "not JSON"]),
    ('{"appeal_id": "A1", "label": "forged"}\n{"appeal_id": "A1", "label": "genuine"}\n', ".jsonl",
     ["line 2", "line 1"]),
    ('{"label": "forged"}\n', ".jsonl", ["line 1", "no appeal_id"]),
    ("", ".jsonl", ["no labels"]),
])
def test_bad_labels_name_the_lines(tmp_path, text, suffix, words):
    p = tmp_path / f"labels{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_labels(p, ["A1"])
    assert exc.value.exit_code == 4
    for w in words:
        assert w in exc.value.message


def test_generator_labels_and_cache(corpus, tmp_path):
    t1 = load_corpus(corpus, workers=1, ocr="none", cache_dir=tmp_path)
    assert t1.labels.level == "document" and t1.scanned == 6 and t1.cached == 0 and not t1.failed
    labels = {json.loads(x)["appeal_id"]: json.loads(x) for x in (corpus / "labels.jsonl").read_text().splitlines()}
    for r in t1.rows:
        truth = next(d for d in labels[r.appeal_id]["documents"] if d["file"] == r.file)
        assert r.label == (truth["label"] == "forged") and r.template_id == truth["template_id"]
    t2 = load_corpus(corpus, workers=1, ocr="none", cache_dir=tmp_path)
    assert t2.scanned == 0 and t2.cached == 6
    assert [r.features for r in t2.rows] == [r.features for r in t1.rows]


def test_appeal_level_labels_with_any_folder(corpus, tmp_path):
    p = tmp_path / "decisions.csv"
    p.write_text("appeal_id,label\nA-003-000000,genuine\nA-003-000001,forged\n", encoding="utf-8")
    t = build_table(corpus / "appeals", read_labels(p, ["A-003-000000", "A-003-000001"]),
                    rules_dirs=(corpus / "rules",), workers=1, ocr="none", cache_dir=tmp_path)
    assert {r.appeal_id for r in t.rows} == {"A-003-000000", "A-003-000001"}
    assert all(r.label is None for r in t.rows) and t.labels.level == "appeal"


def test_cli_bad_labels_exit_4(corpus, tmp_path):
    from click.testing import CliRunner

    from appealcheck.cli_model import train

    p = tmp_path / "bad.csv"
    p.write_text("appeal_id,label\nnope,forged\n", encoding="utf-8")
    res = CliRunner().invoke(train, [str(corpus / "appeals"), "--labels", str(p), "-o", str(tmp_path / "m")])
    assert isinstance(res.exception, InputError) and "line 2" in res.exception.message


def test_cli_ignoring_an_unknown_feature_is_a_usage_error_before_any_scan(corpus, tmp_path):
    from click.testing import CliRunner

    from appealcheck.cli_model import train

    res = CliRunner().invoke(train, [str(corpus), "-o", str(tmp_path / "m"), "--ignore-features", "seller_age"])
    assert res.exit_code == 2 and "'seller_age' names no feature" in res.output
    assert not (tmp_path / "m").exists()


def test_help_has_examples():
    from click.testing import CliRunner

    from appealcheck.cli_model import COMMANDS

    for c in COMMANDS:
        assert "Example:" in CliRunner().invoke(c, ["--help"]).output


@pytest.mark.slow
def test_real_ocr_scan_score_explain(corpus, tmp_path):
    """Two generated appeals through the real engine, then score_with_model on real DocumentResults."""
    from appealcheck.api import Scanner, ScanOptions
    from appealcheck.scoring.features import appeal_dict
    from appealcheck.scoring.model import ForgeryModel, score_with_model

    from .synth import table

    model = ForgeryModel(n_estimators=30).fit(table(200))
    scanner = Scanner(ScanOptions(rules_dirs=(corpus / "rules",)))
    for aid in ("A-003-000000", "A-003-000005"):  # one- and two-document appeals: the cheapest to OCR
        appeal, _pack, result = scanner.scan_detailed(corpus / "appeals" / aid)
        score, doc_scores, expl, name = score_with_model(model, result.documents, appeal_dict(appeal), [])
        assert 0 <= score <= 1 and len(doc_scores) == len(result.documents) and name.startswith("lgbm-fv")
        assert all(e["document"] in {d.file for d in result.documents} for e in expl)


def test_eval_takes_shipped_as_scan_does(corpus, tmp_path, monkeypatch):
    """`scan --model shipped` names the package's model; `eval --model shipped` read it as a folder and failed."""
    from click.testing import CliRunner

    from appealcheck.cli_model import eval_
    from appealcheck.scoring.model import load_default_model

    monkeypatch.setenv("APPEALCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no folder called 'shipped' here
    p = tmp_path / "decisions.csv"
    p.write_text("appeal_id,label\nA-003-000000,genuine\nA-003-000001,forged\n", encoding="utf-8")
    res = CliRunner().invoke(eval_, [str(corpus / "appeals"), "--labels", str(p), "--model", "shipped",
                                     "--compare", "shipped", "--workers", "1", "--json", str(tmp_path / "e.json"),
                                     "--plot", str(tmp_path / "e.png")])
    assert res.exit_code == 0, res.output
    import json

    names = list(json.loads((tmp_path / "e.json").read_text(encoding="utf-8")))
    shipped = load_default_model().name
    assert names == [shipped, f"{shipped} (old)"]
