"""Data protection and retention (catalogue group E)."""
