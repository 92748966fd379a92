"""Use-case services: one area each (chat, roster, ...). Import ``domain`` and ``core`` only."""
