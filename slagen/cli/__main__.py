"""`python -m slagen.cli`."""

from slagen.cli import main

main()
