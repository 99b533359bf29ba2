"""cdcml.collector: what is frozen around captures and evaluations, and what is never asked."""

from __future__ import annotations

import gc
import sys
from typing import Any

import pytest

from cdcml import collector


class FakeGc:
    """Records the collector calls; ``get_freeze_count`` is what must not be asked once cdcml froze."""

    def __init__(self, frozen: int = 0, enabled: bool = True) -> None:
        self.frozen = frozen
        self.enabled = enabled
        self.calls: list[str] = []

    def isenabled(self) -> bool:
        return self.enabled

    def get_freeze_count(self) -> int:
        self.calls.append("count")
        return self.frozen

    def freeze(self) -> None:
        self.calls.append("freeze")
        self.frozen += 1

    def unfreeze(self) -> None:
        self.calls.append("unfreeze")
        self.frozen = 0

    def collect(self) -> int:
        self.calls.append("collect")
        return 0


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeGc:
    fake = FakeGc()
    monkeypatch.setattr(collector, "gc", fake)
    monkeypatch.setattr(collector, "_frozen_modules", 0)
    return fake


def test_a_run_freezes_the_older_objects_and_thaws_them_after(fake: FakeGc) -> None:
    """With nothing frozen, the run's older objects are frozen during it and given back after."""
    with collector.old_objects_frozen():
        assert fake.calls == ["count", "freeze"]
    assert fake.calls == ["count", "freeze", "unfreeze"]


def test_after_a_capture_froze_the_long_lived_objects_a_run_never_walks_the_frozen_generation(fake: FakeGc) -> None:
    """Once a capture froze what the imports left (``freeze_long_lived``), a run neither
    counts the permanent generation (a walk over millions of objects) nor thaws it."""
    collector.freeze_long_lived()
    assert fake.calls == ["collect", "freeze"]
    for _ in range(3):
        with collector.old_objects_frozen():
            pass
    assert fake.calls == ["collect", "freeze"]


def test_long_lived_objects_are_frozen_again_only_when_modules_were_imported(
    fake: FakeGc, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection and a freeze per growth of ``sys.modules``, not per capture."""
    collector.freeze_long_lived()
    collector.freeze_long_lived()
    assert fake.calls == ["collect", "freeze"]
    monkeypatch.setitem(sys.modules, "cdcml_collector_probe_module", type(sys)("cdcml_collector_probe_module"))
    collector.freeze_long_lived()
    assert fake.calls == ["collect", "freeze", "collect", "freeze"]


@pytest.mark.parametrize(("frozen", "enabled"), [(5, True), (0, False)])
def test_a_process_that_froze_objects_itself_or_turned_the_collector_off_is_left_alone(
    monkeypatch: pytest.MonkeyPatch, frozen: int, enabled: bool
) -> None:
    """Unfreezing would thaw the process's own frozen objects: no freeze, no unfreeze."""
    fake = FakeGc(frozen=frozen, enabled=enabled)
    monkeypatch.setattr(collector, "gc", fake)
    monkeypatch.setattr(collector, "_frozen_modules", 0)
    with collector.old_objects_frozen():
        pass
    assert "freeze" not in fake.calls and "unfreeze" not in fake.calls
    assert fake.frozen == frozen


def test_the_real_collector_is_back_as_it_was_after_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the interpreter's collector: frozen during the run, nothing frozen after it."""
    monkeypatch.setattr(collector, "_frozen_modules", 0)
    was_frozen = gc.get_freeze_count()
    gc.unfreeze()
    try:
        marker: Any = object()
        with collector.old_objects_frozen():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0
        del marker
    finally:
        if was_frozen:
            gc.freeze()
