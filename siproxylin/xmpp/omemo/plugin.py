"""The slixmpp-omemo plugin, subclassed: our storage, and trust through the core.

slixmpp-omemo publishes our device lists and bundles (both namespaces), follows
contacts' device lists and owns the OMEMO session manager. This subclass gives it
the account's storage and routes every trust question to the core's
``TrustPolicy``: devices the library would trust blindly, and new devices of a
contact whose devices were verified or distrusted. Without a policy, new devices
are trusted blindly (BTBV).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, ClassVar

from omemo.storage import Storage
from omemo.types import DeviceInformation
from slixmpp.plugins.base import register_plugin
from slixmpp_omemo import XEP_0384
from slixmpp_omemo import TrustLevel as PluginTrust

from siproxylin.core.ports import TrustPolicy
from siproxylin.domain.ids import AccountId, Jid
from siproxylin.domain.models import Encryption, OmemoDevice, TrustLevel

NS_LEGACY = "eu.siacs.conversations.axolotl"
NS_OMEMO2 = "urn:xmpp:omemo:2"
FALLBACK_BODY = "This message is OMEMO encrypted."
NAMESPACES = {NS_OMEMO2: Encryption.OMEMO2, NS_LEGACY: Encryption.OMEMO}

_TO_LIBRARY = {
    TrustLevel.UNDECIDED: PluginTrust.UNDECIDED,
    TrustLevel.BLIND: PluginTrust.BLINDLY_TRUSTED,
    TrustLevel.VERIFIED: PluginTrust.TRUSTED,
    TrustLevel.DISTRUSTED: PluginTrust.DISTRUSTED,
}
_FROM_LIBRARY = {value.value: key for key, value in _TO_LIBRARY.items()}

log = logging.getLogger(__name__)
# The OMEMO libraries log plaintexts, sessions and keys at debug level: never.
for _name in ("omemo", "oldmemo", "twomemo", "doubleratchet", "x3dh", "xeddsa", "slixmpp_omemo"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def fingerprint(identity_key: bytes) -> str:
    """An identity key's fingerprint: its Curve25519 form as lowercase hex."""
    from omemo.session_manager import SessionManager  # noqa: PLC0415 - heavy, used rarely

    return "".join(SessionManager.format_identity_key(identity_key))


def to_device(info: DeviceInformation) -> OmemoDevice:
    """The domain view of the library's device information."""
    active = dict(info.active)
    return OmemoDevice(
        jid=Jid.parse(info.bare_jid),
        device_id=info.device_id,
        fingerprint=fingerprint(info.identity_key),
        trust=_FROM_LIBRARY.get(info.trust_level_name, TrustLevel.UNDECIDED),
        active=any(active.values()),
        namespaces=tuple(NAMESPACES[ns] for ns in (NS_OMEMO2, NS_LEGACY) if ns in info.namespaces),
        label=info.label or "",
    )


def library_trust(trust: TrustLevel) -> str:
    """The library's trust level name for ``trust``."""
    return _TO_LIBRARY[trust].value


class OmemoPlugin(XEP_0384):
    """XEP-0384 for one account (configure ``omemo_storage``, ``trust_policy``, ``account``)."""

    name = "xep_0384"
    description = "OMEMO Encryption"
    dependencies: ClassVar[set[str]] = set(XEP_0384.dependencies)
    default_config: ClassVar[dict[str, Any]] = {
        "fallback_message": FALLBACK_BODY,
        "omemo_storage": None,
        "trust_policy": None,
        "account": None,
    }

    def session_bind(self, jid: Any) -> None:
        # The base class builds the session manager right away (generating keys on
        # a first login takes the loop for a while); the client starts it once the
        # initial presence is out (``OmemoLink.start``).
        return

    @property
    def storage(self) -> Storage:
        """The account's own OMEMO storage."""
        storage: Storage = self.omemo_storage
        return storage

    @property
    def _btbv_enabled(self) -> bool:
        # Blindly trusted devices count as trusted; the policy decides who gets there.
        return True

    async def _devices_blindly_trusted(
        self, blindly_trusted: frozenset[DeviceInformation], identifier: str | None
    ) -> None:
        # The library trusted these blindly; the policy may say otherwise (its answer
        # is read back before anything is encrypted).
        await self._decide(blindly_trusted, TrustLevel.BLIND)

    async def _prompt_manual_trust(
        self, manually_trusted: frozenset[DeviceInformation], identifier: str | None
    ) -> None:
        await self._decide(manually_trusted, TrustLevel.UNDECIDED)

    async def _decide(self, devices: frozenset[DeviceInformation], default: TrustLevel) -> None:
        policy: TrustPolicy | None = self.trust_policy
        manager = await self.get_session_manager()
        by_jid: dict[str, list[DeviceInformation]] = defaultdict(list)
        for device in devices:
            by_jid[device.bare_jid].append(device)
        for bare, infos in by_jid.items():
            if policy is None:
                answer: dict[int, TrustLevel] = {}
                fallback = TrustLevel.BLIND
            else:
                account: AccountId = self.account
                answer = await policy.decide(
                    account, Jid.parse(bare), tuple(to_device(info) for info in infos)
                )
                fallback = default
            for info in infos:
                trust = answer.get(info.device_id, fallback)
                if _TO_LIBRARY[trust].value != info.trust_level_name:
                    await manager.set_trust(bare, info.identity_key, library_trust(trust))
                log.debug("device %s of %s: %s", info.device_id, bare, trust.value)


register_plugin(OmemoPlugin)
