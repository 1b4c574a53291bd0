"""Scoring: evidence and rule hits to a probability and a verdict."""
