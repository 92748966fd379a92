"""Reads the project's DOAP file (XEP-0453): name, licence, RFCs and supported XEPs.

Pure: the standard library's ElementTree only, no Qt. The file is our own package
data (``siproxylin/doap.xml``), never anything received from the network. Help >
About shows what this returns.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DOAP = "http://usefulinc.com/ns/doap#"
XMPP = "https://linkmauve.fr/ns/xmpp-doap#"
_RESOURCE = f"{{{RDF}}}resource"
_XEP_URL = re.compile(r"xep-(\d{4})\.html$")
_RFC_URL = re.compile(r"rfc(\d+)(?:\.html)?$")


class DoapError(ValueError):
    """The DOAP file is not what this reader expects."""


@dataclass(frozen=True, slots=True)
class SupportedXep:
    """One ``xmpp:SupportedXep`` entry.

    Attributes:
        number: The XEP number (384 for XEP-0384).
        url: Its text on xmpp.org.
        status: complete, partial, planned, deprecated, removed or wontfix.
        version: The XEP version implemented ("" when not given).
        note: What is (or is not) supported ("" when not given).
    """

    number: int
    url: str
    status: str
    version: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        """``XEP-0384``."""
        return f"XEP-{self.number:04d}"


@dataclass(frozen=True, slots=True)
class Rfc:
    """An RFC the project implements."""

    number: int
    url: str

    @property
    def name(self) -> str:
        """``RFC 6120``."""
        return f"RFC {self.number}"


@dataclass(frozen=True, slots=True)
class Project:
    """What the DOAP file says about the project."""

    name: str
    shortdesc: str
    description: str
    license_url: str
    version: str
    rfcs: tuple[Rfc, ...]
    xeps: tuple[SupportedXep, ...]

    @property
    def license_name(self) -> str:
        """The SPDX identifier taken from the licence URL (``GPL-3.0-or-later``)."""
        tail = self.license_url.rstrip("/").rsplit("/", 1)[-1]
        return tail.removesuffix(".html")


def _text(parent: ET.Element, tag: str) -> str:
    found = parent.find(tag)
    return " ".join((found.text or "").split()) if found is not None else ""


def _xep(entry: ET.Element) -> SupportedXep:
    ref = entry.find(f"{{{XMPP}}}xep")
    url = ref.get(_RESOURCE, "") if ref is not None else ""
    match = _XEP_URL.search(url)
    if match is None:
        raise DoapError(f"not a XEP address: {url!r}")
    status = _text(entry, f"{{{XMPP}}}status")
    if not status:
        raise DoapError(f"XEP-{match.group(1)} has no status")
    return SupportedXep(
        int(match.group(1)),
        url,
        status,
        _text(entry, f"{{{XMPP}}}version"),
        _text(entry, f"{{{XMPP}}}note"),
    )


def parse_doap(text: str | bytes) -> Project:
    """Parse a DOAP document.

    Args:
        text: The XML of a DOAP file with one ``Project``.

    Returns:
        The project, its RFCs and its XEPs in file order.

    Raises:
        DoapError: No project, or a XEP entry without number or status.
    """
    try:
        root = ET.fromstring(text)  # noqa: S314 - our own package file, not network input
    except ET.ParseError as error:
        raise DoapError(str(error)) from error
    project = root.find(f"{{{DOAP}}}Project")
    if project is None:
        raise DoapError("no doap:Project")
    rfcs: list[Rfc] = []
    xeps: list[SupportedXep] = []
    for implements in project.findall(f"{{{DOAP}}}implements"):
        entry = implements.find(f"{{{XMPP}}}SupportedXep")
        if entry is not None:
            xeps.append(_xep(entry))
            continue
        match = _RFC_URL.search(implements.get(_RESOURCE, ""))
        if match is not None:
            rfcs.append(Rfc(int(match.group(1)), implements.get(_RESOURCE, "")))
    license_ref = project.find(f"{{{DOAP}}}license")
    return Project(
        name=_text(project, f"{{{DOAP}}}name"),
        shortdesc=_text(project, f"{{{DOAP}}}shortdesc"),
        description=_text(project, f"{{{DOAP}}}description"),
        license_url=license_ref.get(_RESOURCE, "") if license_ref is not None else "",
        version=_text(project, f"{{{DOAP}}}release/{{{DOAP}}}Version/{{{DOAP}}}revision"),
        rfcs=tuple(rfcs),
        xeps=tuple(xeps),
    )


def packaged_doap() -> str:
    """The text of ``siproxylin/doap.xml`` as installed with the package."""
    return resources.files("siproxylin").joinpath("doap.xml").read_text(encoding="utf-8")


def load_project() -> Project:
    """Parse the packaged DOAP file."""
    return parse_doap(packaged_doap())
