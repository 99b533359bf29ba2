"""A sibling module: packs import helpers next to __main__.py (the directory is on sys.path)."""

THING = "test:index:Thing"


def describe(value):
    return f"{type(value).__name__}:{value!r}"
