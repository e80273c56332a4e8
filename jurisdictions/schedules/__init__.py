"""
Loading ICE's deployment schedules: read the file (reading), match and diff it
against the plan in force (checking), then keep, check and apply it (services).
"""
