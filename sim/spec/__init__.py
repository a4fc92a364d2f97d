"""Reading and checking configs: run settings, scenarios, procedures, mechanisms, applicant
behaviour, calendars, communes files and synthetic places. Turns Hydra dictionaries into
checked, frozen specs; imports only ``sim.core``.
"""
