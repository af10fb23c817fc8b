"""Tests of changing battery settings (issue 15)."""
