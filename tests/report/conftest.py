"""Shared fixtures of the report tests: the audit-test pack, and audits of several stacks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

import jsonschema
import pytest

from cdcml.engine.config import PackConfig
from cdcml.engine.pack import Pack
from cdcml.model import Verdict, Waiver
from cdcml.runs.analyze import analyze_graphs
from cdcml.runs.baselines import Baseline
from cdcml.runs.packs import load_packs
from tests.fixtures.state.builders import AUDIT_PACK, SARIF_SCHEMA, variant

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="session")
def audit_pack() -> tuple[list[Pack], list[PackConfig]]:
    packs, configs, _ = load_packs([AUDIT_PACK], project="cdcml", stack="seed")
    return packs, configs


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text()))


MakeAudit = Callable[..., Verdict]


@pytest.fixture
def make_audit(audit_pack: tuple[list[Pack], list[PackConfig]]) -> MakeAudit:
    packs, configs = audit_pack

    def make(
        stacks: Sequence[tuple[str, str, bool]] = (("cdcml", "seed", False), ("cdcml", "prod", True)),
        *,
        waivers: Sequence[Waiver] = (),
        baseline: Baseline | None = None,
        today: dt.date = TODAY,
        **kwargs: Any,
    ) -> Verdict:
        graphs = [variant(p, s, compliant=c) for p, s, c in stacks]
        return analyze_graphs(graphs, packs, configs, waivers=waivers, baseline=baseline, today=today, **kwargs)

    return make
