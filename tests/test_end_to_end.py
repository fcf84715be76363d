"""Generated protocol PDFs (zh and en) through the whole path: PDF -> lines -> facts -> engine -> findings.

Ground truth is written by the generator from what it put in the text; nothing here is copied from
guidelint's own output.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from guidelint.audit import AuditContext, audit_document
from guidelint.corpus import generate as gen
from guidelint.corpus.generate import generate
from guidelint.engine.pack import load_pack

N_DOCS = 24  # a full cycle of the generator archetypes: every reachable status per rule and language


@pytest.fixture(scope="session")
def ctx():
    return AuditContext.load()


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    pdfs = generate(out, n=N_DOCS, seed=11, languages=("zh", "en"))
    return [(Path(p), json.loads(Path(p).with_suffix(".truth.json").read_text(encoding="utf-8"))) for p in pdfs]


@pytest.fixture(scope="session")
def audited(generated, ctx):
    return [(pdf, truth, audit_document(pdf, ctx)[0]) for pdf, truth in generated]


def test_batch_covers_both_languages(generated):
    assert {t["language"] for _, t in generated} == {"zh", "en"}


def test_language_detected(audited):
    for pdf, truth, result in audited:
        assert result.status == "ok", result.error
        assert result.language == truth["language"], pdf.name


def test_rule_statuses_equal_ground_truth(audited):
    wrong = []
    for pdf, truth, result in audited:
        got = {f.rule_id: f.status for f in result.findings}
        for rule, status in truth["expected"].items():
            if got.get(rule) != status:
                wrong.append(f"{pdf.name} {rule}: expected {status}, got {got.get(rule)}")
    assert not wrong, "\n".join(wrong)


def test_facts_equal_ground_truth(audited):
    """Every fact the generator wrote is found, and no base fact of a kind it wrote has a value it did not."""
    wrong = []
    for pdf, truth, result in audited:
        got = {(f.kind, f.value) for f in result.facts if not f.derived_from}
        want = {(f["kind"], f["value"]) for f in truth["facts"]}
        for fact in sorted(want - got, key=str):
            wrong.append(f"{pdf.name}: missed {fact}")
        kinds = {k for k, _ in want}
        for fact in sorted(got - want, key=str):
            if fact[0] in kinds:
                wrong.append(f"{pdf.name}: spurious {fact}")
    assert not wrong, "\n".join(wrong)


def test_every_finding_is_traceable(audited):
    for pdf, _, result in audited:
        for f in result.findings:
            assert f.cites and all(c.text for c in f.cites), f.rule_id
            if f.status in ("met", "gap"):
                assert f.evidence, f"{pdf.name} {f.rule_id}: decided without protocol evidence"
                for e in f.evidence:
                    assert e.page >= 1 and e.line >= 1 and e.text
            if f.status == "not_addressed":
                assert f.missing, f"{pdf.name} {f.rule_id}: not_addressed must name the missing facts"


def test_json_report_schema_via_cli(generated):
    pdf = generated[0][0]
    proc = subprocess.run([sys.executable, "-m", "guidelint.cli", "check", str(pdf), "--format", "json"],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    assert report["tool"] == "guidelint" and report["guideline"]["id"] == "cde-cart-heme-2024-draft"
    assert len(report["guideline"]["sha256"]) == 64
    (doc,) = report["documents"]
    assert set(doc) >= {"path", "sha256", "language", "pages", "status", "error", "facts", "findings"}
    for fact in doc["facts"]:
        assert set(fact) >= {"kind", "value", "negated", "section", "evidence"}
    for f in doc["findings"]:
        assert set(f) >= {"rule", "status", "severity", "message", "guideline", "evidence", "because"}
        assert set(f["message"]) == {"en", "zh"}
        lines = f["guideline"]["lines"]
        assert len(lines) == 2 and lines[0] <= lines[1] and f["guideline"]["text"]
    assert len(doc["findings"]) == len(load_pack().rules)


def test_check_text_report_via_cli(generated):
    pdf = generated[0][0]
    proc = subprocess.run([sys.executable, "-m", "guidelint.cli", "check", str(pdf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "guideline cde-cart-heme-2024-draft lines" in proc.stdout


def test_unreadable_file_is_one_line_error_via_cli(tmp_path):
    bad = tmp_path / "not-a-protocol.pdf"
    bad.write_text("this is not a PDF", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "guidelint.cli", "check", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 3
    err = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and "not-a-protocol.pdf" in err[0]


def test_batch_reaches_every_status_each_rule_can_reach_per_language(generated, ctx):
    """The end-to-end statuses above are only as strong as the variety of the batch: check that variety."""
    for lang in ("zh", "en"):
        seen = {}
        for _, truth in generated:
            if truth["language"] == lang:
                for rule, status in truth["expected"].items():
                    seen.setdefault(rule, set()).add(status)
        for rule in ctx.pack.rules:
            # The generator declares what one archetype cycle reaches (REACHABLE); statuses beyond it are
            # reached by the rule's cases.yaml only.
            declared = set(gen.REACHABLE[rule.id])
            assert declared <= seen[rule.id], f"{lang} {rule.id}: batch never reaches {declared - seen[rule.id]}"
            assert declared <= {o.status for o in rule.outcomes} | {"not_addressed"}, rule.id
