"""The cdcml guardrail library: one policy per module, grouped by concern.

``cdcml.policies.catalogue.POLICIES`` lists them all; ``cdcml.policies.vocabulary`` is the
property-path vocabulary they are written in.
"""
