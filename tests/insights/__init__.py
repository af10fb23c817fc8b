"""Tests of the insight calculators."""
