"""No report carries a secret: every secret plaintext of the graph is replaced in the
findings' messages and descriptions and in remediated properties, at any depth."""

from __future__ import annotations

import json

import pytest

from cdcml import secrets
from cdcml.model import (
    EnforcementLevel,
    Finding,
    FindingKind,
    Findings,
    PackRef,
    Remediation,
    Resource,
    ResourceGraph,
    Severity,
    freeze,
)
from cdcml.model.values import REDACTED, secret
from cdcml.runs.scrub import remember_graph, scrub_findings

URN = "urn:pulumi:dev::p::t:m:R::r"


def _graph() -> ResourceGraph:
    r = Resource(URN, "t:m:R", "r", True, inputs=freeze({"password": secret("hunter22")}))
    return ResourceGraph("p", "dev", (r,), config=freeze({"p:token": "tok-9876"}), config_secret_keys=("p:token",))


def _finding(text: str) -> Finding:
    return Finding(
        FindingKind.VIOLATION,
        "pack",
        "1",
        "leaky",
        "resource",
        EnforcementLevel.MANDATORY,
        Severity.HIGH,
        URN,
        "t:m:R",
        f"description {text}",
        f"description {text}\nmessage {text}",
    )


def test_secrets_leave_messages_descriptions_and_remediations_at_any_depth():
    findings = Findings(
        "p",
        "dev",
        "preview",
        (PackRef("pack", "1"),),
        (_finding("hunter22 and tok-9876"),),
        remediations=(
            Remediation(
                "pack",
                "1",
                "leaky",
                URN,
                "t:m:R",
                "fix",
                freeze({"top": "hunter22", "nested": {"deep": ["x", "tok-9876"]}, "n": 3}),
                ("top",),
            ),
        ),
    )
    clean = scrub_findings(findings, _graph())
    (f,) = clean.findings
    assert f.description == f"description {REDACTED} and {REDACTED}"
    assert f.message == f"description {REDACTED} and {REDACTED}\nmessage {REDACTED} and {REDACTED}"
    (rem,) = clean.remediations
    assert rem.properties == {"top": REDACTED, "nested": {"deep": ("x", REDACTED)}, "n": 3}
    assert isinstance(rem.properties["nested"]["deep"], tuple)


def test_findings_of_a_graph_without_secrets_are_returned_as_they_are():
    findings = Findings("p", "dev", "preview", (), (_finding("hunter22"),))
    graph = ResourceGraph("p", "dev", (Resource(URN, "t:m:R", "r", True),))
    assert scrub_findings(findings, graph) is findings


def test_quoted_and_collapsed_forms_of_a_secret_leave_messages_too():
    """A policy quoting a secret with json.dumps or repr (escaped quotes, backslashes,
    non-ASCII) or a message collapsed to one line still shows no secret."""
    secret_value = 'p"w\\ö\nline-two-of-it'
    r = Resource(URN, "t:m:R", "r", True, inputs=freeze({"password": secret(secret_value)}))
    graph = ResourceGraph("p", "dev", (r,))
    texts = [json.dumps(secret_value), repr(secret_value), " ".join(secret_value.split())]
    findings = Findings("p", "dev", "preview", (), tuple(_finding(t) for t in texts))
    for f in scrub_findings(findings, graph).findings:
        assert "line-two-of-it" not in f.message and 'p\\"w' not in f.message and 'p"w' not in f.message, f.message
        assert REDACTED in f.message


def test_a_secret_config_object_goes_whole_and_leaf_by_leaf():
    """A ``secure:`` object is JSON text in the config; a policy may quote one leaf, or the
    object in its compact JSON form."""
    text = '{"user": "svc-admin", "password": "s3cr3t-pw"}'
    graph = ResourceGraph("p", "dev", (), config=freeze({"p:db": text}), config_secret_keys=("p:db",))
    compact = json.dumps(json.loads(text), separators=(",", ":"))
    findings = Findings("p", "dev", "preview", (), (_finding(f"pw s3cr3t-pw / {compact} / {text}"),))
    (f,) = scrub_findings(findings, graph).findings
    assert f.description == f"description pw {REDACTED} / {REDACTED} / {REDACTED}"


def test_a_secret_config_value_of_deeply_nested_brackets_is_a_secret_whole():
    """Too deep to parse as JSON: it is scrubbed as it is, and neither remembering nor
    scrubbing the graph fails."""
    deep = "[" * 100_000 + "]" * 100_000
    graph = ResourceGraph("p", "dev", (), config=freeze({"p:t": deep}), config_secret_keys=("p:t",))
    findings = Findings("p", "dev", "preview", (), (_finding(f"x {deep} y"),))
    (f,) = scrub_findings(findings, graph).findings
    assert f.description == f"description x {REDACTED} y"
    secrets.forget_all()
    try:
        remember_graph(graph)
        assert secrets.scrub(deep) == REDACTED
    finally:
        secrets.forget_all()


def test_the_secrets_a_run_remembered_scrub_its_findings_without_walking_the_graph_again(monkeypatch):
    from cdcml.runs import scrub as scrub_module

    graph = _graph()
    secrets.forget_all()
    known = remember_graph(graph)
    assert secrets.scrub("hunter22 tok-9876") == "[secret] [secret]"
    monkeypatch.setattr(scrub_module, "graph_secrets", lambda graph: pytest.fail("walked the graph again"))
    findings = Findings("p", "dev", "preview", (PackRef("pack", "1"),), (_finding("hunter22"),))
    assert scrub_findings(findings, graph, known).findings[0].message == "description [secret]\nmessage [secret]"
    secrets.forget_all()
