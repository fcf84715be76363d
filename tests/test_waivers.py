"""Reviewer waivers: the finding stays, with its status, and says who accepted it and why."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from guidelint.cli import main

BUNDLED = Path(__file__).resolve().parents[1] / "corpus" / "protocols"
EXAMPLE = "dev-s7-03-en.pdf"  # has a BRIDGE-SAME-TARGET gap


def findings(result):
    return {f["rule"]: f for f in json.loads(result.stdout)["documents"][0]["findings"]}


def test_waiver_beside_the_protocol_keeps_status_and_adds_who_and_why(tmp_path):
    pdf = tmp_path / EXAMPLE
    shutil.copy(BUNDLED / EXAMPLE, pdf)
    before = findings(CliRunner().invoke(main, ["check", str(pdf), "--format", "json"]))
    assert before["BRIDGE-SAME-TARGET"]["status"] == "gap" and "waived" not in before["BRIDGE-SAME-TARGET"]
    (tmp_path / "dev-s7-03-en.waivers.yaml").write_text(
        "waivers:\n  - rule: BRIDGE-SAME-TARGET\n    by: Dr. Li\n    reason: no other bridging agent available\n",
        encoding="utf-8")
    after = findings(CliRunner().invoke(main, ["check", str(pdf), "--format", "json"]))
    assert after["BRIDGE-SAME-TARGET"]["status"] == "gap"
    assert after["BRIDGE-SAME-TARGET"]["waived"] == {"by": "Dr. Li", "reason": "no other bridging agent available"}
    assert set(after) == set(before)
    assert all("waived" not in f for r, f in after.items() if r != "BRIDGE-SAME-TARGET")
    text = CliRunner().invoke(main, ["check", str(pdf)]).stdout
    assert "waived by Dr. Li: no other bridging agent available" in text


def test_waivers_file_names_documents_and_waived_gaps_do_not_fail_the_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(BUNDLED / EXAMPLE, folder / EXAMPLE)
    out = tmp_path / "out"
    unwaived = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out)])
    assert unwaived.exit_code == 1
    gaps = [f["rule"] for f in json.loads((out / "results.jsonl").read_text(encoding="utf-8"))["findings"]
            if f["status"] == "gap"]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n" + "".join(
        f"  - rule: {r}\n    document: {EXAMPLE}\n    by: reviewer\n    reason: accepted at meeting 3\n" for r in gaps),
        encoding="utf-8")
    waived = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out), "--waivers", str(waivers)])
    assert waived.exit_code == 0
    row = json.loads((out / "results.jsonl").read_text(encoding="utf-8"))
    assert sorted(f["rule"] for f in row["findings"] if f.get("waived")) == sorted(gaps)


def test_unknown_rule_id_in_a_waiver_file_is_an_error(tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: NO-SUCH-RULE\n    document: x.pdf\n    by: a\n    reason: b\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(BUNDLED / EXAMPLE), "--waivers", str(waivers)])
    assert result.exit_code == 2 and "NO-SUCH-RULE" in result.output


def test_broken_waiver_beside_a_protocol_fails_that_document_loudly(tmp_path):
    pdf = tmp_path / EXAMPLE
    shutil.copy(BUNDLED / EXAMPLE, pdf)
    (tmp_path / "dev-s7-03-en.waivers.yaml").write_text("waivers:\n  - rule: BRIDGE-SAME-TARGET\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(pdf), "--format", "json"])
    assert result.exit_code == 3
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["status"] == "error" and "missing by, reason" in doc["error"]
