"""Batch: ledger durability, resume, crash and timeout as data, CSV, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from appealcheck.batch.ledger import Ledger, read_ledger
from appealcheck.errors import InputError
from tests import pages

BAD = Path(__file__).parents[1] / "fixtures" / "bad"


def run(*args, **kw):
    return subprocess.run([sys.executable, "-m", "appealcheck.cli", *args], capture_output=True, text=True,
                          timeout=600, **kw)


def _folder(tmp_path: Path, n_blank: int = 3) -> Path:
    root = tmp_path / "appeals"
    root.mkdir()
    for i in range(n_blank):
        (root / f"A-{i}").mkdir()
        Image.new("RGB", (200 + i, 100), "white").save(root / f"A-{i}" / "page.png")
    return root


def test_ledger_cuts_a_torn_tail_and_keeps_the_rest(tmp_path):
    path = tmp_path / "r.jsonl"
    with Ledger(path) as led:
        led.open(resume=False)
        led.append({"schema_version": 1, "appeal_id": "a", "verdict": "clean"})
        led.append({"schema_version": 1, "appeal_id": "b", "verdict": "forged"})
    with path.open("ab") as fh:
        fh.write(b'{"schema_version": 1, "appeal_id": "c", "ver')
    state = read_ledger(path)
    assert [r["appeal_id"] for r in state.records] == ["a", "b"] and state.torn_bytes > 0
    with Ledger(path) as led:
        led.open(resume=True)
        led.append({"schema_version": 1, "appeal_id": "c", "verdict": "clean"})
    assert [r["appeal_id"] for r in read_ledger(path).records] == ["a", "b", "c"]
    assert path.read_bytes().endswith(b"}\n")


def test_a_file_that_is_not_ours_is_refused(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text("name,score\nx,1\n")
    with pytest.raises(InputError, match="not an appealcheck results file"):
        Ledger(path).open(resume=True)
    path.write_text('{"hello": 1}\n')
    with pytest.raises(InputError, match="line 1 is not an appealcheck result"):
        Ledger(path).open(resume=True)


def test_existing_results_need_resume(tmp_path):
    root = _folder(tmp_path, 1)
    out = tmp_path / "r.jsonl"
    assert run("batch", str(root), "-o", str(out), "--ocr", "none", "--workers", "1").returncode == 0
    again = run("batch", str(root), "-o", str(out), "--ocr", "none", "--workers", "1")
    assert again.returncode == 4 and "pass --resume" in again.stderr


def test_batch_records_every_appeal_and_carries_on_past_bad_ones(tmp_path):
    root = _folder(tmp_path, 2)
    (root / "broken.jpg").write_bytes((BAD / "truncated.jpg").read_bytes())
    out = tmp_path / "r.jsonl"
    proc = run("batch", str(root), "-o", str(out), "--ocr", "none", "--workers", "2", "--csv")
    assert proc.returncode == 4, proc.stderr  # one appeal failed, none flagged
    recs = read_ledger(out).records
    assert sorted(r["appeal_id"] for r in recs) == ["A-0", "A-1", "broken"]
    bad = next(r for r in recs if r["appeal_id"] == "broken")
    assert bad["verdict"] == "error" and "corrupt or truncated" in bad["error"]
    csv_text = out.with_suffix(".csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith("appeal_id,verdict,score") and len(csv_text.splitlines()) == 4
    # Resume over a finished batch scans nothing and records nothing twice.
    again = run("batch", str(root), "-o", str(out), "--ocr", "none", "--resume")
    assert "0 scanned, 3 already done" in again.stderr
    assert len(read_ledger(out).records) == 3
    # A changed appeal is scanned again.
    Image.new("RGB", (300, 100), "white").save(root / "A-0" / "page.png")
    third = run("batch", str(root), "-o", str(out), "--ocr", "none", "--resume")
    assert "1 scanned, 2 already done" in third.stderr
    # The rescan replaces the old record: one record per appeal.
    assert sorted(r["appeal_id"] for r in read_ledger(out).records) == ["A-0", "A-1", "broken"]


def test_timeout_becomes_an_error_record(tmp_path):
    root = tmp_path / "appeals"
    (root / "slow").mkdir(parents=True)
    pages.letter().save(root / "slow" / "letter.png")
    out = tmp_path / "r.jsonl"
    proc = run("batch", str(root), "-o", str(out), "--workers", "1", "--timeout", "1", "--no-cache")
    rec = read_ledger(out).records[0]
    assert rec["verdict"] == "error" and "timed out after 1 s" in rec["error"], proc.stderr


def test_kill_9_loses_nothing_and_resume_finishes(tmp_path):
    root = tmp_path / "appeals"
    root.mkdir()
    for i in range(4):
        (root / f"A-{i}").mkdir()
        pages.receipt().resize((520 + i, 1200)).save(root / f"A-{i}" / "r.png")
    out = tmp_path / "r.jsonl"
    env = {**os.environ, "APPEALCHECK_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "appealcheck.cli", "batch", str(root), "-o", str(out),
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 1):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    first = read_ledger(out).records
    assert 1 <= len(first) < 4
    done = run("batch", str(root), "-o", str(out), "--resume", env=env)
    assert done.returncode == 0, done.stderr
    recs = read_ledger(out).records
    assert sorted(r["appeal_id"] for r in recs) == ["A-0", "A-1", "A-2", "A-3"]
    assert [json.loads(line)["appeal_id"] for line in out.read_text(encoding="utf-8").splitlines()] == \
        [r["appeal_id"] for r in recs]


def _batch_running(tmp_path: Path, n: int) -> tuple[Path, Path, subprocess.Popen]:
    """n letter appeals, and a batch over them (no OCR, one worker) that has just written its first record."""
    root = tmp_path / "appeals"
    root.mkdir()
    for i in range(n):
        (root / f"A-{i}").mkdir()
        pages.letter(licensee=f"第{i}号贸易有限公司").save(root / f"A-{i}" / "letter.png")
    out = tmp_path / "r.jsonl"
    # A runner started in the background by a shell without job control ignores SIGINT, and so would the batch it
    # starts (Python keeps an ignored SIGINT ignored): the batch gets the default Ctrl-C a terminal gives it.
    proc = subprocess.Popen([sys.executable, "-m", "appealcheck.cli", "batch", str(root), "-o", str(out),
                             "--workers", "1", "--ocr", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 1):
        time.sleep(0.02)
    return root, out, proc


def test_an_appeal_that_changes_or_vanishes_mid_run_is_an_error_and_resume_rescans_it(tmp_path):
    root, out, proc = _batch_running(tmp_path, 6)
    pages.receipt().save(root / "A-3" / "letter.png")  # replaced while the batch runs
    for f in (root / "A-5").iterdir():
        f.unlink()
    (root / "A-5").rmdir()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 4, stderr
    recs = {r["appeal_id"]: r for r in read_ledger(out).records}
    assert recs["A-3"]["verdict"] == "error" and "changed or disappeared while it was being scanned" in \
        recs["A-3"]["error"] and recs["A-3"]["input"]["hash"] is None
    assert recs["A-5"]["verdict"] == "error"
    assert all(recs[f"A-{i}"]["verdict"] != "error" for i in (0, 1, 2, 4))
    again = run("batch", str(root), "-o", str(out), "--workers", "1", "--ocr", "none", "--resume")
    assert "1 scanned, 4 already done" in again.stderr
    recs = {r["appeal_id"]: r for r in read_ledger(out).records}
    assert recs["A-3"]["verdict"] != "error" and recs["A-3"]["documents"][0]["kind"] == "receipt"


def test_a_full_disk_stops_with_a_clear_message_and_loses_nothing(tmp_path):
    """The file size limit (RLIMIT_FSIZE) makes writes fail as a full disk does; resume then finishes."""
    import resource

    root = tmp_path / "appeals"
    root.mkdir()
    for i in range(40):
        (root / f"e{i:02d}.jpg").write_bytes(b"")
    out = tmp_path / "r.jsonl"

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))

    proc = subprocess.run([sys.executable, "-m", "appealcheck.cli", "batch", str(root), "-o", str(out),
                           "--workers", "1", "--ocr", "none", "--no-cache"], capture_output=True, text=True,
                          timeout=300, preexec_fn=small_disk)
    assert proc.returncode == 4, proc.stderr
    assert "cannot write results" in proc.stderr and "--resume" in proc.stderr
    assert "Traceback" not in proc.stderr
    kept = read_ledger(out).records
    assert 1 <= len(kept) < 40
    done = run("batch", str(root), "-o", str(out), "--workers", "1", "--ocr", "none", "--no-cache", "--resume")
    assert done.returncode == 4, done.stderr  # every appeal is an unreadable file
    recs = read_ledger(out).records
    assert sorted(r["appeal_id"] for r in recs) == [f"e{i:02d}" for i in range(40)]
    assert recs[:len(kept)] == [{**r, "links": []} for r in kept]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_stops_cleanly_and_resume_finishes(tmp_path, sig, code):
    # Twenty appeals: without OCR one takes about 0.2 s, and five could all finish before the signal landed.
    root, out, proc = _batch_running(tmp_path, 20)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    errors = [r.get("error") for r in read_ledger(out).records if r.get("verdict") == "error"]
    assert proc.returncode == code, (stderr, errors)
    assert "interrupted: rerun with --resume" in stderr and "Traceback" not in stderr
    first = read_ledger(out)
    assert 1 <= len(first.records) < 20 and first.torn_bytes == 0
    done = run("batch", str(root), "-o", str(out), "--workers", "1", "--ocr", "none", "--resume")
    assert done.returncode == 0, done.stderr
    assert sorted(r["appeal_id"] for r in read_ledger(out).records) == sorted(f"A-{i}" for i in range(20))


def test_resume_scores_again_with_another_model(tmp_path):
    """A result is reused on --resume only when the model that scored it is the one asked for now."""
    from appealcheck.batch.local import versions_key
    from appealcheck.errors import ResourceMissing

    plain, shipped = versions_key(None), versions_key("shipped")
    assert plain == versions_key("placeholder") and "placeholder" in plain
    assert shipped != plain and "lgbm-fv" in shipped
    with pytest.raises(ResourceMissing):
        versions_key(str(tmp_path / "no-such-model"))

    root = _folder(tmp_path, n_blank=1)
    out = tmp_path / "r.jsonl"
    assert run("batch", str(root), "-o", str(out), "--ocr", "none", "--workers", "1").returncode == 0
    again = run("batch", str(root), "-o", str(out), "--ocr", "none", "--workers", "1", "--resume",
                "--model", "shipped")
    recs = read_ledger(out).records
    assert again.returncode in (0, 1), again.stderr
    # Scored again, not skipped as done: the ledger's latest record of the appeal is the model's.
    assert [r["versions"]["model"] for r in recs] == [shipped.rsplit("|", 1)[1]]
