"""Persistence: the SQLite database, its migrations, repositories and secret store.

Owns every SQL statement of the application and is the only package that imports
``sqlite3`` (and ``keyring``). Implements the repository protocols of
``siproxylin.core.ports`` structurally. Imports only ``siproxylin.domain`` and
``siproxylin.core.ports``; never the network, the XMPP adapter or the GUI.
"""
