"""The ``guidelint`` command. Heavy imports (spaCy, pdfplumber, durable_rules) happen inside commands,
so ``guidelint --help`` stays instant.

Exit codes: 0 done (no finding at or above --fail-on), 1 findings at or above --fail-on,
2 usage or configuration error, 3 some file could not be audited.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__

FAIL_ON = ("gap", "not_addressed", "never")


def _context(pack, guideline, allow_drift=False, waivers=None):
    from .audit import AuditContext
    from .engine.pack import PackError
    from .engine.waivers import WaiverError, load_waivers
    from .extract.guideline import GuidelineError

    try:
        ctx = AuditContext.load(pack, guideline, allow_drift=allow_drift)
        if waivers:
            ctx.waivers = tuple(load_waivers(waivers, {r.id for r in ctx.pack.rules}))
    except (PackError, GuidelineError, WaiverError) as exc:
        raise click.UsageError(str(exc)) from None
    for d in ctx.drift:
        action = "running it anyway (--allow-drift)" if allow_drift else "rule refused; --allow-drift runs it"
        click.echo(f"guidelint: citation drift: {d}; {action}", err=True)
    if not ctx.pack.rules:
        raise click.UsageError("every rule of the pack cites drifted guideline text; nothing to run")
    return ctx


def _exit_code(results, fail_on: str) -> int:
    if any(r.status != "ok" for r in results):
        return 3
    bad = {"gap": {"gap"}, "not_addressed": {"gap", "not_addressed"}, "never": set()}[fail_on]
    return 1 if any(f.status in bad and not f.waived for r in results for f in r.findings) else 0


pack_option = click.option("--pack", "pack", default=None, help="Guideline pack: a bundled name or a folder.")
allow_drift_option = click.option("--allow-drift", is_flag=True,
                                  help="Run rules whose cited guideline text changed; their findings say so.")
waivers_option = click.option("--waivers", type=click.Path(exists=True, dir_okay=False), default=None,
                               help="YAML file of reviewer waivers (a protocol's own <stem>.waivers.yaml is read too).")
guideline_option = click.option("--guideline", "guideline", default=None, type=click.Path(exists=True, dir_okay=False),
                                help="Guideline text or PDF (default: the pack's bundled guideline).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="guidelint")
def main():
    """Audit clinical-trial protocol PDFs against regulatory guidelines, rule by rule, with citations."""


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False))
@pack_option
@guideline_option
@allow_drift_option
@waivers_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Message language (text).")
@click.option("--verbose", "-v", is_flag=True, help="Also list not_applicable findings (text).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="never", show_default=True)
def check(pdf, pack, guideline, allow_drift, waivers, fmt, lang, verbose, fail_on):
    """Audit one protocol PDF and print its findings."""
    from .audit import audit_document
    from .engine.report import json as json_report, text as text_report

    ctx = _context(pack, guideline, allow_drift, waivers)
    result, _ = audit_document(pdf, ctx)
    if fmt == "json":
        json_report.emit([result], ctx, sys.stdout)
    else:
        text_report.emit([result], ctx, sys.stdout, lang=lang, verbose=verbose)
    if result.status != "ok":
        click.echo(f"guidelint: {result.error}", err=True)
    sys.exit(_exit_code([result], fail_on))


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default="report", show_default=True)
@pack_option
@guideline_option
@allow_drift_option
@waivers_option
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="gap", show_default=True)
@click.option("--merge-reviews", "merge_reviews", type=click.Path(exists=True, dir_okay=False), default=None,
              help="An earlier findings.xlsx: carry its reviewer decisions and comments over to the same "
                   "(document sha256, rule) rows.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all cores].")
@click.option("--timeout", type=click.IntRange(min=1), default=None,
              help="Seconds allowed per file before it is reported as an error [default: 300].")
@click.option("--max-memory", "max_memory", type=click.IntRange(min=256), default=None,
              help="MB of memory a worker may use; a file that needs more is reported as an error [default: 4096].")
def audit(folder, out, pack, guideline, allow_drift, waivers, fail_on, merge_reviews, jobs, timeout, max_memory):
    """Audit every PDF under FOLDER (recursively) in parallel; write results.jsonl (one line per document as it
    finishes), report.json, report.txt, findings.xlsx, findings.csv, report.sarif and report.html to OUT."""
    import os

    from .batch import DEFAULT_MAX_MEMORY, DEFAULT_TIMEOUT, audit_many
    from .engine.report import bundle, json as json_report, text as text_report, xlsx as xlsx_report

    if merge_reviews:  # a workbook that cannot be read is a usage error now, not after the whole batch
        try:
            xlsx_report.read_reviews(merge_reviews)
        except xlsx_report.ReviewMergeError as exc:
            raise click.UsageError(f"--merge-reviews {merge_reviews}: {exc}") from None
    ctx = _context(pack, guideline, allow_drift, waivers)
    pdfs = sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    jobs = jobs or os.cpu_count() or 1
    ctx_args = (pack, guideline, allow_drift, ctx.waivers)
    done = audit_many(pdfs, ctx_args, jobs=min(jobs, max(1, len(pdfs))), timeout=timeout or DEFAULT_TIMEOUT,
                      max_memory=max_memory or DEFAULT_MAX_MEMORY)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as stream:
        for i, result in enumerate(done, 1):
            pdf = result.path
            results.append(result)
            stream.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
            stream.flush()
            state = result.status if result.status != "ok" else \
                ", ".join(f"{sum(f.status == s for f in result.findings)} {s}" for s in ("gap", "not_addressed", "met"))
            click.echo(f"[{i}/{len(pdfs)}] {pdf}: {state}", err=True)
            if result.status != "ok":
                click.echo(f"guidelint: {result.error}", err=True)
    results.sort(key=lambda r: r.path)  # reports in path order, whatever order the workers finished in
    for name, writer in (("report.json", json_report.emit), ("report.txt", text_report.emit)):
        tmp = out_dir / (name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as stream:
            writer(results, ctx, stream)
        tmp.replace(out_dir / name)
    written = bundle.write_all(out_dir, results, ctx, merge_reviews=merge_reviews)
    if merge_reviews:
        click.echo(f"reviews carried over: {written['carried']}; not matched (protocol changed or gone): "
                   f"{written['unmatched']}", err=True)
    click.echo(f"{len(results)} documents audited; reports in {out_dir}/", err=True)
    sys.exit(_exit_code(results, fail_on))


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False))
@click.argument("rule_id")
@pack_option
@guideline_option
@allow_drift_option
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
def explain(pdf, rule_id, pack, guideline, allow_drift, lang):
    """Explain one rule's decision on one protocol: cited lines, facts seen and missing, outcomes, verdict."""
    from .audit import audit_document
    from .engine.explain import explain as explain_rule

    ctx = _context(pack, guideline, allow_drift)
    try:
        rule = ctx.pack.rule(rule_id)
    except KeyError:
        raise click.UsageError(f"no rule {rule_id!r} in pack {ctx.pack.id}; see `guidelint rules`") from None
    result, verdicts = audit_document(pdf, ctx)
    if result.status != "ok":
        click.echo(f"guidelint: {result.error}", err=True)
        sys.exit(3)
    verdict = next(v for v in verdicts if v.rule_id == rule_id)
    click.echo(explain_rule(rule, ctx.pack, ctx.guideline, result, verdict, lang))


@main.group()
def guideline():
    """Read the guideline a pack enforces."""


@guideline.command("show")
@click.argument("lines")
@guideline_option
def guideline_show(lines, guideline):
    """Print guideline LINES (e.g. 85-97 or 120) with their numbers and section."""
    from .extract.guideline import GuidelineError, format_lines, load_default, load_guideline

    try:
        a, _, b = lines.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        raise click.UsageError(f"LINES must look like 85-97 or 120, not {lines!r}") from None
    try:
        g = load_guideline(guideline) if guideline else load_default()
        click.echo(format_lines(g, first, last))
    except (GuidelineError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None


@main.command("coverage")
@pack_option
@guideline_option
@click.option("--summary", is_flag=True, help="Only the totals and problems, not every line.")
@click.option("--require-rules", is_flag=True, help="Also fail while a checkable clause has no rule.")
def coverage_cmd(pack, guideline, summary, require_rules):
    """Account for every numbered guideline line: the rules enforcing it, or why it is not checkable.

    Exits 1 when a line is unaccounted for or a rule cites lines that do not exist."""
    from .engine.coverage import coverage, format_report
    from .engine.pack import DEFAULT_PACK, PackError, load_pack
    from .extract.guideline import GuidelineError, load_default, load_guideline

    try:
        p = load_pack(pack or DEFAULT_PACK)
        g = load_guideline(guideline) if guideline else load_default()
    except (PackError, GuidelineError) as exc:
        raise click.UsageError(str(exc)) from None
    report = coverage(p, g, require_rules=require_rules)
    click.echo(format_report(report, g, lines=not summary))
    sys.exit(1 if report.problems else 0)


@main.command()
@pack_option
@click.option("--markdown", is_flag=True, help="Write README.md beside each rule.yaml from the rule itself.")
@click.option("--check", "check_docs", is_flag=True, help="With --markdown: write nothing, exit 1 if a README is stale.")
def rules(pack, markdown, check_docs):
    """List the rules of a pack: id, severity, cited lines, title."""
    from .engine.pack import DEFAULT_PACK, load_pack

    p = load_pack(pack or DEFAULT_PACK)
    if markdown:
        from .engine.docs import rule_markdown
        from .extract.guideline import load_default

        g = load_default()
        stale = []
        for r in p.rules:
            text, path = rule_markdown(r, p, g), r.path / "README.md"
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(r.id)
                if not check_docs:
                    path.write_text(text, encoding="utf-8")
        verb = "stale" if check_docs else "written"
        click.echo(f"{len(stale)} rule README(s) {verb}" + (": " + ", ".join(stale) if stale else ""))
        sys.exit(1 if check_docs and stale else 0)
    for r in p.rules:
        lines = ", ".join(f"{c.lines[0]}-{c.lines[1]}" for c in r.cites)
        click.echo(f"{r.id:30} {p.severity(r):7} {lines:10} {r.title['en']}")


@main.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--verbose", "-v", is_flag=True, help="Also print what each document missed, added or decided wrongly.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Read the protocols in this many processes.")
def eval_cmd(folder, verbose, jobs):
    """Score extraction and rule statuses against generator ground truth (<name>.truth.json beside each PDF).

    Prints precision/recall/F1 per fact kind and accuracy per rule, per template set and language.
    """
    from .corpus.evaluate import evaluate_folder, format_diff, format_report

    def show(diff):
        if verbose and (diff.missed or diff.spurious or diff.wrong):
            click.echo(format_diff(diff))

    scores = evaluate_folder(folder, show, jobs=jobs)
    if not scores:
        raise click.UsageError(f"{folder}: no PDF with a .truth.json beside it")
    click.echo(format_report(scores))


if __name__ == "__main__":
    main()
