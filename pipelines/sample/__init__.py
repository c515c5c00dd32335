"""Deterministic sample returns with a planted, documented ground truth."""
