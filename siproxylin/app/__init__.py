"""Composition root: paths, logging, and the wiring of every layer (``bootstrap``).

The only package (with ``__main__``) that sees all the others.
"""
