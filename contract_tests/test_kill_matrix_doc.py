"""docs/kill-matrix.md is the kill matrix of the guardrails on prod as it is now."""

from __future__ import annotations

from contract_tests.kill_matrix_doc import DOC, generate


def test_the_kill_matrix_document_is_up_to_date():
    """Regenerate with `python -m contract_tests.kill_matrix_doc --write`."""
    assert DOC.read_text(encoding="utf-8") == generate()
