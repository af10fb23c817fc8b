"""Custom integrations (development checkout)."""
