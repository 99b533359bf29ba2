"""URNs as the engine forms them (where Pulumi's mocks don't).

A resource's URN is ``urn:pulumi:<stack>::<project>::<qualified type>::<name>``; its type
is qualified by its parent's type chain (``parent$child``), except that the root
``pulumi:pulumi:Stack``'s type is never part of the chain. Mock URNs include it
(``pulumi:pulumi:Stack$azure-native:…``); real ones, and cdcml's, don't.
"""

from __future__ import annotations

__all__ = ["ROOT_STACK_TYPE", "engine_urn", "provider_urn", "root_stack_urn", "with_own_type"]

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"


def engine_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's URN for a resource: its type is qualified by its parent's type chain,
    except that the root stack's type is not part of it (mock URNs include it)."""
    qualified = type_
    if parent:
        parent_qualified = parent.split("::")[2]
        if parent_qualified.split("$")[-1] != ROOT_STACK_TYPE:
            qualified = f"{parent_qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def root_stack_urn(stack: str, project: str) -> str:
    """The URN of the root stack resource the language host registers: ``<project>-<stack>``."""
    return f"urn:pulumi:{stack}::{project}::{ROOT_STACK_TYPE}::{project}-{stack}"


def with_own_type(urn: str, type_: str) -> str:
    """*urn* with the last type of its type chain replaced by *type_* (the URN a type alias
    stands for): the parents' types and the name stay."""
    prefix, _, name = urn.rpartition("::")
    head, _, qualified = prefix.rpartition("::")
    chain = qualified.split("$")
    return f"{head}::{'$'.join([*chain[:-1], type_])}::{name}"


def provider_urn(reference: str) -> str:
    """The URN part of a provider reference ``"<provider urn>::<provider id>"``."""
    return reference.rsplit("::", 1)[0]
