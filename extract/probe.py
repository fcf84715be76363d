"""Print the facts and lexicon mentions the extractor finds in a few sentences (pattern writing aid).

    python -m guidelint.extract.probe --lang zh --section "8 安全性 > 8.2 风险管理" "研究中心须具备ICU。"
"""
from __future__ import annotations

import click

from ..models import ProtocolDocument, ProtocolLine
from .facts import analyse, extract_facts
from .pdf import section_kind


@click.command()
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh")
@click.option("--section", default="1 Background", help="section path of the lines (sets the section kind)")
@click.argument("texts", nargs=-1, required=True)
def main(lang, section, texts):
    lines = tuple(ProtocolLine(page=1, line_no=i + 1, text=t, bbox=(72, 12.0 * i, 500, 12.0 * i + 10), section=section)
                  for i, t in enumerate(texts))
    doc = ProtocolDocument(path="probe.pdf", sha256="0" * 64, pages=1, language=lang, lines=lines)
    click.echo(f"section kind: {section_kind(section)}")
    for a in analyse(lines, section_kind):
        flags = [f"{m.label}:{m.text}{'(neg)' if m.negated else ''}{'(hyp)' if m.hypothetical else ''}" for m in a.mentions]
        click.echo(f"sentence: {a.sentence.text}\n  mentions: {' '.join(flags) or '-'}")
    for f in extract_facts(doc):
        click.echo(f"fact: {f.kind} = {f.value!r}{' (negated)' if f.negated else ''}")


if __name__ == "__main__":
    main()
