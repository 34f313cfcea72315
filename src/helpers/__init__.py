"""Shared code of the cross-border e-commerce 2026 research pack."""
