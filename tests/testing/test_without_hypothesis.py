"""The base install (no ``testing`` extra) imports the harness, and the pytest plugin —
registered by entry point for every pytest run of anyone who installs cdcml — works
without Hypothesis. Each check runs in a fresh interpreter whose ``sitecustomize`` makes
``hypothesis`` and ``hypothesis_jsonschema`` unimportable, as if they were not installed."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from tests.fixtures.not_installed import run_without

HYPOTHESIS = ("hypothesis", "hypothesis_jsonschema", "_hypothesis_pytestplugin")


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python *args`` in *tmp_path* with Hypothesis made unimportable."""
    return run_without(tmp_path, HYPOTHESIS, *args)


def test_the_blocker_really_hides_hypothesis(tmp_path: Path) -> None:
    proc = run(tmp_path, "-c", "import hypothesis")
    assert proc.returncode == 1
    assert "No module named 'hypothesis'" in proc.stderr


def test_cdcml_testing_and_its_harness_import_without_hypothesis(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import cdcml.testing
        import cdcml.testing.plugin
        from cdcml.testing import GraphBuilder, harness

        assert harness.unknown() is not None
        GraphBuilder()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("hypothesis", "hypothesis_jsonschema"))
        print("loaded:", loaded)
        """
    )
    proc = run(tmp_path, "-c", script)
    assert proc.returncode == 0, proc.stderr
    assert "loaded: []" in proc.stdout


def test_the_kit_strategies_say_which_extra_they_need(tmp_path: Path) -> None:
    for module in ("cdcml.testing.schemas", "cdcml.testing.strategies", "cdcml.testing.pack_configs"):
        proc = run(tmp_path, "-c", f"import {module}")
        assert proc.returncode == 1, module
        assert "ModuleNotFoundError" in proc.stderr
        assert "pip install 'cdcml-guard[testing]'" in proc.stderr, (module, proc.stderr)


def test_the_pytest_plugin_loads_by_entry_point_and_its_fixtures_work_without_hypothesis(tmp_path: Path) -> None:
    """A user's suite with cdcml installed (no testing extra) runs, using the fixtures."""
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_fixtures(policy_harness, graph_builder):
                assert policy_harness.GraphBuilder is type(graph_builder)
                assert "hypothesis" not in sys.modules

            def test_plugin_is_the_entry_point(pytestconfig):
                assert pytestconfig.pluginmanager.has_plugin("cdcml")
            """
        )
    )
    # The Hypothesis distribution's own entry point would be absent too.
    proc = run(tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout


def test_the_law_fixtures_say_they_need_the_testing_extra(tmp_path: Path) -> None:
    """Without Hypothesis the plugin still loads; a test using a law fixture fails with the
    install line instead of an ImportError traceback."""
    (tmp_path / "test_laws.py").write_text(
        textwrap.dedent(
            """
            def test_law(cdcml_subject):
                cdcml_subject(".")
            """
        )
    )
    proc = run(tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", str(tmp_path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "cdcml's laws need Hypothesis" in proc.stdout
    assert "pip install 'cdcml-guard[testing]'" in proc.stdout
