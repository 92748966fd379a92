"""XEP-0077 In-Band Registration stanzas, read and written. Pure: stdlib and ``domain``.

Reads a registration query (XEP-0004 data form, or the legacy plain fields), the
XEP-0158 CAPTCHA inside it with its XEP-0221 media and the XEP-0231 Bits of Binary
image, and a registration error; writes the form submission, the password change,
the account removal and the Bits of Binary request. Untrusted input is bounded
(fields, options, text, image size); anything unreadable raises
``RegistrationFailed(MALFORMED)``.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import replace

from siproxylin.domain.registration import (
    Answers,
    BobData,
    FieldMedia,
    FieldOption,
    FieldType,
    FormField,
    MediaUri,
    RegistrationError,
    RegistrationFailed,
    RegistrationForm,
)

REGISTER = "jabber:iq:register"  # XEP-0077
DATA = "jabber:x:data"  # XEP-0004
MEDIA = "urn:xmpp:media-element"  # XEP-0221
BOB = "urn:xmpp:bob"  # XEP-0231
OOB = "jabber:x:oob"  # XEP-0066 (a registration web page)
STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"

MAX_FIELDS = 200
MAX_OPTIONS = 1000
MAX_VALUES = 100
MAX_TEXT = 16 * 1024  # characters in one label, value or instruction
MAX_IMAGE = 1024 * 1024  # bytes of one Bits of Binary image
MAX_BOB_ITEMS = 8

# The plain fields of XEP-0077 (section 14.1), with how they are shown.
LEGACY_LABELS = {
    "username": "User name",
    "nick": "Nickname",
    "password": "Password",
    "name": "Full name",
    "first": "First name",
    "last": "Last name",
    "email": "Email",
    "address": "Street address",
    "city": "City",
    "state": "State",
    "zip": "Postal code",
    "phone": "Telephone",
    "url": "Web page",
    "date": "Date",
    "misc": "Misc",
    "text": "Text",
}
_REQUIRED_LEGACY = frozenset({"username", "password"})
_CONDITIONS = {e.value: e for e in RegistrationError}


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    text = "".join(element.itertext())
    if len(text) > MAX_TEXT:
        raise RegistrationFailed(RegistrationError.MALFORMED, "a text in the form is too long")
    return text


# --- reading -------------------------------------------------------------------------


def find_query(iq: ET.Element) -> ET.Element:
    """The ``<query xmlns='jabber:iq:register'/>`` of an IQ result.

    Raises:
        RegistrationFailed: MALFORMED when there is none.
    """
    query = iq if iq.tag == _q(REGISTER, "query") else iq.find(_q(REGISTER, "query"))
    if query is None:
        raise RegistrationFailed(RegistrationError.MALFORMED, "no registration form in the answer")
    return query


def parse_form(iq: ET.Element, server: str) -> RegistrationForm:
    """Read the registration form of an IQ result (or of its ``<query/>``).

    Bits of Binary data carried in the query or next to it is attached to the media
    of the fields whose ``cid:`` it matches.

    Args:
        iq: The ``<iq type='result'/>`` (or the query element itself).
        server: The server's domain.

    Returns:
        The form, data form or legacy.

    Raises:
        RegistrationFailed: MALFORMED for unreadable or oversized input.
    """
    query = find_query(iq)
    title = instructions = ""
    x = query.find(_q(DATA, "x"))
    if x is not None:
        fields = _data_form_fields(x)
        title = _text(x.find(_q(DATA, "title")))
        instructions = "\n".join(_text(i) for i in x.iterfind(_q(DATA, "instructions")))
    else:
        fields = _legacy_fields(query)
    instructions = instructions or _text(query.find(_q(REGISTER, "instructions")))
    form = RegistrationForm(
        server=server,
        fields=fields,
        title=title,
        instructions=instructions.strip(),
        data_form=x is not None,
        registered=query.find(_q(REGISTER, "registered")) is not None,
        url=_text(query.find(f"{_q(OOB, 'x')}/{_q(OOB, 'url')}")).strip(),
    )
    bob = list(query.iterfind(_q(BOB, "data")))
    if iq is not query:
        bob += iq.iterfind(_q(BOB, "data"))
    return attach_bob(form, [parse_bob(element) for element in bob[:MAX_BOB_ITEMS]])


def _data_form_fields(x: ET.Element) -> tuple[FormField, ...]:
    elements = x.findall(_q(DATA, "field"))
    if len(elements) > MAX_FIELDS:
        raise RegistrationFailed(RegistrationError.MALFORMED, "the form has too many fields")
    return tuple(_field(element) for element in elements)


def _field(element: ET.Element) -> FormField:
    var = element.get("var", "")
    try:
        kind = FieldType(element.get("type", "text-single"))
    except ValueError:
        kind = FieldType.TEXT_SINGLE
    if not var and kind is not FieldType.FIXED:
        raise RegistrationFailed(RegistrationError.MALFORMED, "a form field has no name")
    values = [_text(v) for v in element.iterfind(_q(DATA, "value"))]
    options = element.findall(_q(DATA, "option"))
    if len(values) > MAX_VALUES or len(options) > MAX_OPTIONS:
        raise RegistrationFailed(RegistrationError.MALFORMED, "a form field is too large")
    label = element.get("label", "")
    if len(label) > MAX_TEXT:
        raise RegistrationFailed(RegistrationError.MALFORMED, "a field label is too long")
    return FormField(
        var=var,
        type=kind,
        label=label or var,
        required=element.find(_q(DATA, "required")) is not None,
        values=tuple(values),
        options=tuple(_option(o) for o in options),
        description=_text(element.find(_q(DATA, "desc"))),
        media=_media(element.find(_q(MEDIA, "media"))),
    )


def _option(element: ET.Element) -> FieldOption:
    value = _text(element.find(_q(DATA, "value")))
    return FieldOption(value, element.get("label", "") or value)


def _media(element: ET.Element | None) -> FieldMedia | None:
    if element is None:
        return None
    uris = tuple(
        MediaUri(_text(u).strip(), u.get("type", "")) for u in element.iterfind(_q(MEDIA, "uri"))
    )
    return FieldMedia(
        uris=uris[:MAX_VALUES], width=_int(element.get("width")), height=_int(element.get("height"))
    )


def _int(text: str | None) -> int:
    try:
        return max(0, min(int(text or 0), 10_000))
    except ValueError:
        return 0


def _legacy_fields(query: ET.Element) -> tuple[FormField, ...]:
    fields: list[FormField] = []
    for child in query:
        if not child.tag.startswith("{" + REGISTER + "}"):
            continue
        name = child.tag.split("}", 1)[1]
        if name in LEGACY_LABELS:
            kind = FieldType.TEXT_PRIVATE if name == "password" else FieldType.TEXT_SINGLE
            fields.append(
                FormField(
                    var=name,
                    type=kind,
                    label=LEGACY_LABELS[name],
                    required=name in _REQUIRED_LEGACY,
                    values=(_text(child),) if _text(child) else (),
                )
            )
        elif name == "key":  # an old anti-replay token: sent back as it came
            fields.append(FormField(var="key", type=FieldType.HIDDEN, values=(_text(child),)))
    return tuple(fields)


def parse_bob(element: ET.Element) -> BobData:
    """Read a ``<data xmlns='urn:xmpp:bob'/>`` element.

    Raises:
        RegistrationFailed: MALFORMED for a missing cid, bad base64 or an image
            over ``MAX_IMAGE`` bytes.
    """
    cid = element.get("cid", "")
    encoded = "".join(element.itertext())
    if not cid:
        raise RegistrationFailed(RegistrationError.MALFORMED, "an image has no content id")
    if len(encoded) > MAX_IMAGE * 4 // 3 + 1024:
        raise RegistrationFailed(RegistrationError.MALFORMED, "the CAPTCHA image is too large")
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RegistrationFailed(
            RegistrationError.MALFORMED, "the CAPTCHA image is damaged"
        ) from exc
    return BobData(cid, element.get("type", ""), data)


def bob_of(iq: ET.Element) -> BobData:
    """The Bits of Binary data of an IQ result to our request.

    Raises:
        RegistrationFailed: MALFORMED when the answer holds none.
    """
    element = iq if iq.tag == _q(BOB, "data") else iq.find(_q(BOB, "data"))
    if element is None:
        raise RegistrationFailed(RegistrationError.MALFORMED, "the server sent no image")
    return parse_bob(element)


def attach_bob(form: RegistrationForm, items: Iterable[BobData]) -> RegistrationForm:
    """The form with each field's image filled in from matching Bits of Binary data."""
    by_cid = {item.cid: item for item in items}
    if not by_cid:
        return form
    fields = []
    for f in form.fields:
        media = f.media
        if media is not None and not media.data:
            found = next((by_cid[u.cid] for u in media.uris if u.cid in by_cid), None)
            if found is not None:
                media = replace(media, data=found.data, mime_type=found.mime_type)
        fields.append(replace(f, media=media) if media is not f.media else f)
    return replace(form, fields=tuple(fields), bob=(*form.bob, *by_cid.values()))


def missing_cids(form: RegistrationForm) -> list[str]:
    """Content ids of images the form names but does not carry (to fetch)."""
    return [
        uri.cid
        for f in form.fields
        if f.media is not None and not f.media.data
        for uri in f.media.uris[:1]
        if uri.cid
    ]


def parse_error(iq: ET.Element, captcha: bool = False) -> RegistrationFailed:
    """The typed failure of an ``<iq type='error'/>`` (or its ``<error/>``).

    Args:
        iq: The error stanza.
        captcha: The form had a CAPTCHA: a refusal of the answers then means a
            wrong CAPTCHA answer.
    """
    error = iq if iq.tag.endswith("}error") or iq.tag == "error" else None
    if error is None:
        error = next((c for c in iq if c.tag.endswith("}error") or c.tag == "error"), None)
    if error is None:
        return RegistrationFailed(RegistrationError.MALFORMED, "an error without a reason")
    condition = ""
    detail = ""
    for child in error:
        if not child.tag.startswith("{" + STANZAS + "}"):
            continue
        name = child.tag.split("}", 1)[1]
        if name == "text":
            detail = "".join(child.itertext())[:500].strip()
        elif not condition:
            condition = name
    reason = _CONDITIONS.get(condition, RegistrationError.OTHER)
    # ejabberd refuses a wrong CAPTCHA answer with not-allowed ("The CAPTCHA
    # verification has failed"); others use not-acceptable, often without a text.
    about_captcha = "captcha" in detail.lower()
    refused = reason in (
        RegistrationError.NOT_ACCEPTABLE,
        RegistrationError.NOT_ALLOWED,
        RegistrationError.BAD_REQUEST,
    )
    wrong_answer = captcha and reason is RegistrationError.NOT_ACCEPTABLE and not detail
    if (refused and about_captcha) or wrong_answer:
        reason = RegistrationError.BAD_CAPTCHA
    if reason is RegistrationError.OTHER and condition:
        detail = f"{condition}: {detail}" if detail else condition
    if reason in (RegistrationError.MALFORMED, RegistrationError.TIMEOUT):
        reason = RegistrationError.OTHER
    return RegistrationFailed(reason, detail)


# --- writing -------------------------------------------------------------------------


def query_element() -> ET.Element:
    """An empty ``<query xmlns='jabber:iq:register'/>`` (asks for the form)."""
    return ET.Element(_q(REGISTER, "query"))


def submission(form: RegistrationForm, answers: Answers) -> ET.Element:
    """The ``<query/>`` that submits ``answers`` to ``form``.

    A data form goes back as ``<x type='submit'/>`` with every field but the fixed
    ones (hidden fields keep their values; the answers replace the others');
    legacy fields go back as plain elements.
    """
    query = query_element()
    if not form.data_form:
        for f in form.fields:
            values = answers.get(f.var, f.values)
            ET.SubElement(query, _q(REGISTER, f.var)).text = values[0] if values else ""
        return query
    x = ET.SubElement(query, _q(DATA, "x"), {"type": "submit"})
    for f in form.fields:
        if f.type is FieldType.FIXED or not f.var:
            continue
        values = f.values if f.type is FieldType.HIDDEN else answers.get(f.var, f.values)
        element = ET.SubElement(x, _q(DATA, "field"), {"var": f.var})
        for value in values:
            ET.SubElement(element, _q(DATA, "value")).text = value
    return query


def password_change(username: str, password: str) -> ET.Element:
    """The ``<query/>`` that changes a logged-in account's password."""
    query = query_element()
    ET.SubElement(query, _q(REGISTER, "username")).text = username
    ET.SubElement(query, _q(REGISTER, "password")).text = password
    return query


def removal() -> ET.Element:
    """The ``<query><remove/></query>`` that deletes a logged-in account on its server."""
    query = query_element()
    ET.SubElement(query, _q(REGISTER, "remove"))
    return query


def bob_request(cid: str) -> ET.Element:
    """The ``<data xmlns='urn:xmpp:bob' cid='...'/>`` request for an image."""
    return ET.Element(_q(BOB, "data"), {"cid": cid})
