"""Tests of the cdcml guardrail library: one module per policy, plus the catalogue and property tests."""
