"""`python -m slagen`."""

from slagen.cli import main

main()
