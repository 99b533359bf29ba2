"""Cross-resource (stack validation) invariants of the CDC→ML pipeline (catalogue group X)."""
