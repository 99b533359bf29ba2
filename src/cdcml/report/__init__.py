"""Renderers of Findings: text (rich), JSON. Renderers only format; they never evaluate."""

from cdcml.report.json_report import REPORT_SCHEMA, findings_to_json
from cdcml.report.text import render_text

__all__ = ["REPORT_SCHEMA", "findings_to_json", "render_text"]
