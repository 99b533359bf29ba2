"""``cdcml.testing.sdk_types`` is the kit's documented path to the SDK's type model, which
lives in capture (capture shapes outputs by it)."""

from __future__ import annotations

import cdcml.capture.sdk_types as model
import cdcml.testing.sdk_types as kit


def test_the_kit_path_re_exports_the_capture_type_model() -> None:
    assert kit.__all__ == model.__all__
    assert all(getattr(kit, name) is getattr(model, name) for name in kit.__all__)
