"""Where should the money go: ``python -m sim.optimize`` (README "Where should the money go").

A budget (``optimize.budget_vnd``) and a staff cap (``optimize.max_staff``) are shared
among communes as per-commune amounts of levers (seconded and contract staff, training,
workstations); allocations are judged by simulation with common random numbers, found by
a greedy marginal allocation and an Optuna study, and chosen by paired replications.
"""
