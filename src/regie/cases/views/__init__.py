"""The Meldpunt's pages; thin: parse, call a service, render."""
