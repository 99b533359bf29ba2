"""URNs as state records them."""

from __future__ import annotations

from cdcml.state.urns import parse_urn


def test_parse_urn():
    assert parse_urn("urn:pulumi:dev::proj::a:b:C$d:e:F::name::with::colons") == (
        "dev",
        "proj",
        "a:b:C$d:e:F",
        "name::with::colons",
    )
    assert parse_urn("urn-1") is None
    assert parse_urn("urn:pulumi:dev::proj::") is None
