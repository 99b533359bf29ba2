"""`cdcml verify`: examples per second of each law on a reference stack, and the stock
Pulumi mocks doing the conforms work (run the program for a drawn configuration) on the
same configurations.

    .venv/bin/python benchmarks/bench_verify.py --stack prod --examples 20

Each law runs alone (`--laws LAW`) with the same seed; conforms and well-typed share the
captures of one run in `cdcml verify`, so here each pays its own. The peer column runs
the program under `pulumi.runtime.set_mocks` (inputs echoed as outputs) for the same
configurations conforms drew: what a Pulumi unit test would pay per example before any
policy runs.

    .venv/bin/python benchmarks/bench_verify.py --throughput 10000 --pool 200

`--throughput N` measures the Hypothesis path instead (issue 13, item 2): N generated
reference-stack configurations (`cdcml.testing.strategies.stack_configs`, public
networking, one source: ~30 resources), each captured in this process and run through the
whole pack, as `cdcml.testing.verify.nonconformance` does for one example; stacks per
second (CPU and wall) and the process's resident memory after 1,000 examples and at the
end. The configurations are drawn before the clock starts (a pool of `--pool` distinct
ones, cycled).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# CDCML_BENCH_SRC: another tree's src/ (a baseline commit's worktree) to measure before/after.
sys.path.insert(0, os.environ.get("CDCML_BENCH_SRC") or str(ROOT / "src"))
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
    parser.add_argument("--throughput", type=int, default=0, metavar="N", help="generated stacks/s over N examples")
    parser.add_argument("--pool", type=int, default=200, help="distinct configurations drawn for --throughput")
    args = parser.parse_args()

    project = load_project(ROOT)
    config = load_stack_config(project, args.stack)
    packs = [load_pack(ROOT / DEFAULT_PACK)]
    if args.throughput:
        throughput(Subject(project, config, packs), args.throughput, args.pool)
        return
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


def rss_mib() -> float:
    """This process's resident set now (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def throughput(subject: Subject, n: int, pool_size: int) -> None:
    """Generated configuration → capture → whole pack, *n* times in this process."""
    import warnings

    import hypothesis.strategies as st
    from hypothesis.errors import NonInteractiveExampleWarning

    from cdcml.testing.strategies import stack_configs
    from cdcml.testing.verify import _Captures, nonconformance

    strategy = stack_configs(profile=st.just("dev"), private_networking=st.just(False), sources=st.just(["orders"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        pool = [strategy.example() for _ in range(pool_size)]
    for values in pool[:3]:  # warm: first-touch imports
        nonconformance(subject, values)
    sizes, failed, marks = [], 0, []
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        captures = _Captures(subject)
        graph = captures(pool[i % len(pool)])
        if isinstance(graph, str):
            failed += 1
        else:
            sizes.append(len(graph))
        nonconformance(subject, pool[i % len(pool)], captures)  # the whole pack on that capture
        if i + 1 in (1000, n) or (i + 1) % 5000 == 0:
            c, w = time.process_time() - cpu, time.perf_counter() - wall
            marks.append(
                f"{i + 1} examples: {(i + 1) / c:.1f}/s CPU, {(i + 1) / w:.1f}/s wall, "
                f"{sum(sizes) / c:.0f} resources/s CPU, RSS {rss_mib():.0f} MiB"
            )
    mean = sum(sizes) / max(len(sizes), 1)
    print(f"{len(pool)} configurations, {mean:.0f} resources per stack (min {min(sizes, default=0)}), {failed} failed")
    print("\n".join(marks))


if __name__ == "__main__":
    main()
