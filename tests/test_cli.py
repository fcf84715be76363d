"""The command line as a user meets it: exit codes, one-line errors, batches that survive bad files."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from guidelint.cli import main
from guidelint.engine.pack import load_pack

BUNDLED = Path(__file__).resolve().parents[1] / "corpus" / "protocols"


def test_guideline_show_prints_numbered_lines_with_section():
    result = CliRunner().invoke(main, ["guideline", "show", "85-97"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "受试者既往治疗" in lines[0]
    body = lines[1:]
    assert len(body) == 13
    assert body[0].split()[0] == "85" and body[-1].split()[0] == "97"
    assert "● 复发或难治性急性 B-ALL 通常至少包括首次缓解后" in body[0]
    assert all("二、 > (一) > 2." in line for line in body)


def test_guideline_show_rejects_lines_outside_the_numbered_range():
    result = CliRunner().invoke(main, ["guideline", "show", "5-30"])
    assert result.exit_code == 2
    bad = CliRunner().invoke(main, ["guideline", "show", "abc"])
    assert bad.exit_code == 2 and "85-97" in bad.output


def test_rules_lists_every_rule_once():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.output.splitlines()]
    assert len(ids) == len(set(ids)) == len(load_pack().rules)
    assert "POP-PRIOR-BALL-PH-TKI" in ids


def test_unknown_pack_is_a_usage_error(tmp_path):
    pdf = next(BUNDLED.glob("*.pdf"))
    result = CliRunner().invoke(main, ["check", str(pdf), "--pack", "no-such-pack"])
    assert result.exit_code == 2 and "no-such-pack" in result.output


def test_audit_goes_on_past_a_bad_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = sorted(BUNDLED.glob("*.pdf"))[:2]
    for pdf in good:
        shutil.copy(pdf, folder / pdf.name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    (folder / "empty.pdf").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out)])
    assert result.exit_code == 3  # some files could not be audited
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 4
    by_name = {Path(r["path"]).name: r for r in rows}
    for pdf in good:
        assert by_name[pdf.name]["status"] == "ok" and len(by_name[pdf.name]["findings"]) == len(load_pack().rules)
    for name in ("broken.pdf", "empty.pdf"):
        assert by_name[name]["status"] == "error" and name in by_name[name]["error"]
        assert by_name[name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert "\n" not in by_name[name]["error"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["documents"]) == 4
    assert (out / "report.txt").read_text(encoding="utf-8").count("ERROR:") == 2


def test_explain_shows_lines_facts_outcomes_and_verdict():
    pdf = BUNDLED / "dev-s7-00-zh.pdf"
    result = CliRunner().invoke(main, ["explain", str(pdf), "POP-PRIOR-BALL-PH-TKI"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "90  二、 > (一) > 2.  参加临床试验前应至少接受过两种酪氨酸激酶抑制" in out
    assert "ph_positive_eligible=true" in out and "indication_group=B-ALL" in out
    assert "Looked for and not found:" in out
    verdict = next(line for line in out.splitlines() if line.startswith("Verdict:"))
    check = CliRunner().invoke(main, ["check", str(pdf), "--format", "json"])
    status = {f["rule"]: f["status"] for f in json.loads(check.stdout)["documents"][0]["findings"]}
    assert verdict.startswith(f"Verdict: {status['POP-PRIOR-BALL-PH-TKI']} ")


def test_explain_unknown_rule_is_a_usage_error():
    result = CliRunner().invoke(main, ["explain", str(BUNDLED / "dev-s7-00-zh.pdf"), "NO-SUCH-RULE"])
    assert result.exit_code == 2 and "guidelint rules" in result.output


def test_eval_scores_the_bundled_examples_against_their_truth(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(BUNDLED)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "documents: dev/en 2, dev/zh 2"
    assert "dev/en P/R/F1" in result.output and "dev/zh P/R/F1" in result.output
    all_rules = next(line for line in lines if line.startswith("ALL RULES")).split()[2:]
    assert all_rules == ["1.000", "1.000"]  # the dev templates are what the patterns were written against


def test_eval_counts_a_wrong_truth_as_an_error(tmp_path):
    for pdf in sorted(BUNDLED.glob("dev-s7-0[01]-*.pdf")):
        shutil.copy(pdf, tmp_path / pdf.name)
        truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
        icu = {"kind": "icu_access", "value": True}
        if icu in truth["facts"]:  # flip what the truth says about ICU access: a miss or a false positive
            truth["facts"].remove(icu)
        else:
            truth["facts"].append(icu)
        truth["expected"]["SAF-ICU"] = "gap"  # never what the protocol says
        (tmp_path / pdf.with_suffix(".truth.json").name).write_text(json.dumps(truth), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(tmp_path), "-v"])
    assert result.exit_code == 0, result.output
    assert "rule SAF-ICU: expected gap" in result.output
    icu = next(line for line in result.output.splitlines() if line.startswith("icu_access"))
    assert "1.000/1.000/1.000" not in icu
    saf_icu = next(line for line in result.output.splitlines() if line.startswith("SAF-ICU"))
    assert saf_icu.split()[1:] == ["0.000", "0.000"]


def test_eval_of_a_folder_without_truth_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "no PDF with a .truth.json" in result.output


def test_audit_writes_the_review_reports_and_carries_reviews_over(tmp_path):
    import openpyxl

    folder = tmp_path / "in"
    folder.mkdir()
    pdf = sorted(BUNDLED.glob("*.pdf"))[0]
    shutil.copy(pdf, folder / pdf.name)
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out), "--fail-on", "never"])
    assert first.exit_code == 0, first.output
    for name in ("findings.xlsx", "findings.csv", "report.sarif", "report.html"):
        assert (out / name).stat().st_size > 0, name
    book = openpyxl.load_workbook(out / "findings.xlsx")
    sheet = book["Findings"]
    header = [c.value for c in sheet[1]]
    decision, comment, rule = (header.index("Reviewer decision") + 1, header.index("Comment") + 1,
                               header.index("Rule") + 1)
    reviewed_rule = sheet.cell(row=2, column=rule).value
    sheet.cell(row=2, column=decision).value = "disagree"
    sheet.cell(row=2, column=comment).value = "见第 3 页"
    old = tmp_path / "reviewed.xlsx"
    book.save(old)

    again = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out), "--fail-on", "never",
                                      "--merge-reviews", str(old)])
    assert again.exit_code == 0, again.output
    assert "reviews carried over: 1" in again.output
    rows = list(openpyxl.load_workbook(out / "findings.xlsx")["Findings"].iter_rows(min_row=2, values_only=True))
    carried = [r for r in rows if r[rule - 1] == reviewed_rule]
    assert [(r[decision - 1], r[comment - 1]) for r in carried] == [("disagree", "见第 3 页")]
    assert sum(r[decision - 1] == "disagree" for r in rows) == 1


def test_unreadable_review_workbook_is_a_usage_error(tmp_path):
    bad = tmp_path / "old.xlsx"
    bad.write_bytes(b"not a workbook")
    result = CliRunner().invoke(main, ["audit", str(BUNDLED), "-o", str(tmp_path / "out"), "--merge-reviews", str(bad)])
    assert result.exit_code == 2 and "old.xlsx" in result.output


def test_a_file_over_the_time_limit_is_an_error_and_the_batch_goes_on(tmp_path):
    from guidelint.corpus import generate as gen

    folder = tmp_path / "in"
    folder.mkdir()
    # A long protocol (20-80 pages) takes several seconds to read; one second is not enough.
    pdf = gen.render_pdf(gen.build_protocol(1, seed=2, long=True), folder / "long.pdf")
    (folder / "empty.pdf").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["audit", str(folder), "-o", str(out), "--timeout", "1", "--jobs", "2"])
    assert result.exit_code == 3, result.output
    rows = {Path(r["path"]).name: r for r in map(json.loads, (out / "results.jsonl").read_text("utf-8").splitlines())}
    assert set(rows) == {pdf.name, "empty.pdf"}
    assert rows[pdf.name]["status"] == "error" and "timed out after 1 s" in rows[pdf.name]["error"]
    assert rows[pdf.name]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert "empty file" in rows["empty.pdf"]["error"]


def test_parallel_audit_equals_one_worker(tmp_path):
    outs = {}
    for jobs in ("1", "3"):
        out = tmp_path / f"out{jobs}"
        result = CliRunner().invoke(main, ["audit", str(BUNDLED), "-o", str(out), "--jobs", jobs, "--fail-on", "never"])
        assert result.exit_code == 0, result.output
        outs[jobs] = json.loads((out / "report.json").read_text("utf-8"))["documents"]
    assert outs["1"] == outs["3"]
    assert [d["path"] for d in outs["1"]] == sorted(d["path"] for d in outs["1"])
