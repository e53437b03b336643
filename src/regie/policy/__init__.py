"""Beleid: the integral safety plan as data (plans, goals, indicators, scenarios, budget)."""
