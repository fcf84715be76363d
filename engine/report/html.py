"""``report.html``: one static page to read a batch in a browser or attach to an e-mail.

Self-contained on purpose: inline CSS, no scripts, no fonts or images, so it opens offline and in mail
clients, and a Content-Security-Policy forbids loading anything at all. Every piece of text goes through
``escape``: protocol text is untrusted and may contain markup.
"""
from __future__ import annotations

from html import escape

from ... import __version__
from .table import STATUS_ORDER, cites, documents, lines_label, ordered_findings

LABEL = {"gap": "gap", "not_addressed": "not addressed", "met": "met", "not_applicable": "not applicable"}
OPEN = ("gap", "not_addressed")  # shown expanded; met / not_applicable sit in a collapsed block

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0 auto;max-width:1400px;padding:1rem 2rem;color:#1f2328;line-height:1.45}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem;
word-break:break-all}
table.summary{border-collapse:collapse;margin:1rem 0}
table.summary th,table.summary td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left}
table.summary td.n{text-align:right}
.meta{color:#57606a;font-size:.9rem}
.finding{border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:4px;margin:.8rem 0;padding:.5rem .8rem}
.finding.gap{border-left-color:#cf222e}.finding.not_addressed{border-left-color:#bf8700}
.finding.met{border-left-color:#1a7f37}.finding.not_applicable{border-left-color:#8c959f}
.badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.8rem;font-weight:600}
.badge.gap{background:#ffc7ce;color:#9c0006}.badge.not_addressed{background:#ffeb9c;color:#7a5a00}
.badge.met{background:#c6efce;color:#006100}.badge.not_applicable{background:#ededed;color:#444}
.badge.error,.badge.needs_ocr{background:#cf222e;color:#fff}
.head{display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.rule{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1rem;margin-top:.5rem}
.side>div{background:#f6f8fa;border-radius:4px;padding:.5rem .7rem}
.side h4{margin:0 0 .3rem;font-size:.8rem;text-transform:uppercase;color:#57606a}
blockquote{margin:.2rem 0;white-space:pre-wrap;word-break:break-word}
.loc{font-family:ui-monospace,monospace;color:#57606a;font-size:.85rem}
.none{color:#57606a;font-style:italic}
.errors li{margin:.3rem 0}
details>summary{cursor:pointer;margin:.8rem 0;color:#57606a}
@media (max-width:800px){.side{grid-template-columns:1fr}}
@media print{details{display:block}}
"""


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _finding(f: dict, titles: dict) -> str:
    cited = cites(f)
    status = f["status"]
    evidence = f.get("evidence") or []
    guideline = "".join(f'<div class="loc">{_e(gid)} lines {_e(f"{a}-{b}")}</div><blockquote>{_e(text)}</blockquote>'
                        for gid, (a, b), text in cited)
    if evidence:
        protocol = "".join(f'<div class="loc">p{_e(e["page"])}:{_e(e["line"])}</div><blockquote>{_e(e["text"])}</blockquote>'
                           for e in evidence)
    else:
        missing = [b[len("missing:"):] for b in f.get("because") or () if b.startswith("missing:")]
        protocol = '<p class="none">No evidence in the protocol' + (
            f": looked for {_e(', '.join(missing))}" if missing else "") + ".</p>"
    extra = []
    because = [b for b in f.get("because") or () if not b.startswith("missing:")]
    if because:
        extra.append(f'<div class="meta">because: {_e("; ".join(because))}</div>')
    if f.get("waived"):
        extra.append(f'<div class="meta">waived by {_e(f["waived"].get("by"))}: {_e(f["waived"].get("reason"))}</div>')
    if f.get("drift"):
        extra.append(f'<div class="meta">{_e(f["drift"])}</div>')
    return (
        f'<div class="finding {_e(status)}">'
        f'<div class="head"><span class="badge {_e(status)}">{_e(LABEL.get(status, status))}</span>'
        f'<span class="rule">{_e(f["rule"])}</span><span class="meta">{_e(f["severity"])}</span>'
        f'<span>{_e(titles.get(f["rule"], ""))}</span></div>'
        f'<div>{_e(f["message"].get("en", ""))}</div><div lang="zh">{_e(f["message"].get("zh", ""))}</div>'
        f'<div class="side"><div><h4>Guideline ({_e(lines_label(cited))})</h4>{guideline}</div>'
        f'<div><h4>Protocol</h4>{protocol}</div></div>'
        + "".join(extra) + "</div>"
    )


def _document(i: int, doc: dict, titles: dict) -> str:
    out = [f'<section id="doc-{i}"><h2>{_e(doc["path"])}</h2>']
    status = doc.get("status", "ok")
    if doc.get("sha256"):
        out.append(f'<div class="meta">sha256 {_e(doc["sha256"])}'
                   + (f', language {_e(doc.get("language"))}, {_e(doc.get("pages"))} pages' if status == "ok" else "")
                   + "</div>")
    if status != "ok":
        out.append(f'<p><span class="badge {_e(status)}">{_e(status)}</span> {_e(doc.get("error") or "")}</p>')
    findings = ordered_findings(doc)
    open_ = [f for f in findings if f["status"] in OPEN]
    closed = [f for f in findings if f["status"] not in OPEN]
    out += [_finding(f, titles) for f in open_]
    if closed:
        counts = ", ".join(f"{sum(f['status'] == s for f in closed)} {LABEL[s]}" for s in STATUS_ORDER if s not in OPEN)
        out.append(f"<details><summary>{_e(counts)}</summary>")
        out += [_finding(f, titles) for f in closed]
        out.append("</details>")
    out.append("</section>")
    return "\n".join(out)


def render(results, ctx) -> str:
    docs = documents(results)
    titles = {r.id: r.title.get("en", "") for r in ctx.pack.rules}
    g = ctx.guideline
    rows = []
    for i, d in enumerate(docs):
        status = d.get("status", "ok")
        cells = "".join(f'<td class="n">{sum(f["status"] == s for f in d.get("findings") or ())}</td>'
                        for s in STATUS_ORDER)
        rows.append(f'<tr><td><a href="#doc-{i}">{_e(d["path"])}</a></td>'
                    f'<td><span class="badge {_e(status)}">{_e(status)}</span></td>{cells}</tr>')
    errors = [d for d in docs if d.get("status", "ok") != "ok"]
    error_list = ""
    if errors:
        error_list = ('<h2>Files that could not be audited</h2><ul class="errors">'
                      + "".join(f'<li><span class="badge {_e(d["status"])}">{_e(d["status"])}</span> '
                                f'{_e(d["path"])}: {_e(d.get("error") or "")}</li>' for d in errors)
                      + "</ul>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>guidelint report: {_e(g.id)}</title><style>{CSS}</style></head><body>\n"
        f"<h1>guidelint report</h1><p class=\"meta\">Guideline {_e(g.id)} — {_e(g.title)}<br>"
        f"Pack {_e(ctx.pack.id)} {_e(ctx.pack.version)} ({len(ctx.pack.rules)} rules); guidelint {_e(__version__)}; "
        f"{len(docs)} documents, {len(errors)} could not be audited.</p>\n"
        "<table class=\"summary\"><thead><tr><th>Document</th><th>Audit</th>"
        + "".join(f"<th>{_e(LABEL[s])}</th>" for s in STATUS_ORDER)
        + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>\n"
        + error_list + "\n"
        + "\n".join(_document(i, d, titles) for i, d in enumerate(docs))
        + "\n</body></html>\n"
    )


def write(results, ctx, path) -> None:
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(render(results, ctx))
