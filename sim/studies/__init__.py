"""Analyses over many jobs: paired comparison of the jobs of a sweep (``python -m sim.analysis``).

Imports reports and below.
"""
