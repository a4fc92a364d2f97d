"""Mesa agents and their helpers: applicants (citizens, businesses), clerks, reception
desks, commune PASCs, provincial departments and staff conditions (absences, fatigue,
resignations).
"""
