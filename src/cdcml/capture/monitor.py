"""The services a program under capture talks to: the resource monitor and the engine.

:func:`monitor_class` builds a ``pulumi.runtime.mocks.MockMonitor`` subclass that keeps
the raw requests (``MockResourceArgs`` drops parents, dependencies, property
dependencies, provider references and options) and answers ``RegisterResource``,
``ReadResource``, ``RegisterResourceOutputs`` and ``Invoke`` like the engine, through a
:class:`~cdcml.capture.recorder.Recorder`, after the program's resource and invoke
transforms (:class:`~cdcml.capture.transforms.Transforms`, which also takes
``RegisterStackTransform`` and ``RegisterStackInvokeTransform``). :class:`EngineLog` is the
engine service the program logs to.
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import empty_pb2

from cdcml.capture.invokes import PLAIN_INVOKE
from cdcml.capture.recorder import Recorder
from cdcml.capture.transforms import Transforms
from cdcml.model.values import is_unknown, reveal
from cdcml.structs import from_struct, to_struct

__all__ = ["EngineLog", "monitor_class"]


class EngineLog:
    """The engine service a program logs to: errors and warnings are kept, the rest
    dropped."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def Log(self, request: Any) -> empty_pb2.Empty:
        from pulumi.runtime.proto import engine_pb2

        msg = str(request.message).strip()
        if request.severity == engine_pb2.ERROR:
            self.errors.append(msg)
        elif request.severity == engine_pb2.WARNING:
            self.warnings.append(msg)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.GetRootResourceResponse()

    def SetRootResource(self, request: Any) -> Any:
        from pulumi.runtime.proto import engine_pb2

        return engine_pb2.SetRootResourceResponse()


def _make_monitor_class() -> type:
    # Imported lazily: importing pulumi costs ~0.3 s and the CLI's --help shouldn't pay it.
    from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
    from pulumi.runtime.proto import resource_pb2

    # A read whose outputs are partly unknown says so where the SDK has the field (recent
    # SDKs resolve what the response leaves out as unknown, instead of None).
    _READ_CAN_BE_UNKNOWN = "unknown" in resource_pb2.ReadResourceResponse.DESCRIPTOR.fields_by_name
    _INVOKE_CAN_BE_UNKNOWN = "unknown" in resource_pb2.ResourceInvokeResponse.DESCRIPTOR.fields_by_name

    class _InvokeMocks(Mocks):
        def __init__(self, recorder: Recorder) -> None:
            self.recorder = recorder

        def call(self, args: MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
            # A bare dict: MockMonitor.Invoke treats it as "no check failures".
            return self.recorder.invoke(args.token, args.args) or {}

        def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:  # pragma: no cover
            raise AssertionError("capture registers resources itself")

    class CaptureMonitor(MockMonitor):
        """A MockMonitor that keeps the raw requests and answers like the engine."""

        def __init__(self, recorder: Recorder) -> None:
            super().__init__(_InvokeMocks(recorder))
            self.recorder = recorder
            self.transforms = Transforms()

        def RegisterResource(self, request: Any) -> Any:
            # The resource's own, its parents' and the stack's transforms first, as the engine.
            request = self.transforms.apply(request)
            rec = self.recorder.register(request)
            self.transforms.registered(rec.urn, request)
            self.resources[rec.urn] = MockMonitor.ResourceRegistration(rec.urn, rec.id, rec.outputs)
            outputs, unknown = self.recorder.provider.response(rec)
            return resource_pb2.RegisterResourceResponse(
                urn=rec.urn, id=rec.id if not is_unknown(rec.id) else "", object=to_struct(outputs), unknown=unknown
            )

        def ReadResource(self, request: Any) -> Any:
            rec = self.recorder.read(request)
            self.resources[rec.urn] = MockMonitor.ResourceRegistration(rec.urn, rec.id, rec.outputs)
            outputs, unknown = self.recorder.provider.response(rec)
            if unknown and _READ_CAN_BE_UNKNOWN:  # resolved mode: what isn't sent stays unknown
                return resource_pb2.ReadResourceResponse(urn=rec.urn, properties=to_struct(outputs), unknown=True)
            return resource_pb2.ReadResourceResponse(urn=rec.urn, properties=to_struct(outputs))

        def RegisterStackTransform(self, request: Any) -> Any:
            self.transforms.register_stack(request)
            return empty_pb2.Empty()

        def RegisterStackInvokeTransform(self, request: Any) -> Any:
            self.transforms.register_stack_invoke(request)
            return empty_pb2.Empty()

        def RegisterResourceOutputs(self, request: Any) -> Any:
            self.recorder.register_outputs(request.urn, from_struct(request.outputs))
            return empty_pb2.Empty()

        def SupportsFeature(self, request: Any) -> Any:
            # Output values stay disabled, as in MockMonitor: inputs then carry plain
            # values, secrets and unknowns, exactly what the engine forwards to analyzers.
            return resource_pb2.SupportsFeatureResponse(hasSupport=request.id != "outputValues")

        def Invoke(self, request: Any) -> Any:
            # Like MockMonitor.Invoke, without creating a never-closed event loop per thread.
            request = self.transforms.apply_invoke(request)
            args = from_struct(request.args)
            if request.tok == "pulumi:pulumi:getResource":
                reg = self.resources.get(args.get("urn", ""))
                if reg is None:
                    raise RuntimeError(f"unknown resource {args.get('urn')}")
                result: dict[str, Any] = {"urn": reg.urn, "id": reg.id, "state": reg.state}
            else:
                plain = PLAIN_INVOKE.get()
                answer = self.recorder.invoke(request.tok, {k: reveal(v) for k, v in args.items()}, plain=plain)
                if answer is None and not plain and _INVOKE_CAN_BE_UNKNOWN:
                    # No offline answer: wholly unknown, as the engine answers an invoke
                    # whose dependencies are pending creation. The plain form can't carry
                    # an unknown: it gets an empty result.
                    return resource_pb2.ResourceInvokeResponse(unknown=True)
                result = answer or {}
            return resource_pb2.ResourceInvokeResponse(**{"return": to_struct(result)})

        def Call(self, request: Any) -> Any:
            raise RuntimeError(f"method call {request.tok} on a component needs its provider, which can't run offline")

    return CaptureMonitor


monitor_class = functools.cache(_make_monitor_class)
"""The monitor class (built once per process): ``monitor_class()(recorder)``."""
