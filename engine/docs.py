"""Rule documentation from the rule itself (Catala-style): the guideline lines verbatim, then the rule under
them. ``guidelint rules --markdown`` writes ``README.md`` beside each ``rule.yaml``; a test fails on stale docs.
"""
from __future__ import annotations

import json

import yaml


def rule_markdown(rule, pack, guideline) -> str:
    out = [f"# {rule.id}", "", f"**{rule.title['en']}**  ", f"{rule.title['zh']}", "",
           f"Strength {rule.strength} → severity `{pack.severity(rule)}` · stage `{rule.stage}` · "
           f"pack `{pack.id}` {pack.version}", "", "## Guideline text enforced", ""]
    for cite in rule.cites:
        a, b = cite.lines
        out.append(f"{guideline.id}, lines {a}-{b} ({guideline.section_title_of(a)}):")
        out.append("")
        out += [f"> {n} {guideline.line(n).text}  " for n in range(a, b + 1)]
        out.append("")
    out += ["## Rule", "", "Facts looked for: " + ", ".join(f"`{k}`" for k in rule.looks_for), "",
            "Outcomes in priority order (durable_rules conditions; each waits for `doc_complete`; "
            "when none fires the finding is `not_addressed`):", ""]
    for outcome in rule.outcomes:
        out.append(f"- **{outcome.status}** when any of:")
        out += [f"  - `{json.dumps(alt, ensure_ascii=False)}`" for alt in outcome.when]
    out += ["", "## Messages", "", "| status | en | zh |", "|---|---|---|"]
    for status, msg in rule.messages.items():
        out.append(f"| {status} | {msg['en']} | {msg['zh']} |")
    cases = yaml.safe_load((rule.path / "cases.yaml").read_text(encoding="utf-8")) or []
    out += ["", "## Cases (`cases.yaml`, run through the real engine)", "", "| case | facts | status |", "|---|---|---|"]
    for case in cases:
        facts = ", ".join(f"{k}={v}" for item in case["facts"] for k, v in item.items()) or "(none)"
        out.append(f"| {case['name']} | {facts} | {case['expect']} |")
    return "\n".join(out) + "\n"
