"""Test support code: an independent random clinic scenario generator (scenarios.py)."""
