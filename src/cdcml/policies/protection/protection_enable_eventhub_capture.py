"""E-04: an event hub that ML training reads is archived with Event Hubs Capture, within
the capture window and size bounds, in a current encoding."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from cdcml.policies import types as T
from cdcml.policies.base import GuardrailResourcePolicy, mcsb
from cdcml.policies.vocabulary import MISSING, as_bool, as_number, get, metadata, one_of, resource_types

__all__ = ["is_ml_training_hub", "protection_enable_eventhub_capture"]

INTERVAL_SECONDS = (60.0, 900.0)
SIZE_BYTES = (10485760.0, 524288000.0)


def is_ml_training_hub(props: Any) -> bool:
    """Whether a hub declares (in ``userMetadata``) that ML training replays it:
    ``{"purpose": "ml-training"}`` or ``{"capture": true}``."""
    doc = metadata(get(props, "userMetadata"))
    purpose = doc.get("purpose")
    return as_bool(doc.get("capture")) is True or (isinstance(purpose, str) and purpose.casefold() == "ml-training")


@resource_types(T.EVENT_HUB)
def _validate(args: Any, report_violation: Any) -> None:
    capture = get(args.props, "captureDescription")
    enabled = as_bool(get(capture, "enabled")) is True
    if not enabled:
        if as_bool(args.get_config().get("requireCapture")) is True or is_ml_training_hub(args.props):
            report_violation(
                "captureDescription.enabled is not true on a hub ML training replays; without Capture, history "
                "older than the retention window is lost for retraining."
            )
        return
    interval = as_number(get(capture, "intervalInSeconds"))
    if interval is not None and not INTERVAL_SECONDS[0] <= interval <= INTERVAL_SECONDS[1]:
        report_violation(f"captureDescription.intervalInSeconds is {interval:g}; it must be between 60 and 900.")
    size = as_number(get(capture, "sizeLimitInBytes"))
    if size is not None and not SIZE_BYTES[0] <= size <= SIZE_BYTES[1]:
        report_violation(f"captureDescription.sizeLimitInBytes is {size:g}; it must be between 10485760 and 524288000.")
    if one_of(get(capture, "encoding"), ("AvroDeflate",)):
        report_violation('captureDescription.encoding is "AvroDeflate", which is being deprecated; use "Avro".')
    if get(capture, "destination") is MISSING:
        report_violation("captureDescription.destination is not set, so Capture has nowhere to write.")


protection_enable_eventhub_capture = GuardrailResourcePolicy(
    name="protection-enable-eventhub-capture",
    description="An event hub that ML training replays must be archived with Event Hubs Capture within the "
    "documented bounds.",
    validate=_validate,
    rule="E-04",
    layer="eventing",
    concern="protection",
    severity=Severity.MEDIUM,
    enforcement_level=EnforcementLevel.ADVISORY,
    remediation_steps=(
        'Declare ML-training hubs with userMetadata {"purpose": "ml-training"}, and give them captureDescription '
        '{enabled: true, encoding: "Avro", intervalInSeconds: 60–900, sizeLimitInBytes: 10485760–524288000, '
        "destination: {…}}."
    ),
    url="https://learn.microsoft.com/azure/event-hubs/event-hubs-capture-overview",
    framework=mcsb("BR-1"),
    config={
        "requireCapture": {
            "type": "boolean",
            "default": False,
            "description": "Require Capture on every event hub, not only declared ML-training hubs.",
        }
    },
)
