"""Tests of the Dyness cloud simulator."""
