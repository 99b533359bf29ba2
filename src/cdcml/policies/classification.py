"""Data classification, the tag that drives the encryption and isolation rules (F-02, D-*).

A resource's ``data-classification`` tag says how sensitive the data it holds is;
classifications in ``classificationsRequiringCmk`` (or a policy's ``requireCmk``) make
customer-managed keys mandatory for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdcml.policies.vocabulary import as_bool, str_list, tag

__all__ = ["CLASSIFICATIONS", "CLASSIFICATION_TAG", "CMK_CONFIG", "SENSITIVE", "classification", "cmk_required"]

CLASSIFICATION_TAG = "data-classification"
CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"]
SENSITIVE = ["confidential", "restricted"]

CMK_CONFIG: dict[str, Mapping[str, Any]] = {
    "classificationsRequiringCmk": {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "uniqueItems": True,
        "default": SENSITIVE,
        "description": "Values of the data-classification tag that require a customer-managed key.",
    },
    "requireCmk": {
        "type": "boolean",
        "default": False,
        "description": "Require a customer-managed key regardless of classification.",
    },
}
"""The config every classification-driven CMK policy takes."""


def classification(props: Any) -> str | None:
    """The resource's ``data-classification`` tag, case-folded."""
    value = tag(props, CLASSIFICATION_TAG)
    return value.casefold() if value else None


def cmk_required(props: Any, config: Mapping[str, Any]) -> bool:
    """Whether a customer-managed key is required for this resource."""
    if as_bool(config.get("requireCmk")) is True:
        return True
    value = classification(props)
    wanted = config.get("classificationsRequiringCmk", SENSITIVE)
    return value is not None and value in {c.casefold() for c in str_list(wanted)}
