"""The XMPP adapter: the only package that uses slixmpp.

``client.py`` owns the slixmpp client and its string event names; ``translate/``
turns stanzas into typed events (pure); ``outgoing.py`` builds stanzas (pure);
``connect.py`` makes the connection (proxy, TLS). Imports ``domain``, ``core``
(bus and ports) and ``net``; never ``store`` or ``gui``.
"""
