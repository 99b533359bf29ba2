"""``python -m cdcml.cli``: the same as the ``cdcml`` command."""

from cdcml.cli import entry

entry()
