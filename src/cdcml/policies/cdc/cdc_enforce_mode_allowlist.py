"""A-01: every CDC runs in a mode from the allow-list (``Microbatch`` by default)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, get, names, resource_types, shown

__all__ = ["DOCUMENTED_MODES", "ECHOED_MODES", "cdc_enforce_mode_allowlist"]

DEFAULT_MODES = ["Microbatch"]
DOCUMENTED_MODES = ("Microbatch", "Continuous")
"""``Microbatch`` is the only mode in Microsoft's REST examples; ``Continuous`` is the
unverified real-time string (rule-catalogue §8.1)."""
ECHOED_MODES = (*DOCUMENTED_MODES, "Incremental", "Batch", "RealTime", "Real-time", "Streaming")
"""Mode words a message may repeat (with the configured modes): the documented ones and
the ones people guess. Policies see secrets as plaintext, so anything else is described,
never echoed."""


@resource_types(T.CHANGE_DATA_CAPTURE)
def _validate(args: Any, report_violation: Any) -> None:
    configured = args.get_config().get("allowedModes", DEFAULT_MODES)
    allowed = [m for m in configured if isinstance(m, str)] if isinstance(configured, (list, tuple)) else []
    mode = get(args.props, "policy.mode")
    if mode is MISSING:
        report_violation(f"policy.mode is not set; allowed modes: {names(allowed)}.")
        return
    if not isinstance(mode, str):
        report_violation(f"policy.mode must be a string; allowed modes: {names(allowed)}.")
        return
    if mode in allowed:
        return
    near = [m for m in allowed if m.casefold() == mode.strip().casefold()]
    hint = f' (modes are case-sensitive: did you mean "{near[0]}"?)' if near else ""
    report_violation(
        f"policy.mode is {shown(mode, (*allowed, *ECHOED_MODES))}, not an allowed CDC mode; allowed modes: "
        f"{names(allowed)}{hint}. Only Microbatch is documented by Microsoft; any other mode needs an explicit "
        "allow-list entry."
    )


cdc_enforce_mode_allowlist = GuardrailResourcePolicy(
    name="cdc-enforce-mode-allowlist",
    description="A Data Factory change data capture must run in a mode from the configured allow-list.",
    validate=_validate,
    rule="A-01",
    layer="cdc",
    concern="cadence",
    severity=Severity.HIGH,
    enforcement_level=EnforcementLevel.MANDATORY,
    remediation_steps=(
        'Set policy.mode of the ChangeDataCapture to "Microbatch" (the mode Microsoft documents), or add the '
        "exported mode string of a real-time CDC to allowedModes once it has been approved."
    ),
    url="https://learn.microsoft.com/azure/data-factory/concepts-change-data-capture-resource",
    framework=mcsb("AM-2"),
    config={
        "allowedModes": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
            "uniqueItems": True,
            "default": DEFAULT_MODES,
            "description": "CDC modes allowed in this environment (case-sensitive).",
        }
    },
)
