"""Presenters: map batches of bus events to item model changes, with no widgets."""
