"""What a person reads: the run report (HTML), the study report, and the figures and plots both use.

Imports ``sim.runs`` and below.
"""
