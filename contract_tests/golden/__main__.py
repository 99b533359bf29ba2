"""``python -m contract_tests.golden [--write] [CASE …]``: run the golden cases and show
where they differ from the golden copy; ``--write`` replaces the golden copy (only when a
change of behaviour is intended, and say so in the commit)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from contract_tests.golden import CASES, EXPECTED, compare, expected_path, load_expected, run_case, write_expected


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m contract_tests.golden")
    parser.add_argument("--write", action="store_true", help="write the golden copy instead of comparing")
    parser.add_argument("--show", action="store_true", help="print the golden copy of the cases")
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    args = parser.parse_args()
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    names = args.cases or list(CASES)
    if args.show:
        for name in names:
            print(json.dumps(load_expected(CASES[name].golden), indent=1, ensure_ascii=False))
        return 0
    if args.write and not args.cases:
        owned = {c.golden for c in CASES.values()}
        for stale in EXPECTED.glob("*.json.gz"):
            if stale.name.removesuffix(".json.gz") not in owned:
                stale.unlink()
    failed = 0
    for name in names:
        start = time.perf_counter()
        outcome = run_case(CASES[name])
        took = time.perf_counter() - start
        case = CASES[name]
        if args.write and not case.expect:
            write_expected(name, outcome)
            print(f"wrote {name} (exit {outcome.exit}, {took:.1f} s)")
            continue
        if args.write:
            diff = compare(case.golden, outcome)
            print(f"{'DIFF' if diff else 'same'} {name} as {case.golden}")
            failed += bool(diff)
            continue
        if not expected_path(case.golden).is_file():
            print(f"MISSING {name}")
            failed += 1
            continue
        diff = compare(case.golden, outcome)
        print(f"{'DIFF' if diff else 'ok  '} {name} ({took:.1f} s)")
        if diff:
            print(diff)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
