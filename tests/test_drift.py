"""Citation drift: a pack run against a different guideline text says which rules' cited lines changed,
moved or vanished, refuses those rules, and runs them only under --allow-drift with a note."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from guidelint.cli import main
from guidelint.engine.pack import citation_drift, load_pack, with_drift
from guidelint.extract.guideline import load_default, load_guideline_text

SOURCE = Path(__file__).resolve().parents[1] / "corpus" / "guidelines" / "cde-cart-heme-2024-draft.txt"
NUMBERED = re.compile(r"^(- )?(\d{2,3}) (.*)$")  # "2024 年 7 月" in the front matter is a date
PDF = sorted((Path(__file__).resolve().parents[1] / "corpus" / "protocols").glob("*.pdf"))[0]


def revised(tmp_path, *, insert_after=None, reword=None, cut_from=None) -> Path:
    """A 'final version' of the draft: one line inserted (renumbering the rest), one reworded, a tail cut."""
    out = []
    for raw in SOURCE.read_text(encoding="utf-8").splitlines():
        m = NUMBERED.match(raw)
        if not m:
            out.append(raw)
            continue
        marker, n, text = m.group(1) or "", int(m.group(2)), m.group(3)
        if cut_from and n >= cut_from:
            break
        if reword and n in reword:
            text = reword[n]
        shifted = n + 1 if insert_after and n > insert_after else n
        out.append(f"{marker}{shifted} {text}")
        if insert_after and n == insert_after:
            out.append(f"{n + 1} 本行为终稿新增内容。")
    path = tmp_path / "cde-cart-heme-final.txt"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_same_text_no_drift():
    assert citation_drift(load_pack(), load_default()) == []


def test_changed_moved_and_vanished_are_told_apart(tmp_path):
    path = revised(tmp_path, insert_after=150, reword={100: "系统性治疗应当包括足量蒽环类化疗和 CD20 单"}, cut_from=340)
    drifts = {d.rule_id: d for d in citation_drift(load_pack(), load_guideline_text(path))}
    assert drifts["POP-PRIOR-BNHL-ANTHRA-CD20"].kind == "changed"          # 100-101 reworded
    assert drifts["DES-RCT-EARLIER"].kind == "moved"                         # 165-168 after the insertion
    assert drifts["DES-RCT-EARLIER"].now_at == (166, 169)
    assert drifts["BRIDGE-WASHOUT"].now_at == (192, 193)
    assert drifts["SAF-SECONDARY-TCELL"].kind == "vanished"                 # 352-355 cut
    assert "POP-PRIOR-BALL-PH-TKI" not in drifts                             # 89-92 untouched
    assert "POP-PRIOR-MM-CD38" not in drifts                                 # 116-119 untouched


def test_drifted_rules_are_refused_unless_allowed(tmp_path):
    path = revised(tmp_path, insert_after=150)
    pack, guideline = load_pack(), load_guideline_text(path)
    drifts = citation_drift(pack, guideline)
    refused, notes = with_drift(pack, drifts, allow=False)
    assert {r.id for r in refused.rules} == {r.id for r in pack.rules} - {d.rule_id for d in drifts}
    assert notes == {}
    allowed, notes = with_drift(pack, drifts, allow=True)
    assert len(allowed.rules) == len(pack.rules)
    assert allowed.rule("END-IRC").cites[0].lines == (316, 321)
    assert "moved" in notes["END-IRC"]


@pytest.mark.parametrize("allow", [False, True])
def test_cli_reports_drift_and_refuses_or_annotates(tmp_path, allow):
    path = revised(tmp_path, insert_after=150)
    args = ["check", str(PDF), "--guideline", str(path), "--format", "json"] + (["--allow-drift"] if allow else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "citation drift: END-IRC: lines 315-320 moved to 316-321" in result.stderr
    report = json.loads(result.stdout)
    findings = {f["rule"]: f for f in report["documents"][0]["findings"]}
    if allow:
        assert len(findings) == len(load_pack().rules)
        assert findings["END-IRC"]["guideline"]["lines"] == [316, 321]
        assert "drift" in findings["END-IRC"] and "drift" not in findings["POP-PRIOR-BALL-PH-TKI"]
    else:
        assert "END-IRC" not in findings and "POP-PRIOR-BALL-PH-TKI" in findings
