"""CAP 1.2: our alerts validate against the OASIS schema, the spec's examples read in, and the
parser refuses entities and external references."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import pytest

from jingwu.community import cap
from jingwu.core.errors import InvalidInput
from tests.community.conftest import CAP_DIR, shared_or_skip

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&secret;</identifier></alert>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://example.invalid/cap.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>"""
UNDECLARED_ENTITY = b"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&nbsp;</alert>"""


@pytest.fixture(scope="module")
def schema() -> cap.CapSchema:
    return cap.CapSchema(shared_or_skip(CAP_DIR / "CAP-v1.2.xsd"))


def _alert(urgency: str = "Immediate") -> cap.Alert:
    now = datetime(2026, 6, 22, 6, 5, tzinfo=UTC)
    return cap.Alert(
        identifier="jingwu-CS20260622-00001",
        sent=now,
        status="Actual",
        msg_type="Alert",
        scope="Restricted",
        restriction="仅限联动单位：雷锋街道办事处",
        info=cap.AlertInfo(
            event="矛盾调解",
            urgency=urgency,
            severity="Moderate",
            certainty="Observed",
            headline="协助调解宅基地边界纠纷 <&>",
            expires=now + timedelta(hours=24),
            area_desc="金峰村金峰路",
            circle="28.220000,112.860000 0.2",
            parameters=[("ackDue", cap.cap_time(now + timedelta(minutes=30)))],
        ),
    )


def test_our_alert_validates_against_the_oasis_schema(schema: cap.CapSchema) -> None:
    document = cap.to_xml(_alert())
    assert schema.validate(cap.safe_parse(document)) == []
    assert b"2026-06-22T14:05:00+08:00" in document  # local time with its offset
    read = cap.read_alert(document, schema=schema)
    assert read.headline == "协助调解宅基地边界纠纷 <&>"


def test_the_schema_catches_what_is_wrong(schema: cap.CapSchema) -> None:
    bad = cap.to_xml(_alert(urgency="Soon"))
    errors = schema.validate(cap.safe_parse(bad))
    assert any("urgency" in e for e in errors)
    swapped = bad.replace(b"<status>Actual</status><msgType>", b"<msgType>")
    assert schema.validate(cap.safe_parse(swapped))
    extra = cap.to_xml(_alert()).replace(b"</alert>", b"<bogus>1</bogus></alert>")
    assert any("bogus" in e for e in schema.validate(cap.safe_parse(extra)))
    wrong_time = cap.to_xml(_alert()).replace(b"+08:00</sent>", b"Z</sent>")
    assert any("sent" in e for e in schema.validate(cap.safe_parse(wrong_time)))


@pytest.mark.parametrize("name", ["example1.xml", "example2.xml", "example3.xml", "example4.xml"])
def test_the_specification_examples_validate_and_load(schema: cap.CapSchema, name: str) -> None:
    data = shared_or_skip(CAP_DIR / "oasis-examples" / name).read_bytes()
    assert schema.validate(cap.safe_parse(data)) == []
    alert = cap.read_alert(data, schema=schema)
    assert alert.identifier
    assert alert.sender
    assert alert.event
    assert alert.sent.tzinfo is not None


@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, UNDECLARED_ENTITY]
)
def test_entities_and_external_references_are_refused(document: bytes) -> None:
    with pytest.raises(InvalidInput):
        cap.safe_parse(document)


@pytest.mark.skipif(
    importlib.util.find_spec("xmlschema") is None,
    reason="xmlschema is not installed: the cross-check against a full XSD engine is skipped",
)
def test_a_full_xsd_engine_agrees(schema: cap.CapSchema) -> None:  # pragma: no cover
    import xmlschema  # type: ignore[import-not-found]

    full = xmlschema.XMLSchema(str(CAP_DIR / "CAP-v1.2.xsd"))
    assert full.is_valid(cap.to_xml(_alert()).decode())
