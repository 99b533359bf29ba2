"""Identity and authentication (catalogue group C)."""
