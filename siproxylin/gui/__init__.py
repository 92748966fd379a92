"""The PySide6 desktop interface: bridge, presenters, item models and views.

Imports ``siproxylin.domain`` and ``siproxylin.core`` only, never an adapter
(``xmpp``, ``store``, ``net``, ``media``) or ``app``. Entry point for the
composition root: ``siproxylin.gui.window.create_main_window``.
"""
