"""Forecasts from a planner's own data that earn trust: the data first, the model second.

- ``inputs``: the one place the history and the open dossiers are read and checked.
- ``baselines``: what an analyst would build by hand (persistence, the same weekday last
  week, a flow model per commune x field from the history's own receipts and capacity).
- ``fitting`` and ``model``: the scenario calibrated to the history and its runs.
- ``backtest``: rolling-origin forecasts of every method, scored on what followed.
- ``intervals``: bands calibrated on the backtest's residuals (split conformal).
- ``trust``: the published method, its verdict and the words a planner reads.
- ``publish``: the published forecast, with the model's policy effect layered on.
"""
