"""Group chat commands -> stanza XML (``xml.etree`` elements). Pure: stdlib and ``domain`` only.

XEP-0045 (join, leave, nick, subject, configuration, roles and affiliations,
registration, mediated invitations), XEP-0249 direct invitations, XEP-0410
self-ping, XEP-0425 moderation and XEP-0402 / XEP-0048 bookmarks. IQ builders
return the payload (the child of ``<iq/>``); the adapter wraps and sends it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from siproxylin.domain.ids import Jid
from siproxylin.domain.models import Affiliation, Bookmark, RoomConfig
from siproxylin.xmpp.translate._namespaces import CLIENT, qname

MUC = "http://jabber.org/protocol/muc"
MUC_USER = "http://jabber.org/protocol/muc#user"
MUC_ADMIN = "http://jabber.org/protocol/muc#admin"
MUC_OWNER = "http://jabber.org/protocol/muc#owner"
MUC_REGISTER = "http://jabber.org/protocol/muc#register"
CONFERENCE = "jabber:x:conference"  # XEP-0249
DATA = "jabber:x:data"
REGISTER = "jabber:iq:register"
DISCO_INFO = "http://jabber.org/protocol/disco#info"
PING = "urn:xmpp:ping"
PUBSUB = "http://jabber.org/protocol/pubsub"
BOOKMARKS = "urn:xmpp:bookmarks:1"  # XEP-0402
LEGACY_BOOKMARKS = "storage:bookmarks"  # XEP-0048
PRIVATE = "jabber:iq:private"  # XEP-0049
MODERATE_1 = "urn:xmpp:message-moderate:1"  # XEP-0425 0.3
MODERATE_0 = "urn:xmpp:message-moderate:0"  # XEP-0425 0.2 (wrapped in XEP-0422 fastening)
RETRACT_1 = "urn:xmpp:message-retract:1"
RETRACT_0 = "urn:xmpp:message-retract:0"
FASTEN = "urn:xmpp:fasten:0"

_PRESENCE = qname(CLIENT, "presence")
_MESSAGE = qname(CLIENT, "message")


def join_presence(occupant: Jid, password: str = "", max_stanzas: int | None = None) -> ET.Element:
    """The presence that enters ``room@service/nick``.

    Args:
        occupant: The room's address with our nick as resource.
        password: The room's password, if it has one.
        max_stanzas: How many history messages to ask for (0: none, None: the room's
            default).
    """
    presence = ET.Element(_PRESENCE, {"to": str(occupant)})
    x = ET.SubElement(presence, qname(MUC, "x"))
    if password:
        ET.SubElement(x, qname(MUC, "password")).text = password
    if max_stanzas is not None:
        ET.SubElement(x, qname(MUC, "history"), {"maxstanzas": str(max_stanzas)})
    return presence


def leave_presence(occupant: Jid, status: str = "") -> ET.Element:
    """The unavailable presence that leaves a room."""
    presence = ET.Element(_PRESENCE, {"to": str(occupant), "type": "unavailable"})
    if status:
        ET.SubElement(presence, qname(CLIENT, "status")).text = status
    return presence


def nick_presence(occupant: Jid) -> ET.Element:
    """The presence that changes our nick to ``occupant``'s resource (XEP-0045 7.6)."""
    return ET.Element(_PRESENCE, {"to": str(occupant)})


def subject_message(room: Jid, subject: str) -> ET.Element:
    """A groupchat message that sets the subject (empty clears it)."""
    message = ET.Element(_MESSAGE, {"to": str(room.bare), "type": "groupchat"})
    ET.SubElement(message, qname(CLIENT, "subject")).text = subject
    return message


def direct_invitation(to: Jid, room: Jid, reason: str = "", password: str = "") -> ET.Element:
    """A XEP-0249 direct invitation to ``to``."""
    message = ET.Element(_MESSAGE, {"to": str(to)})
    attributes = {"jid": str(room.bare)}
    if reason:
        attributes["reason"] = reason
    if password:
        attributes["password"] = password
    ET.SubElement(message, qname(CONFERENCE, "x"), attributes)
    return message


def mediated_invitation(room: Jid, to: Jid, reason: str = "") -> ET.Element:
    """A XEP-0045 7.8.2 invitation the room forwards to ``to``."""
    message = ET.Element(_MESSAGE, {"to": str(room.bare)})
    x = ET.SubElement(message, qname(MUC_USER, "x"))
    invite = ET.SubElement(x, qname(MUC_USER, "invite"), {"to": str(to)})
    if reason:
        ET.SubElement(invite, qname(MUC_USER, "reason")).text = reason
    return message


def decline(room: Jid, inviter: Jid, reason: str = "") -> ET.Element:
    """Decline a mediated invitation: the room forwards it to the inviter."""
    message = ET.Element(_MESSAGE, {"to": str(room.bare)})
    x = ET.SubElement(message, qname(MUC_USER, "x"))
    element = ET.SubElement(x, qname(MUC_USER, "decline"), {"to": str(inviter)})
    if reason:
        ET.SubElement(element, qname(MUC_USER, "reason")).text = reason
    return message


def disco_info() -> ET.Element:
    """The payload of a disco#info query."""
    return ET.Element(qname(DISCO_INFO, "query"))


def self_ping() -> ET.Element:
    """The XEP-0199 ping we send to our own occupant address (XEP-0410)."""
    return ET.Element(qname(PING, "ping"))


def config_request() -> ET.Element:
    """Ask a room for its configuration form."""
    return ET.Element(qname(MUC_OWNER, "query"))


def instant_config() -> ET.Element:
    """Accept the default configuration of a new room (an "instant room", 10.1.2)."""
    query = ET.Element(qname(MUC_OWNER, "query"))
    ET.SubElement(query, qname(DATA, "x"), {"type": "submit"})
    return query


def config_values(config: RoomConfig) -> dict[str, list[str]]:
    """``muc#roomconfig`` field values for ``config`` (standard field names)."""

    def flag(value: bool) -> list[str]:
        return ["1" if value else "0"]

    values = {
        "muc#roomconfig_persistentroom": flag(config.persistent),
        "muc#roomconfig_membersonly": flag(config.members_only),
        "muc#roomconfig_publicroom": flag(config.public),
        "muc#roomconfig_moderatedroom": flag(config.moderated),
        "muc#roomconfig_whois": ["anyone" if config.non_anonymous else "moderators"],
        "muc#roomconfig_allowinvites": flag(config.allow_invites),
        "muc#roomconfig_passwordprotectedroom": flag(bool(config.password)),
        "muc#roomconfig_roomsecret": [config.password],
        "muc#roomconfig_enablearchiving": flag(config.archived),
        "mam": flag(config.archived),
    }
    if config.name:
        values["muc#roomconfig_roomname"] = [config.name]
    if config.description:
        values["muc#roomconfig_roomdesc"] = [config.description]
    return values


def config_submit(config: RoomConfig, offered: set[str] | None = None) -> ET.Element:
    """Submit ``config``; with ``offered``, only the fields the room's form has."""
    query = ET.Element(qname(MUC_OWNER, "query"))
    form = ET.SubElement(query, qname(DATA, "x"), {"type": "submit"})
    _field(form, "FORM_TYPE", ["http://jabber.org/protocol/muc#roomconfig"], hidden=True)
    for var, values in config_values(config).items():
        if offered is None or var in offered:
            _field(form, var, values)
    return query


def role_item(nick: str, role: str, reason: str = "") -> ET.Element:
    """Change an occupant's role (kick = role ``none``, voice, moderator)."""
    query = ET.Element(qname(MUC_ADMIN, "query"))
    item = ET.SubElement(query, qname(MUC_ADMIN, "item"), {"nick": nick, "role": role})
    if reason:
        ET.SubElement(item, qname(MUC_ADMIN, "reason")).text = reason
    return query


def affiliation_item(jid: Jid, affiliation: Affiliation, reason: str = "") -> ET.Element:
    """Change a user's affiliation (ban = ``outcast``, member, admin, owner, none)."""
    query = ET.Element(qname(MUC_ADMIN, "query"))
    item = ET.SubElement(
        query,
        qname(MUC_ADMIN, "item"),
        {"jid": str(jid.bare), "affiliation": affiliation.value},
    )
    if reason:
        ET.SubElement(item, qname(MUC_ADMIN, "reason")).text = reason
    return query


def registration_request() -> ET.Element:
    """Ask a room for its registration form (or whether we are registered)."""
    return ET.Element(qname(REGISTER, "query"))


def registration_submit(nick: str) -> ET.Element:
    """Register with a room under ``nick``: a membership request (XEP-0045 7.10)."""
    query = ET.Element(qname(REGISTER, "query"))
    form = ET.SubElement(query, qname(DATA, "x"), {"type": "submit"})
    _field(form, "FORM_TYPE", [MUC_REGISTER], hidden=True)
    _field(form, "muc#register_roomnick", [nick])
    return query


def moderation(stanza_id: str, reason: str = "", legacy: bool = False) -> ET.Element:
    """A XEP-0425 request to retract the message the room stamped ``stanza_id``.

    Args:
        stanza_id: The room's XEP-0359 stanza-id of the message.
        reason: Why; shown to the occupants.
        legacy: Use the 0.2 form (``message-moderate:0`` inside XEP-0422 fastening),
            which older services (Prosody 0.12's module) understand.
    """
    if legacy:
        apply_to = ET.Element(qname(FASTEN, "apply-to"), {"id": stanza_id})
        moderate = ET.SubElement(apply_to, qname(MODERATE_0, "moderate"))
        ET.SubElement(moderate, qname(RETRACT_0, "retract"))
        if reason:
            ET.SubElement(moderate, qname(MODERATE_0, "reason")).text = reason
        return apply_to
    moderate = ET.Element(qname(MODERATE_1, "moderate"), {"id": stanza_id})
    ET.SubElement(moderate, qname(RETRACT_1, "retract"))
    if reason:
        ET.SubElement(moderate, qname(MODERATE_1, "reason")).text = reason
    return moderate


# --- bookmarks


def bookmarks_request() -> ET.Element:
    """Fetch every XEP-0402 bookmark (a PEP items request)."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    ET.SubElement(pubsub, qname(PUBSUB, "items"), {"node": BOOKMARKS})
    return pubsub


def bookmark_publish(bookmark: Bookmark) -> ET.Element:
    """Publish one bookmark as a private, persistent PEP item keyed by the room."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    publish = ET.SubElement(pubsub, qname(PUBSUB, "publish"), {"node": BOOKMARKS})
    item = ET.SubElement(publish, qname(PUBSUB, "item"), {"id": str(bookmark.room.bare)})
    attributes = {"autojoin": "true" if bookmark.autojoin else "false"}
    if bookmark.name:
        attributes["name"] = bookmark.name
    conference = ET.SubElement(item, qname(BOOKMARKS, "conference"), attributes)
    if bookmark.nick:
        ET.SubElement(conference, qname(BOOKMARKS, "nick")).text = bookmark.nick
    if bookmark.password:
        ET.SubElement(conference, qname(BOOKMARKS, "password")).text = bookmark.password
    options = ET.SubElement(pubsub, qname(PUBSUB, "publish-options"))
    form = ET.SubElement(options, qname(DATA, "x"), {"type": "submit"})
    _field(form, "FORM_TYPE", ["http://jabber.org/protocol/pubsub#publish-options"], hidden=True)
    _field(form, "pubsub#persist_items", ["true"])
    _field(form, "pubsub#max_items", ["max"])
    _field(form, "pubsub#send_last_published_item", ["never"])
    _field(form, "pubsub#access_model", ["whitelist"])
    return pubsub


def bookmark_retract(room: Jid) -> ET.Element:
    """Remove one bookmark (and tell our other devices)."""
    pubsub = ET.Element(qname(PUBSUB, "pubsub"))
    retract = ET.SubElement(pubsub, qname(PUBSUB, "retract"), {"node": BOOKMARKS, "notify": "1"})
    ET.SubElement(retract, qname(PUBSUB, "item"), {"id": str(room.bare)})
    return pubsub


def legacy_bookmarks_request() -> ET.Element:
    """Fetch XEP-0048 bookmarks from private XML storage (XEP-0049)."""
    query = ET.Element(qname(PRIVATE, "query"))
    ET.SubElement(query, qname(LEGACY_BOOKMARKS, "storage"))
    return query


def legacy_bookmarks_store(bookmarks: list[Bookmark]) -> ET.Element:
    """Replace the XEP-0048 bookmarks in private XML storage (tests, old servers)."""
    query = ET.Element(qname(PRIVATE, "query"))
    storage = ET.SubElement(query, qname(LEGACY_BOOKMARKS, "storage"))
    for bookmark in bookmarks:
        attributes = {"jid": str(bookmark.room), "autojoin": str(bookmark.autojoin).lower()}
        if bookmark.name:
            attributes["name"] = bookmark.name
        conference = ET.SubElement(storage, qname(LEGACY_BOOKMARKS, "conference"), attributes)
        if bookmark.nick:
            ET.SubElement(conference, qname(LEGACY_BOOKMARKS, "nick")).text = bookmark.nick
        if bookmark.password:
            ET.SubElement(conference, qname(LEGACY_BOOKMARKS, "password")).text = bookmark.password
    return query


def _field(form: ET.Element, var: str, values: list[str], hidden: bool = False) -> None:
    attributes = {"var": var}
    if hidden:
        attributes["type"] = "hidden"
    field = ET.SubElement(form, qname(DATA, "field"), attributes)
    for value in values:
        ET.SubElement(field, qname(DATA, "value")).text = value
