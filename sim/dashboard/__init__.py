"""The live dashboard (``solara run sim/dashboard/app.py``): scenario and policy pickers
and what-if levers on a running model. The top layer: may import any other.
"""
