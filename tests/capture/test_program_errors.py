"""A program that can't run fails the capture with one line at the program's own
file:line, never a traceback through the SDK or capture."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdcml.capture.program import capture, capture_program
from cdcml.capture.program_errors import describe_program_error
from cdcml.capture.project import Project
from cdcml.errors import ConfigError, ProgramError
from tests.capture._programs import write_program


def test_a_program_that_raises_names_its_own_file_and_line(tmp_path):
    write_program(
        tmp_path,
        """\
        import pulumi
        from pulumi_azure_native import resources

        resources.ResourceGroup("rg")
        raise ValueError("the landing zone needs a name")
    """,
    )
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    assert err.value.message == "program prog failed at __main__.py:5: ValueError: the landing zone needs a name"


def test_a_class_the_installed_sdk_lacks_is_reported_at_its_line(tmp_path):
    write_program(
        tmp_path,
        """\
        from pulumi_azure_native import datafactory

        policy = datafactory.ChangeDataCapturePolicyArgs(mode="Microbatch")
    """,
    )
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    msg = err.value.message
    assert msg.startswith("program prog failed at __main__.py:3: AttributeError:")
    assert "ChangeDataCapturePolicyArgs" in msg and "\n" not in msg


def test_an_import_failure_is_reported_at_its_line(tmp_path):
    write_program(tmp_path, "import pulumi\nimport no_such_module_anywhere\n")
    with pytest.raises(ProgramError, match=r"__main__\.py:2: ModuleNotFoundError: No module named"):
        capture(tmp_path, "dev")


def test_a_syntax_error_is_reported_at_its_line(tmp_path):
    write_program(tmp_path, "import pulumi\ndef broken(:\n")
    with pytest.raises(ProgramError, match=r"__main__\.py:2: SyntaxError"):
        capture(tmp_path, "dev")


def test_missing_required_config_is_one_line(tmp_path):
    write_program(tmp_path, "import pulumi\npulumi.Config().require('region')\n")
    with pytest.raises(ProgramError) as err:
        capture(tmp_path, "dev")
    assert "Missing required configuration variable 'prog:region'" in err.value.message
    assert "\n" not in err.value.message


def test_a_logged_error_fails_the_capture(tmp_path):
    write_program(tmp_path, "import pulumi\npulumi.log.error('quota exceeded')\n")
    with pytest.raises(ProgramError, match=r"^program prog logged an error: quota exceeded$"):
        capture(tmp_path, "dev")


def test_an_inline_program_error_is_one_line():
    def program() -> None:
        raise RuntimeError("boom")

    at_this_file = r"^the program failed at .*test_program_errors\.py:\d+: RuntimeError: boom$"
    with pytest.raises(ProgramError, match=at_this_file):
        capture_program(program)


def test_a_cdcml_error_keeps_its_own_message():
    project = Project(name="prog", directory=Path("/nowhere"), runtime="python", main=Path("/nowhere"))
    assert describe_program_error(ConfigError("bad key"), project, inline=False) == "bad key"


def test_an_error_with_no_frame_of_the_program_has_no_location():
    project = Project(name="prog", directory=Path("/nowhere"), runtime="python", main=Path("/nowhere"))
    message = describe_program_error(ValueError("multi\n  line   message"), project, inline=False)
    assert message == "program prog failed: ValueError: multi line message"


def test_a_logged_error_of_an_inline_program_says_the_program():
    import pulumi

    from cdcml.capture import capture_program

    with pytest.raises(ProgramError, match=r"^the program logged an error: quota exceeded$"):
        capture_program(lambda: pulumi.log.error("quota exceeded\nsecond line"))
