"""Pure functions from stanza XML (``xml.etree`` elements) to typed domain events.

Untrusted input is validated here: forged carbon senders, oversized bodies and
malformed attributes become ``StanzaRejected`` or nothing, never an exception.
Imports the standard library and ``domain`` only, so tests feed XML literals.
"""
