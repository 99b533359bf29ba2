"""Each resource keeps the program's line that declared it, relative to the project
directory, as the engine records it: the SDK's position in the program's own code, else
the first frame of its stack trace outside the SDKs, the standard library and capture."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from cdcml.capture.positions import source_position
from cdcml.capture.program import capture
from cdcml.model import SourcePosition
from tests.capture._programs import register_request, write_program

COMPONENT = """\
import pulumi
from pulumi_azure_native import storage


class Landing(pulumi.ComponentResource):
    def __init__(self, name, rg, opts=None):
        super().__init__("test:index:Landing", name, None, opts)
        self.account = storage.StorageAccount(  # here:account
            f"{name}-account",
            resource_group_name=rg.name,
            kind="StorageV2",
            sku={"name": "Standard_LRS"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
"""

MAIN = """\
import pulumi
from pulumi_azure_native import resources

from lib.landing import Landing

rg = resources.ResourceGroup("rg")  # here:rg
landing = Landing("landing", rg)  # here:landing
existing = resources.ResourceGroup.get("existing", "/subscriptions/s/resourceGroups/existing")  # here:existing
pulumi.export("name", rg.name)
"""


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.rstrip().endswith(f"# here:{marker}"))


def multi_file_program(tmp_path: Path) -> Path:
    write_program(tmp_path, MAIN)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "__init__.py").write_text("")
    (tmp_path / "lib" / "landing.py").write_text(COMPONENT)
    return tmp_path


def test_a_multi_file_program_points_each_resource_at_its_own_line_in_the_users_files(tmp_path):
    """A component in another module: its child points at the component's line, the
    component and the top-level resources at __main__.py's, never at cdcml or the SDK."""
    graph = capture(multi_file_program(tmp_path), "dev")
    by_name = {r.name: r for r in graph}
    assert by_name["rg"].source_position == SourcePosition("__main__.py", line_of(MAIN, "rg"))
    assert by_name["landing"].source_position == SourcePosition("__main__.py", line_of(MAIN, "landing"))
    assert by_name["landing-account"].source_position == SourcePosition("lib/landing.py", line_of(COMPONENT, "account"))


def test_a_read_points_at_the_programs_get_call_not_the_provider_sdk(tmp_path):
    graph = capture(multi_file_program(tmp_path), "dev")
    existing = next(r for r in graph if r.name == "existing")
    assert existing.external
    assert existing.source_position == SourcePosition("__main__.py", line_of(MAIN, "existing"))


def test_what_the_program_did_not_declare_has_no_position(tmp_path):
    """The root stack (the SDK creates it before the program runs) and default providers
    (capture creates them) have none."""
    graph = capture(multi_file_program(tmp_path), "dev")
    undeclared = [r for r in graph if r.type == "pulumi:pulumi:Stack" or r.type.startswith("pulumi:providers:")]
    assert len(undeclared) == 2
    assert all(r.source_position is None for r in undeclared)


def test_positions_are_relative_to_the_project_directory_not_the_program_directory(tmp_path):
    """``main: src/`` keeps the project's root as the base, as the engine does."""
    (tmp_path / "Pulumi.yaml").write_text("name: prog\nruntime: python\nmain: src/\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "src").mkdir()
    program = 'from pulumi_azure_native import resources\n\nresources.ResourceGroup("rg")\n'
    (tmp_path / "src" / "__main__.py").write_text(program)
    rg = next(r for r in capture(tmp_path, "dev") if r.name == "rg")
    assert rg.source_position == SourcePosition("src/__main__.py", 3)


def frames(*positions: tuple[str, int]):
    from pulumi.runtime.proto import source_pb2

    return source_pb2.StackTrace(
        frames=[source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=u, line=n)) for u, n in positions]
    )


def sdk_file() -> str:
    import pulumi_azure_native

    return (Path(pulumi_azure_native.__file__).parent / "resources" / "resource_group.py").as_uri()


def test_the_sdks_position_is_kept_when_it_is_in_the_program(tmp_path):
    from pulumi.runtime.proto import source_pb2

    main = (tmp_path / "__main__.py").as_uri()
    request = register_request("a:b:C", "x", sourcePosition=source_pb2.SourcePosition(uri=main, line=7, column=3))
    assert source_position(request, tmp_path) == SourcePosition("__main__.py", 7, 3)


def test_a_position_in_an_sdk_falls_back_to_the_first_program_frame_of_the_stack_trace(tmp_path):
    from pulumi.runtime.proto import source_pb2

    main = (tmp_path / "__main__.py").as_uri()
    request = register_request(
        "a:b:C",
        "x",
        sourcePosition=source_pb2.SourcePosition(uri=sdk_file(), line=400),
        stackTrace=frames((sdk_file(), 400), (sdk_file(), 380), (main, 12), (main, 30)),
    )
    assert source_position(request, tmp_path) == SourcePosition("__main__.py", 12)


def test_a_resource_the_sdk_creates_outside_the_program_has_no_position(tmp_path):
    """The root stack: past the SDK's frames come the standard library's (asyncio) and
    capture's, which run the program; the program's frames further out are not its."""
    from pulumi.runtime.proto import source_pb2

    request = register_request(
        "pulumi:pulumi:Stack",
        "prog-dev",
        custom=False,
        sourcePosition=source_pb2.SourcePosition(uri=sdk_file(), line=40),
        stackTrace=frames((sdk_file(), 40), (Path(textwrap.__file__).as_uri(), 10), ((tmp_path / "t.py").as_uri(), 3)),
    )
    assert source_position(request, tmp_path) is None


def test_a_file_beside_the_project_is_relative_with_dot_dots(tmp_path):
    from pulumi.runtime.proto import source_pb2

    (tmp_path / "project").mkdir()
    shared = (tmp_path / "shared" / "components.py").as_uri()
    request = register_request("a:b:C", "x", sourcePosition=source_pb2.SourcePosition(uri=shared, line=5))
    assert source_position(request, tmp_path / "project") == SourcePosition("../shared/components.py", 5)


@pytest.mark.parametrize(
    ("uri", "line"),
    [("", 3), ("http://example.com/a.py", 3), ("file:relative/a.py", 3), ("file:///abs/a.py", 0)],
    ids=["no-uri", "not-a-file", "relative-path", "no-line"],
)
def test_a_position_the_engine_would_refuse_is_dropped(tmp_path, uri, line):
    from pulumi.runtime.proto import source_pb2

    request = register_request("a:b:C", "x", sourcePosition=source_pb2.SourcePosition(uri=uri, line=line))
    assert source_position(request, tmp_path) is None


def test_a_frame_without_a_position_ends_the_walk(tmp_path):
    """Code run by ``exec`` has no file: its resource gets no position rather than the
    position of the code that ran it."""
    from pulumi.runtime.proto import source_pb2

    trace = source_pb2.StackTrace(
        frames=[
            source_pb2.StackFrame(),
            source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=(tmp_path / "m.py").as_uri(), line=4)),
        ]
    )
    assert source_position(register_request("a:b:C", "x", stackTrace=trace), tmp_path) is None


def test_a_request_without_a_position_has_none(tmp_path):
    assert source_position(register_request("a:b:C", "x"), tmp_path) is None


def old_sdk_request(uri: str, line: int) -> object:
    """A ``RegisterResourceRequest`` of an SDK older than the ``stackTrace`` field: the
    message type has only ``sourcePosition`` (asking it for ``stackTrace`` is an error, as
    protobuf makes it)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from pulumi.runtime.proto import source_pb2

    pool = descriptor_pool.DescriptorPool()
    source = descriptor_pb2.FileDescriptorProto()
    source_pb2.DESCRIPTOR.CopyToProto(source)
    pool.Add(source)
    old = descriptor_pb2.FileDescriptorProto(
        name="old_sdk.proto", package="oldsdk", dependency=[source_pb2.DESCRIPTOR.name], syntax="proto3"
    )
    message = old.message_type.add(name="RegisterResourceRequest")
    message.field.add(
        name="sourcePosition",
        number=1,
        type=descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE,
        type_name=".pulumirpc.SourcePosition",
        label=descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
    )
    pool.Add(old)
    request = message_factory.GetMessageClass(pool.FindMessageTypeByName("oldsdk.RegisterResourceRequest"))()
    request.sourcePosition.uri = uri
    request.sourcePosition.line = line
    return request


def test_an_sdk_without_stack_traces_is_placed_by_its_source_position(tmp_path):
    request = old_sdk_request((tmp_path / "__main__.py").as_uri(), 9)
    assert source_position(request, tmp_path) == SourcePosition("__main__.py", 9)


def test_the_first_line_of_a_file_is_a_position(tmp_path):
    """Lines count from 1: only a line of 0 (or less) is no position."""
    from pulumi.runtime.proto import source_pb2

    main = (tmp_path / "__main__.py").as_uri()
    request = register_request("a:b:C", "x", sourcePosition=source_pb2.SourcePosition(uri=main, line=1))
    assert source_position(request, tmp_path) == SourcePosition("__main__.py", 1)
    request = register_request("a:b:C", "x", stackTrace=frames((sdk_file(), 400), (main, 1)))
    assert source_position(request, tmp_path) == SourcePosition("__main__.py", 1)


@pytest.mark.parametrize(
    ("path", "root", "under"),
    [
        ("/srv/lib", "/srv/lib", True),
        ("/srv/lib/pulumi/x.py", "/srv/lib", True),
        ("/srv/lib/pulumi/x.py", "/srv/lib/", True),
        ("/usr/lib/python3.11/os.py", "/", True),
        ("/srv/library/x.py", "/srv/lib", False),
        ("/srv", "/srv/lib", False),
    ],
)
def test_a_path_is_under_a_directory_only_at_a_separator(path, root, under):
    """The test behind "in the SDK" and "in the standard library": a sibling whose name
    merely starts with the directory's is not inside it; a root with a trailing
    separator (the filesystem's root) still contains its files."""
    from cdcml.capture.positions import _under

    assert _under(path.replace("/", os.sep), root.replace("/", os.sep)) is under
