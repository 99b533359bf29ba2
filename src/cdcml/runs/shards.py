"""Sharding a backend's stacks across CI jobs (``policy analyze --all --shard K/N``).

A stack's shard depends on its fully qualified name and N only — not on the other stacks,
nor on the order a backend lists them: the name's SHA-256 is the key of a *jump
consistent hash* (Lamping and Veach, 2014) over N buckets. Adding or removing a stack
moves no other stack; going from N to N + 1 shards moves about 1/(N + 1) of them (see
docs/design-notes.md, "Sharding by a hash of the stack's name").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["ShardSpec", "listing_digest", "parse_shard", "shard_of", "split"]

_SPEC = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")


@dataclass(frozen=True)
class ShardSpec:
    """``K/N``: the K-th (from 1) of N shards."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index


def parse_shard(text: str) -> ShardSpec:
    """``K/N`` with 1 ≤ K ≤ N; ``ValueError`` (with a sentence saying why) otherwise."""
    m = _SPEC.match(text)
    if m is None:
        raise ValueError(f"{text[:40]!r} is not K/N (the K-th of N shards, e.g. 2/3)")
    index, count = int(m.group(1)), int(m.group(2))
    if count < 1:
        raise ValueError(f"{text!r}: the number of shards must be at least 1")
    if not 1 <= index <= count:
        raise ValueError(f"{text!r}: the shard must be between 1 and {count}")
    return ShardSpec(index, count)


def _jump(key: int, buckets: int) -> int:
    """Jump consistent hash: the bucket (0 … buckets - 1) of a 64-bit *key*."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & 0xFFFFFFFFFFFFFFFF
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def shard_of(name: str, count: int) -> int:
    """The shard (1 … *count*) of the stack whose fully qualified name is *name*."""
    if count < 1:
        raise ValueError("the number of shards must be at least 1")
    key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return _jump(key, count) + 1


def listing_digest(names: Iterable[str]) -> str:
    """A digest of the stack names a run listed, whatever their order: shards of one run
    have the same."""
    text = "\n".join(sorted(names))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(names: Sequence[str], count: int) -> list[list[int]]:
    """For each shard, the positions in *names* of its stacks (tests, docs)."""
    out: list[list[int]] = [[] for _ in range(count)]
    for i, name in enumerate(names):
        out[shard_of(name, count) - 1].append(i)
    return out
