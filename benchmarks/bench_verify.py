"""`cdcml verify`: examples per second of each law on a reference stack, and the stock
Pulumi mocks doing the conforms work (run the program for a drawn configuration) on the
same configurations.

    .venv/bin/python benchmarks/bench_verify.py --stack prod --examples 20

Each law runs alone (`--laws LAW`) with the same seed; conforms and well-typed share the
captures of one run in `cdcml verify`, so here each pays its own. The peer column runs
the program under `pulumi.runtime.set_mocks` (inputs echoed as outputs) for the same
configurations conforms drew: what a Pulumi unit test would pay per example before any
policy runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import stock_mocks_capture  # noqa: E402

from cdcml.capture.project import load_project, load_stack_config  # noqa: E402
from cdcml.engine.pack import DEFAULT_PACK, load_pack  # noqa: E402
from cdcml.testing.spaces import config_space  # noqa: E402
from cdcml.testing.verify import LAWS, Subject, verify  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    project = load_project(ROOT)
    config = load_stack_config(project, args.stack)
    packs = [load_pack(ROOT / DEFAULT_PACK)]
    print(f"cdcml verify on {args.stack}, {args.examples} examples per law, seed {args.seed}")
    print(f"{'law':<14}{'examples':>9}{'seconds':>9}{'examples/s':>12}")
    for law in LAWS:
        subject = Subject(project, config, packs)  # a fresh subject: no capture shared with the last law
        start = time.perf_counter()
        result = verify(subject, laws=[law], examples=args.examples, seed=args.seed).results[0]
        seconds = time.perf_counter() - start
        print(f"{law:<14}{result.examples:>9}{seconds:>9.2f}{result.examples / seconds:>12.2f}")

    space = config_space(project, config).strategy()
    drawn = [space.example() for _ in range(min(args.examples, 10))]
    start = time.perf_counter()
    for values in drawn:
        stock_mocks_capture(args.stack, values)
    stock = (time.perf_counter() - start) / len(drawn)
    print(f"stock mocks, the program alone (no policies): {1 / stock:.2f} examples/s ({stock:.2f} s each)")


if __name__ == "__main__":
    main()
