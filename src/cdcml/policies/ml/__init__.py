"""Azure ML data lifecycle (catalogue group G)."""
