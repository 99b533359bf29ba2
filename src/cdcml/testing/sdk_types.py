"""The type model of the installed azure-native SDK, as the kit documents it
(``cdcml.testing.sdk_types``). It lives in :mod:`cdcml.capture.sdk_types`, since capture shapes
a resource's outputs by it (docs/design-notes.md, "Provider-shaped outputs"); this module
re-exports it for the kit's users."""

from cdcml.capture.sdk_types import *  # noqa: F403
from cdcml.capture.sdk_types import __all__ as __all__
