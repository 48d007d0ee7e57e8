"""python -m mentorkit."""

from .cli import main

main()
