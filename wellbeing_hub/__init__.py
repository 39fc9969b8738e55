"""Wellbeing Hub: co-produced local health and social care in one place for a local area."""
