"""The analysis endpoints of the JSON API: a figure with its rate, comparisons, the waterbed."""
