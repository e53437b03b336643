#!/usr/bin/env python
"""Developers' entry point; users run the equivalent ``regie`` command."""

from regie.cli import main

if __name__ == "__main__":
    main()
