"""A tiny application used to demonstrate Albatross."""

__version__ = "1.0.0"
