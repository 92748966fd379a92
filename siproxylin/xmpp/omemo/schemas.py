"""Validating OMEMO's XML (device lists, bundles, messages) without the ``xmlschema`` package.

The OMEMO libraries (``oldmemo.etree``, ``twomemo.etree``, ``slixmpp_omemo``)
check every device list, bundle and message against small XML schemas, compiled
at import with the ``xmlschema`` package; compiling them costs about 45 MB of
memory and 0.4 s at start, for six schemas of a few elements each. ``install``
puts this module's stand-in in its place before the libraries are imported: it
compiles exactly the XSD subset those schemas use (global elements with ``ref``,
``xs:sequence`` of one element, ``xs:all``, attributes, simple and simple-content
types) and refuses any other construct, so a schema it cannot check is an error
at import, never a schema that lets everything through. ``validate`` raises
``XMLSchemaValidationError`` where the real package would: unknown or missing
children, undeclared or missing attributes, a value not of its type.
"""

from __future__ import annotations

import re
import sys
import types
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

_XS = "{http://www.w3.org/2001/XMLSchema}"
_UNBOUNDED = sys.maxsize
_B64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")
_UINT_MAX = 2**32 - 1


class XMLSchemaValidationError(ValueError):
    """An element does not conform to its schema."""


class XMLSchemaParseError(ValueError):
    """A schema uses a construct this module does not check."""


def _unsigned_int(text: str) -> bool:
    text = text.strip()
    return text.isascii() and text.isdigit() and int(text) <= _UINT_MAX


def _boolean(text: str) -> bool:
    return text.strip() in ("true", "false", "1", "0")


def _base64(text: str) -> bool:
    return _B64.match("".join(text.split())) is not None


def _string(_text: str) -> bool:
    return True


_TYPES: dict[str, Callable[[str], bool]] = {
    "xs:unsignedInt": _unsigned_int,
    "xs:boolean": _boolean,
    "xs:base64Binary": _base64,
    "xs:string": _string,
}


@dataclass(slots=True)
class _Element:
    """One global element: its attributes, its children (counted) and its text."""

    attributes: dict[str, tuple[Callable[[str], bool], bool]] = field(default_factory=dict)
    children: dict[str, tuple[int, int]] = field(default_factory=dict)
    text: Callable[[str], bool] | None = None  # None: no text (whitespace only)


class XMLSchema:
    """A compiled schema (the subset described in the module doc).

    Args:
        source: The XSD document.
    """

    def __init__(self, source: str) -> None:
        root = ET.fromstring(source.encode("utf-8"))  # noqa: S314 - the libraries' own text
        if root.tag != f"{_XS}schema":
            raise XMLSchemaParseError("not an XML schema")
        self._namespace = root.get("targetNamespace", "")
        self._elements: dict[str, _Element] = {}
        for child in root:
            if child.tag == f"{_XS}annotation":
                continue
            if child.tag != f"{_XS}element" or not child.get("name"):
                raise XMLSchemaParseError(f"unsupported top-level {child.tag}")
            self._elements[self._qualified(child.get("name", ""))] = self._element(child)
        for declaration in self._elements.values():
            for name in declaration.children:
                if name not in self._elements:
                    raise XMLSchemaParseError(f"{name} is referenced but not declared")

    def _qualified(self, name: str) -> str:
        return f"{{{self._namespace}}}{name}" if self._namespace else name

    def _element(self, node: ET.Element) -> _Element:
        declared = node.get("type")
        if declared is not None:
            return _Element(text=_type(declared))
        complex_type = _only(node, "complexType")
        element = _Element()
        for part in complex_type:
            tag = _local(part.tag)
            if tag == "attribute":
                required = part.get("use") == "required"
                element.attributes[part.get("name", "")] = (_type(part.get("type", "")), required)
            elif tag in ("sequence", "all"):
                self._model(part, element)
            elif tag == "simpleContent":
                extension = _only(part, "extension")
                element.text = _type(extension.get("base", ""))
                for attribute in extension:
                    if _local(attribute.tag) != "attribute":
                        raise XMLSchemaParseError(f"unsupported {attribute.tag} in an extension")
                    required = attribute.get("use") == "required"
                    element.attributes[attribute.get("name", "")] = (
                        _type(attribute.get("type", "")),
                        required,
                    )
            elif tag != "annotation":
                raise XMLSchemaParseError(f"unsupported {part.tag}")
        return element

    def _model(self, group: ET.Element, element: _Element) -> None:
        refs = [c for c in group if _local(c.tag) != "annotation"]
        if _local(group.tag) == "sequence" and len(refs) != 1:
            raise XMLSchemaParseError("only sequences of one element are supported")
        group_min, group_max = _occurs(group)
        for ref in refs:
            if _local(ref.tag) != "element" or not ref.get("ref"):
                raise XMLSchemaParseError(f"unsupported {ref.tag} in a content model")
            low, high = _occurs(ref)
            high = _UNBOUNDED if _UNBOUNDED in (high, group_max) else high * group_max
            element.children[self._qualified(ref.get("ref", ""))] = (low * group_min, high)

    def validate(self, element: ET.Element) -> None:
        """Check ``element`` and its descendants.

        Raises:
            XMLSchemaValidationError: It does not conform.
        """
        declaration = self._elements.get(element.tag)
        if declaration is None:
            raise XMLSchemaValidationError(f"{element.tag} is not declared")
        self._check(element, declaration)

    def _check(self, element: ET.Element, declaration: _Element) -> None:
        _check_attributes(element, declaration)
        text = element.text or ""
        if declaration.text is None:
            if text.strip() or any((c.tail or "").strip() for c in element):
                raise XMLSchemaValidationError(f"{element.tag}: text not allowed")
        elif len(element) or not declaration.text(text):
            raise XMLSchemaValidationError(f"{element.tag}: bad content")
        counts: dict[str, int] = {}
        for child in element:
            if child.tag not in declaration.children:
                raise XMLSchemaValidationError(f"{element.tag}: {child.tag} not allowed")
            counts[child.tag] = counts.get(child.tag, 0) + 1
            self._check(child, self._elements[child.tag])
        for name, (low, high) in declaration.children.items():
            if not low <= counts.get(name, 0) <= high:
                raise XMLSchemaValidationError(f"{element.tag}: wrong number of {name}")


def _check_attributes(element: ET.Element, declaration: _Element) -> None:
    for name, value in element.attrib.items():
        known = declaration.attributes.get(name)
        if known is None:
            raise XMLSchemaValidationError(f"{element.tag}: attribute {name} not allowed")
        if not known[0](value):
            raise XMLSchemaValidationError(f"{element.tag}: bad value of {name}")
    for name, (_check, required) in declaration.attributes.items():
        if required and name not in element.attrib:
            raise XMLSchemaValidationError(f"{element.tag}: attribute {name} missing")


class XMLSchema11(XMLSchema):
    """The same subset (XSD 1.1 only widens ``xs:all``, which ``XMLSchema`` allows)."""


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _only(node: ET.Element, name: str) -> ET.Element:
    parts = [c for c in node if _local(c.tag) != "annotation"]
    if len(parts) != 1 or parts[0].tag != f"{_XS}{name}":
        raise XMLSchemaParseError(f"expected one xs:{name}")
    return parts[0]


def _type(name: str) -> Callable[[str], bool]:
    check = _TYPES.get(name)
    if check is None:
        raise XMLSchemaParseError(f"unsupported type {name!r}")
    return check


def _occurs(node: ET.Element) -> tuple[int, int]:
    high = node.get("maxOccurs", "1")
    return int(node.get("minOccurs", "1")), _UNBOUNDED if high == "unbounded" else int(high)


def install() -> None:
    """Make ``import xmlschema`` give this module's stand-in (unless the real package
    is already loaded: then the libraries use it)."""
    if "xmlschema" in sys.modules:
        return
    module = types.ModuleType("xmlschema", __doc__)
    module.XMLSchema = XMLSchema  # type: ignore[attr-defined]
    module.XMLSchema11 = XMLSchema11  # type: ignore[attr-defined]
    module.XMLSchemaValidationError = XMLSchemaValidationError  # type: ignore[attr-defined]
    module.XMLSchemaParseError = XMLSchemaParseError  # type: ignore[attr-defined]
    sys.modules["xmlschema"] = module
