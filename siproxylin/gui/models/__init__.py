"""Qt item models holding plain domain values; text comes from ``gui.labels``."""
