"""Verantwoording: council reports and briefings built from a locked snapshot.

One document model, rendered as the report page (HTML), PDF, Word and Excel.
"""
