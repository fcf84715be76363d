"""`guidelint coverage`: every numbered guideline line accounted for; broken citations fail the command."""
from __future__ import annotations

import shutil

import yaml
from click.testing import CliRunner

from guidelint.cli import main
from guidelint.engine.coverage import coverage
from guidelint.engine.pack import load_pack, pack_dir
from guidelint.extract.guideline import load_default


def test_every_line_from_22_to_the_end_is_accounted_for():
    g = load_default()
    report = coverage(load_pack(), g)
    assert (report.first, report.last) == (22, 394)
    assert report.accounted == report.total == 373
    assert report.problems == []
    assert len(report.clauses) == 87  # the inventory's checkable clauses
    assert sorted(report.encoded) == sorted(r.id for r in load_pack().rules)


def test_cli_prints_each_line_and_exits_zero():
    result = CliRunner().invoke(main, ["coverage"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    by_number = {int(l.split()[0]): l for l in lines if l[:4].strip().isdigit()}
    assert set(by_number) == set(range(22, 395))
    assert "POP-PRIOR-BALL-PH-TKI" in by_number[90] and "(no rule yet)" not in by_number[90]
    assert "not checkable: references" in by_number[370]
    assert "373/373 accounted for (100.0%)" in result.output


def test_every_checkable_clause_has_a_rule():
    result = CliRunner().invoke(main, ["coverage", "--summary", "--require-rules"])
    assert result.exit_code == 0, result.output
    assert "checkable clauses: 87; encoded as rules: 87" in result.output


def test_require_rules_fails_while_a_clause_lacks_its_rule(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(pack_dir("cde-cart-heme-2024-draft"), folder)
    shutil.rmtree(folder / "rules" / "POP-PRIOR-BALL-RR-DEF")
    result = CliRunner().invoke(main, ["coverage", "--summary", "--require-rules", "--pack", str(folder)])
    assert result.exit_code == 1
    assert "problem: clause POP-PRIOR-BALL-RR-DEF has no rule" in result.output


def test_a_rule_citing_missing_lines_or_unassigned_lines_fail(tmp_path):
    folder = tmp_path / "pack"
    shutil.copytree(pack_dir("cde-cart-heme-2024-draft"), folder)
    rule = folder / "rules" / "END-IRC" / "rule.yaml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("lines: [315, 320]", "lines: [500, 505]"), encoding="utf-8")
    cov = folder / "coverage.yaml"
    entries = [e for e in yaml.safe_load(cov.read_text(encoding="utf-8")) if e["lines"] != [27, 34]]
    cov.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["coverage", "--summary", "--pack", str(folder)])
    assert result.exit_code == 1
    assert "rule END-IRC cites lines 500-505, which the guideline does not have" in result.output
    assert "8 lines accounted for by nothing: 27-34" in result.output
