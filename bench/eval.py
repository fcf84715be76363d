"""Compare guidelint with generator ground truth (see guidelint/corpus/evaluate.py).

    python -m bench.eval DIR [-v]     # DIR holds <name>.pdf + <name>.truth.json
"""
from __future__ import annotations

import argparse

from guidelint.corpus.evaluate import evaluate_folder, format_diff, format_report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="print what each document missed or added")
    args = ap.parse_args(argv)

    def show(diff):
        if args.verbose and (diff.missed or diff.spurious or diff.wrong):
            print(format_diff(diff), flush=True)

    print(format_report(evaluate_folder(args.folder, show)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
