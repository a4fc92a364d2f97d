"""The agent-based model: ``GovernanceModel`` (one Mesa step per calendar day), demand and
its seasonality, and the agents (applicants, clerks, communes, provincial departments)
that make the day-level decisions. Imports ``sim.core`` and ``sim.spec``.
"""
