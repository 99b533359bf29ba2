"""The plugin's law fixtures (``cdcml_subject``, ``cdcml_law``, ``cdcml_verify``) in a user's
suite, run with ``pytester`` on a tiny project and pack: a law that holds passes the test,
one that fails fails it with the law's counterexample, not a bare assert."""

from __future__ import annotations

import textwrap

import pytest

from tests.testing.test_verify import DECLARED, pack, project

pytest_plugins = ["pytester"]

USER_TESTS = textwrap.dedent(
    """
    import pytest

    @pytest.fixture
    def subject(cdcml_subject):
        return cdcml_subject("tiny", "dev", pack_dirs=["tiny-pack"])

    def test_deterministic(subject, cdcml_law):
        result = cdcml_law(subject, "deterministic", examples=5)
        assert result.holds and result.law == "deterministic"

    def test_conforms(subject, cdcml_law):
        cdcml_law(subject, "conforms", examples=30, seed=7)

    def test_some_laws(subject, cdcml_verify):
        verification = cdcml_verify(subject, laws=["discreet", "sensitive"])
        assert [r.law for r in verification.results] == ["sensitive", "discreet"]
        assert verification.matrix is not None
    """
)


def test_a_law_that_holds_passes_and_one_that_fails_fails_with_its_counterexample(pytester: pytest.Pytester) -> None:
    project(pytester.path, DECLARED)  # tiny:public is declared, so conforms tries `true`
    pack(pytester.path)
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*conforms FAILS (*",
            "*counterexample:*",
            "*tiny:public = true*",
            "*tiny-pack/private on a: the thing is public*",
            "*replay with seed=7*",
        ]
    )
    assert "assert " not in result.stdout.str().split("short test summary")[0].split("test_conforms")[-1]


def test_the_examples_and_seed_options_are_the_fixtures_defaults(pytester: pytest.Pytester) -> None:
    project(pytester.path)  # nothing declared: conforms runs on the stack's own values
    pack(pytester.path)
    pytester.makepyfile(
        test_user="""
        def test_conforms(cdcml_subject, cdcml_law):
            result = cdcml_law(cdcml_subject("tiny", pack_dirs=["tiny-pack"]), "conforms")
            assert result.holds and result.examples == 1
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--cdcml-examples", "3", "--cdcml-seed", "11")
    result.assert_outcomes(passed=1)


def test_an_unknown_law_is_an_error_naming_the_laws(pytester: pytest.Pytester) -> None:
    project(pytester.path)
    pack(pytester.path)
    pytester.makepyfile(
        test_user="""
        import pytest
        from cdcml.errors import CdcmlError

        def test_unknown(cdcml_subject, cdcml_law):
            with pytest.raises(CdcmlError, match="laws: conforms, sensitive"):
                cdcml_law(cdcml_subject("tiny", pack_dirs=["tiny-pack"]), "fast")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
