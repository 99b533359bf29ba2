"""Cost guardrails (catalogue group I)."""
