"""The ground layer: event loop, working calendar, queues and their disciplines, offices,
dossier records, metrics and random streams. Knows nothing of configs, agents or
policies; every other layer builds on it.
"""
