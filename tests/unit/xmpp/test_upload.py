"""XEP-0363 slots and XEP-0066 attachments, parsed from XML literals."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.errors import TransferFailed
from siproxylin.domain.ids import Jid
from siproxylin.xmpp.translate.messages import attachment_of
from siproxylin.xmpp.upload import parse_service, parse_slot, slot_error, slot_request

UP = "urn:xmpp:http:upload:0"
SERVICE = Jid.parse("upload.x.org")


def info(features: str, form: str = "") -> ET.Element:
    return ET.fromstring(
        f"<query xmlns='http://jabber.org/protocol/disco#info'>{features}{form}</query>"
    )


def test_a_service_with_its_size_limit() -> None:
    form = (
        "<x xmlns='jabber:x:data' type='result'>"
        f"<field var='FORM_TYPE' type='hidden'><value>{UP}</value></field>"
        "<field var='max-file-size'><value>10485760</value></field></x>"
    )
    found = parse_service(SERVICE, info(f"<feature var='{UP}'/>", form))
    assert found is not None
    assert (found.jid, found.max_size) == (SERVICE, 10485760)


def test_no_feature_no_service_and_a_foreign_form_is_ignored() -> None:
    assert parse_service(SERVICE, info("<feature var='urn:other'/>")) is None
    other = (
        "<x xmlns='jabber:x:data' type='result'>"
        "<field var='FORM_TYPE'><value>urn:other</value></field>"
        "<field var='max-file-size'><value>5</value></field></x>"
    )
    found = parse_service(SERVICE, info(f"<feature var='{UP}'/>", other))
    assert found is not None
    assert found.max_size == 0


def test_the_request_names_a_safe_file() -> None:
    request = slot_request("../../etc/passwd", 12, "text/plain")
    assert request.get("filename") == ".._.._etc_passwd"
    assert (request.get("size"), request.get("content-type")) == ("12", "text/plain")


def test_a_slot_keeps_only_the_headers_the_xep_allows() -> None:
    slot = ET.fromstring(
        f"<slot xmlns='{UP}'><put url='https://up.x.org/a/b.png'>"
        "<header name='Authorization'>Basic Zm9v</header>"
        "<header name='Host'>evil.example</header>"
        "<header name='Cookie'>c=1\n</header></put>"
        "<get url='https://up.x.org/a/b.png'/></slot>"
    )
    parsed = parse_slot(slot)
    assert parsed.put_url == parsed.get_url == "https://up.x.org/a/b.png"
    assert parsed.headers == (("Authorization", "Basic Zm9v"), ("Cookie", "c=1"))


@pytest.mark.parametrize(
    "xml",
    [
        f"<slot xmlns='{UP}'><put url='file:///etc/passwd'/><get url='https://x/a'/></slot>",
        f"<slot xmlns='{UP}'><put url='https://x/a'/></slot>",
        "<slot xmlns='urn:other'/>",
    ],
)
def test_a_slot_without_usable_urls_is_a_clear_error(xml: str) -> None:
    with pytest.raises(TransferFailed, match="upload slot"):
        parse_slot(ET.fromstring(xml))


def test_refusals_read_as_words() -> None:
    too_large = ET.fromstring(
        "<error xmlns='jabber:client' type='modify'>"
        "<not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        f"<file-too-large xmlns='{UP}'><max-file-size>1024</max-file-size></file-too-large>"
        "</error>"
    )
    assert slot_error(too_large, 5000, 1024) == (
        "the file is too large for the server (at most 1.0 KB)"
    )
    quota = ET.fromstring(
        "<error xmlns='jabber:client' type='wait'>"
        "<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Quota reached</text></error>"
    )
    assert slot_error(quota, 1, 0) == "the upload quota is used up: Quota reached"
    assert slot_error(None, 1, 0) == "the server refused the upload"


@pytest.mark.parametrize(
    ("body", "oob", "expected"),
    [
        ("https://up.x.org/f.png", "https://up.x.org/f.png", "https://up.x.org/f.png"),
        (" https://up.x.org/f.png\n", "https://up.x.org/f.png", "https://up.x.org/f.png"),
        ("https://up.x.org/f.png", "", ""),  # a bare link is text
        ("look: https://up.x.org/f.png", "https://up.x.org/f.png", ""),
        ("aesgcm://up.x.org/f.png#" + "ab" * 44, "", "aesgcm://up.x.org/f.png#" + "ab" * 44),
        ("ftp://x/f", "ftp://x/f", ""),
        ("https://x/" + "a" * 5000, "https://x/" + "a" * 5000, ""),
    ],
)
def test_what_counts_as_a_shared_file(body: str, oob: str, expected: str) -> None:
    assert attachment_of(body, oob) == expected
