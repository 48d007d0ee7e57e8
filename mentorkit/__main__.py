"""python -m mentorkit."""

from .cli import run

run()
