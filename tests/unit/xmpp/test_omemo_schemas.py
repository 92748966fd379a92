"""The OMEMO schema stand-in agrees with the ``xmlschema`` package on OMEMO's own schemas."""

from __future__ import annotations

import importlib
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from types import ModuleType

import oldmemo.etree
import pytest
import twomemo.etree

from siproxylin.xmpp.omemo import schemas

L = "eu.siacs.conversations.axolotl"
T = "urn:xmpp:omemo:2"
B64 = "AAEC"


@pytest.fixture(scope="module")
def real() -> Iterator[ModuleType]:
    """The real xmlschema package, imported beside the stand-in and then put away."""
    stand_in = sys.modules.pop("xmlschema")
    try:
        yield importlib.import_module("xmlschema")
    finally:
        for name in [n for n in sys.modules if n == "xmlschema" or n.startswith("xmlschema.")]:
            del sys.modules[name]
        sys.modules["xmlschema"] = stand_in


def test_the_libraries_validate_with_the_stand_in() -> None:
    assert isinstance(twomemo.etree.MESSAGE_SCHEMA, schemas.XMLSchema)
    assert isinstance(oldmemo.etree.MESSAGE_SCHEMA, schemas.XMLSchema11)
    assert "elementpath" not in sys.modules


CASES = [
    # (which schema, document, valid)
    ("2.devices", f"<devices xmlns='{T}'/>", True),
    (
        "2.devices",
        f"<devices xmlns='{T}'><device id='1' label='pc' labelsig='{B64}'/></devices>",
        True,
    ),
    ("2.devices", f"<devices xmlns='{T}'><device/></devices>", False),
    ("2.devices", f"<devices xmlns='{T}'><device id='-1'/></devices>", False),
    ("2.devices", f"<devices xmlns='{T}'><device id='4294967296'/></devices>", False),
    ("2.devices", f"<devices xmlns='{T}'><device id='1' color='red'/></devices>", False),
    ("2.devices", f"<devices xmlns='{T}'><other/></devices>", False),
    ("2.devices", f"<devices xmlns='{L}'/>", False),
    ("2.devices", f"<devices xmlns='{T}'>text</devices>", False),
    (
        "2.bundle",
        f"<bundle xmlns='{T}'><spk id='1'>{B64}</spk><spks>{B64}</spks><ik>{B64}</ik>"
        f"<prekeys><pk id='1'>{B64}</pk><pk id='2'>{B64}</pk></prekeys></bundle>",
        True,
    ),
    (
        "2.bundle",
        f"<bundle xmlns='{T}'><ik>{B64}</ik><spks>{B64}</spks><spk id='1'>{B64}</spk>"
        f"<prekeys><pk id='1'>{B64}</pk></prekeys></bundle>",
        True,
    ),
    (
        "2.bundle",
        f"<bundle xmlns='{T}'><spk id='1'>{B64}</spk><spks>{B64}</spks><ik>{B64}</ik>"
        "<prekeys/></bundle>",
        False,
    ),
    (
        "2.bundle",
        f"<bundle xmlns='{T}'><spk id='1'>{B64}</spk><spks>{B64}</spks>"
        f"<prekeys><pk id='1'>{B64}</pk></prekeys></bundle>",
        False,
    ),
    (
        "2.bundle",
        f"<bundle xmlns='{T}'><spk id='1'>{B64}</spk><spks>not base64!</spks><ik>{B64}</ik>"
        f"<prekeys><pk id='1'>{B64}</pk></prekeys></bundle>",
        False,
    ),
    (
        "2.message",
        f"<encrypted xmlns='{T}'><header sid='5'><keys jid='a@b'><key rid='1' kex='true'>{B64}"
        f"</key><key rid='2'>{B64}</key></keys></header><payload>{B64}</payload></encrypted>",
        True,
    ),
    (
        "2.message",
        f"<encrypted xmlns='{T}'><header sid='5'><keys jid='a@b'><key rid='1'>{B64}</key>"
        "</keys></header></encrypted>",
        True,
    ),
    (
        "2.message",
        f"<encrypted xmlns='{T}'><header sid='5'><keys jid='a@b'><key rid='1' kex='yes'>{B64}"
        "</key></keys></header></encrypted>",
        False,
    ),
    (
        "2.message",
        f"<encrypted xmlns='{T}'><header sid='5'><keys><key rid='1'>{B64}</key></keys>"
        "</header></encrypted>",
        False,
    ),
    ("2.message", f"<encrypted xmlns='{T}'><payload>{B64}</payload></encrypted>", False),
    (
        "2.message",
        f"<encrypted xmlns='{T}'><header sid='5'><keys jid='a@b'><key rid='1'>{B64}</key>"
        f"</keys></header><payload>{B64}</payload><payload>{B64}</payload></encrypted>",
        False,
    ),
    ("1.list", f"<list xmlns='{L}'><device id='1'/><device id='2'/></list>", True),
    ("1.list", f"<list xmlns='{L}'><device id='x'/></list>", False),
    (
        "1.bundle",
        f"<bundle xmlns='{L}'><signedPreKeyPublic signedPreKeyId='1'>{B64}</signedPreKeyPublic>"
        f"<signedPreKeySignature>{B64}</signedPreKeySignature><identityKey>{B64}</identityKey>"
        f"<prekeys><preKeyPublic preKeyId='1'>{B64}</preKeyPublic></prekeys></bundle>",
        True,
    ),
    (
        "1.bundle",
        f"<bundle xmlns='{L}'><signedPreKeyPublic signedPreKeyId='1'>{B64}</signedPreKeyPublic>"
        f"<signedPreKeySignature>{B64}</signedPreKeySignature><identityKey>{B64}</identityKey>"
        f"<prekeys><preKeyPublic>{B64}</preKeyPublic></prekeys></bundle>",
        False,
    ),
    (
        "1.message",
        f"<encrypted xmlns='{L}'><header sid='3'><key rid='1' prekey='true'>{B64}</key>"
        f"<key rid='2'>{B64}</key><iv>{B64}</iv></header><payload>{B64}</payload></encrypted>",
        True,
    ),
    (
        "1.message",
        f"<encrypted xmlns='{L}'><header sid='3'><iv>{B64}</iv></header></encrypted>",
        True,
    ),
    (
        "1.message",
        f"<encrypted xmlns='{L}'><header sid='3'><key rid='1'>{B64}</key></header></encrypted>",
        False,
    ),
    (
        "1.message",
        f"<encrypted xmlns='{L}'><header sid='3'><key>{B64}</key><iv>{B64}</iv></header>"
        "</encrypted>",
        False,
    ),
]


def _verdict(schema: object, error: type[Exception], document: str) -> bool:
    try:
        schema.validate(ET.fromstring(document))  # type: ignore[attr-defined]
    except error:
        return False
    return True


SOURCES: dict[str, str] = {}


def _sources() -> dict[str, str]:
    """The XSD text of each library schema (read from the library modules' source)."""
    if not SOURCES:
        for version, library in (("2", twomemo.etree), ("1", oldmemo.etree)):
            text = open(library.__file__ or "", encoding="utf-8").read()  # noqa: SIM115
            for constant in ("DEVICE_LIST_SCHEMA", "BUNDLE_SCHEMA", "MESSAGE_SCHEMA"):
                start = text.index('"""', text.index(f"{constant} = ")) + 3
                SOURCES[f"{version}.{constant}"] = text[start : text.index('"""', start)]
    return SOURCES


def _constant(which: str) -> str:
    version, name = which.split(".")
    kind = {"devices": "DEVICE_LIST", "list": "DEVICE_LIST", "bundle": "BUNDLE"}.get(
        name, "MESSAGE"
    )
    return f"{version}.{kind}_SCHEMA"


@pytest.mark.parametrize(("which", "document", "valid"), CASES)
def test_verdicts_match_the_real_package(
    real: ModuleType, which: str, document: str, valid: bool
) -> None:
    source = _sources()[_constant(which)]
    ours = schemas.XMLSchema11(source)
    theirs = (real.XMLSchema11 if which == "1.message" else real.XMLSchema)(source)
    assert _verdict(ours, schemas.XMLSchemaValidationError, document) is valid
    assert _verdict(theirs, real.XMLSchemaValidationError, document) is valid


def test_an_unsupported_schema_is_refused_at_compile_time() -> None:
    source = (
        "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:x'>"
        "<xs:element name='a'><xs:complexType><xs:choice/></xs:complexType></xs:element>"
        "</xs:schema>"
    )
    with pytest.raises(schemas.XMLSchemaParseError):
        schemas.XMLSchema(source)
    with pytest.raises(schemas.XMLSchemaParseError):
        schemas.XMLSchema(
            source.replace("<xs:choice/>", "<xs:sequence><xs:element ref='b'/></xs:sequence>")
        )
