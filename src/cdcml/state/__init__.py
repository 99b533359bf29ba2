"""Stored stack state → :class:`~cdcml.model.ResourceGraph`, read-only.

* :mod:`~cdcml.state.decode` — ``pulumi stack export`` files and backend checkpoints
  (deployment versions 1 to 4, plain, gzip or zstd) decoded into a graph;
* :mod:`~cdcml.state.backends` — self-managed backends (``file://``, ``s3://``,
  ``azblob://``): their layouts, stacks and locks; never written to;
* :mod:`~cdcml.state.export` — the inverse of decode, for tests and benchmarks.
"""

from __future__ import annotations

from cdcml.state.decode import load_state, load_state_file

__all__ = ["load_state", "load_state_file"]
