"""Observability (catalogue group H)."""
