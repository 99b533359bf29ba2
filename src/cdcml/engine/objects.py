"""The SDK objects a policy is handed, built for speed without changing what a policy sees.

The evaluator gives each policy call the objects the SDK's servicer would give it
(``ResourceValidationArgs``, and for a stack validation one ``PolicyResource`` per live
resource, linked to each other): same classes (subclasses of the SDK's own), same values,
a fresh copy per call. What costs nothing until a policy asks for it is built on first
access, not before ``validate``:

* ``props``: ``unknown_checking_proxy(deserialized)`` (a copy, as the SDK makes);
* ``get_config()``: the policy's config, a fresh copy per call (see
  :meth:`cdcml.engine.config.PackConfig.properties`);
* a ``PolicyResource``'s ``parent``, ``dependencies`` and ``property_dependencies``:
  the other objects of the same validation, from links resolved once per run
  (:class:`Links`), so a policy that never follows a link pays nothing for it.

Every such attribute can be assigned as on the SDK class, and reads back the same object
each time it is read (a policy that appends to ``dependencies`` sees its own append).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from cdcml.model import Resource

__all__ = [
    "Links",
    "StackResources",
    "args_fields",
    "lazy_classes",
    "resource_args",
    "stack_objects",
    "unknown_checking_proxy",
]

_CONFIG = "_ResourceValidationArgs__config"
"""Where the SDK's ``ResourceValidationArgs.__init__`` keeps the config ``get_config()`` returns."""


class Links:
    """Each live resource's parent, dependencies and property dependencies as positions
    among the live resources (resolved once per run; URNs outside them are dropped, as the
    servicer drops references to resources it wasn't sent)."""

    def __init__(self, live: Sequence[Resource]) -> None:
        at = {r.urn: i for i, r in enumerate(live)}
        # The stack index every stack validation of the run shares (see StackResources).
        self.type_order = tuple(r.type for r in live)
        self.urn_order = tuple(r.urn for r in live)
        self.urns: dict[str, int] = at
        by_type: dict[str, list[int]] = {}
        for i, t in enumerate(self.type_order):
            by_type.setdefault(t, []).append(i)
        self.types: dict[str, tuple[int, ...]] = {t: tuple(positions) for t, positions in by_type.items()}
        self.parent: list[int] = []
        self.dependencies: list[tuple[int, ...]] = []
        self.property_dependencies: list[tuple[tuple[str, tuple[int, ...]], ...]] = []
        for r in live:
            self.parent.append(at.get(r.parent, -1))  # no parent, or not a live one: -1
            self.dependencies.append(tuple(at[d] for d in r.dependencies if d in at))
            self.property_dependencies.append(
                tuple(
                    (key, tuple(at[u] for u in urns if u in at))
                    for key, urns in r.property_dependencies.items()
                    if urns
                )
            )


class StackResources(list[Any]):
    """A stack validation's ``args.resources``: a list of its ``PolicyResource`` objects —
    to a policy, a list like any other — that also carries the run's index of them
    (``cdcml_index``, the run's :class:`Links`), made once per run and shared by every stack
    validation: ``type_order`` and ``urn_order`` (each position's type and URN),
    ``types`` (type → positions) and ``urns`` (URN → position).
    :class:`cdcml.policies.stack.StackIndex` reads it instead of indexing the list again,
    once it has checked that the list's types and URNs are still the ones indexed."""

    __slots__ = ("cdcml_index",)

    cdcml_index: Links


def unknown_checking_proxy(props: dict[str, Any]) -> Any:
    """``pulumi_policy.proxy.unknown_checking_proxy(props)``, built as it is read: a level of
    the SDK's proxy tree (a dict or list copy whose containers are proxies) is made the first
    time the policy touches it, so what a policy never reads costs nothing.

    The objects are subclasses of the SDK's ``_DictProxy`` and ``_ListProxy`` with the same
    names; the SDK's own methods run on them (``__getitem__``, ``__len__``, ``__iter__``,
    ``__setitem__``, the ``"__target"`` key) and see the same targets, paths and values, so
    reads, unknown-value errors and writes are the SDK's. *props* is shared, never written:
    each proxy's level is a copy of its part of it, made on first touch."""
    _proxy_classes()
    return _lazy_proxy(props, [])


_LAZY: dict[type[Any], type[Any]] = {}
"""``dict`` → the lazy ``_DictProxy``, ``list`` → the lazy ``_ListProxy`` (made by
:func:`_proxy_classes`: the SDK is imported when a run first needs it)."""


def _lazy_proxy(value: Any, path: list[str]) -> Any:
    """The unbuilt proxy of a dict or list *value* at *path*."""
    obj = object.__new__(_LAZY[dict] if isinstance(value, dict) else _LAZY[list])
    obj.__dict__ = {"_cdcml_source": value, "_cdcml_path": path}
    return obj


def _level(self: Any) -> Any:
    """A lazy proxy's target (``__target``), made from its source on first touch."""
    d = self.__dict__
    target = d.get("_cdcml_target")
    if target is None:
        source, path = d.pop("_cdcml_source"), d["_cdcml_path"]
        if isinstance(source, dict):
            target = {}
            for key in source:
                v = source[key]
                target[key] = _lazy_proxy(v, [*path, str(key)]) if isinstance(v, (list, dict)) else v
        else:
            target = [
                _lazy_proxy(e, [*path, str(i)]) if isinstance(e, (list, dict)) else e for i, e in enumerate(source)
            ]
        d["_cdcml_target"] = target
    return target


def _set_level(self: Any, value: Any) -> None:
    self.__dict__["_cdcml_target"] = value  # a target, once there, is what the proxy reads


def _path(self: Any) -> Any:
    return self.__dict__["_cdcml_path"]


def _set_path(self: Any, value: Any) -> None:
    self.__dict__["_cdcml_path"] = value


def _copy(self: Any) -> Any:
    """``copy.copy``: a copy of an SDK proxy shares its target, so this one's is made first."""
    _level(self)
    obj = object.__new__(type(self))
    obj.__dict__ = dict(self.__dict__)
    return obj


@functools.cache
def _proxy_classes() -> tuple[type[Any], type[Any]]:
    """The lazy proxy classes (also put in :data:`_LAZY`)."""
    from pulumi_policy import proxy as sdk_proxy

    class _DictProxy(sdk_proxy._DictProxy):
        __doc__ = sdk_proxy._DictProxy.__doc__
        __copy__ = _copy
        _DictProxy__target = property(_level, _set_level)
        _DictProxy__props_acc = property(_path, _set_path)

    class _ListProxy(sdk_proxy._ListProxy):
        __doc__ = sdk_proxy._ListProxy.__doc__
        __copy__ = _copy
        _ListProxy__target = property(_level, _set_level)
        _ListProxy__props_acc = property(_path, _set_path)

    _LAZY.update({dict: _DictProxy, list: _ListProxy})
    return _DictProxy, _ListProxy


def _props(self: Any) -> Any:
    """``props`` of an args or resource object: the proxy of its source, made on first read
    (and passed through its wrap, if it has one)."""
    d = self.__dict__
    if "_cdcml_props" not in d:
        proxy = unknown_checking_proxy(d.pop("_cdcml_source"))
        wrap = d.pop("_cdcml_wrap", None)
        d["_cdcml_props"] = proxy if wrap is None else wrap(proxy)
    return d["_cdcml_props"]


def _set_props(self: Any, value: Any) -> None:
    self.__dict__["_cdcml_props"] = value


def _get_config(self: Any) -> Any:
    """What ``get_config()`` returns: ``config()`` on first call (``{}`` for ``None``)."""
    d = self.__dict__
    if "_cdcml_config" not in d:
        value = d["_cdcml_config_of"]()
        d["_cdcml_config"] = value if value is not None else {}
    return d["_cdcml_config"]


def _set_config(self: Any, value: Any) -> None:
    self.__dict__["_cdcml_config"] = value


def _link(name: str, resolve: Callable[[list[Any], Links, int], Any]) -> property:
    """A resource object's *name* link, resolved against its validation's objects on first read."""
    key = f"_cdcml_{name}"
    return property(functools.partial(_read_link, key, resolve), functools.partial(_write_link, key))


def _read_link(key: str, resolve: Callable[[list[Any], Links, int], Any], obj: Any) -> Any:
    d = obj.__dict__
    if key not in d:
        objects, links = d["_cdcml_at"]
        d[key] = resolve(objects, links, d["_cdcml_i"])
    return d[key]


def _write_link(key: str, obj: Any, value: Any) -> None:
    obj.__dict__[key] = value


def _parent(objects: list[Any], links: Links, i: int) -> Any:
    return objects[links.parent[i]] if links.parent[i] >= 0 else None


def _dependencies(objects: list[Any], links: Links, i: int) -> list[Any]:
    return [objects[j] for j in links.dependencies[i]]


def _property_dependencies(objects: list[Any], links: Links, i: int) -> dict[str, list[Any]]:
    return {k: [objects[j] for j in js] for k, js in links.property_dependencies[i]}


@functools.cache
def lazy_classes(sdk: Any) -> tuple[type[Any], type[Any]]:
    """Subclasses of the SDK's ``ResourceValidationArgs`` and ``PolicyResource`` whose lazy
    attributes (see the module) are built on first read. Create an args object with
    :func:`resource_args`, a resource object with :func:`stack_objects`. *sdk* is the
    ``pulumi_policy.policy`` module."""

    class ResourceValidationArgs(sdk.ResourceValidationArgs):  # type: ignore[misc]
        __doc__ = sdk.ResourceValidationArgs.__doc__
        props = property(_props, _set_props)

    setattr(ResourceValidationArgs, _CONFIG, property(_get_config, _set_config))

    class PolicyResource(sdk.PolicyResource):  # type: ignore[misc]
        __doc__ = sdk.PolicyResource.__doc__
        props = property(_props, _set_props)
        parent = _link("parent", _parent)
        dependencies = _link("dependencies", _dependencies)
        property_dependencies = _link("property_dependencies", _property_dependencies)

    return ResourceValidationArgs, PolicyResource


def args_fields(
    resource_type: str, urn: str, name: str, opts: Any, provider: Any, stack_tags: Any, deserialized: dict[str, Any]
) -> dict[str, Any]:
    """What every ``ResourceValidationArgs`` of one resource holds (made once per resource,
    for :func:`resource_args`): the SDK's attributes, and the deserialized inputs its
    ``props`` are made from."""
    return {
        "resource_type": resource_type,
        "urn": urn,
        "name": name,
        "opts": opts,
        "provider": provider,
        "stack_tags": stack_tags,
        "_cdcml_source": deserialized,
    }


def resource_args(
    cls: type[Any], fields: dict[str, Any], config: Callable[[], Any], wrap: Callable[[Any], Any] | None = None
) -> Any:
    """A fresh ``ResourceValidationArgs`` (*cls*, the first of :func:`lazy_classes`) for one
    policy call: the SDK's attributes from *fields* (:func:`args_fields`); ``props`` made
    from them on first read, passed through *wrap* if given; ``get_config()`` the value of
    *config()* on first call (``{}`` for ``None``). Made without running ``__init__``: it
    holds what ``__init__`` would have stored."""
    args = object.__new__(cls)
    d = fields.copy()
    d["_cdcml_wrap"] = wrap
    d["_cdcml_config_of"] = config
    args.__dict__ = d
    return args


def stack_objects(
    sdk: Any,
    converted: Sequence[tuple[Resource, dict[str, Any], Any, Any]],
    links: Links,
    observe: Callable[[Resource], Callable[[Any], Any]] | None,
    templates: list[dict[str, Any]],
) -> list[Any]:
    """One stack validation's ``PolicyResource`` objects (fresh ones, for one policy) of
    *converted* — ``(resource, deserialized outputs, options, provider)`` per live
    resource — linked by *links*. *templates* (an empty list the first time, then the same
    list) keeps each object's unchanging attributes between the validations of a run."""
    cls = lazy_classes(sdk)[1]
    new = object.__new__
    if not templates:
        templates.extend(
            {
                "resource_type": r.type,
                "urn": r.urn,
                "name": r.name,
                "opts": opts,
                "provider": provider,
                "_cdcml_source": props,
                "_cdcml_i": i,
            }
            for i, (r, props, opts, provider) in enumerate(converted)
        )
    objects = StackResources()
    objects.cdcml_index = links
    at = (objects, links)  # one per validation: what a lazy link resolves against
    for i, base in enumerate(templates):
        obj = new(cls)
        d = base.copy()
        d["_cdcml_at"] = at
        if observe is not None:
            d["_cdcml_wrap"] = observe(converted[i][0])
        obj.__dict__ = d
        objects.append(obj)
    return objects
