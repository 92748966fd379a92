"""Registration stanzas (XEP-0077 with XEP-0004, XEP-0158, XEP-0221, XEP-0231) from XML literals."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

from siproxylin.domain.registration import (
    BobData,
    FieldType,
    RegistrationError,
    RegistrationFailed,
)
from siproxylin.xmpp.translate import registration as reg

PNG = b"\x89PNG\r\n\x1a\nfake-image"
CID = "sha1+0123456789abcdef@bob.xmpp.org"

# language=XML
CAPTCHA_FORM = f"""
<iq xmlns='jabber:client' type='result' from='example.test' id='r1'>
  <query xmlns='jabber:iq:register'>
    <instructions>Choose a username and password</instructions>
    <x xmlns='jabber:x:data' type='form'>
      <title>Register</title>
      <instructions>Fill in the form</instructions>
      <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>
      <field var='username' type='text-single' label='User'><required/></field>
      <field var='password' type='text-private' label='Password'><required/></field>
      <field var='tos' type='boolean' label='Accept the rules'><value>0</value></field>
      <field var='lang' type='list-single' label='Language'>
        <value>en</value>
        <option label='English'><value>en</value></option>
        <option><value>de</value></option>
      </field>
      <field type='fixed'><value>If you cannot see the image, ask.</value></field>
      <field var='challenge' type='hidden'><value>42</value></field>
      <field var='notes' type='text-multi' label='Notes'><desc>Anything</desc></field>
      <field var='ocr' type='text-single' label='Enter the text you see'>
        <required/>
        <media xmlns='urn:xmpp:media-element' width='120' height='40'>
          <uri type='image/png'>cid:{CID}</uri>
        </media>
      </field>
      <field var='odd' type='not-a-type'/>
    </x>
    <data xmlns='urn:xmpp:bob' cid='{CID}' type='image/png'>{base64.b64encode(PNG).decode()}</data>
  </query>
</iq>
"""

# language=XML
LEGACY_FORM = """
<iq xmlns='jabber:client' type='result'>
  <query xmlns='jabber:iq:register'>
    <instructions>Choose a username, password and email</instructions>
    <username/><password/><email/><key>abc</key>
  </query>
</iq>
"""


def _xml(text: str) -> ET.Element:
    return ET.fromstring(text)


def test_data_form_with_every_field_type_and_the_captcha_image() -> None:
    form = reg.parse_form(_xml(CAPTCHA_FORM), "example.test")
    assert form.data_form
    assert form.title == "Register"
    assert form.instructions == "Fill in the form"
    kinds = {f.var: f.type for f in form.fields}
    assert kinds["username"] is FieldType.TEXT_SINGLE
    assert kinds["password"] is FieldType.TEXT_PRIVATE
    assert kinds["tos"] is FieldType.BOOLEAN
    assert kinds["lang"] is FieldType.LIST_SINGLE
    assert kinds["challenge"] is FieldType.HIDDEN
    assert kinds["notes"] is FieldType.TEXT_MULTI
    assert kinds["odd"] is FieldType.TEXT_SINGLE  # an unknown type reads as text
    fixed = [f for f in form.fields if f.type is FieldType.FIXED]
    assert fixed[0].value == "If you cannot see the image, ask."
    lang = form.field("lang")
    assert lang is not None
    assert [(o.value, o.label) for o in lang.options] == [("en", "English"), ("de", "de")]
    assert form.field("username").required  # type: ignore[union-attr]
    captcha = form.captcha
    assert captcha is not None
    assert captcha.var == "ocr"
    assert captcha.media is not None
    assert captcha.media.data == PNG
    assert captcha.media.mime_type == "image/png"
    assert (captcha.media.width, captcha.media.height) == (120, 40)
    assert reg.missing_cids(form) == []


def test_captcha_image_named_only_is_fetched_then_attached() -> None:
    text = CAPTCHA_FORM.split("<data xmlns", maxsplit=1)[0] + "</query></iq>"
    form = reg.parse_form(_xml(text), "example.test")
    assert reg.missing_cids(form) == [CID]
    request = reg.bob_request(CID)
    assert request.tag == "{urn:xmpp:bob}data"
    assert request.get("cid") == CID
    # language=XML
    answer = _xml(
        f"<iq xmlns='jabber:client' type='result'><data xmlns='urn:xmpp:bob' cid='{CID}' "
        f"type='image/png'>{base64.b64encode(PNG).decode()}</data></iq>"
    )
    form = reg.attach_bob(form, [reg.bob_of(answer)])
    assert form.captcha is not None
    assert form.captcha.media is not None
    assert form.captcha.media.data == PNG
    assert reg.missing_cids(form) == []


def test_bob_beside_the_query_is_attached_too() -> None:
    text = CAPTCHA_FORM.replace("</query>", "").replace("</iq>", "</query></iq>")
    data = text[text.index("<data") : text.index("</data>") + 7]
    moved = text.replace(data, "").replace("</query></iq>", "</query>" + data + "</iq>")
    form = reg.parse_form(_xml(moved), "example.test")
    assert form.captcha is not None
    assert form.captcha.media is not None
    assert form.captcha.media.data == PNG


def test_legacy_fields() -> None:
    form = reg.parse_form(_xml(LEGACY_FORM), "example.test")
    assert not form.data_form
    assert [f.var for f in form.fields] == ["username", "password", "email", "key"]
    assert form.field("password").type is FieldType.TEXT_PRIVATE  # type: ignore[union-attr]
    assert form.field("username").required  # type: ignore[union-attr]
    assert not form.field("email").required  # type: ignore[union-attr]
    assert form.instructions.startswith("Choose")
    query = reg.submission(form, {"username": ("al",), "password": ("pw",), "email": ("a@b",)})
    ns = "{jabber:iq:register}"
    assert query.findtext(f"{ns}username") == "al"
    assert query.findtext(f"{ns}password") == "pw"
    assert query.findtext(f"{ns}key") == "abc"  # sent back as it came


def test_data_form_submission_keeps_hidden_values_and_skips_fixed_fields() -> None:
    form = reg.parse_form(_xml(CAPTCHA_FORM), "example.test")
    answers = {"username": ("al",), "password": ("pw",), "ocr": ("7xk2",), "challenge": ("x",)}
    query = reg.submission(form, answers)
    x = query.find("{jabber:x:data}x")
    assert x is not None
    assert x.get("type") == "submit"
    values = {
        f.get("var"): [v.text for v in f.iterfind("{jabber:x:data}value")]
        for f in x.iterfind("{jabber:x:data}field")
    }
    assert values["challenge"] == ["42"]  # hidden: the server's value, not the answer
    assert values["FORM_TYPE"] == ["jabber:iq:register"]
    assert values["ocr"] == ["7xk2"]
    assert values["lang"] == ["en"]  # unanswered: its default
    assert None not in values  # the fixed text is not sent


def test_missing_required_answers() -> None:
    form = reg.parse_form(_xml(CAPTCHA_FORM), "example.test")
    missing = form.missing({"username": ("al",), "password": (" ",)})
    assert [f.var for f in missing] == ["password", "ocr"]


def test_password_change_and_removal_queries() -> None:
    ns = "{jabber:iq:register}"
    change = reg.password_change("al", "new")
    assert (change.findtext(f"{ns}username"), change.findtext(f"{ns}password")) == ("al", "new")
    assert reg.removal().find(f"{ns}remove") is not None


def _error(condition: str, text: str = "") -> ET.Element:
    stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas"
    text_xml = f"<text xmlns='{stanzas}'>{text}</text>" if text else ""
    # language=XML
    return _xml(
        f"<iq xmlns='jabber:client' type='error'><error type='cancel'>"
        f"<{condition} xmlns='{stanzas}'/>{text_xml}</error></iq>"
    )


@pytest.mark.parametrize(
    ("condition", "text", "captcha", "reason"),
    [
        ("conflict", "User already exists", True, RegistrationError.CONFLICT),
        ("not-acceptable", "", True, RegistrationError.BAD_CAPTCHA),
        ("not-acceptable", "", False, RegistrationError.NOT_ACCEPTABLE),
        ("not-allowed", "The CAPTCHA verification has failed", True, RegistrationError.BAD_CAPTCHA),
        ("not-allowed", "", False, RegistrationError.NOT_ALLOWED),
        ("resource-constraint", "", False, RegistrationError.RESOURCE_CONSTRAINT),
        ("service-unavailable", "", False, RegistrationError.SERVICE_UNAVAILABLE),
        ("bad-request", "", False, RegistrationError.BAD_REQUEST),
        ("undefined-condition", "odd", False, RegistrationError.OTHER),
    ],
)
def test_errors_have_a_typed_reason_and_a_human_text(
    condition: str, text: str, captcha: bool, reason: RegistrationError
) -> None:
    failure = reg.parse_error(_error(condition, text), captcha=captcha)
    assert failure.reason is reason
    assert str(failure).startswith(reason.text)
    assert text in failure.detail
    if text and reason not in (RegistrationError.CONFLICT, RegistrationError.BAD_CAPTCHA):
        assert text in str(failure)  # the server's words, when they add something


def test_error_without_condition_is_malformed() -> None:
    failure = reg.parse_error(_xml("<iq xmlns='jabber:client' type='error'/>"))
    assert failure.reason is RegistrationError.MALFORMED


def test_answer_without_a_query_is_malformed() -> None:
    with pytest.raises(RegistrationFailed) as caught:
        reg.parse_form(_xml("<iq xmlns='jabber:client' type='result'/>"), "example.test")
    assert caught.value.reason is RegistrationError.MALFORMED


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"<field var='f{i}'/>" for i in range(reg.MAX_FIELDS + 1)),
        "<field var='a'><value>" + "x" * (reg.MAX_TEXT + 1) + "</value></field>",
        "<field type='text-single'/>",  # no name
    ],
)
def test_oversized_or_broken_forms_are_refused_clearly(body: str) -> None:
    # language=XML
    text = (
        "<iq xmlns='jabber:client' type='result'><query xmlns='jabber:iq:register'>"
        f"<x xmlns='jabber:x:data' type='form'>{body}</x></query></iq>"
    )
    with pytest.raises(RegistrationFailed) as caught:
        reg.parse_form(_xml(text), "example.test")
    assert caught.value.reason is RegistrationError.MALFORMED
    assert str(caught.value).startswith(RegistrationError.MALFORMED.text)


def test_huge_or_damaged_images_are_refused() -> None:
    huge = ET.Element("{urn:xmpp:bob}data", {"cid": CID})
    huge.text = "A" * (reg.MAX_IMAGE * 2)
    with pytest.raises(RegistrationFailed, match="too large"):
        reg.parse_bob(huge)
    damaged = ET.Element("{urn:xmpp:bob}data", {"cid": CID})
    damaged.text = "not base64 !!"
    with pytest.raises(RegistrationFailed, match="damaged"):
        reg.parse_bob(damaged)


def test_attach_ignores_unrelated_images() -> None:
    form = reg.parse_form(_xml(LEGACY_FORM), "example.test")
    assert reg.attach_bob(form, [BobData("other@bob.xmpp.org", "image/png", PNG)]).fields == (
        form.fields
    )
