"""The Meldpunt Veiligheid: signals from every channel, enriched, triaged and handled."""
