"""OMEMO end-to-end encryption (XEP-0384) for one account's stream.

``engine.OmemoEngine`` encrypts outgoing messages and decrypts incoming ones for
both namespaces: ``eu.siacs.conversations.axolotl`` (the body only) and
``urn:xmpp:omemo:2`` (the whole content, in a XEP-0420 envelope built and checked
by ``sce``). ``plugin`` is the slixmpp-omemo plugin subclass (device lists,
bundles, trust through the core's ``TrustPolicy``); ``storage`` keeps its state
in the account's namespace of the store. ``schemas`` replaces the ``xmlschema``
package the OMEMO libraries validate with (installed here, before they load).
"""

from siproxylin.xmpp.omemo import schemas

schemas.install()
