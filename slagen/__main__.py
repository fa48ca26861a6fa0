"""`python -m slagen`."""

from slagen.launch import main

main()
