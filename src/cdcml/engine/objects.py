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

__all__ = ["Links", "lazy_classes", "stack_objects", "unknown_checking_proxy"]

_CONFIG = "_ResourceValidationArgs__config"
"""Where the SDK's ``ResourceValidationArgs.__init__`` keeps the config ``get_config()`` returns."""


class Links:
    """Each live resource's parent, dependencies and property dependencies as positions
    among the live resources (resolved once per run; URNs outside them are dropped, as the
    servicer drops references to resources it wasn't sent)."""

    def __init__(self, live: Sequence[Resource]) -> None:
        at = {r.urn: i for i, r in enumerate(live)}
        self.parent: list[int] = []
        self.dependencies: list[tuple[int, ...]] = []
        self.property_dependencies: list[tuple[tuple[str, tuple[int, ...]], ...]] = []
        for r in live:
            self.parent.append(at.get(r.parent, -1) if r.parent else -1)
            self.dependencies.append(tuple(at[d] for d in r.dependencies if d in at))
            self.property_dependencies.append(
                tuple(
                    (key, tuple(at[u] for u in urns if u in at))
                    for key, urns in r.property_dependencies.items()
                    if urns
                )
            )


def unknown_checking_proxy(props: dict[str, Any]) -> Any:
    """``pulumi_policy.proxy.unknown_checking_proxy(props)``, the same objects built faster:
    the SDK makes a path list for every value and throws away those of scalars; this makes
    them only for the lists and dicts that keep them."""
    from pulumi_policy.proxy import _DictProxy, _ListProxy

    new = object.__new__

    def proxy(value: Any, path: list[str]) -> Any:
        if isinstance(value, list):
            elems = [proxy(e, [*path, str(i)]) if isinstance(e, (list, dict)) else e for i, e in enumerate(value)]
            seq: Any = new(_ListProxy)
            seq.__dict__.update(_ListProxy__target=elems, _ListProxy__props_acc=path)
            return seq
        if isinstance(value, dict):
            d: dict[Any, Any] = {}
            for key in value:
                v = value[key]
                d[key] = proxy(v, [*path, str(key)]) if isinstance(v, (list, dict)) else v
            mapping: Any = new(_DictProxy)
            mapping.__dict__.update(_DictProxy__target=d, _DictProxy__props_acc=path)
            return mapping
        return value

    return proxy(props, [])


@functools.cache
def lazy_classes(sdk: Any) -> tuple[type[Any], type[Any]]:
    """Subclasses of the SDK's ``ResourceValidationArgs`` and ``PolicyResource`` whose lazy
    attributes (see the module) are built on first read. Create an args object with
    ``props=None, config=None``, then ``_cdcml_defer(deserialized, wrap, config)``; a
    resource object with :func:`stack_objects`. *sdk* is the ``pulumi_policy.policy`` module."""

    class LazyProps:
        def _cdcml_defer(
            self,
            deserialized: dict[str, Any],
            wrap: Callable[[Any], Any] | None = None,
            config: Callable[[], Any] | None = None,
        ) -> None:
            d = self.__dict__
            d.pop("_cdcml_props", None)
            d["_cdcml_source"] = deserialized
            d["_cdcml_wrap"] = wrap
            if config is not None:
                d.pop("_cdcml_config", None)
                d["_cdcml_config_of"] = config

        @property
        def props(self) -> Any:
            d = self.__dict__
            if "_cdcml_props" not in d:
                proxy = unknown_checking_proxy(d.pop("_cdcml_source"))
                wrap = d.pop("_cdcml_wrap", None)
                d["_cdcml_props"] = proxy if wrap is None else wrap(proxy)
            return d["_cdcml_props"]

        @props.setter
        def props(self, value: Any) -> None:
            d = self.__dict__
            d.pop("_cdcml_source", None)
            d["_cdcml_props"] = value

    def get_config(self: Any) -> Any:
        d = self.__dict__
        if "_cdcml_config" not in d:
            make = d.pop("_cdcml_config_of", None)
            value = make() if make is not None else None
            d["_cdcml_config"] = value if value is not None else {}
        return d["_cdcml_config"]

    def set_config(self: Any, value: Any) -> None:
        d = self.__dict__
        d.pop("_cdcml_config_of", None)
        d["_cdcml_config"] = value

    class ResourceValidationArgs(LazyProps, sdk.ResourceValidationArgs):  # type: ignore[misc]
        __doc__ = sdk.ResourceValidationArgs.__doc__

    setattr(ResourceValidationArgs, _CONFIG, property(get_config, set_config))

    def link(name: str, resolve: Callable[[list[Any], Any, int], Any]) -> property:
        key = f"_cdcml_{name}"

        def read(self: Any) -> Any:
            d = self.__dict__
            if key not in d:
                objects, links, i = d["_cdcml_at"]
                d[key] = resolve(objects, links, i)
            return d[key]

        def write(self: Any, value: Any) -> None:
            self.__dict__[key] = value

        return property(read, write)

    class PolicyResource(LazyProps, sdk.PolicyResource):  # type: ignore[misc]
        __doc__ = sdk.PolicyResource.__doc__
        parent = link("parent", lambda o, ln, i: o[ln.parent[i]] if ln.parent[i] >= 0 else None)
        dependencies = link("dependencies", lambda o, ln, i: [o[j] for j in ln.dependencies[i]])
        property_dependencies = link(
            "property_dependencies", lambda o, ln, i: {k: [o[j] for j in js] for k, js in ln.property_dependencies[i]}
        )

    return ResourceValidationArgs, PolicyResource


def stack_objects(
    sdk: Any,
    converted: Sequence[tuple[Resource, dict[str, Any], Any, Any]],
    links: Links,
    observe: Callable[[Resource], Callable[[Any], Any]] | None,
    templates: list[dict[str, Any]] | None = None,
) -> list[Any]:
    """One stack validation's ``PolicyResource`` objects (fresh ones, for one policy) of
    *converted* — ``(resource, deserialized outputs, options, provider)`` per live
    resource — linked by *links*. *templates* (an empty list the first time, then the same
    list) keeps each object's unchanging attributes between the validations of a run."""
    cls = lazy_classes(sdk)[1]
    new = object.__new__
    if templates is None:
        templates = []
    if not templates:
        templates.extend(
            {
                "resource_type": r.type,
                "urn": r.urn,
                "name": r.name,
                "opts": opts,
                "provider": provider,
                "_cdcml_source": props,
            }
            for r, props, opts, provider in converted
        )
    objects: list[Any] = []
    for i, base in enumerate(templates):
        obj = new(cls)
        d = base.copy()
        d["_cdcml_at"] = (objects, links, i)
        if observe is not None:
            d["_cdcml_wrap"] = observe(converted[i][0])
        obj.__dict__ = d
        objects.append(obj)
    return objects
