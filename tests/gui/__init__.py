"""GUI tests: pytest-qt, offscreen, real core objects over in-memory fakes."""
