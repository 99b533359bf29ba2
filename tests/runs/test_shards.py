"""Sharding a backend's stacks: every stack in exactly one shard, whatever order the
backend lists them in, and a stack's shard depends on its name and the number of shards
only (adding stacks moves none; one more shard moves few)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdcml.runs.shards import ShardSpec, listing_digest, parse_shard, shard_of, split

_NAME = st.from_regex(r"organization/[a-z][a-z0-9-]{0,12}/[A-Za-z0-9_.-]{1,16}", fullmatch=True)
_NAMES = st.lists(_NAME, unique=True, max_size=60)


@settings(max_examples=200)
@given(names=_NAMES, count=st.integers(1, 40), seed=st.integers(0, 2**32))
def test_every_stack_lands_in_exactly_one_shard_whatever_the_listing_order(names, count, seed):
    shards = split(names, count)
    assert len(shards) == count
    assert sorted(p for shard in shards for p in shard) == list(range(len(names)))
    for k, positions in enumerate(shards, start=1):
        assert all(ShardSpec(k, count).holds(names[p]) for p in positions)
        assert sum(ShardSpec(k, count).holds(n) for n in names) == len(positions)
    shuffled = list(names)
    random.Random(seed).shuffle(shuffled)
    by_name = {n: k for k, positions in enumerate(shards, start=1) for p in positions for n in [names[p]]}
    again = split(shuffled, count)
    assert {shuffled[p]: k for k, positions in enumerate(again, start=1) for p in positions} == by_name
    assert listing_digest(shuffled) == listing_digest(names)


@settings(max_examples=100)
@given(names=_NAMES, more=_NAMES, count=st.integers(1, 20))
def test_adding_stacks_moves_no_other_stack(names, more, count):
    before = {n: shard_of(n, count) for n in names}
    after = {n: shard_of(n, count) for n in [*names, *more]}
    assert all(after[n] == k for n, k in before.items())


def test_one_more_shard_moves_only_stacks_into_the_new_shard():
    names = [f"organization/p{i % 7}/stack-{i}" for i in range(2000)]
    for count in (1, 2, 3, 8):
        moved = [n for n in names if shard_of(n, count) != shard_of(n, count + 1)]
        assert all(shard_of(n, count + 1) == count + 1 for n in moved)
        # About 1/(N + 1) of the stacks move, and the shards stay balanced.
        assert abs(len(moved) / len(names) - 1 / (count + 1)) < 0.05
        sizes = [len(s) for s in split(names, count + 1)]
        assert max(sizes) < 1.1 * len(names) / (count + 1)


@pytest.mark.parametrize(("text", "index", "count"), [("1/1", 1, 1), ("2/3", 2, 3), (" 3 / 3 ", 3, 3)])
def test_parse_shard(text, index, count):
    assert parse_shard(text) == ShardSpec(index, count)
    assert str(parse_shard(text)) == f"{index}/{count}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0/3", "between 1 and 3"),
        ("4/3", "between 1 and 3"),
        ("1/0", "at least 1"),
        ("x", "is not K/N"),
        ("1/3/4", "is not K/N"),
        ("-1/3", "is not K/N"),
        ("", "is not K/N"),
    ],
)
def test_bad_shards(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_shard(text)
