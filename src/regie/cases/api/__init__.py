"""The signals API of the Meldpunt Veiligheid (``/api/v1/signals/``)."""
