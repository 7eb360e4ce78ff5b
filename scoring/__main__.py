"""`python -m scoring` runs the pioneer command line."""

from scoring.cli import main

main()
