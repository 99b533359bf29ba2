"""State audit at scale: `cdcml policy analyze` over a backend of many stacks, and over one
very large state file.

backend:  N stacks of the prod profile (or seed when there is no prod stack), renamed across
          5 projects, plain / gzip / zstd, in a file:// backend (and, with --s3, the same
          objects in moto's S3 server on loopback): time to list, read, load and analyze all.
large:    one state file of the prod profile replicated to at least --resources resources
          (plain JSON, `pulumi stack export` shape): time to load, and to load + analyze.

Medians of --repeat runs, wall-clock; the pack is cdc-ml-guardrails. Not a timed test.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
PACK = ROOT / "policies" / "cdc-ml-guardrails"


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def profile_graph():  # type: ignore[no-untyped-def]
    from cdcml.capture.program import capture
    from cdcml.capture.project import load_project

    stacks = load_project(ROOT).stacks()
    stack = "prod" if "prod" in stacks else "seed"
    return capture(ROOT, stack, mode="resolved")


def renamed_checkpoint(graph, project: str, stack: str, compression: str | None) -> bytes:  # type: ignore[no-untyped-def]
    from cdcml.state.export import to_checkpoint

    text = json.dumps(to_checkpoint(graph, time="2025-01-01T00:00:00Z"))
    text = text.replace(f"urn:pulumi:{graph.stack}::{graph.project}::", f"urn:pulumi:{stack}::{project}::")
    text = text.replace(f'"organization/{graph.project}/{graph.stack}"', f'"organization/{project}/{stack}"')
    doc = json.loads(text)
    from cdcml.state.export import compress

    return compress(json.dumps(doc, indent=4).encode(), compression)


def build_backend(graph, root: Path, stacks: int) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    objects = {".pulumi/meta.yaml": b"version: 1\n"}
    compressions = (None, "gz", "zst")
    for i in range(stacks):
        project, stack = f"team{i % 5}", f"{graph.stack}-{i:03d}"
        compression = compressions[i % 3]
        suffix = {None: ".json", "gz": ".json.gz", "zst": ".json.zst"}[compression]
        objects[f".pulumi/stacks/{project}/{stack}{suffix}"] = renamed_checkpoint(graph, project, stack, compression)
    for key, data in objects.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return objects


def replicate(graph, at_least: int):  # type: ignore[no-untyped-def]
    """*graph* with its resources (not the stack or providers) copied until there are at
    least *at_least*, each copy's URNs and references suffixed."""
    from cdcml.model import FrozenDict, ResourceGraph

    shared = [r for r in graph.resources if r.type == "pulumi:pulumi:Stack" or r.is_provider]
    rest = [r for r in graph.resources if r not in shared]
    shared_urns = {r.urn for r in shared}
    out = list(shared)
    copy = 0
    while len(out) < at_least:

        def m(urn: str, copy: int = copy) -> str:
            return urn if not urn or urn in shared_urns else f"{urn}-c{copy}"

        for r in rest:
            out.append(
                dataclasses.replace(
                    r,
                    urn=m(r.urn),
                    name=f"{r.name}-c{copy}",
                    parent=m(r.parent),
                    dependencies=tuple(m(d) for d in r.dependencies),
                    property_dependencies=FrozenDict(
                        {k: tuple(m(u) for u in v) for k, v in r.property_dependencies.items()}
                    ),
                    options=dataclasses.replace(r.options, deleted_with=m(r.options.deleted_with), aliases=()),
                )
            )
        copy += 1
    return ResourceGraph(project=graph.project, stack=graph.stack, resources=tuple(out), outputs=graph.outputs)


@contextlib.contextmanager
def moto_s3(objects: dict[str, bytes]) -> Iterator[str]:
    import logging
    import os

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    os.environ.update(
        {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_EC2_METADATA_DISABLED": "true"}
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        _, port = server.get_host_and_port()
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket="bench")
        for key, data in objects.items():
            client.put_object(Bucket="bench", Key=key, Body=data)
        client.close()
        yield f"s3://bench?endpoint={endpoint}&s3ForcePathStyle=true&region=us-east-1"
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stacks", type=int, default=50)
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--s3", action="store_true", help="also time the backend in moto's S3 server")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1], help="time the file:// backend with each --jobs value (processes)"
    )
    args = parser.parse_args()

    from cdcml.engine.evaluate import evaluate
    from cdcml.runs.analyze import analyze_backend
    from cdcml.runs.packs import load_packs
    from cdcml.state.decode import load_state
    from cdcml.state.export import dumps, export_stack

    graph = profile_graph()
    print(f"profile: {graph.stack} ({len(graph)} resources); pack: {PACK.name}")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "backend"
        objects = build_backend(graph, root, args.stacks)
        size = sum(len(v) for v in objects.values())
        for jobs in args.jobs:
            t, audit = median_time(
                lambda jobs=jobs: analyze_backend(f"file://{root}", pack_dirs=[PACK], jobs=jobs), args.repeat
            )
            n = len(audit.stacks)  # type: ignore[attr-defined]
            total = sum(len(s.findings.evaluated) for s in audit.stacks)  # type: ignore[attr-defined]
            print(
                f"backend file:// --jobs {jobs}  {n} stacks, {total} resources, {size / 1e6:.1f} MB: {t:.2f} s "
                f"({t / n * 1000:.0f} ms per stack, {total / t:.0f} resources/s)",
                flush=True,
            )
        if args.s3:
            with moto_s3(objects) as url:
                t, audit = median_time(lambda: analyze_backend(url, pack_dirs=[PACK]), args.repeat)
            print(f"backend s3:// (moto, loopback)  {n} stacks: {t:.2f} s ({t / n * 1000:.0f} ms per stack)")

        big = replicate(graph, args.resources)
        path = Path(tmp) / "large.json"
        data = dumps(export_stack(big))
        path.write_bytes(data)
        t_load, loaded = median_time(lambda: load_state(path.read_bytes(), source=str(path)), args.repeat)
        print(f"large state file  {len(loaded)} resources, {len(data) / 1e6:.1f} MB: load {t_load:.2f} s", flush=True)  # type: ignore[arg-type]
        packs, configs, _ = load_packs([PACK], project=big.project, stack=big.stack)
        marks: dict[str, float] = {}

        def progress(done: int, total: int) -> None:
            if done == total - 1:
                marks["resources"] = time.perf_counter()

        start_eval = time.perf_counter()
        findings = evaluate(loaded, packs, configs, apply_remediations=False, progress=progress)  # type: ignore[arg-type]
        end_eval = time.perf_counter()
        analyze = marks["resources"] - start_eval
        stack = end_eval - marks["resources"]
        print(
            f"large state file  analyze (Remediate + Analyze per resource) {analyze:.2f} s, AnalyzeStack "
            f"{stack:.2f} s; load + analyze {t_load + analyze + stack:.2f} s ({len(findings.findings)} findings)"
        )


if __name__ == "__main__":
    main()
