"""Stored stack state → :class:`~cdcml.model.ResourceGraph`, read-only.

* :mod:`~cdcml.state.decode` — ``pulumi stack export`` files and backend checkpoints
  decoded into a graph (:func:`load_state`), by way of
  :mod:`~cdcml.state.document` (bytes → the envelope: versions 0 to 4, plain, gzip or
  zstd), :mod:`~cdcml.state.resources` (resource records) and
  :mod:`~cdcml.state.properties` (property values), with :mod:`~cdcml.state.urns` and
  :mod:`~cdcml.state.secrets` (secrets decrypted with the passphrase, or named);
* :mod:`~cdcml.state.backends` — self-managed backends: their layouts, stacks and locks,
  read through :mod:`~cdcml.state.stores` (an object store per URL scheme: ``file://``,
  ``s3://``, ``azblob://``); never written to;
* :mod:`~cdcml.state.export` — the inverse of decode, for tests and benchmarks.
"""

from __future__ import annotations

from cdcml.state.decode import load_state, load_state_file

__all__ = ["load_state", "load_state_file"]
