"""Hydra finds this plugin by its folder (``hydra_plugins``): a user's own ``configs/``."""
