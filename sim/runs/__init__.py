"""Running jobs: replications and their aggregation, the country of independent provinces,
checking a whole job before it runs, recovery of interrupted sweeps, per-replication
tables and atomic output writing. Imports the model and policy layers below it.
"""
