"""Network isolation and private endpoints (catalogue group B, and X-03 in crossresource)."""
