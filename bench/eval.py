"""Compare guidelint with generator ground truth (see guidelint/corpus/evaluate.py).

    python -m bench.eval DIR [-v] [--jobs N]          # DIR holds <name>.pdf + <name>.truth.json
    python -m bench.eval DIR --generate 60 --jobs 2   # first write 60 long dev + 60 long heldout protocols

``--generate N`` writes the full evaluation corpus into DIR: N long protocols (20-80 pages, half zh, half en) from
the dev templates and the same N scenarios worded from the heldout templates, then scores both.
"""
from __future__ import annotations

import argparse
import time

from guidelint.corpus.evaluate import evaluate_folder, format_diff, format_report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="print what each document missed or added")
    ap.add_argument("--jobs", type=int, default=1, help="read protocols in this many processes")
    ap.add_argument("--generate", type=int, metavar="N", help="first generate N long dev + N long heldout protocols")
    ap.add_argument("--seed", type=int, default=1, help="generator seed for --generate")
    args = ap.parse_args(argv)

    if args.generate:
        from guidelint.corpus.generate import generate

        start = time.perf_counter()
        for template_set in ("dev", "heldout"):
            generate(args.folder, n=args.generate, seed=args.seed, template_set=template_set, long=True)
        print(f"generated {2 * args.generate} protocols in {time.perf_counter() - start:.0f} s", flush=True)

    def show(diff):
        if args.verbose and (diff.missed or diff.spurious or diff.wrong):
            print(format_diff(diff), flush=True)

    start = time.perf_counter()
    scores = evaluate_folder(args.folder, show, jobs=args.jobs)
    print(format_report(scores))
    print(f"\nevaluated {sum(s.documents for s in scores.values())} protocols in {time.perf_counter() - start:.0f} s "
          f"({args.jobs} process{'es' if args.jobs > 1 else ''})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
