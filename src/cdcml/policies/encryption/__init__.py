"""Encryption in transit and at rest (catalogue group D)."""
