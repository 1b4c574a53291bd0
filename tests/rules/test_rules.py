"""Brand-pack rules: hostile packs refused (exit 3, bounded time), evaluation bounded, every command exercised."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from appealcheck.errors import ExitCode, PackError
from appealcheck.rules import celfuncs
from appealcheck.rules.engine import Limits, RuleSet, load_rules
from appealcheck.rules.facts import markdown_table
from appealcheck.rules.lint import lint, validate
from appealcheck.rules.signing import keygen, sign, verify, verify_pack

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
REPO = Path(__file__).resolve().parents[2]
BRAND = "schema_version: 1\nid: acme\nname: ACME\nversion: 1.0.0\n"


# Uncut, the slow rule (9 million fuzzy comparisons in CEL) runs for minutes; a bound of seconds proves the cut and
# holds on a loaded CI machine, where a 0.3 s bound failed at 0.46 s.
CUT_BOUND_S = 3.0


def _pack(tmp_path: Path, rules: str, brand: str = BRAND, name: str = "acme") -> Path:
    d = tmp_path / name
    d.mkdir()
    (d / "brand.yaml").write_text(brand, encoding="utf-8")
    (d / "rules.yaml").write_text(rules, encoding="utf-8")
    return d


def _rule(when: str, rid: str = "acme.t.a", extra: str = "") -> str:
    return f"  - id: {rid}\n    title: t\n    severity: high\n    when: '{when}'\n    message: m\n{extra}"


def _doc(**fields) -> dict:
    return {"doc": {"kind": "authorization_letter", "text": fields.pop("text", "授权书"), "fields": fields,
                    "seals": [], "file": {"name": "a.jpg"}}, "appeal": {"submitted_at": "2025-06-01"}, "brand": {}}


@pytest.mark.parametrize("case", sorted(p.name for p in HOSTILE.iterdir()))
def test_hostile_pack_refused_with_file_and_line(case):
    folder = HOSTILE / case
    expect = (folder / "expect.txt").read_text(encoding="utf-8").strip()
    t0 = time.perf_counter()
    with pytest.raises(PackError) as exc:
        validate(folder)
    assert time.perf_counter() - t0 < 10.0  # a hostile pack that got through would hang or take minutes
    assert exc.value.exit_code == ExitCode.invalid_pack == 3
    assert expect in exc.value.message
    assert str(folder) in exc.value.message


def test_50mb_string_refused_fast(tmp_path):
    d = _pack(tmp_path, "schema_version: 1\nrules:\n" + _rule("x" * 50_000_000))
    t0 = time.perf_counter()
    with pytest.raises(PackError, match=r"rules.yaml: .*limit"):
        load_rules(d)
    assert time.perf_counter() - t0 < 5.0  # refused before parsing, not after


def test_symlinks_out_of_the_pack_refused(tmp_path):
    d = _pack(tmp_path, "schema_version: 1\nrules: []\n")
    (d / "seals").mkdir()
    os.symlink("/etc/passwd", d / "seals" / "s.png")
    with pytest.raises(PackError, match="symlinks are not allowed in a pack"):
        validate(d)
    (d / "seals" / "s.png").unlink()
    (d / "rules.yaml").unlink()
    os.symlink("/etc/passwd", d / "rules.yaml")
    with pytest.raises(PackError, match=r"rules.yaml: symlinks are not allowed"):
        load_rules(d)


def test_all_errors_collected(tmp_path):
    rules = "schema_version: 1\nrules:\n" + _rule("doc.x(", "acme.t.a") + _rule("true", "acme.t.a") + \
        _rule("nope.y", "acme.t.c")
    d = _pack(tmp_path, rules, brand=BRAND + "colour: red\n")
    with pytest.raises(PackError) as exc:
        validate(d)
    lines = exc.value.message.splitlines()
    assert any("brand.yaml:5: field 'colour'" in x for x in lines)
    assert any("rules.yaml:6: rule 'acme.t.a': CEL syntax error" in x for x in lines)
    assert any("rules.yaml:8: rule id 'acme.t.a' is used twice" in x for x in lines)
    assert any("rules.yaml:16: rule 'acme.t.c': unknown name 'nope'" in x for x in lines)


def test_backtracking_regex_runs_in_linear_time(tmp_path):
    rs = load_rules(_pack(tmp_path, "schema_version: 1\nrules:\n" + _rule('re2_match(doc.text, "^(a+)+$")')))
    t0 = time.perf_counter()
    assert rs.evaluate(_doc(text="a" * 100_000 + "!"), "authorization_letter") == []
    assert time.perf_counter() - t0 < CUT_BOUND_S  # backtracking would not finish in a lifetime
    assert rs.errors_for_last_eval == ()


def _slow_set(tmp_path) -> tuple[RuleSet, dict]:
    when = "brand.entities.all(a, brand.entities.all(b, fuzzy(a.name, b.name) >= 0.0))"
    rs = load_rules(_pack(tmp_path, "schema_version: 1\nrules:\n" + _rule(when) + _rule("true", "acme.t.b")),
                    Limits(rule_timeout_s=0.05, document_budget_s=0.3, max_timeouts=2))
    facts = _doc()
    facts["brand"] = {"entities": [{"name": f"公司{i}"} for i in range(3000)]}
    return rs, facts


def test_long_running_rule_cut_then_switched_off(tmp_path):
    rs, facts = _slow_set(tmp_path)
    for _ in range(3):
        t0 = time.perf_counter()
        hits = rs.evaluate(facts, "authorization_letter")
        assert time.perf_counter() - t0 < CUT_BOUND_S
        assert [h.rule_id for h in hits] == ["acme.t.b"]  # the next rule still runs
    assert "ran longer" in rs.errors_for_last_eval[0].problem or "switched off" in rs.errors_for_last_eval[0].problem
    assert "acme.t.a" in rs.disabled


_COLLECTOR_PROBE = """
import gc, json, sys
from pathlib import Path
from appealcheck.rules.engine import load_rules
rs = load_rules(Path(sys.argv[1]))
facts = {"doc": {"kind": "purchase_invoice", "text": "x", "fields": {"seller_name": sys.argv[2]}, "seals": [],
                 "file": {"name": "a.jpg"}}, "appeal": {"submitted_at": "2025-06-01"}, "brand": {}}
runs = []
gc.callbacks.append(lambda phase, info: runs.append(1) if phase == "start" else None)
evaluate = rs.evaluate
gc.set_threshold(1, 1, 1)
before = len(runs)
found = evaluate(facts, "purchase_invoice")
after = len(runs)
[{} for _ in range(10)]
again = len(runs) - after
gc.set_threshold(700, 10, 10)
print(json.dumps({"during": after - before, "again": again, "enabled": gc.isenabled(),
                  "errors": len(rs.errors_for_last_eval), "hits": [h.rule_id for h in found]}))
"""


def test_the_collector_waits_while_the_rules_run():
    # Late in a long test run (a fresh checkout's README command), a full collection of the process's heap landed
    # in the bundled known-seller rule, which was cut at 0.05 s and did not fire. A full collection of 11M objects
    # takes 0.4 s here. With a threshold of 1 every allocation would start a collection; none may while the
    # rules run. In a process of its own: the collector's switch is the process's, and other tests' threads flip it.
    import json
    import subprocess

    args = [sys.executable, "-c", _COLLECTOR_PROBE, str(REPO / "rules" / "xinglan"), "上海未知商贸有限公司"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True, cwd=REPO)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["during"] == 0
    assert got["again"] > 0 and got["enabled"]  # the collector runs again once the rules are done
    assert got["errors"] == 0
    assert "xinglan.invoice.known-seller" in got["hits"]


def test_time_limit_holds_off_the_main_thread(tmp_path):
    rs, facts = _slow_set(tmp_path)
    out = {}

    def run():
        t0 = time.perf_counter()
        out["hits"] = rs.evaluate(facts, "authorization_letter")
        out["s"] = time.perf_counter() - t0

    th = threading.Thread(target=run)
    th.start()
    th.join(10)
    assert out["s"] < CUT_BOUND_S and [h.rule_id for h in out["hits"]] == ["acme.t.b"]
    assert sys.gettrace() is None


def test_bad_data_is_not_fired_and_recorded(tmp_path):
    rules = "schema_version: 1\nrules:\n" + _rule("doc.fields.total > 10.0", "acme.t.a") + \
        _rule("doc.fields.licensee == 3", "acme.t.b") + _rule("doc.fields.licensee", "acme.t.c")
    rs = load_rules(_pack(tmp_path, rules))
    assert rs.evaluate(_doc(licensee="x"), "authorization_letter") == []
    problems = {e.rule_id: e.problem for e in rs.errors_for_last_eval}
    assert set(problems) == {"acme.t.a", "acme.t.b", "acme.t.c"}
    assert "not true or false" in problems["acme.t.c"]
    assert rs.evaluate({"doc": None, "appeal": 5}, None) == []


def test_hits_carry_message_field_and_respect_kind_and_status(tmp_path):
    rules = ("schema_version: 1\nrules:\n"
             + _rule('doc.fields.licensee.contains("个人")', "acme.t.a", "    applies_to: [authorization_letter]\n")
             + _rule("true", "acme.t.b", "    status: deprecated\n")
             + _rule('has(doc.fields.valid_to) && !has(doc.fields.valid_from)', "acme.t.c", "    field: valid_to\n"))
    rs = load_rules(_pack(tmp_path, rules))
    hits = rs.evaluate(_doc(licensee="个人张三", valid_to="2025-01-01"), "authorization_letter")
    assert [(h.rule_id, h.field, h.message, h.severity) for h in hits] == [
        ("acme.t.a", "licensee", "m", "high"), ("acme.t.c", "valid_to", "m", "high")]
    assert [h.rule_id for h in rs.evaluate(_doc(licensee="个人"), "receipt")] == []


def test_helpers():
    assert celfuncs.re2_match("编号１２３", r"\d{3}")
    assert celfuncs.days_between("2025-01-01", "2025-03-01T00:00:00") == 59
    assert isinstance(celfuncs.days_between("x", "2025-01-01"), celfuncs.CELEvalError)
    assert celfuncs.fuzzy("艾克米(中国)有限公司", "艾克米（中国）有限公司") == 100.0
    assert celfuncs.uscc_valid("91310115MA1K3YQX8R") in (True, False)
    assert celfuncs.check_pattern("(a") and celfuncs.check_pattern("a" * 2000)


def test_500_rules_load_and_evaluate(tmp_path):
    """A 500-rule pack compiles and every rule evaluates; its speed is measured in bench/rules_speed.py.

    The time limits are lifted: on a loaded CI machine one rule of 500 once ran past the 0.05 s default, and what
    this test proves is that every rule compiles and evaluates, not how fast (the limits have their own tests)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import rules_speed
    finally:
        sys.path.pop(0)
    rs = load_rules(rules_speed.write_pack(tmp_path, 500), Limits(rule_timeout_s=10.0, document_budget_s=60.0))
    hits = rs.evaluate(rules_speed.FACTS, "authorization_letter")
    assert rs.errors_for_last_eval == () and not rs.disabled
    assert hits


def test_lint_finds_typos_and_untested_rules(tmp_path):
    d = _pack(tmp_path, "schema_version: 1\nrules:\n" + _rule("doc.fields.licencee == \"x\"") +
              _rule("true", "other.t.b"))
    issues = {(i.code, i.message.split("'")[1]) for i in lint(d)}
    assert ("unknown-fact", "acme.t.a") in issues and ("untested", "acme.t.a") in issues
    assert ("id-namespace", "other.t.b") in issues
    assert "did you mean doc.fields.licensee?" in " ".join(str(i) for i in lint(d))


def test_signature_roundtrip_and_tamper(tmp_path):
    d = _pack(tmp_path, "schema_version: 1\nrules: []\n")
    priv, pub = keygen(tmp_path / "keys" / "acme")
    sign(d, priv)
    ring = tmp_path / "keys"
    assert verify(d, ring).trusted
    verify_pack(d, ring)
    other = tmp_path / "other"
    other.mkdir()
    keygen(other / "x")
    with pytest.raises(PackError, match="not in the keyring"):
        verify_pack(d, other)
    (d / "rules.yaml").write_text("schema_version: 1\nrules: []\n# changed\n", encoding="utf-8")
    with pytest.raises(PackError, match="SIGNATURE:1: signature does not verify"):
        verify(d, ring)
    (d / "SIGNATURE").write_text("{not json", encoding="utf-8")
    with pytest.raises(PackError, match="malformed"):
        verify(d)


def test_docs_facts_table_is_generated_from_code():
    assert markdown_table() in (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


# --- the commands, through cli.main as users run them ---------------------------------------------------------------


def _run(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    from appealcheck.cli import cli, main
    from appealcheck.cli_rules import rules

    if "rules" not in cli.commands:
        cli.add_command(rules)
    monkeypatch.setattr(sys, "argv", ["appealcheck", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    cap = capsys.readouterr()
    return int(code), cap.out + cap.err


def test_commands_end_to_end(tmp_path, monkeypatch, capsys):
    root = tmp_path / "packs"
    assert _run(monkeypatch, capsys, "rules", "new", "acme", "--dir", str(root))[0] == 0
    d = str(root / "acme")
    code, out = _run(monkeypatch, capsys, "rules", "validate", d)
    assert code == 0 and "2 rules, 2 test cases" in out
    assert _run(monkeypatch, capsys, "rules", "lint", d)[0] == 0
    junit = tmp_path / "j.xml"
    code, out = _run(monkeypatch, capsys, "rules", "test", d, "--junit", str(junit))
    assert code == 0 and "2 case(s) passed" in out and 'failures="0"' in junit.read_text()
    code, out = _run(monkeypatch, capsys, "rules", "list", "--rules", str(root))
    assert code == 0 and "acme" in out and "unsigned" in out
    assert _run(monkeypatch, capsys, "rules", "keygen", str(tmp_path / "k" / "acme"))[0] == 0
    assert _run(monkeypatch, capsys, "rules", "sign", d, "--key", str(tmp_path / "k" / "acme.key"))[0] == 0
    assert _run(monkeypatch, capsys, "rules", "verify", d, "--keyring", str(tmp_path / "k"))[0] == 0
    code, out = _run(monkeypatch, capsys, "rules", "facts")
    assert code == 0 and "doc.fields.licensee" in out and "re2_match" in out
    # A failing expectation fails the run with exit 3 and says which rule.
    exp = root / "acme" / "tests" / "expected.yaml"
    text = exp.read_text().replace("not_fires: [acme.letter.no-exclusive, ",
                                   "fires: [acme.letter.no-exclusive]\n    not_fires: [")
    exp.write_text(text, encoding="utf-8")
    code, out = _run(monkeypatch, capsys, "rules", "test", d)
    assert code == 3 and "should fire but did not: acme.letter.no-exclusive" in out
    code, out = _run(monkeypatch, capsys, "rules", "verify", d)
    assert code == 3 and "does not verify" in out
    code, out = _run(monkeypatch, capsys, "rules", "validate", str(HOSTILE / "duplicate-id"))
    assert code == 3 and "used twice" in out
    for cmd in ("new", "validate", "lint", "test", "list", "sign", "verify", "keygen", "facts"):
        code, out = _run(monkeypatch, capsys, "rules", cmd, "--help")
        assert code == 0 and "Example:" in out


@pytest.mark.parametrize("seller, fires", [
    ("成都天成晨光贸易有限公司", False),  # a distributor, as registered
    ("成都天成展光贸易有限公司", False),  # the same read a character off on a fax (fresh seed 1031, A-1031-000115)
    ("上海未知商贸有限公司", True),  # a company the brand does not list
])
def test_the_bundled_packs_known_seller_rule_tolerates_a_misread_name(seller, fires):
    rs = load_rules(REPO / "rules" / "xinglan")
    facts = {"doc": {"kind": "purchase_invoice", "text": "发票", "fields": {"seller_name": seller}, "seals": [],
                     "file": {"name": "a.jpg"}}, "appeal": {"submitted_at": "2025-06-01"}, "brand": {}}
    hits = [h.rule_id for h in rs.evaluate(facts, "purchase_invoice")]
    assert ("xinglan.invoice.known-seller" in hits) is fires, (hits, rs.errors_for_last_eval)
