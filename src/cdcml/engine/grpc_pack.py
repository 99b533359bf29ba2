"""The gRPC reference mode: run a Python pack the way the Pulumi CLI runs it.

:class:`PackProcess` starts ``python -u -m pulumi.policy <engine-address> .`` (through
:data:`_LAUNCH`, which first asks to die with cdcml) with cwd =
the pack directory and ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``,
``PULUMI_ORGANIZATION`` and ``PULUMI_CONFIG`` set (``constructEnv`` in
``analyzer_plugin.go``), serves a minimal Engine service of its own for the pack's log
calls, reads the port the pack prints, then sends ``Handshake`` and ``ConfigureStack``
(tolerating ``UNIMPLEMENTED``, as the engine does). :func:`analyze_graph_grpc` drives
``GetAnalyzerInfo``, ``Configure``, ``Remediate``/``Analyze`` per resource and
``AnalyzeStack`` through :mod:`cdcml.engine.reference`.

The process is always shut down: on context exit, on error, at interpreter exit and on
SIGTERM, and it dies with cdcml even on ``kill -9`` (``PR_SET_PDEATHSIG``, Linux). Its
stdout and stderr are drained for as long as it runs (a policy printing megabytes never
stalls it) and never reach cdcml's output. A pack that crashes or never prints a port
fails with a clear error within the start timeout; a call past its deadline, or a pack
process that ends during a call, is one line naming the call, the resource and how.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent import futures
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import engine_pb2_grpc

from cdcml.engine.config import PackConfig, reconcile
from cdcml.engine.pack import Pack
from cdcml.engine.reference import PackSession, analyze_graph, stack_configure_request
from cdcml.errors import PackError
from cdcml.model import Findings, ResourceGraph
from cdcml.workers import describe_exit

__all__ = ["PackProcess", "analyze_graph_grpc", "live_pack_processes", "open_sessions"]

_LIVE: set[PackProcess] = set()
_LINE = 4096  # the longest port line or stderr line kept
_LIVE_LOCK = threading.Lock()
_MAX_MESSAGE = 400 * 1024 * 1024  # the SDK's and the engine's 400 MiB


def live_pack_processes() -> list[int]:
    """PIDs of pack processes started by this process and still running."""
    with _LIVE_LOCK:
        return [p.pid for p in _LIVE if p.pid is not None and p.running]


def _shutdown_all() -> None:
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for p in procs:
        p.close()


atexit.register(_shutdown_all)


_LAUNCH = """
import os, runpy, sys
if sys.platform.startswith("linux"):
    import ctypes, signal
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with cdcml
    except (OSError, AttributeError):
        pass
if os.getppid() != int(os.environ.pop("CDCML_PARENT_PID", "0")):
    os._exit(1)  # cdcml already died
runpy.run_module("pulumi.policy", run_name="__main__", alter_sys=True)
"""
"""How a pack process starts: ``python -u -m pulumi.policy <engine> .`` as the CLI starts
it, after asking the kernel to kill it when cdcml dies (the request can't be made from
cdcml's side without forking with gRPC's threads running)."""


def _install_sigterm_handler() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "_cdcml", False):
        return

    def handler(signum: int, frame: Any) -> None:
        _shutdown_all()
        if callable(previous):
            previous(signum, frame)
        else:
            raise SystemExit(128 + signum)

    handler._cdcml = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, handler)


class _Engine(engine_pb2_grpc.EngineServicer):
    """The Engine service a pack may log to (StartDebugging and the rest: UNIMPLEMENTED)."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str]] = []

    def Log(self, request: Any, context: Any) -> Any:
        from google.protobuf import empty_pb2

        self.logs.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.GetRootResourceResponse()

    def SetRootResource(self, request: Any, context: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.SetRootResourceResponse()


class PackProcess:
    """One pack process, started like the CLI starts it, with its Analyzer stub."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        graph: ResourceGraph,
        *,
        python: str | None = None,
        start_timeout: float = 60.0,
        call_timeout: float = 120.0,
    ) -> None:
        self.directory = Path(directory).resolve()
        self.graph = graph
        self.python = python or sys.executable
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self.pid: int | None = None
        self.engine = _Engine()
        self._proc: subprocess.Popen[bytes] | None = None
        self._server: Any = None
        self._channel: Any = None
        self.stub: Any = None
        self._stderr: list[str] = []
        self._port: queue.Queue[bytes] = queue.Queue()
        self._closed = False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> PackProcess:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PULUMI_PROJECT": self.graph.project,
                "PULUMI_STACK": self.graph.stack,
                "PULUMI_ORGANIZATION": self.graph.organization,
                "PULUMI_DRY_RUN": "true" if self.graph.dry_run else "false",
            }
        )
        if self.graph.config:
            env["PULUMI_CONFIG"] = json.dumps(dict(self.graph.config))
        else:
            env.pop("PULUMI_CONFIG", None)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["CDCML_PARENT_PID"] = str(os.getpid())
        return env

    def start(self) -> None:
        import grpc
        from pulumi.runtime.proto import analyzer_pb2_grpc

        if not (self.directory / "PulumiPolicy.yaml").exists():
            raise PackError(f"policy pack {self.directory} has no PulumiPolicy.yaml")
        _install_sigterm_handler()
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=2), options=[("grpc.max_receive_message_length", _MAX_MESSAGE)]
        )
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._server)
        engine_port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        engine_address = f"127.0.0.1:{engine_port}"

        self._proc = subprocess.Popen(
            [self.python, "-u", "-c", _LAUNCH, engine_address, "."],
            cwd=self.directory,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.pid = self._proc.pid
        with _LIVE_LOCK:
            _LIVE.add(self)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        port = self._read_port()
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", _MAX_MESSAGE)]
        )
        try:
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        except grpc.FutureTimeoutError:
            raise PackError(
                f"policy pack {self.directory.name} printed port {port} but never accepted a connection"
            ) from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake(engine_address)

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw[:_LINE].decode("utf-8", "replace").rstrip()
            if line:
                self._stderr.append(line)
                del self._stderr[:-50]

    def _drain_stdout(self) -> None:
        """The first line is the port; the rest (what policies print) is read and dropped,
        so the pack never blocks on a full pipe."""
        assert self._proc is not None and self._proc.stdout is not None
        stdout: Any = self._proc.stdout  # a BufferedReader: read1 returns what is there
        self._port.put(stdout.readline(_LINE))
        while stdout.read1(1 << 16):
            pass

    def _last_error(self) -> str:
        for line in reversed(self._stderr):
            if line.strip() and not line.startswith(("Traceback", "  ")):
                return " ".join(line.split())
        return "no output on stderr"

    def _read_port(self) -> int:
        assert self._proc is not None
        name = self.directory.name
        try:
            first = self._port.get(timeout=self.start_timeout)
        except queue.Empty:
            raise PackError(f"policy pack {name} did not print its port within {self.start_timeout:g} s") from None
        line = first.decode("utf-8", "replace").strip()
        if not line:
            self._proc.wait(timeout=10)
            time.sleep(0.1)
            raise PackError(
                f"policy pack {name} exited with code {self._proc.returncode} before printing its "
                f"port: {self._last_error()}"
            )
        try:
            return int(line)
        except ValueError:
            raise PackError(f"policy pack {name} printed {line[:80]!r} instead of its port") from None

    def _handshake(self, engine_address: str) -> None:
        from pulumi.runtime import proto

        directory = str(self.directory)
        self.call_tolerant(
            "Handshake",
            proto.AnalyzerHandshakeRequest(
                engine_address=engine_address, root_directory=directory, program_directory=directory
            ),
        )
        self.call_tolerant("ConfigureStack", stack_configure_request(self.graph))

    def call(self, method: str, request: Any) -> Any:
        if self.stub is None:
            raise PackError("policy pack process is not running")
        return self._rpc(method, request, tolerate_unimplemented=False)

    def call_tolerant(self, method: str, request: Any) -> Any:
        """A call the engine tolerates being unimplemented (Handshake, ConfigureStack)."""
        assert self.stub is not None
        return self._rpc(method, request, tolerate_unimplemented=True)

    def _rpc(self, method: str, request: Any, *, tolerate_unimplemented: bool) -> Any:
        import grpc

        try:
            return getattr(self.stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as e:
            if tolerate_unimplemented and e.code() == grpc.StatusCode.UNIMPLEMENTED:
                return None
            name = self.directory.name
            on = f" on {request.urn}" if getattr(request, "urn", "") else ""
            if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise PackError(
                    f"policy pack {name}: {method}{on} timed out after {self.call_timeout:g} s "
                    "(raise the limit with --policy-timeout or CDCML_POLICY_TIMEOUT)"
                ) from None
            ended = self._ended()
            if ended is not None:
                raise PackError(f"policy pack {name} {ended} during {method}{on}") from None
            detail = " ".join(str(e.details() or e.code()).split())
            raise PackError(f"policy pack {name}: {method} failed: {detail}") from None

    def _ended(self) -> str | None:
        """How the pack process ended, if it did (a call fails as soon as its socket closes)."""
        assert self._proc is not None
        try:
            code = self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return None
        return describe_exit(code)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None:
            if self._proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGTERM)
                try:
                    self._proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self._proc.pid, signal.SIGKILL)
                    self._proc.wait(timeout=5)
            for stream in (self._proc.stdout, self._proc.stderr):
                if stream is not None:
                    stream.close()
        if self._server is not None:
            self._server.stop(grace=None)
        with _LIVE_LOCK:
            _LIVE.discard(self)


@contextmanager
def open_sessions(
    graph: ResourceGraph,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig | None] | None = None,
    **process_options: Any,
) -> Iterator[list[PackSession]]:
    """Start one process per pack and yield engine-side sessions on them."""
    with ExitStack() as stack:
        sessions = []
        for i, pack in enumerate(packs):
            if pack.directory is None:
                raise PackError(f"policy pack {pack.name} was built in-process and has no directory to run")
            cfg = configs[i] if configs is not None and i < len(configs) else None
            proc = stack.enter_context(PackProcess(pack.directory, graph, **process_options))
            sessions.append(
                PackSession(
                    call=proc.call,
                    name=pack.name,
                    version=pack.version,
                    config=cfg if cfg is not None else reconcile(pack),
                    stack_configured=True,
                )
            )
        yield sessions


def analyze_graph_grpc(
    graph: ResourceGraph,
    packs: Sequence[Pack],
    configs: Sequence[PackConfig | None] | None = None,
    *,
    apply_remediations: bool | None = None,
    **process_options: Any,
) -> Findings:
    """Findings for *graph* from pack processes driven over gRPC exactly like the engine."""
    with open_sessions(graph, packs, configs, **process_options) as sessions:
        return analyze_graph(graph, sessions, apply_remediations=apply_remediations)
