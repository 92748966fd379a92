"""Group chat stanzas -> typed values and events. Pure: stdlib and ``domain`` only.

Presences from rooms (XEP-0045 occupants, our own presence with status 110, join
errors), the message stanzas that are not chat messages (subject changes, room
status-code notices, XEP-0249 and mediated invitations, declines, XEP-0402 bookmark
notifications), and the results of room queries (disco#info, registration,
bookmarks). Messages with a body are translated by ``messages.py``.

Untrusted input is validated here: room presences and room notices are accepted
only from rooms we are in or joining (``rooms``); a mediated invitation or a
decline only from a room's bare address; a bookmark notification only from our
own bare address. Anything else becomes ``StanzaRejected``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from siproxylin.domain.errors import RoomError
from siproxylin.domain.events import (
    BookmarksReceived,
    Event,
    InvitationDeclined,
    InvitationReceived,
    RoomJoinFailed,
    RoomNoticeReceived,
    RoomSubjectReceived,
    StanzaRejected,
)
from siproxylin.domain.ids import AccountId, InvalidJid, Jid
from siproxylin.domain.models import (
    Affiliation,
    Availability,
    Bookmark,
    Invitation,
    Occupant,
    OccupantChange,
    Role,
    RoomInfo,
)
from siproxylin.xmpp.muc_stanzas import (
    BOOKMARKS,
    CONFERENCE,
    DATA,
    DISCO_INFO,
    LEGACY_BOOKMARKS,
    MUC_USER,
    PUBSUB,
    REGISTER,
)
from siproxylin.xmpp.translate._namespaces import BODY, CLIENT, ERROR, STANZAS, qname

PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event"
OCCUPANT_ID = "urn:xmpp:occupant-id:0"
MAX_TEXT_CHARS = 1024
MAX_SUBJECT_CHARS = 4096

_X_USER = qname(MUC_USER, "x")
_X_CONFERENCE = qname(CONFERENCE, "x")
_SUBJECT = qname(CLIENT, "subject")
_SHOW = qname(CLIENT, "show")
_STATUS = qname(CLIENT, "status")
_EVENT = qname(PUBSUB_EVENT, "event")
_SHOWS = {
    "chat": Availability.CHAT,
    "away": Availability.AWAY,
    "xa": Availability.XA,
    "dnd": Availability.DND,
}
_ROLES = {role.value: role for role in Role}
_AFFILIATIONS = {affiliation.value: affiliation for affiliation in Affiliation}
_CONDITIONS = {
    "not-authorized": RoomError.PASSWORD_REQUIRED,
    "forbidden": RoomError.BANNED,
    "conflict": RoomError.NICK_CONFLICT,
    "registration-required": RoomError.MEMBERS_ONLY,
    "item-not-found": RoomError.LOCKED,
    "not-allowed": RoomError.NOT_ALLOWED,
    "service-unavailable": RoomError.FULL,
    "jid-malformed": RoomError.NICK_INVALID,
    "not-acceptable": RoomError.NICK_INVALID,
    "remote-server-not-found": RoomError.UNREACHABLE,
    "remote-server-timeout": RoomError.UNREACHABLE,
}
# Status codes that end our own presence in a room, strongest first.
_EXIT_CODES = (
    (301, RoomError.BANNED),
    (307, RoomError.KICKED),
    (321, RoomError.AFFILIATION_LOST),
    (322, RoomError.MEMBERS_ONLY_NOW),
    (332, RoomError.SHUTDOWN),
)
# Tags of message children that make a message ours rather than a chat message's.
MUC_MESSAGE_TAGS = frozenset({_X_USER, _X_CONFERENCE, _SUBJECT, _EVENT})


@dataclass(frozen=True, slots=True)
class MucPresence:
    """One occupant presence from a room we are in or joining.

    Attributes:
        room: The room's bare address.
        change: The occupant's presence.
        own: It is our own presence (status 110).
        created: Our join created the room (status 201): it is locked until configured.
        exit: For our own unavailable presence: why we are out (None: we left,
            or it is a nick change).
        destroyed: The room was destroyed (our own unavailable presence says so).
    """

    room: Jid
    change: OccupantChange
    own: bool = False
    created: bool = False
    exit: RoomError | None = None
    destroyed: bool = False


def is_room_presence(xml: ET.Element, rooms: Mapping[Jid, str]) -> bool:
    """True when a presence is for the MUC translator: from one of ``rooms`` or MUC-tagged."""
    if xml.find(_X_USER) is not None:
        return True
    claimed = xml.get("from", "")
    room, _slash, _nick = claimed.partition("/")
    try:
        return Jid.parse(room) in rooms
    except InvalidJid:
        return False


def translate_muc_presence(
    xml: ET.Element, account: AccountId, rooms: Mapping[Jid, str]
) -> MucPresence | Event | None:
    """Turn a room's presence into a ``MucPresence``, a join error, or a rejection.

    Args:
        xml: The ``<presence/>``.
        account: The receiving account.
        rooms: Rooms we are in or joining -> our nick there.

    Returns:
        ``MucPresence`` for an occupant; ``RoomJoinFailed`` for an error presence;
        ``StanzaRejected`` for a sender that is not one of ``rooms`` or a malformed
        presence; None for presence types that mean nothing in a room.
    """
    claimed = xml.get("from", "")
    try:
        sender = Jid.parse(claimed)
    except InvalidJid:
        return StanzaRejected(account, claimed, "malformed room presence sender")
    room = sender.bare
    if room not in rooms:
        return StanzaRejected(account, claimed, "room presence from a room we are not in")
    ptype = xml.get("type", "available")
    if ptype == "error":
        condition, text = error_condition(xml)
        failure = _CONDITIONS.get(condition, RoomError.OTHER)
        return RoomJoinFailed(account, room, sender.resource or rooms[room], failure, text)
    if ptype not in ("available", "unavailable"):
        return None
    nick = sender.resource
    if not nick:
        return StanzaRejected(account, claimed, "room presence without a nick")
    x = xml.find(_X_USER)
    codes = _status_codes(x)
    item = x.find(qname(MUC_USER, "item")) if x is not None else None
    own = 110 in codes
    actor, reason, new_nick, real_jid = "", "", "", None
    role, affiliation = Role.PARTICIPANT, Affiliation.NONE
    if item is not None:
        role = _ROLES.get(item.get("role", ""), Role.PARTICIPANT)
        affiliation = _AFFILIATIONS.get(item.get("affiliation", ""), Affiliation.NONE)
        real_jid = _parse_or_none(item.get("jid", ""))
        new_nick = item.get("nick", "")[:MAX_TEXT_CHARS] if 303 in codes else ""
        actor_element = item.find(qname(MUC_USER, "actor"))
        if actor_element is not None:
            actor = actor_element.get("nick", "") or actor_element.get("jid", "")
        reason = (item.findtext(qname(MUC_USER, "reason")) or "")[:MAX_TEXT_CHARS]
    occupant_id_element = xml.find(qname(OCCUPANT_ID, "occupant-id"))
    occupant_id = occupant_id_element.get("id", "") if occupant_id_element is not None else ""
    if ptype == "unavailable":
        change = OccupantChange(nick, None, frozenset(codes), new_nick, actor[:200], reason)
        destroyed = x is not None and x.find(qname(MUC_USER, "destroy")) is not None
        exit_reason = None
        if own and not new_nick:
            exit_reason = next((r for code, r in _EXIT_CODES if code in codes), None)
            if destroyed:
                exit_reason = RoomError.DESTROYED
        return MucPresence(room, change, own, exit=exit_reason, destroyed=destroyed)
    availability = _SHOWS.get((xml.findtext(_SHOW) or "").strip(), Availability.ONLINE)
    occupant = Occupant(
        nick=nick,
        role=role,
        affiliation=affiliation,
        real_jid=real_jid,
        occupant_id=occupant_id[:200],
        availability=availability,
        status=(xml.findtext(_STATUS) or "")[:MAX_TEXT_CHARS],
        own=own,
    )
    change = OccupantChange(nick, occupant, frozenset(codes), actor=actor[:200], reason=reason)
    return MucPresence(room, change, own, created=own and 201 in codes)


def is_muc_message(xml: ET.Element) -> bool:
    """Cheap test: does the message carry anything the MUC translator handles?"""
    return any(child.tag in MUC_MESSAGE_TAGS for child in xml)


def translate_muc_message(
    xml: ET.Element, account: AccountId, own: Jid, rooms: Mapping[Jid, str]
) -> Event | None:
    """Turn a non-chat room message into an event; None leaves it to ``messages.py``.

    Args:
        xml: The ``<message/>``.
        account: The receiving account.
        own: Our bound address.
        rooms: Joined rooms -> our nick there.

    Returns:
        ``RoomSubjectReceived``, ``RoomNoticeReceived``, ``InvitationReceived``,
        ``InvitationDeclined``, ``BookmarksReceived``, ``StanzaRejected``, or None
        for a message that is not one of those (a chat or groupchat message).
    """
    mtype = xml.get("type", "normal")
    if mtype == "error":
        return None
    claimed = xml.get("from", "")
    try:
        sender = Jid.parse(claimed) if claimed else own.bare
    except InvalidJid:
        return StanzaRejected(account, claimed, "malformed message sender")
    has_body = xml.find(BODY) is not None
    event = xml.find(_EVENT)
    if event is not None:
        return _bookmark_event(event, account, sender, own)
    # A room forwarding a mediated invitation may add a XEP-0249 element too: the
    # mediated one wins (declines go back through the room).
    x = xml.find(_X_USER)
    if x is not None:
        invite = x.find(qname(MUC_USER, "invite"))
        if invite is not None:
            return _mediated_invitation(x, invite, account, sender)
        declined = x.find(qname(MUC_USER, "decline"))
        if declined is not None:
            return _declined(declined, account, sender)
    conference = xml.find(_X_CONFERENCE)
    if conference is not None and mtype != "groupchat":
        return _direct_invitation(conference, account, sender)
    if mtype != "groupchat" or has_body:
        return None
    room = sender.bare
    if room not in rooms:
        return StanzaRejected(account, claimed, "group chat message from a room we are not in")
    subject = xml.find(_SUBJECT)
    if subject is not None:
        return RoomSubjectReceived(
            account, room, (subject.text or "")[:MAX_SUBJECT_CHARS], sender.resource
        )
    codes = _status_codes(x)
    if codes and sender.is_bare:
        return RoomNoticeReceived(account, room, tuple(sorted(codes)))
    return None


# --- room queries


def parse_room_info(room: Jid, query: ET.Element | None) -> RoomInfo:
    """A disco#info result of a room as ``RoomInfo``."""
    if query is None:
        return RoomInfo(room)
    features = frozenset(
        feature.get("var", "") for feature in query.findall(qname(DISCO_INFO, "feature"))
    )
    identity = query.find(qname(DISCO_INFO, "identity"))
    name = identity.get("name", "") if identity is not None else ""
    return RoomInfo(room, True, name[:MAX_TEXT_CHARS], features)


def form_fields(query: ET.Element | None) -> set[str]:
    """The field names of the data form inside ``query`` (a room's config form)."""
    if query is None:
        return set()
    form = query.find(qname(DATA, "x"))
    if form is None:
        return set()
    return {field.get("var", "") for field in form.findall(qname(DATA, "field"))}


def is_registered(query: ET.Element | None) -> bool:
    """A registration query result says we are registered (a member)."""
    return query is not None and query.find(qname(REGISTER, "registered")) is not None


def parse_bookmarks(pubsub: ET.Element | None) -> list[Bookmark]:
    """XEP-0402 bookmarks from a pubsub ``<items/>`` result (or an event's items)."""
    if pubsub is None:
        return []
    found = []
    for items in (pubsub.find(qname(PUBSUB, "items")), pubsub.find(qname(PUBSUB_EVENT, "items"))):
        if items is None:
            continue
        for item in items:
            if item.tag not in (qname(PUBSUB, "item"), qname(PUBSUB_EVENT, "item")):
                continue
            bookmark = _bookmark(item.get("id", ""), item.find(qname(BOOKMARKS, "conference")))
            if bookmark is not None:
                found.append(bookmark)
    return found


def parse_legacy_bookmarks(query: ET.Element | None) -> list[Bookmark]:
    """XEP-0048 bookmarks from a private XML storage result."""
    if query is None:
        return []
    storage = query.find(qname(LEGACY_BOOKMARKS, "storage"))
    if storage is None:
        return []
    found = []
    for conference in storage.findall(qname(LEGACY_BOOKMARKS, "conference")):
        room = _parse_or_none(conference.get("jid", ""))
        if room is None or not room.local or not room.is_bare:
            continue
        found.append(
            Bookmark(
                room=room,
                name=conference.get("name", "")[:MAX_TEXT_CHARS],
                nick=(conference.findtext(qname(LEGACY_BOOKMARKS, "nick")) or "")[:200],
                password=conference.findtext(qname(LEGACY_BOOKMARKS, "password")) or "",
                autojoin=conference.get("autojoin", "") in ("true", "1"),
            )
        )
    return found


def error_condition(xml: ET.Element) -> tuple[str, str]:
    """The defined condition and text of a stanza's ``<error/>`` (empty when none)."""
    error = xml.find(ERROR)
    if error is None:
        return "", ""
    condition, text = "", ""
    for child in error:
        if not child.tag.startswith(f"{{{STANZAS}}}"):
            continue
        name = child.tag.split("}", 1)[1]
        if name == "text":
            text = (child.text or "")[:MAX_TEXT_CHARS]
        elif not condition:
            condition = name
    return condition, text


def room_error(condition: str) -> RoomError:
    """The typed reason for a stanza error condition from a room."""
    if condition == "forbidden":
        return RoomError.FORBIDDEN
    return _CONDITIONS.get(condition, RoomError.OTHER)


# --- internals


def _status_codes(x: ET.Element | None) -> set[int]:
    if x is None:
        return set()
    codes = set()
    for status in x.findall(qname(MUC_USER, "status")):
        code = status.get("code", "")
        if code.isdigit() and len(code) == 3:
            codes.add(int(code))
    return codes


def _parse_or_none(text: str) -> Jid | None:
    if not text:
        return None
    try:
        return Jid.parse(text)
    except InvalidJid:
        return None


def _room_address(text: str) -> Jid | None:
    room = _parse_or_none(text)
    if room is None or not room.local or not room.is_bare:
        return None
    return room


def _direct_invitation(x: ET.Element, account: AccountId, sender: Jid) -> Event:
    room = _room_address(x.get("jid", ""))
    if room is None:
        return StanzaRejected(account, str(sender), "invitation to an invalid room address")
    invitation = Invitation(
        room=room,
        inviter=sender,
        reason=x.get("reason", "")[:MAX_TEXT_CHARS],
        password=x.get("password", "")[:MAX_TEXT_CHARS],
    )
    return InvitationReceived(account, invitation)


def _mediated_invitation(
    x: ET.Element, invite: ET.Element, account: AccountId, sender: Jid
) -> Event:
    # The room itself forwards a mediated invitation: from its bare address.
    if not sender.local or not sender.is_bare:
        return StanzaRejected(account, str(sender), "mediated invitation not sent by a room")
    inviter = _parse_or_none(invite.get("from", ""))
    if inviter is None:
        return StanzaRejected(account, str(sender), "mediated invitation without an inviter")
    invitation = Invitation(
        room=sender,
        inviter=inviter,
        reason=(invite.findtext(qname(MUC_USER, "reason")) or "")[:MAX_TEXT_CHARS],
        password=(x.findtext(qname(MUC_USER, "password")) or "")[:MAX_TEXT_CHARS],
        mediated=True,
    )
    return InvitationReceived(account, invitation)


def _declined(declined: ET.Element, account: AccountId, sender: Jid) -> Event:
    if not sender.local or not sender.is_bare:
        return StanzaRejected(account, str(sender), "declined invitation not sent by a room")
    by = _parse_or_none(declined.get("from", ""))
    if by is None:
        return StanzaRejected(account, str(sender), "declined invitation without a sender")
    reason = (declined.findtext(qname(MUC_USER, "reason")) or "")[:MAX_TEXT_CHARS]
    return InvitationDeclined(account, sender, by, reason)


def _bookmark_event(event: ET.Element, account: AccountId, sender: Jid, own: Jid) -> Event | None:
    items = event.find(qname(PUBSUB_EVENT, "items"))
    if items is None or items.get("node") != BOOKMARKS:
        return None
    if sender != own.bare:
        return StanzaRejected(account, str(sender), "bookmark notification from someone else")
    retracted = tuple(
        room
        for room in (
            _room_address(r.get("id", "")) for r in items.findall(qname(PUBSUB_EVENT, "retract"))
        )
        if room is not None
    )
    return BookmarksReceived(account, tuple(parse_bookmarks(event)), retracted)


def _bookmark(item_id: str, conference: ET.Element | None) -> Bookmark | None:
    room = _room_address(item_id)
    if room is None or conference is None:
        return None
    return Bookmark(
        room=room,
        name=conference.get("name", "")[:MAX_TEXT_CHARS],
        nick=(conference.findtext(qname(BOOKMARKS, "nick")) or "")[:200],
        password=conference.findtext(qname(BOOKMARKS, "password")) or "",
        autojoin=conference.get("autojoin", "") in ("true", "1"),
    )
