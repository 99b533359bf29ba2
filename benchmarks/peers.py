"""cdcml next to its peers, whole processes on equivalent inputs: `cdcml policy analyze`
(the whole cdc-ml-guardrails pack) on a Pulumi state export, checkov on the Terraform plan
and on the ARM template (its built-in Azure checks that match a guardrail), OPA (rego-cpp,
``regopy``) with cdcml_plan.rego on the plan, and AWS CloudFormation Guard with
cdcml_arm.guard on the ARM template. peer_inputs.py writes the three documents of each
size (the same resources, half of them violating).

Each tool runs --repeat times per size as its own process; a sampler (psutil, every 20 ms)
follows the process and all its descendants (cdcml's pack worker, checkov's pool): "peak
MiB" is the largest sum of their resident sets, "CPU s" the sum of their user + system
time. Medians are reported; "violations" counts the findings of each tool on the rules it
shares with cdcml (one per rule and violating resource; for cdcml, its findings of those 20
policies), which checks that every tool saw the same resources. The ratio is the tool's
median wall time over cdcml's on the same size.

Run it through peers.sh, which makes benchmarks/.venv-peers with the pinned peers first:

    bash benchmarks/peers.sh                        # 1k and 10k, 3 runs each
    bash benchmarks/peers.sh --sizes 1000 --repeat 5
    bash benchmarks/peers.sh --large                # also 100k, cdcml only

Not a timed test; the numbers are written into benchmarks/README.md by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from peer_inputs import MIRRORED, Inputs, write_inputs  # noqa: E402

PACK = ROOT / "policies" / "cdc-ml-guardrails"
PEERS = HERE / "peers"
VENV = HERE / ".venv-peers"

CHECKOV_PLAN = {
    "CKV_AZURE_104": "network-disable-factory-public-access",
    "CKV_AZURE_103": "governance-configure-factory-git",
    "CKV_AZURE_59": "network-disable-storage-public-access",
    "CKV_AZURE_190": "network-disable-blob-anonymous-access",
    "CKV2_AZURE_47": "network-disable-blob-anonymous-access",
    "CKV2_AZURE_40": "identity-disable-storage-shared-key",
    "CKV_AZURE_244": "identity-disable-storage-shared-key",
    "CKV_AZURE_44": "encryption-enforce-min-tls",
    "CKV_AZURE_3": "encryption-enforce-min-tls",
    "CKV_AZURE_223": "encryption-enforce-min-tls",
    "CKV_AZURE_144": "network-disable-workspace-public-access",
    "CKV_AZURE_110": "protection-enable-keyvault-purge-protection",
    "CKV_AZURE_42": "protection-enable-keyvault-purge-protection",
    "CKV_AZURE_189": "network-disable-keyvault-public-access",
    "CKV_AZURE_109": "network-disable-keyvault-public-access",
}
"""checkov's built-in Terraform checks that test what a cdcml guardrail tests."""
CHECKOV_ARM = {
    "CKV_AZURE_104": "network-disable-factory-public-access",
    "CKV_AZURE_103": "governance-configure-factory-git",
    "CKV_AZURE_59": "network-disable-storage-public-access",
    "CKV_AZURE_44": "encryption-enforce-min-tls",
    "CKV_AZURE_3": "encryption-enforce-min-tls",
    "CKV_AZURE_223": "encryption-enforce-min-tls",
    "CKV2_AZURE_49": "network-disable-workspace-public-access",
    "CKV_AZURE_110": "protection-enable-keyvault-purge-protection",
    "CKV_AZURE_42": "protection-enable-keyvault-purge-protection",
    "CKV_AZURE_189": "network-disable-keyvault-public-access",
    "CKV_AZURE_109": "network-disable-keyvault-public-access",
}
"""The same for ARM templates (checkov has no ARM check for blob anonymous access or shared keys)."""


# -- counting each tool's violations on the shared rules ------------------------------------------------------


def count_cdcml(out: str) -> int:
    report = json.loads(out)
    return len({(f["policy"], f["urn"]) for f in report["findings"] if f.get("policy") in MIRRORED})


def count_checkov(out: str) -> int:
    reports = json.loads(out)
    report = reports[0] if isinstance(reports, list) else reports
    return len({(f["check_id"], f["resource"]) for f in report["results"]["failed_checks"]})


def count_opa(out: str) -> int:
    return len({(d["policy"], d["address"]) for d in json.loads(out)})


def count_guard(out: str) -> int:
    """Distinct (rule, resource index) of the paths in Guard's failing clauses."""

    def paths(node: Any) -> Any:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "path" and isinstance(value, str):
                    yield value
                else:
                    yield from paths(value)
        elif isinstance(node, list):
            for value in node:
                yield from paths(value)

    report = json.loads(out)
    found = set()
    for rule in report["not_compliant"]:
        name = rule["Rule"]["name"]
        for path in paths(rule):
            m = re.match(r"/resources/(\d+)(?:/|$)", path)
            if m:
                found.add((name, m.group(1)))
    return len(found)


# -- the tools --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    input: str
    rules: str
    command: Callable[[Inputs], list[str]]
    count: Callable[[str], int]
    env: dict[str, str]


def rule_count(path: Path, prefix: str) -> int:
    return sum(line.startswith(prefix) for line in path.read_text().splitlines())


def tools(cdcml_python: str) -> list[Tool]:
    bin_ = VENV / "bin"
    checkov_env = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}

    def checkov(framework: str, checks: dict[str, str]) -> Callable[[Inputs], list[str]]:
        def command(i: Inputs) -> list[str]:
            path = i.plan if framework == "terraform_plan" else i.template
            return [
                str(bin_ / "checkov"),
                *("-f", str(path), "--framework", framework, "--check", ",".join(checks)),
                *("-o", "json", "--quiet", "--compact", "--skip-download"),
            ]

        return command

    return [
        Tool(
            "cdcml policy analyze",
            "Pulumi state",
            "73 policies (full pack)",
            lambda i: [
                *(cdcml_python, "-m", "cdcml", "policy", "analyze", "--file", str(i.state)),
                *("--policy-pack", str(PACK), "--json"),
            ],
            count_cdcml,
            {"PYTHONPATH": str(ROOT / "src")},
        ),
        Tool(
            "checkov",
            "Terraform plan",
            f"{len(CHECKOV_PLAN)} checks ({len(set(CHECKOV_PLAN.values()))} policies)",
            checkov("terraform_plan", CHECKOV_PLAN),
            count_checkov,
            checkov_env,
        ),
        Tool(
            "checkov",
            "ARM template",
            f"{len(CHECKOV_ARM)} checks ({len(set(CHECKOV_ARM.values()))} policies)",
            checkov("arm", CHECKOV_ARM),
            count_checkov,
            checkov_env,
        ),
        Tool(
            "OPA (regopy)",
            "Terraform plan",
            f"{rule_count(PEERS / 'cdcml_plan.rego', 'deny contains')} rules ({len(MIRRORED)} policies)",
            lambda i: [str(bin_ / "python"), str(PEERS / "opa_plan.py"), str(i.plan)],
            count_opa,
            {},
        ),
        Tool(
            "cfn-guard",
            "ARM template",
            f"{rule_count(PEERS / 'cdcml_arm.guard', 'rule ')} rules ({len(MIRRORED)} policies)",
            lambda i: [
                *(str(bin_ / "cfn-guard"), "validate", "-d", str(i.template), "-r", str(PEERS / "cdcml_arm.guard")),
                *("-o", "json", "--show-summary", "none"),
            ],
            count_guard,
            {},
        ),
    ]


# -- one measured run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float
    stdout: str


def measure(command: Sequence[str], env: dict[str, str], interval: float = 0.02) -> Run:
    """Run *command* to its end, sampling its process tree every *interval* seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, env={**os.environ, **env}, cwd=ROOT)
        root = psutil.Process(proc.pid)
        cpu: dict[int, float] = {}
        peak = 0
        while proc.poll() is None:
            total = 0
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                tree = []
            for p in tree:
                try:
                    with p.oneshot():
                        total += p.memory_info().rss
                        t = p.cpu_times()
                        cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    continue
            peak = max(peak, total)
            time.sleep(interval)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if proc.returncode not in (0, 1, 19):  # cdcml/checkov: 1 = violations; cfn-guard: 19 = failures
        tail = stderr.strip().splitlines()[-5:]
        raise SystemExit(f"{command[0]} exited with {proc.returncode}:\n" + "\n".join(tail))
    return Run(wall, sum(cpu.values()), peak / 2**20, stdout)


@dataclass(frozen=True)
class Row:
    tool: Tool
    resources: int
    wall: float
    cpu: float
    peak_mib: float
    violations: int


def bench(tool: Tool, inputs: Inputs, repeat: int) -> Row:
    runs = [measure(tool.command(inputs), tool.env) for _ in range(repeat)]
    violations = tool.count(runs[0].stdout)
    return Row(
        tool,
        inputs.resources,
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_mib for r in runs),
        violations,
    )


# -- the table ----------------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    head = ["tool", "input", "N resources", "rules", "median s", "CPU s", "peak MiB", "violations", "× cdcml"]
    head += ["CPU × cdcml"]
    base = {r.resources: r.wall for r in rows if r.tool.name.startswith("cdcml")}
    base_cpu = {r.resources: r.cpu for r in rows if r.tool.name.startswith("cdcml")}
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        ratio = f"{r.wall / base[r.resources]:.2f}" if r.resources in base else "—"
        cpu_ratio = f"{r.cpu / base_cpu[r.resources]:.2f}" if r.resources in base_cpu else "—"
        cells = [r.tool.name, r.tool.input, f"{r.resources:,}", r.tool.rules, f"{r.wall:.2f}", f"{r.cpu:.2f}"]
        cells += [f"{r.peak_mib:.0f}", str(r.violations), ratio, cpu_ratio]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{' '.join(platform.uname())}; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"load average at the end {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000], help="resources per input")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and size (median)")
    parser.add_argument("--large", action="store_true", help="also 100,000 resources (cdcml only: see --peers-up-to)")
    parser.add_argument(
        "--peers-up-to", type=int, default=10_000, help="run the peers only on sizes up to this (default 10,000)"
    )
    parser.add_argument("--only", nargs="+", metavar="TOOL", help="tools whose name starts with one of these")
    parser.add_argument("--inputs", type=Path, default=HERE / ".peers-inputs", help="where the inputs are written")
    parser.add_argument("--cdcml-python", default=str(ROOT / ".venv" / "bin" / "python"))
    args = parser.parse_args()

    sizes = sorted(set(args.sizes + ([100_000] if args.large else [])))
    chosen = [t for t in tools(args.cdcml_python) if not args.only or t.name.startswith(tuple(args.only))]
    rows: list[Row] = []
    for size in sizes:
        inputs = write_inputs(args.inputs, size)
        for tool in chosen:
            if not tool.name.startswith("cdcml") and size > args.peers_up_to:
                print(f"skip {tool.name} on {inputs.resources:,} resources (--peers-up-to)", file=sys.stderr)
                continue
            row = bench(tool, inputs, args.repeat)
            rows.append(row)
            print(
                f"{tool.name} / {tool.input} / {row.resources:,}: {row.wall:.2f} s, CPU {row.cpu:.2f} s, "
                f"{row.peak_mib:.0f} MiB, {row.violations} violations",
                file=sys.stderr,
                flush=True,
            )
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, --repeat {args.repeat}; {machine()}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
