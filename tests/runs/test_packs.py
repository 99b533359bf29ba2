"""The packs of a run (cdcml.runs.packs)."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_the_packs_of_a_run_are_the_given_ones_else_the_default_else_one_line(tmp_path, monkeypatch):
    from cdcml.errors import PackError
    from cdcml.runs import packs as packs_module
    from cdcml.runs.packs import packs_of_run

    assert packs_of_run(["a", "b"], tmp_path) == [Path("a"), Path("b")]
    assert packs_of_run([], tmp_path) == packs_module.default_pack_dirs(tmp_path) != []
    monkeypatch.setattr(packs_module, "bundled_pack", lambda: None)
    with pytest.raises(PackError) as e:
        packs_of_run([], tmp_path)
    assert e.value.message == (
        f"no policy pack: pass --policy-pack DIR (there is no policies/cdc-ml-guardrails in {tmp_path} or above it, "
        "and cdcml's own guardrails are not installed)"
    )
