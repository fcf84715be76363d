"""The review reports (issue 5): workbook, CSV, SARIF and HTML, from the bundled example protocols audited the way
the CLI audits them, plus a file that could not be read and a document whose protocol text is hostile."""
from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest
from guidelint.audit import AuditContext, audit_document
from guidelint.engine.report import bundle
from guidelint.engine.report import html as html_report
from guidelint.engine.report import sarif as sarif_report
from guidelint.engine.report import xlsx as xlsx_report
from guidelint.engine.report.table import COLUMNS, DECISIONS, finding_rows
from guidelint.models import DocumentResult, Evidence
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "corpus" / "protocols"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
HOSTILE = "<script>alert('x')</script> & =HYPERLINK(\"x\")"


@pytest.fixture(scope="module")
def ctx():
    return AuditContext.load()


@pytest.fixture(scope="module")
def results(ctx):
    # The CLI's `audit`: every PDF under the folder, sorted, one audit_document each.
    pdfs = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    assert pdfs, "no bundled example protocols"
    audited = [audit_document(p, ctx)[0] for p in pdfs]
    assert all(r.status == "ok" for r in audited), [r.error for r in audited]
    broken = DocumentResult(path="incoming/broken.pdf", sha256="e" * 64, status="error",
                            error="not a PDF: file starts with b'PK'")
    return audited + [broken]


@pytest.fixture(scope="module")
def out(tmp_path_factory, results, ctx):
    d = tmp_path_factory.mktemp("reports")
    written = bundle.write_all(d, results, ctx)
    assert written["carried"] == 0
    return d


def _findings(results):
    return [(r, f) for r in results for f in r.findings]


def _known(results):
    """A gap with evidence: the row a reviewer would look at first."""
    return next((r, f) for r, f in _findings(results) if f.status == "gap" and f.evidence)


def _sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, r)) for r in rows[1:]]


def _hostile_result(results):
    r = results[0]
    f = dataclasses.replace(r.findings[0], evidence=(Evidence(3, 7, HOSTILE),))
    return DocumentResult(path="incoming/<b>hostile</b>.pdf", sha256="c" * 64, language=r.language,
                          pages=r.pages, findings=[f])


# ------------------------------------------------------------------------------------------------ bundle


def test_write_all_writes_every_report_and_no_temporary_file(out):
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.xlsx", "report.html", "report.sarif"]


def test_write_all_rejects_an_unknown_format(tmp_path, results, ctx):
    with pytest.raises(ValueError, match="pdf"):
        bundle.write_all(tmp_path, results, ctx, formats=("pdf",))


# ------------------------------------------------------------------------------------------------ workbook


def test_workbook_has_the_four_sheets(out):
    assert load_workbook(out / "findings.xlsx").sheetnames == ["Findings", "Summary", "Rules", "Errors"]


def test_findings_sheet_header_frozen_filtered_one_row_per_finding(out, results):
    ws = load_workbook(out / "findings.xlsx")["Findings"]
    header, rows = _sheet_rows(ws)
    assert tuple(header) == COLUMNS
    assert len(rows) == len(_findings(results))
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:M{len(rows) + 1}"
    assert all(ws.cell(row=1, column=j).font.b for j in range(1, len(COLUMNS) + 1))
    assert ws.column_dimensions["G"].width >= 40  # guideline text is readable, not a sliver
    assert ws["G2"].alignment.wrap_text and ws["I2"].alignment.wrap_text


def test_reviewer_decision_has_a_drop_down(out, results):
    ws = load_workbook(out / "findings.xlsx")["Findings"]
    [dv] = ws.data_validations.dataValidation
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(DECISIONS) + '"'
    assert set(DECISIONS) == {"agree", "disagree", "needs discussion", "waived"}
    assert str(dv.sqref) == f"L2:L{len(_findings(results)) + 1}"
    _, rows = _sheet_rows(ws)
    assert all(r["Reviewer decision"] is None and r["Comment"] is None for r in rows)  # left for the reviewer


def test_findings_are_coloured_by_status(out):
    ws = load_workbook(out / "findings.xlsx")["Findings"]
    formulas = {f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula}
    assert formulas == {f'$D2="{s}"' for s in ("gap", "not_addressed", "met", "not_applicable")}


def test_a_known_finding_row(out, results):
    doc, f = _known(results)
    _, rows = _sheet_rows(load_workbook(out / "findings.xlsx")["Findings"])
    [row] = [r for r in rows if r["Document sha256"] == doc.sha256 and r["Rule"] == f.rule_id]
    assert row["Document"] == doc.path
    assert (row["Status"], row["Severity"]) == (f.status, f.severity)
    assert row["Guideline lines"] == "; ".join(f"{c.lines[0]}-{c.lines[1]}" for c in f.cites)
    assert row["Guideline text"].startswith(f.cites[0].text)
    e = f.evidence[0]
    assert row["Protocol page:line"].split("; ")[0] == f"p{e.page}:{e.line}"
    assert e.text in row["Evidence text"]
    assert row["Message (zh)"] == f.message["zh"]
    assert row["Message (en)"].startswith(f.message["en"])


def test_problems_come_first_within_each_document(out, results):
    _, rows = _sheet_rows(load_workbook(out / "findings.xlsx")["Findings"])
    first = [r["Status"] for r in rows if r["Document sha256"] == results[0].sha256]
    order = {"gap": 0, "not_addressed": 1, "met": 2, "not_applicable": 3}
    assert [order[s] for s in first] == sorted(order[s] for s in first)


def test_summary_counts_equal_the_findings(out, results, ctx):
    ws = load_workbook(out / "findings.xlsx")["Summary"]
    header, rows = _sheet_rows(ws)
    assert header[:7] == ["Document", "Document sha256", "Audit status", "gap", "not_addressed", "met",
                          "not_applicable"]
    assert header[7:] == [r.id for r in ctx.pack.rules]
    assert ws.freeze_panes == "D2"
    assert [r["Document"] for r in rows] == [d.path for d in results]
    for d, row in zip(results, rows):
        assert row["Audit status"] == d.status
        for s in ("gap", "not_addressed", "met", "not_applicable"):
            assert row[s] == sum(f.status == s for f in d.findings), (d.path, s)
        for f in d.findings:
            assert row[f.rule_id] == f.status
    total = sum(row[s] for row in rows for s in ("gap", "not_addressed", "met", "not_applicable"))
    assert total == len(_findings(results))


def test_rules_sheet_lists_every_rule_with_its_guideline_text(out, ctx):
    header, rows = _sheet_rows(load_workbook(out / "findings.xlsx")["Rules"])
    assert header == ["Rule", "Title (en)", "Title (zh)", "Severity", "Guideline lines", "Guideline text"]
    assert [r["Rule"] for r in rows] == [r.id for r in ctx.pack.rules]
    for rule, row in zip(ctx.pack.rules, rows):
        assert row["Severity"] == ctx.pack.severity(rule)
        a, b = rule.cites[0].lines
        assert row["Guideline text"].startswith(ctx.guideline.text(a, b))


def test_errors_sheet_lists_the_file_that_could_not_be_audited(out):
    header, rows = _sheet_rows(load_workbook(out / "findings.xlsx")["Errors"])
    assert header == ["Document", "Document sha256", "Status", "Reason"]
    assert rows == [{"Document": "incoming/broken.pdf", "Document sha256": "e" * 64, "Status": "error",
                     "Reason": "not a PDF: file starts with b'PK'"}]


def test_protocol_text_never_becomes_a_formula(tmp_path, results, ctx):
    path = tmp_path / "findings.xlsx"
    xlsx_report.write([_hostile_result(results)], ctx, path)
    ws = load_workbook(path)["Findings"]
    cell = ws.cell(row=2, column=COLUMNS.index("Evidence text") + 1)
    assert cell.value == HOSTILE and cell.data_type == "s"


# ------------------------------------------------------------------------------------------------ reviews


def _review(path, decisions):
    """Fill in Reviewer decision / Comment of an existing workbook the way a reviewer would."""
    wb = load_workbook(path)
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    sha, rule = header.index("Document sha256") + 1, header.index("Rule") + 1
    dec, com = header.index("Reviewer decision") + 1, header.index("Comment") + 1
    for i in range(2, ws.max_row + 1):
        key = (ws.cell(row=i, column=sha).value, ws.cell(row=i, column=rule).value)
        if key in decisions:
            ws.cell(row=i, column=dec).value, ws.cell(row=i, column=com).value = decisions[key]
    wb.save(path)


def test_merge_reviews_carries_decisions_to_the_same_document_and_rule_only(tmp_path, results, ctx):
    old = tmp_path / "old.xlsx"
    xlsx_report.write(results, ctx, old)
    a, b = results[0], results[1]
    rule = a.findings[0].rule_id
    _review(old, {(a.sha256, rule): ("disagree", "evidence is from the exclusion criteria"),
                  (b.sha256, rule): ("agree", "checked")})
    # b's protocol was edited since: same path, new bytes, so its old decision must not carry over.
    docs = [r.to_json() for r in results]
    docs[1] = dict(docs[1], sha256="f" * 64)
    merged = xlsx_report.merge_reviews(old, finding_rows(docs))
    by_key = {(r["Document sha256"], r["Rule"]): r for r in merged}
    assert by_key[(a.sha256, rule)]["Reviewer decision"] == "disagree"
    assert by_key[(a.sha256, rule)]["Comment"] == "evidence is from the exclusion criteria"
    assert by_key[("f" * 64, rule)]["Reviewer decision"] == ""
    assert by_key[("f" * 64, rule)]["Comment"] == ""
    assert sum(1 for r in merged if r["Reviewer decision"]) == 1

    # Written out, the review that found no row is kept on a sheet of its own rather than lost.
    new = tmp_path / "new.xlsx"
    summary = xlsx_report.write(docs, ctx, new, merge_from=old)
    assert (summary.carried, len(summary.unmatched)) == (1, 1)
    wb = load_workbook(new)
    _, rows = _sheet_rows(wb["Unmatched reviews"])
    assert [(r["Document sha256"], r["Rule"], r["Reviewer decision"]) for r in rows] == [(b.sha256, rule, "agree")]


def test_write_all_merges_reviews_from_the_workbook_it_replaces(tmp_path, results, ctx):
    bundle.write_all(tmp_path, results, ctx, formats=("xlsx",))
    doc, f = _known(results)
    _review(tmp_path / "findings.xlsx", {(doc.sha256, f.rule_id): ("needs discussion", "ask the sponsor")})
    written = bundle.write_all(tmp_path, results, ctx, merge_reviews=tmp_path / "findings.xlsx",
                               formats=("xlsx", "csv"))
    assert written["carried"] == 1 and written["unmatched"] == 0
    _, rows = _sheet_rows(load_workbook(tmp_path / "findings.xlsx")["Findings"])
    [row] = [r for r in rows if (r["Document sha256"], r["Rule"]) == (doc.sha256, f.rule_id)]
    assert (row["Reviewer decision"], row["Comment"]) == ("needs discussion", "ask the sponsor")
    with open(tmp_path / "findings.csv", encoding="utf-8-sig", newline="") as stream:
        [csv_row] = [r for r in csv.DictReader(stream) if (r["Document sha256"], r["Rule"]) == (doc.sha256, f.rule_id)]
    assert csv_row["Reviewer decision"] == "needs discussion"


def test_merge_reviews_from_a_file_that_is_not_a_workbook_says_so(tmp_path, results):
    bad = tmp_path / "old.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(xlsx_report.ReviewMergeError, match="old.xlsx"):
        xlsx_report.merge_reviews(bad, finding_rows(results))


# ------------------------------------------------------------------------------------------------ CSV


def test_csv_has_a_bom_and_round_trips_chinese(out, results):
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames) == COLUMNS
        rows = list(reader)
    assert len(rows) == len(_findings(results))
    zh = next(r for r in results if r.language == "zh")
    f = next(f for f in zh.findings if f.evidence)
    [row] = [r for r in rows if (r["Document sha256"], r["Rule"]) == (zh.sha256, f.rule_id)]
    assert row["Message (zh)"] == f.message["zh"] and re.search(r"[\u4e00-\u9fff]", row["Message (zh)"])
    assert f.evidence[0].text in row["Evidence text"]


def test_csv_defuses_formulas(tmp_path, results, ctx):
    bundle.write_all(tmp_path, [_hostile_result(results)], ctx, formats=("csv",))
    with open(tmp_path / "findings.csv", encoding="utf-8-sig", newline="") as stream:
        [row] = list(csv.DictReader(stream))
    assert row["Evidence text"] == HOSTILE  # starts with "<": nothing to defuse
    doc = _hostile_result(results)
    doc.findings[0] = dataclasses.replace(doc.findings[0], evidence=(Evidence(1, 1, "=1+1"),))
    bundle.write_all(tmp_path, [doc], ctx, formats=("csv",))
    with open(tmp_path / "findings.csv", encoding="utf-8-sig", newline="") as stream:
        [row] = list(csv.DictReader(stream))
    assert row["Evidence text"] == "'=1+1"


def test_reports_from_results_jsonl_equal_reports_from_results(tmp_path, results, ctx):
    # A resumed batch has only the JSON lines of results.jsonl; the reports must not differ.
    a, b = tmp_path / "a", tmp_path / "b"
    bundle.write_all(a, results, ctx, formats=("csv", "sarif", "html"))
    bundle.write_all(b, [json.loads(json.dumps(r.to_json())) for r in results], ctx, formats=("csv", "sarif", "html"))
    for name in ("findings.csv", "report.sarif", "report.html"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# ------------------------------------------------------------------------------------------------ SARIF


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_sarif_validates_against_the_official_schema(out, sarif_validator):
    log = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in sarif_validator.iter_errors(log)]
    assert not errors, "\n".join(errors[:10])
    assert log["version"] == "2.1.0"


def test_sarif_with_passing_results_validates_too(results, ctx, sarif_validator):
    log = sarif_report.report(results + [_hostile_result(results)], ctx, include_passing=True)
    assert not list(sarif_validator.iter_errors(log))
    kinds = {(r["properties"]["status"], r.get("kind", "fail"), r["level"]) for r in log["runs"][0]["results"]}
    assert ("met", "pass", "none") in kinds and ("not_applicable", "notApplicable", "none") in kinds


def test_sarif_rules_carry_the_guideline_citation(out, ctx):
    run = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in ctx.pack.rules]
    for rule, meta in zip(ctx.pack.rules, rules):
        a, b = rule.cites[0].lines
        assert meta["fullDescription"]["text"].startswith(ctx.guideline.text(a, b))
        assert meta["properties"]["guidelineLines"][0] == [a, b]
        assert meta["properties"]["severity"] == ctx.pack.severity(rule)
        assert meta["shortDescription"]["text"] == rule.title["en"]


def test_sarif_results_are_the_problems_with_page_and_line(out, results):
    run = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]
    problems = [(r, f) for r, f in _findings(results) if f.status in ("gap", "not_addressed")]
    assert len(run["results"]) == len(problems)
    for res in run["results"]:
        status, severity = res["properties"]["status"], res["properties"]["severity"]
        want = {"not_addressed": "warning"}.get(status) or ("error" if severity == "high" else "warning")
        assert res["level"] == want
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    doc, f = _known(results)
    [res] = [r for r in run["results"]
             if r["ruleId"] == f.rule_id and r["partialFingerprints"]["documentSha256/ruleId"].startswith(doc.sha256)]
    physical = res["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == Path(doc.path).as_uri()  # the examples are audited by absolute path
    assert physical["region"]["startLine"] == f.evidence[0].line
    assert physical["region"]["properties"]["page"] == f.evidence[0].page
    assert res["properties"]["guideline"]["lines"] == [list(c.lines) for c in f.cites]
    assert res["properties"]["guideline"]["text"].startswith(f.cites[0].text)


def test_sarif_uris_of_relative_paths_stay_relative_and_are_encoded():
    assert sarif_report.artifact_uri("protocols/试验 方案 #1.pdf") == "protocols/%E8%AF%95%E9%AA%8C%20%E6%96%B9%E6%A1%88%20%231.pdf"


def test_sarif_reports_the_unreadable_file_as_a_notification(out):
    run = json.loads((out / "report.sarif").read_text(encoding="utf-8"))["runs"][0]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and "not a PDF" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "incoming/broken.pdf"


# ------------------------------------------------------------------------------------------------ HTML


def test_html_is_self_contained(out):
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert not re.search(r"<(?:script|link|img|iframe|object)\b|@import|url\(", page, re.IGNORECASE)
    assert "default-src 'none'" in page


def test_html_shows_each_document_guideline_and_evidence_and_errors(out, results):
    page = (out / "report.html").read_text(encoding="utf-8")
    for r in results:
        assert html_report.escape(r.path) in page
    _, f = _known(results)
    assert html_report.escape(f.cites[0].text) in page
    assert html_report.escape(f.evidence[0].text) in page
    assert "Files that could not be audited" in page and "not a PDF: file starts with b&#x27;PK&#x27;" in page


def test_html_escapes_protocol_text(tmp_path, results, ctx):
    bundle.write_all(tmp_path, [_hostile_result(results)], ctx, formats=("html",))
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>hostile" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; =HYPERLINK(&quot;x&quot;)" in page
