"""``python -m cdcml``: the ``cdcml`` command, run by this interpreter."""

from cdcml.cli import entry

if __name__ == "__main__":
    entry()
