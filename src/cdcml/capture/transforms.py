"""Resource and invoke transforms, applied as the engine applies them.

``ResourceOptions(transforms=[...])``, ``pulumi.runtime.register_resource_transform`` and
``pulumi.runtime.register_invoke_transform`` don't run in the SDK: the SDK registers each
function with its callback server and sends the engine a ``Callback{target, token}``; the
engine calls it back for every resource (and invoke) it applies to. :class:`Transforms`
plays the engine's part (``pkg/resource/deploy/source_eval.go``: ``RegisterResource``,
``Invoke``, ``wrapTransformCallback``):

* a resource's transforms run in this order: its own, then its parents' (walking up the
  parent chain), then the stack transforms registered so far, in registration order;
* each gets the properties as the engine marshals them (secrets and unknowns as output
  values; with transforms of its own, each property with dependencies an output value
  carrying them) and the options as ``TransformResourceOptions``; what it returns
  replaces them (nothing returned: unchanged);
* the request is then rebuilt from the result: options, and, for a resource with
  transforms of its own, the dependencies re-derived from ``dependsOn`` and the output
  values in the properties (the engine's rule, quirks included);
* stack invoke transforms run, in registration order, on every invoke's arguments and
  options.

The callback runs in the program's own callback servicer object, on the program's event
loop, with the serialized request: the SDK's own (de)serialization, without a gRPC round
trip. A transform that raises fails the program with :class:`TransformError`, whose
traceback is the transform's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine, Iterable, Mapping
from queue import Empty
from typing import Any, cast

from cdcml.model.values import OUTPUT_VALUE_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_SENTINELS
from cdcml.structs import from_struct, to_struct

__all__ = ["TransformError", "Transforms"]

# TransformResourceOptions field <- RegisterResourceRequest field, for the options that map
# one to one (aliases, dependencies, the provider and deleteBeforeReplace are done apart).
_SAME_OPTIONS = (
    ("protect", "protect"),
    ("ignore_changes", "ignoreChanges"),
    ("replace_on_changes", "replaceOnChanges"),
    ("replacement_trigger", "replacement_trigger"),
    ("version", "version"),
    ("providers", "providers"),
    ("hide_diff", "hideDiffs"),
    ("custom_timeouts", "customTimeouts"),
    ("plugin_download_url", "pluginDownloadURL"),
    ("retain_on_delete", "retainOnDelete"),
    ("deleted_with", "deletedWith"),
    ("replace_with", "replace_with"),
    ("additional_secret_outputs", "additionalSecretOutputs"),
    ("plugin_checksums", "pluginChecksums"),
    ("hooks", "hooks"),
    ("import", "importId"),
)
_INVOKE_OPTIONS = (
    ("provider", "provider"),
    ("version", "version"),
    ("plugin_download_url", "pluginDownloadURL"),
    ("plugin_checksums", "pluginChecksums"),
)


class TransformError(Exception):
    """A transform raised: the program fails with this, at the transform's own frame."""


class Transforms:
    """The transforms of one capture: the stack's, and each registered resource's own
    (with its parent, for the walk up the chain). The monitor calls it from the SDK's
    executor thread, and registers stack transforms from the program's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stack: list[Any] = []  # Callback, in registration order
        self._invoke: list[Any] = []
        self._own: dict[str, list[Any]] = {}  # urn -> the resource's own transforms
        self._parents: dict[str, str] = {}  # urn -> parent urn
        self._component_providers: dict[str, dict[str, str]] = {}  # component urn -> its providers

    def register_stack(self, callback: Any) -> None:
        """``RegisterStackTransform``: applies to every resource registered from now on."""
        with self._lock:
            self._stack.append(_copy(callback))

    def register_stack_invoke(self, callback: Any) -> None:
        """``RegisterStackInvokeTransform``: applies to every invoke from now on."""
        with self._lock:
            self._invoke.append(_copy(callback))

    def registered(self, urn: str, request: Any) -> None:
        """Note the resource *urn* registered by *request* (after :meth:`apply`): its own
        transforms then apply to its children too."""
        with self._lock:
            self._own[urn] = list(request.transforms)
            self._parents[urn] = request.parent
            if not request.custom:
                self._component_providers[urn] = dict(request.providers)

    def apply(self, request: Any) -> Any:
        """*request* (a ``RegisterResourceRequest``) as the engine registers it after
        running the transforms that apply to it; *request* itself when none does."""
        own = list(request.transforms)
        with self._lock:
            chain = own + self._parent_transforms(request.parent) + self._stack
            if not chain:
                return request
            provider = self._resolve_provider(request)
        from pulumi.runtime.proto import resource_pb2

        props = from_struct(request.object) if request.HasField("object") else {}
        deps = list(dict.fromkeys(request.dependencies))
        prop_deps = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        engine_props = {k: _upgrade(v) for k, v in props.items()}
        if own:
            # A request without per-property dependencies: each property depends on them all.
            every = dict.fromkeys(props, deps) if not prop_deps and not request.remote else {}
            engine_props = _with_dependencies(engine_props, prop_deps or every)
        opts = _transform_options(request, provider)
        for callback in chain:
            message = resource_pb2.TransformRequest(
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                properties=to_struct(engine_props),
                options=opts,
            )
            response = resource_pb2.TransformResponse.FromString(
                _call(callback, message.SerializeToString(), f"resource {request.name!r} ({request.type})")
            )
            if response.HasField("properties"):
                engine_props = from_struct(response.properties)
            if response.HasField("options"):
                opts = response.options
        if own:
            deps, prop_deps = _rederived_dependencies(opts.depends_on, engine_props)
        else:
            for key, value in engine_props.items():
                prop_deps[key] = list(dict.fromkeys([*prop_deps.get(key, []), *_output_dependencies(value)]))
        return _rebuilt(request, {k: _downgrade(v) for k, v in engine_props.items()}, opts, deps, prop_deps)

    def apply_invoke(self, request: Any) -> Any:
        """*request* (a ``ResourceInvokeRequest``) after the stack invoke transforms;
        *request* itself when there are none."""
        with self._lock:
            chain = list(self._invoke)
        if not chain:
            return request
        from pulumi.runtime.proto import resource_pb2

        args = request.args
        opts = resource_pb2.TransformInvokeOptions()
        for field, source in _INVOKE_OPTIONS:
            _copy_field(request, source, opts, field)
        for callback in chain:
            message = resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=opts)
            response = resource_pb2.TransformInvokeResponse.FromString(
                _call(callback, message.SerializeToString(), f"invoke {request.tok}")
            )
            if response.HasField("args"):
                args = response.args
            if response.HasField("options"):
                opts = response.options
        out = type(request)()
        out.CopyFrom(request)
        out.args.CopyFrom(to_struct({k: _downgrade(v) for k, v in from_struct(args).items()}))
        for field, source in _INVOKE_OPTIONS:
            _copy_field(opts, field, out, source)
        return out

    # ---- under the lock

    def _parent_transforms(self, parent: str) -> list[Any]:
        found: list[Any] = []
        seen: set[str] = set()
        while parent and parent not in seen:
            seen.add(parent)
            found.extend(self._own.get(parent, ()))
            parent = self._parents.get(parent, "")
        return found

    def _resolve_provider(self, request: Any) -> str:
        """The engine's ``resolveProvider``: the request's provider, else its ``providers``
        entry for the package, else its component parent's (custom resources only)."""
        if not (request.custom or request.remote) or request.provider:
            return str(request.provider)
        package = request.type.split(":", 1)[0]
        if package in request.providers:
            return str(request.providers[package])
        return self._component_providers.get(request.parent, {}).get(package, "")


def _copy(message: Any) -> Any:
    out = type(message)()
    out.CopyFrom(message)
    return out


def _has_field(message: Any, name: str) -> bool:
    return name in message.DESCRIPTOR.fields_by_name


def _copy_field(source: Any, source_field: str, dest: Any, dest_field: str) -> None:
    """Copy one field between protobuf messages; a field either SDK's protocol lacks is
    skipped, an unset optional one cleared."""
    if not (_has_field(source, source_field) and _has_field(dest, dest_field)):
        return
    field = source.DESCRIPTOR.fields_by_name[source_field]
    if field.has_presence and not source.HasField(source_field):
        dest.ClearField(dest_field)
        return
    value = getattr(source, source_field)
    if field.message_type is not None and not _is_repeated(field):
        getattr(dest, dest_field).CopyFrom(value)
    elif _is_repeated(field):
        target = getattr(dest, dest_field)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            target.clear()
            target.update(dict(value))
        else:
            del target[:]
            target.extend(value)
    else:
        setattr(dest, dest_field, value)


def _is_repeated(field: Any) -> bool:
    return bool(field.label == field.LABEL_REPEATED)


def _transform_options(request: Any, provider: str) -> Any:
    """The ``TransformResourceOptions`` the engine builds from a ``RegisterResourceRequest``."""
    from pulumi.runtime.proto import alias_pb2, resource_pb2

    opts = resource_pb2.TransformResourceOptions()
    for field, source in _SAME_OPTIONS:
        _copy_field(request, source, opts, field)
    opts.depends_on.extend(request.dependencies)
    opts.provider = provider
    opts.aliases.extend([alias_pb2.Alias(urn=u) for u in request.aliasURNs])
    opts.aliases.extend(request.aliases)
    # The Go SDK doesn't set deleteBeforeReplaceDefined: a true value counts as set.
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        opts.delete_before_replace = request.deleteBeforeReplace
    return opts


def _rebuilt(
    request: Any, props: Mapping[str, Any], opts: Any, deps: list[str], prop_deps: Mapping[str, list[str]]
) -> Any:
    """A copy of *request* with the transformed properties, options and dependencies."""
    out = _copy(request)
    out.object.CopyFrom(to_struct(props))
    for field, source in _SAME_OPTIONS:
        _copy_field(opts, field, out, source)
    del out.dependencies[:]
    out.dependencies.extend(deps)
    out.ClearField("propertyDependencies")
    for key, urns in prop_deps.items():
        out.propertyDependencies[key].urns.extend(urns)
    if request.custom or request.remote:
        out.provider = opts.provider
    del out.aliasURNs[:]
    del out.aliases[:]
    out.aliases.extend(opts.aliases)
    out.deleteBeforeReplaceDefined = opts.HasField("delete_before_replace")
    out.deleteBeforeReplace = bool(opts.delete_before_replace)
    return out


def _call(callback: Any, payload: bytes, subject: str) -> bytes:
    """Run the SDK's callback *callback* with *payload* on the program's event loop and
    return its serialized response."""
    from pulumi.runtime._callbacks import _CallbackServicer

    servicer = next((s for s in _CallbackServicer._servicers if s._target == callback.target), None)
    function = servicer._callbacks.get(callback.token) if servicer is not None else None
    if servicer is None or function is None:
        raise RuntimeError(f"{subject}: transform callback {callback.token} at {callback.target} not found")
    loop: asyncio.AbstractEventLoop = servicer._loop
    try:
        if _running_loop() is loop:  # called on the loop's own thread: pump it
            from pulumi.runtime.sync_await import _sync_await

            response = _sync_await(function(payload))
        else:
            coroutine = cast("Coroutine[Any, Any, Any]", function(payload))
            response = _wait(asyncio.run_coroutine_threadsafe(coroutine, loop), loop)
    except Exception as e:  # noqa: BLE001 - whatever a user's transform raises fails the program
        name = _transform_name(servicer, callback.token)
        raise TransformError(f"the transform {name}of {subject} raised {type(e).__name__}: {e}").with_traceback(
            e.__traceback__
        ) from None
    return bytes(response.SerializeToString())


def _transform_name(servicer: Any, token: str) -> str:
    """The transform function's name and a space, or nothing when it can't be told."""
    transforms = getattr(servicer, "_transforms", None) or {}
    function = next((f for f, t in transforms.items() if t == token), None)
    name = getattr(function, "__qualname__", "")
    return f"{name} " if name and "<lambda>" not in name else ""


def _wait(future: concurrent.futures.Future[Any], loop: asyncio.AbstractEventLoop) -> Any:
    """The result of *future*, waited for on the thread of the loop's executor that runs
    the monitor. The engine serves registrations concurrently; the capture's executor may
    have this one thread, and a transform may wait for a resource whose registration is
    queued behind this one (a new ``dependsOn``). So the queued monitor calls run here
    meanwhile, in their order, as the executor would run them."""
    executor = getattr(loop, "_default_executor", None)
    queue = getattr(executor, "_work_queue", None)
    if queue is None or threading.current_thread() not in getattr(executor, "_threads", ()):
        return future.result()
    # The future's end wakes this loop up with a work item that does nothing (the timeout
    # is a backstop, for an executor with more threads, one of which took the wake-up).
    future.add_done_callback(lambda _: queue.put(_WakeUp()))
    while not future.done():
        try:
            item = queue.get(timeout=0.05)
        except Empty:
            continue
        if item is None:  # the executor shuts down: leave the signal for its workers
            queue.put(None)
            return future.result()
        item.run()
    return future.result()


class _WakeUp:
    """A work item (for ``ThreadPoolExecutor``'s queue) that does nothing."""

    def run(self) -> None:
        return None


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# ---- property values, as the engine marshals them


def _output(value: Any = None, *, known: bool = True, secret: bool = False, deps: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {SIG_KEY: OUTPUT_VALUE_SIG}
    if known:
        out["value"] = value
    if secret:
        out["secret"] = True
    dependencies = list(deps)
    if dependencies:
        out["dependencies"] = dependencies
    return out


def _is_output(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == OUTPUT_VALUE_SIG


def _upgrade(value: Any) -> Any:
    """A value as the engine unmarshals it with ``UpgradeToOutputValues`` and marshals it
    to a transform: secrets and unknowns become output values, everything else stays."""
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return _output(known=False)
    if isinstance(value, list):
        return [_upgrade(v) for v in value]
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return _output(_upgrade(value.get("value")), secret=True)
        if sig is not None:  # assets, archives, resource references, output values
            return value
        return {k: _upgrade(v) for k, v in value.items()}
    return value


def _with_dependencies(props: Mapping[str, Any], prop_deps: Mapping[str, list[str]]) -> dict[str, Any]:
    """The engine's ``upgradeOutputValues``: each property with dependencies it doesn't
    carry yet becomes an output value carrying them."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        wanted = prop_deps.get(key) or []
        if not wanted or set(wanted) <= set(_output_dependencies(value)):
            out[key] = value
            continue
        if _is_output(value):
            merged = list(dict.fromkeys([*value.get("dependencies", []), *wanted]))
            out[key] = {**value, "dependencies": merged}
        else:
            out[key] = _output(value, deps=dict.fromkeys(wanted))
    return out


def _output_dependencies(value: Any) -> list[str]:
    """The engine's ``addOutputDependencies``: the dependencies of every output value in
    *value*, in order, once each."""
    found: list[str] = []
    if isinstance(value, list):
        for v in value:
            found.extend(_output_dependencies(v))
    elif isinstance(value, dict):
        if _is_output(value):
            found.extend(_output_dependencies(value.get("value")))
            found.extend(value.get("dependencies", []))
        elif value.get(SIG_KEY) is None:
            for v in value.values():
                found.extend(_output_dependencies(v))
    return list(dict.fromkeys(found))


def _rederived_dependencies(
    depends_on: Iterable[str], props: Mapping[str, Any]
) -> tuple[list[str], dict[str, list[str]]]:
    """After a resource's own transforms, the engine re-derives its dependencies: the
    transformed ``dependsOn``, and per property the dependencies of its output values."""
    deps = list(dict.fromkeys(depends_on))
    prop_deps: dict[str, list[str]] = {}
    for key, value in props.items():
        prop_deps[key] = _output_dependencies(value)
        deps.extend(d for d in prop_deps[key] if d not in deps)
    return deps, prop_deps


def _downgrade(value: Any) -> Any:
    """A value as the SDK sends it: output values back to secrets, unknowns and plain
    values."""
    if isinstance(value, list):
        return [_downgrade(v) for v in value]
    if not isinstance(value, dict):
        return value
    if _is_output(value):
        inner = _downgrade(value["value"]) if "value" in value else UNKNOWN
        return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
    if value.get(SIG_KEY) is not None:
        return value
    return {k: _downgrade(v) for k, v in value.items()}
