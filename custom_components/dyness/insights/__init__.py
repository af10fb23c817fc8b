"""Insights computed from data the integration already has (no Home Assistant)."""
