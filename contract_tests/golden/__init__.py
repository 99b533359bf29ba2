"""The golden copy: what cdcml prints, writes and exits with, pinned before a refactor.

Every case is a command line run in this process through :func:`cdcml.cli.run` (the
console entry point's code), from the repository root, with a fixed terminal width. A
case records the exit code, stdout, stderr and every report file it writes; absolute
paths (the repository, the case's scratch directory) are replaced with ``<ROOT>`` and
``<TMP>``. The expected results live in ``expected/<case>.json.gz`` (gzip: the JSON reports of
the reference profiles are large and repetitive).

The cases cover every reference profile in both output modes (text with SARIF, JUnit and
Markdown reports; JSON; JSON over the gRPC engine), ``policy analyze`` on committed stack
exports (``inputs/state``), on Pulumi's own state fixtures and on a ``file://`` backend
built from the exports, waivers, baselines, a secret-echoing pack, the catalogue commands,
and the one-line exit-2 errors of bad input.

Regenerate only deliberately, when a change of behaviour is intended::

    .venv/bin/python -m contract_tests.golden --write [CASE …]
"""

from __future__ import annotations

import contextlib
import difflib
import gzip
import io
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INPUTS = HERE / "inputs"
EXPECTED = HERE / "expected"
STATES = INPUTS / "state"
PULUMI_STATE = ROOT / "tests" / "fixtures" / "state" / "pulumi"
AUDIT_PACK = ROOT / "tests" / "fixtures" / "state" / "packs" / "audit"
LEAKY_PACK = ROOT / "tests" / "fixtures" / "state" / "packs" / "leaky"
PROD_CONFIG = ROOT / "policies" / "cdc-ml-guardrails" / "config" / "prod.json"
DEV_CONFIG = ROOT / "policies" / "cdc-ml-guardrails" / "config" / "dev.json"

PROFILES = ("seed", "dev", "prod", "fanin")
MODES = ("preview", "resolved")
REPORTS = ("--sarif", "{tmp}/r.sarif", "--junit", "{tmp}/r.xml", "--markdown", "{tmp}/r.md")
COLUMNS = "1000"  # wide enough that no path (of any checkout) changes where rich wraps a line

__all__ = ["CASES", "Case", "Outcome", "compare", "run_case"]


@dataclass(frozen=True)
class Case:
    """``argv`` may contain ``{tmp}`` (the case's scratch directory), ``{inputs}``,
    ``{states}`` and ``{pulumi_state}``; ``setup`` prepares the scratch directory."""

    name: str
    argv: tuple[str, ...]
    setup: Callable[[Path], None] | None = None
    env: tuple[tuple[str, str], ...] = ()
    stdin: bytes | None = None
    expect: str = ""  # the case whose golden copy this one must match (default: its own)

    @property
    def golden(self) -> str:
        return self.expect or self.name


@dataclass
class Outcome:
    argv: list[str]
    exit: int
    stdout: list[str]
    stderr: list[str]
    files: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"argv": self.argv, "exit": self.exit, "stdout": self.stdout, "stderr": self.stderr, "files": self.files}


# --------------------------------------------------------------------------- inputs


def _state(name: str) -> Path:
    (path,) = STATES.glob(f"{name}.json*")
    return path


def _checkpoint(stack: str) -> bytes:
    """The export of *stack* as a backend checkpoint of ``organization/cdcml/<stack>``."""
    path = _state(stack)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".zst":
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    doc = json.loads(data)
    cp = {"version": 3, "checkpoint": {"stack": f"organization/cdcml/{stack}", "latest": doc["deployment"]}}
    return json.dumps(cp, indent=4).encode("utf-8")


def _backend(tmp: Path) -> None:
    """A project-layout backend with three stacks (plain, gzip) and a lock on one."""
    root = tmp / "backend" / ".pulumi"
    (root / "stacks" / "cdcml").mkdir(parents=True)
    (root / "meta.yaml").write_text("version: 1\n")
    (root / "stacks" / "cdcml" / "seed.json").write_bytes(_checkpoint("seed"))
    (root / "stacks" / "cdcml" / "prod.json.gz").write_bytes(gzip.compress(_checkpoint("prod"), mtime=0))
    (root / "stacks" / "cdcml" / "fanin.json").write_bytes(_checkpoint("fanin"))
    lock = root / "locks" / "organization" / "cdcml" / "fanin"
    lock.mkdir(parents=True)
    (lock / "6f1d2c3e-0b7a-4c55-9a1e-2d7f0e9c8b41.json").write_text(
        json.dumps({"pid": 4242, "username": "alice", "hostname": "build-7", "timestamp": "2025-03-01T10:15:30Z"})
    )


def _write(name: str, text: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        (tmp / name).write_text(text)

    return setup


def _both(*setups: Callable[[Path], None]) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        for s in setups:
            s(tmp)

    return setup


_WAIVERS = """\
version: 1
waivers:
  - policy: cdc-enforce-recurrence-bounds
    urn: "urn:pulumi:seed::cdcml::*::orders-cdc"
    reason: Scoring needs a 1-minute cadence until the Q3 migration.
    owner: data-platform@contoso.com
    expires: 2099-12-31
  - policy: network-disable-eventhub-public-access
    urn: "*"
    reason: A lapsed exception.
    owner: data-platform@contoso.com
    expires: 2020-01-31
  - policy: cdc-ml-guardrails/governance-*
    urn: "urn:pulumi:*"
    reason: Tags are applied by Azure Policy in this subscription.
    owner: platform@contoso.com
    expires: 2099-06-30
"""

# --------------------------------------------------------------------------- cases


def _cases() -> Iterator[Case]:
    for p in PROFILES:
        for m in MODES:
            yield Case(f"preview-{p}-{m}-text", ("preview", "--stack", p, "--outputs", m, *REPORTS))
            yield Case(f"preview-{p}-{m}-json", ("preview", "--stack", p, "--outputs", m, "--json"))
            # The gRPC engine (each pack its own process) must print the very same report.
            yield Case(
                f"preview-{p}-{m}-grpc",
                ("preview", "--stack", p, "--outputs", m, "--engine", "grpc", "--json"),
                expect=f"preview-{p}-{m}-json",
            )
    yield Case("preview-seed-not-applicable", ("preview", "--stack", "seed", "--show-not-applicable"))
    yield Case(
        "preview-dev-public-dev-config",
        (
            "preview",
            "--stack",
            "dev",
            "--config",
            "cdcml:privateNetworking=false",
            "--policy-pack-config",
            str(DEV_CONFIG),
            "--json",
        ),
    )
    yield Case(
        "preview-seed-warning",
        ("preview", "--stack", "seed", "--policy-pack-config", "{tmp}/c.json", "--json", *REPORTS),
        setup=_write("c.json", '{"no-such-policy": "advisory"}'),
    )
    yield Case("preview-prod-prod-config", ("preview", "--stack", "prod", "--policy-pack-config", str(PROD_CONFIG)))
    yield Case(
        "preview-seed-two-packs",
        (
            "preview",
            "--stack",
            "seed",
            "--policy-pack",
            "policies/cdc-ml-guardrails",
            "--policy-pack",
            str(AUDIT_PACK),
            "--json",
            *REPORTS,
        ),
    )

    for p in PROFILES:
        yield Case(f"analyze-{p}-text", ("policy", "analyze", "--file", f"{{states}}/{_state(p).name}", *REPORTS))
        yield Case(f"analyze-{p}-json", ("policy", "analyze", "--file", f"{{states}}/{_state(p).name}", "--json"))
    seed = f"{{states}}/{_state('seed').name}"
    yield Case(
        "analyze-seed-waivers",
        ("policy", "analyze", "--file", seed, "--waivers", "{tmp}/waivers.yaml", *REPORTS),
        setup=_write("waivers.yaml", _WAIVERS),
    )
    yield Case(
        "analyze-seed-waivers-json",
        ("policy", "analyze", "--file", seed, "--waivers", "{tmp}/waivers.yaml", "--json"),
        setup=_write("waivers.yaml", _WAIVERS),
    )
    yield Case(
        "analyze-seed-baseline",
        ("policy", "analyze", "--file", seed, "--baseline", "{inputs}/baseline-seed.json", "--json", *REPORTS),
    )
    yield Case("analyze-seed-stdin", ("policy", "analyze", "--file", "-", "--json"), stdin=b"@seed")
    yield Case(
        "analyze-prod-leaky",
        (
            "policy",
            "analyze",
            "--file",
            f"{{states}}/{_state('prod').name}",
            "--policy-pack",
            str(LEAKY_PACK),
            "--json",
        ),
    )
    yield Case(
        "analyze-dev-leaky-text",
        ("policy", "analyze", "--file", f"{{states}}/{_state('dev').name}", "--policy-pack", str(LEAKY_PACK), *REPORTS),
    )
    for f in sorted(PULUMI_STATE.glob("*.json")):
        yield Case(f"analyze-pulumi-{f.stem}", ("policy", "analyze", "--file", f"{{pulumi_state}}/{f.name}", "--json"))
    yield Case("analyze-pulumi-secrets-text", ("policy", "analyze", "--file", "{pulumi_state}/checkpoint-secrets.json"))

    backend = "file://{tmp}/backend"
    yield Case("backend-all-text", ("policy", "analyze", "--backend", backend, "--all", *REPORTS), setup=_backend)
    yield Case("backend-all-json", ("policy", "analyze", "--backend", backend, "--all", "--json"), setup=_backend)
    yield Case(
        "backend-all-audit-pack-waivers",
        (
            "policy",
            "analyze",
            "--backend",
            backend,
            "--all",
            "--project",
            "cdcml",
            "--policy-pack",
            str(AUDIT_PACK),
            "--waivers",
            "{tmp}/waivers.yaml",
            "--json",
            *REPORTS,
        ),
        setup=_both(_backend, _write("waivers.yaml", _WAIVERS)),
    )
    yield Case(
        "backend-one-locked",
        ("policy", "analyze", "--backend", backend, "--stack", "organization/cdcml/fanin", *REPORTS),
        setup=_backend,
    )
    yield Case(
        "backend-env-url",
        ("policy", "analyze", "--stack", "organization/cdcml/seed", "--json"),
        setup=_backend,
        env=(("PULUMI_BACKEND_URL", backend),),
    )

    yield Case("policy-ls", ("policy", "ls"))
    yield Case("policy-ls-json", ("policy", "ls", "--json"))
    yield Case("policy-ls-audit-pack", ("policy", "ls", "--json", "--policy-pack", str(AUDIT_PACK)))
    yield Case("policy-docs", ("policy", "docs"))

    yield from _error_cases()


def _error_cases() -> Iterator[Case]:
    bad_json = _write("bad.json", "{not json")
    seed = f"{{states}}/{_state('seed').name}"
    errors: list[tuple[str, tuple[str, ...], Callable[[Path], None] | None]] = [
        ("no-such-stack", ("preview", "--stack", "nosuch"), None),
        ("no-such-project", ("preview", "{tmp}/nowhere"), None),
        ("not-a-project", ("preview", "{tmp}"), None),
        ("no-such-pack", ("preview", "--stack", "seed", "--policy-pack", "{tmp}/nopack"), None),
        ("pack-config-missing", ("preview", "--stack", "seed", "--policy-pack-config", "{tmp}/none.json"), None),
        ("pack-config-bad-json", ("preview", "--stack", "seed", "--policy-pack-config", "{tmp}/bad.json"), bad_json),
        (
            "pack-config-bad-level",
            ("preview", "--stack", "seed", "--policy-pack-config", "{tmp}/c.json"),
            _write("c.json", '{"all": "sometimes"}'),
        ),
        (
            "pack-config-bad-property",
            ("preview", "--stack", "seed", "--policy-pack-config", "{tmp}/c.json"),
            _write("c.json", '{"cdc-enforce-recurrence-bounds": {"minLatencyMinutes": "often"}}'),
        ),
        (
            "pack-configs-too-many",
            (
                "preview",
                "--stack",
                "seed",
                "--policy-pack-config",
                "{tmp}/c.json",
                "--policy-pack-config",
                "{tmp}/c.json",
            ),
            _write("c.json", "{}"),
        ),
        ("sarif-no-dir", ("preview", "--stack", "seed", "--sarif", "{tmp}/nodir/r.sarif"), None),
        ("junit-is-dir", ("preview", "--stack", "seed", "--junit", "{tmp}"), None),
        ("config-pair", ("preview", "--stack", "seed", "--config", "novalue"), None),
        ("config-bad-profile", ("preview", "--stack", "seed", "--config", "cdcml:profile=bogus"), None),
        ("config-bad-number", ("preview", "--stack", "dev", "--config", 'cdcml:logs={{"retentionDays": -3}}'), None),
        ("outputs-bogus", ("preview", "--outputs", "bogus"), None),
        ("unknown-command", ("frobnicate",), None),
        ("analyze-nothing", ("policy", "analyze"), None),
        ("analyze-file-and-backend", ("policy", "analyze", "--file", seed, "--backend", "file://{tmp}"), None),
        ("analyze-file-with-stack", ("policy", "analyze", "--file", seed, "--stack", "a/b/c"), None),
        ("analyze-backend-no-stack", ("policy", "analyze", "--backend", "file://{tmp}"), None),
        ("analyze-missing-file", ("policy", "analyze", "--file", "{tmp}/none.json"), None),
        ("analyze-file-is-dir", ("policy", "analyze", "--file", "{tmp}"), None),
        ("analyze-bad-json", ("policy", "analyze", "--file", "{tmp}/bad.json"), bad_json),
        ("analyze-empty-stdin", ("policy", "analyze", "--file", "-"), None),
        ("analyze-missing-backend", ("policy", "analyze", "--backend", "file://{tmp}/none", "--all"), None),
        ("analyze-bad-scheme", ("policy", "analyze", "--backend", "ftp://x", "--all"), None),
        (
            "analyze-no-such-backend-stack",
            ("policy", "analyze", "--backend", "file://{tmp}/backend", "--stack", "organization/cdcml/nosuch"),
            _backend,
        ),
        (
            "analyze-bad-waivers",
            ("policy", "analyze", "--file", seed, "--waivers", "{tmp}/w.yaml"),
            _write("w.yaml", "version: 1\nwaivers:\n  - policy: x\n    urn: '*'\n"),
        ),
        ("analyze-bad-baseline", ("policy", "analyze", "--file", seed, "--baseline", "{tmp}/bad.json"), bad_json),
        ("policy-ls-no-pack", ("policy", "ls", "--policy-pack", "{tmp}/nopack"), None),
    ]
    for name, argv, setup in errors:
        yield Case(f"error-{name}", argv, setup=setup)


CASES: dict[str, Case] = {c.name: c for c in _cases()}


# --------------------------------------------------------------------------- running


GOLDEN_AZURE_NATIVE = "3.29.0"
"""The azure-native the golden copy was written with (the lock's). The default provider is
named after the installed release (``default_3_29_0``); at the other ends of the dependency
ranges (scripts/test-versions.sh) that name is the one thing allowed to differ, so it is
written back as the golden copy's before comparing."""


def _default_provider(version: str) -> str:
    return "default_" + version.replace(".", "_")


def _normalize(text: str, tmp: Path) -> str:
    for path, token in ((tmp, "<TMP>"), (ROOT, "<ROOT>")):
        for form in (path.as_uri(), str(path)):
            text = text.replace(form, token)
    installed = metadata.version("pulumi-azure-native")
    if installed != GOLDEN_AZURE_NATIVE:
        text = re.sub(re.escape(_default_provider(installed)) + r"\b", _default_provider(GOLDEN_AZURE_NATIVE), text)
    return text


def _lines(text: str) -> list[str]:
    return text.split("\n")


@contextlib.contextmanager
def _environment(tmp: Path, extra: tuple[tuple[str, str], ...], stdin: bytes | None) -> Iterator[None]:
    saved_env = dict(os.environ)
    saved_cwd = Path.cwd()
    saved_stdin = sys.stdin
    os.environ.update({"COLUMNS": COLUMNS, "LINES": "50", "TERM": "dumb", "NO_COLOR": "1"})
    for k in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "CDCML_DEBUG"):
        os.environ.pop(k, None)
    os.environ.update({k: v.format(tmp=tmp) for k, v in extra})
    data = stdin if stdin is not None else b""
    if data == b"@seed":
        data = _state("seed").read_bytes()
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.stdin = saved_stdin
        os.environ.clear()
        os.environ.update(saved_env)


def run_case(case: Case) -> Outcome:
    """Run *case* in this process and return what it did, normalized."""
    from cdcml.cli import run

    tmp = Path(tempfile.mkdtemp(prefix="cdcml-golden-")).resolve()
    try:
        if case.setup is not None:
            case.setup(tmp)
        before = {p for p in tmp.rglob("*")}
        argv = [a.format(tmp=tmp, inputs=INPUTS, states=STATES, pulumi_state=PULUMI_STATE) for a in case.argv]
        out, err = io.StringIO(), io.StringIO()
        with _environment(tmp, case.env, case.stdin), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
        files = {
            p.relative_to(tmp).as_posix(): _lines(_normalize(p.read_text(encoding="utf-8"), tmp))
            for p in sorted(tmp.rglob("*"))
            if p.is_file() and p not in before
        }
        return Outcome(
            [_normalize(a, tmp) for a in argv],
            code,
            _lines(_normalize(out.getvalue(), tmp)),
            _lines(_normalize(err.getvalue(), tmp)),
            files,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def expected_path(name: str) -> Path:
    return EXPECTED / f"{name}.json.gz"


def load_expected(name: str) -> dict[str, Any]:
    """The golden copy of case *name* (``python -m contract_tests.golden --show NAME`` prints it)."""
    return json.loads(gzip.decompress(expected_path(name).read_bytes()).decode("utf-8"))


def write_expected(name: str, outcome: Outcome) -> None:
    EXPECTED.mkdir(exist_ok=True)
    text = json.dumps(outcome.to_json(), indent=1, ensure_ascii=False) + "\n"
    expected_path(name).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def compare(name: str, outcome: Outcome) -> str:
    """A readable diff between *outcome* and the golden copy of case *name* ('' when equal)."""
    want = load_expected(name)
    got = outcome.to_json()
    want.pop("argv")  # recorded for readers; a case may share another's golden copy
    got.pop("argv")
    if want == got:
        return ""
    parts: list[str] = []
    if want["exit"] != got["exit"]:
        parts.append(f"exit code: golden {want['exit']}, now {got['exit']}")
    streams = [("stdout", want["stdout"], got["stdout"]), ("stderr", want["stderr"], got["stderr"])]
    for fname in sorted(set(want["files"]) | set(got["files"])):
        streams.append((f"file {fname}", want["files"].get(fname, []), got["files"].get(fname, [])))
    for label, a, b in streams:
        if a != b:
            diff = difflib.unified_diff(a, b, f"golden {label}", f"now {label}", lineterm="", n=2)
            parts.append("\n".join(list(diff)[:80]))
    return "\n".join(parts)
