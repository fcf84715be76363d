"""Protocol lines -> sentences that remember which page and line each character came from.

A sentence may wrap over lines and over a page break (running headers are already gone), so facts are
matched on sentences and their evidence is mapped back to the protocol line the matched words sit on.
A table row is one sentence by itself, so its evidence is the page and line of that row.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..models import Evidence, ProtocolLine

# A line that starts a new criterion or bullet starts a new block, even without sentence punctuation.
# A bare "3." is the end of a sentence wrapped before its last word ("at Month\n3."), not an item.
_LIST_ITEM = re.compile(r"^\s*(\d{1,2}\s*[.、)）](?!\d)(?=\s*\S)|[（(]\s*\d{1,2}\s*[)）]|[•●■▪◆\-–]\s|[a-z][.)]\s)")
_SENT_END = re.compile(r"(?<=[。！？!?])|(?<=[.])(?=\s+[A-Z（(])(?<!e\.g\.)(?<!i\.e\.)(?<!vs\.)(?<!al\.)")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Sentence:
    text: str
    section: str
    section_kind: str | None
    starts: tuple  # char offset where each contributing line starts
    lines: tuple  # the ProtocolLine behind each offset
    page_first: int

    def line_at(self, offset: int) -> ProtocolLine:
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.lines[i]

    def evidence(self, offset: int = 0) -> Evidence:
        line = self.line_at(offset)
        return Evidence(page=line.page, line=line.line_no, text=line.text, bbox=line.bbox)


def _joiner(prev: str, nxt: str) -> str:
    if not prev or not nxt:
        return ""
    a, b = prev[-1], nxt[0]
    if a == "-" or _CJK.match(a) or _CJK.match(b):
        return ""  # CJK has no spaces; a line ending in a hyphen keeps it (CAR-\nT, anti-\nCD20)
    return " "


_NOTE_START = re.compile(r"^(?:\d{1,2}|[*†‡§¶#]|[①-⑳])")


def _blocks(lines):
    """Runs of lines that make up sentences. A footnote is a block of its own, yielded after the block it
    interrupts; that block goes on across it (and across the page break below it)."""
    block, notes = [], []

    def flush():
        nonlocal block, notes
        out = ([block] if block else []) + notes
        block, notes = [], []
        return out

    for line in lines:
        if line.is_footnote:
            if notes and notes[-1][-1].page == line.page and not _NOTE_START.match(line.text):
                notes[-1].append(line)  # the second line of a wrapped footnote
            else:
                notes.append([line])
            continue
        if line.is_heading or line.is_table_row:
            yield from flush()
            if line.is_table_row:
                yield [line]  # a table row is a sentence of its own
            continue
        if block and (line.section != block[-1].section or _LIST_ITEM.match(line.text)):
            yield from flush()
        block.append(line)
    yield from flush()


def sentences(lines, section_kind=lambda section: None) -> list:
    """Split the body lines of a document into sentences within blocks (section or list item)."""
    out = []
    for block in _blocks(lines):
        text, starts = "", []
        for line in block:
            piece = line.text.strip()
            text += _joiner(text, piece)
            starts.append(len(text))
            text += piece
        kind = section_kind(block[0].section)
        pos = 0
        for part in [text] if block[0].is_table_row else _SENT_END.split(text):
            if part.strip():
                lead = len(part) - len(part.lstrip())
                off = pos + lead
                # re-base the line offsets on this sentence
                idx = max(0, bisect.bisect_right(starts, off) - 1)
                sub_starts = [max(0, s - off) for s in starts[idx:] if s < pos + len(part)]
                sub_lines = block[idx: idx + len(sub_starts)]
                out.append(Sentence(part.strip(), block[0].section, kind, tuple(sub_starts), tuple(sub_lines),
                                    sub_lines[0].page))
            pos += len(part)
    return out
