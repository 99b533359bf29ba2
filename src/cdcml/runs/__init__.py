"""The runs that join sources, packs and the evaluator into a :class:`~cdcml.model.Verdict`.

* :mod:`~cdcml.runs.preview` — ``cdcml preview``: capture a program and evaluate it;
* :mod:`~cdcml.runs.analyze` — ``cdcml policy analyze``: evaluate stored state;
* :mod:`~cdcml.runs.packs` — the packs of a run and their configs;
* :mod:`~cdcml.runs.waivers`, :mod:`~cdcml.runs.baselines` — accepted risks and known findings;
* :mod:`~cdcml.runs.scrub` — no secret in any finding;
* :mod:`~cdcml.runs.artifacts` — where findings point (repository file, state file, backend object).
"""
