"""Siproxylin: a privacy-focused XMPP desktop client.

Owns nothing but the package version; every layer lives in its own subpackage.
"""

__version__ = "0.1.0"
