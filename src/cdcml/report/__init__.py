"""Renderers of the verdict (:class:`~cdcml.model.Verdict`); they only format, never evaluate.

Standard output: :mod:`~cdcml.report.text` (human) and :mod:`~cdcml.report.json_report`
(the documented JSON shape). Files: the formats of :data:`~cdcml.report.formats.FORMATS`
(SARIF, JUnit, Markdown), written by :mod:`~cdcml.report.files`.
"""

from cdcml.report.json_report import REPORT_SCHEMA, findings_to_json, verdict_to_json
from cdcml.report.text import render_text

__all__ = ["REPORT_SCHEMA", "findings_to_json", "render_text", "verdict_to_json"]
