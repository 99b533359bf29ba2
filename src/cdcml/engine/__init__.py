"""ResourceGraph × policy packs → :class:`~cdcml.model.Findings`, with the engine's semantics.

* :mod:`~cdcml.engine.pack` — a CrossGuard pack loaded as the CLI runs it;
* :mod:`~cdcml.engine.config` — pack config as the CLI reconciles and validates it, and the
  policies' effective levels;
* :mod:`~cdcml.engine.wire` — the marshaling the engine applies before properties reach an analyzer;
* :mod:`~cdcml.engine.evaluate` — the in-process evaluator (Remediate, Analyze, AnalyzeStack);
* :mod:`~cdcml.engine.reference` and :mod:`~cdcml.engine.grpc_pack` — the reference mode:
  each pack its own process, driven over the analyzer protocol.
"""
