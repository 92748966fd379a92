"""doap.xml: one source (the packaged file), parsed, and true to what the code advertises."""

from __future__ import annotations

from pathlib import Path

import pytest

from siproxylin import __version__
from siproxylin.gui.doap import DoapError, load_project, packaged_doap, parse_doap
from siproxylin.xmpp.client import FEATURES
from siproxylin.xmpp.muc import FEATURES as MUC_FEATURES
from siproxylin.xmpp.profiles import NOTIFY_FEATURES

ROOT = Path(__file__).resolve().parents[2]
STATUSES = {"complete", "partial", "planned", "deprecated", "removed", "wontfix"}
# Which XEP each advertised disco feature belongs to.
FEATURE_XEPS = {
    "urn:xmpp:carbons:2": 280,
    "urn:xmpp:sid:0": 359,
    "urn:xmpp:receipts": 184,
    "urn:xmpp:chat-markers:0": 333,
    "http://jabber.org/protocol/chatstates": 85,
    "urn:xmpp:message-correct:0": 308,
    "urn:xmpp:reply:0": 461,
    "urn:xmpp:reactions:0": 444,
    "urn:xmpp:message-retract:1": 424,
    "urn:xmpp:message-retract:0": 424,
    "urn:xmpp:message-moderate:1": 425,
    "urn:xmpp:fallback:0": 428,
    "urn:xmpp:styling:0": 393,
    "urn:xmpp:mds:displayed:0+notify": 490,
    "http://jabber.org/protocol/muc": 45,
    "jabber:x:conference": 249,
    "urn:xmpp:bookmarks:1+notify": 402,
    "urn:xmpp:occupant-id:0": 421,
    "urn:xmpp:avatar:metadata+notify": 84,
    "http://jabber.org/protocol/nick+notify": 172,
    "vcard-temp": 54,
}


def test_the_repository_copy_is_the_packaged_file() -> None:
    assert (ROOT / "doap.xml").read_text(encoding="utf-8") == packaged_doap(), (
        "doap.xml differs from siproxylin/doap.xml: edit siproxylin/doap.xml and copy it"
    )


def test_every_entry_has_a_number_and_a_known_status_once() -> None:
    project = load_project()
    assert project.name == "Siproxylin"
    assert project.version == __version__
    assert project.license_name == "GPL-3.0-or-later"
    numbers = [xep.number for xep in project.xeps]
    assert len(numbers) == len(set(numbers))
    assert numbers == sorted(numbers)
    for xep in project.xeps:
        assert xep.number > 0
        assert xep.status in STATUSES, xep
        assert xep.url == f"https://xmpp.org/extensions/xep-{xep.number:04d}.html"
        assert xep.version
        assert xep.note
    assert {rfc.number for rfc in project.rfcs} >= {6120, 6121, 7622}


def test_what_disco_advertises_is_listed() -> None:
    listed = {xep.number for xep in load_project().xeps}
    for feature in (*FEATURES, *MUC_FEATURES, *NOTIFY_FEATURES):
        assert feature in FEATURE_XEPS, f"map {feature} to its XEP in this test"
        assert FEATURE_XEPS[feature] in listed, feature
    for xep in (384, 363, 313, 198, 77):
        assert xep in listed


def test_the_parser_reads_a_minimal_document() -> None:
    project = parse_doap(
        """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
             xmlns="http://usefulinc.com/ns/doap#" xmlns:xmpp="https://linkmauve.fr/ns/xmpp-doap#">
          <Project><name>X</name>
            <license rdf:resource="https://spdx.org/licenses/MIT.html"/>
            <implements rdf:resource="https://xmpp.org/rfcs/rfc6120.html"/>
            <implements><xmpp:SupportedXep>
              <xmpp:xep rdf:resource="https://xmpp.org/extensions/xep-0001.html"/>
              <xmpp:status>partial</xmpp:status>
            </xmpp:SupportedXep></implements>
          </Project></rdf:RDF>"""
    )
    assert project.license_name == "MIT"
    assert [rfc.name for rfc in project.rfcs] == ["RFC 6120"]
    (xep,) = project.xeps
    assert (xep.name, xep.status, xep.version, xep.note) == ("XEP-0001", "partial", "", "")


@pytest.mark.parametrize(
    "body",
    [
        "<nothing/>",
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'"
        " xmlns='http://usefulinc.com/ns/doap#' xmlns:xmpp='https://linkmauve.fr/ns/xmpp-doap#'>"
        "<Project><implements><xmpp:SupportedXep>"
        "<xmpp:xep rdf:resource='https://xmpp.org/extensions/xep-0001.html'/>"
        "</xmpp:SupportedXep></implements></Project></rdf:RDF>",
        "<not xml",
    ],
)
def test_broken_documents_are_refused(body: str) -> None:
    with pytest.raises(DoapError):
        parse_doap(body)
