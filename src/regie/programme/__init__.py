"""Uitvoering: the yearly uitvoeringsprogramma (actions tied to goals) and its evaluation."""
