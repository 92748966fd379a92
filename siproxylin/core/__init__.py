"""Headless application logic: the bus, ports, accounts, sessions, decisions, services.

Imports ``siproxylin.domain`` only; never Qt, slixmpp, aiortc or sqlite3, so
``python -c "import siproxylin.core"`` works without any of them installed.
"""
