"""CAP 1.2 (OASIS Common Alerting Protocol): whistle requests and public notices out, alerts in.

Reading refuses any document that declares a DTD, an entity or an external reference, before
the tree is built (billion laughs, XXE). Validation interprets the CAP 1.2 XML Schema itself:
the subset of XSD the schema uses — sequences, occurrence bounds, element references, the
xmldsig wildcard, enumerations, patterns and the built-in types it names.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from jingwu.core.clock import as_utc, to_local
from jingwu.core.errors import InvalidInput

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
XS_NS = "http://www.w3.org/2001/XMLSchema"
MAX_BYTES = 512 * 1024
SENDER = "leifeng-pcs@jingwu.local"
SENDER_NAME = "长沙市公安局高新区分局雷锋派出所"


class UnsafeXml(InvalidInput):
    code = "unsafe_xml"


# --- safe reading ---------------------------------------------------------------------------


def _refuse(what: str) -> None:
    raise UnsafeXml(
        f"拒绝含有 {what} 的 XML（实体与外部引用一律不接受）/ XML with a {what} is refused",
        code="unsafe_xml",
    )


def _screen(data: bytes) -> None:
    """A first pass with expat that stops at the first DTD, entity or external reference."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _doctype(*_args: object) -> None:
        _refuse("DOCTYPE")

    def _entity(*_args: object) -> None:
        _refuse("ENTITY")

    def _external(*_args: object) -> int:
        _refuse("external reference")
        return 0

    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    parser.UnparsedEntityDeclHandler = _entity
    parser.ExternalEntityRefHandler = _external
    parser.SkippedEntityHandler = _entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InvalidInput(f"XML 格式错误 / malformed XML: {exc}", code="bad_xml") from None


def safe_parse(data: bytes | str) -> ET.Element:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise InvalidInput("XML 过大 / the XML document is too large", code="too_large")
    _screen(raw)
    try:
        return ET.fromstring(raw)  # noqa: S314 - screened above: no DTD, no entities
    except ET.ParseError as exc:
        raise InvalidInput(f"XML 格式错误 / malformed XML: {exc}", code="bad_xml") from None


# --- the schema -----------------------------------------------------------------------------


@dataclass
class _Simple:
    base: str = "string"
    enumeration: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()


@dataclass
class _Particle:
    name: str | None  # None: a wildcard (xs:any)
    min: int
    max: int | None
    decl: _Decl | None = None
    namespace: str = ""


@dataclass
class _Decl:
    name: str
    simple: _Simple | None = None
    children: list[_Particle] = field(default_factory=list)
    complex: bool = False


_BUILTIN = {
    "string": None,
    "anyURI": re.compile(r"\S*"),
    "integer": re.compile(r"[+-]?\d+"),
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "language": re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
    "dateTime": re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
}


def _local(type_name: str) -> str:
    return type_name.split(":", 1)[-1]


def _occurs(node: ET.Element) -> tuple[int, int | None]:
    low = int(node.get("minOccurs", "1"))
    high_text = node.get("maxOccurs", "1")
    return low, None if high_text == "unbounded" else int(high_text)


class CapSchema:
    """The CAP 1.2 schema, read from its .xsd, able to validate an alert element."""

    def __init__(self, xsd_path: Path) -> None:
        root = ET.parse(xsd_path).getroot()  # noqa: S314 - our own trusted schema file
        self.namespace = root.get("targetNamespace", "")
        self._globals: dict[str, ET.Element] = {
            node.get("name", ""): node for node in root.findall(f"{{{XS_NS}}}element")
        }
        self._built: dict[str, _Decl] = {}
        self.root = self._element(self._globals["alert"])

    def _element(self, node: ET.Element) -> _Decl:
        name = node.get("name", "")
        decl = _Decl(name=name)
        type_name = node.get("type")
        if type_name:
            decl.simple = _Simple(base=_local(type_name))
        simple = node.find(f"{{{XS_NS}}}simpleType")
        if simple is not None:
            restriction = simple.find(f"{{{XS_NS}}}restriction")
            assert restriction is not None
            decl.simple = _Simple(
                base=_local(restriction.get("base", "xs:string")),
                enumeration=frozenset(
                    e.get("value", "") for e in restriction.findall(f"{{{XS_NS}}}enumeration")
                ),
                patterns=tuple(
                    re.compile(p.get("value", ""))
                    for p in restriction.findall(f"{{{XS_NS}}}pattern")
                ),
            )
        complex_ = node.find(f"{{{XS_NS}}}complexType")
        if complex_ is not None:
            decl.complex = True
            sequence = complex_.find(f"{{{XS_NS}}}sequence")
            for child in list(sequence) if sequence is not None else []:
                low, high = _occurs(child)
                if child.tag == f"{{{XS_NS}}}any":
                    decl.children.append(
                        _Particle(None, low, high, namespace=child.get("namespace", ""))
                    )
                    continue
                ref = child.get("ref")
                if ref:
                    target = self._globals[_local(ref)]
                    decl.children.append(_Particle(_local(ref), low, high, self._element(target)))
                else:
                    decl.children.append(
                        _Particle(child.get("name"), low, high, self._element(child))
                    )
        if decl.simple is None and not decl.complex:
            decl.simple = _Simple()
        return decl

    def validate(self, element: ET.Element) -> list[str]:
        """Every way the element breaks the schema, as readable paths; empty when valid."""
        errors: list[str] = []
        if element.tag != f"{{{self.namespace}}}{self.root.name}":
            return [f"/: root must be {{{self.namespace}}}alert, found {element.tag}"]
        self._check(element, self.root, f"/{self.root.name}", errors)
        return errors[:50]

    def _check(self, element: ET.Element, decl: _Decl, path: str, errors: list[str]) -> None:
        if decl.complex:
            if (element.text or "").strip():
                errors.append(f"{path}: text is not allowed here")
            self._check_sequence(list(element), decl.children, path, errors)
            return
        if len(element):
            errors.append(f"{path}: child elements are not allowed here")
        assert decl.simple is not None
        self._check_value(element.text or "", decl.simple, path, errors)

    def _check_value(self, text: str, simple: _Simple, path: str, errors: list[str]) -> None:
        value = text if simple.base == "string" else text.strip()
        if simple.enumeration and value not in simple.enumeration:
            errors.append(f"{path}: {value!r} is not one of {sorted(simple.enumeration)}")
        for pattern in simple.patterns:
            if not pattern.fullmatch(value):
                errors.append(f"{path}: {value!r} does not match {pattern.pattern}")
        builtin = _BUILTIN.get(simple.base)
        if builtin is not None and not builtin.fullmatch(value):
            errors.append(f"{path}: {value!r} is not a valid {simple.base}")
        if simple.base == "dateTime" and not errors:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                errors.append(f"{path}: {value!r} is not a real date and time")

    def _check_sequence(
        self, children: list[ET.Element], particles: list[_Particle], path: str, errors: list[str]
    ) -> None:
        index = 0
        for particle in particles:
            count = 0
            while index < len(children) and (particle.max is None or count < particle.max):
                child = children[index]
                if particle.name is None:
                    if not child.tag.startswith(f"{{{particle.namespace}}}"):
                        break
                elif child.tag != f"{{{self.namespace}}}{particle.name}":
                    break
                if particle.decl is not None:
                    self._check(
                        child, particle.decl, f"{path}/{particle.name}[{count + 1}]", errors
                    )
                count += 1
                index += 1
            if count < particle.min:
                errors.append(f"{path}: missing <{particle.name or 'any'}>")
        for child in children[index:]:
            errors.append(f"{path}: unexpected <{child.tag.split('}')[-1]}> here")


DEFAULT_XSD = (
    Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "cap" / "CAP-v1.2.xsd"
)


@lru_cache(maxsize=4)
def load_schema(path: str) -> CapSchema:
    return CapSchema(Path(path))


# --- writing --------------------------------------------------------------------------------


def cap_time(moment: datetime) -> str:
    """CAP's dateTime: local time with its offset, no fractions, e.g. 2026-06-22T14:05:00+08:00."""
    return to_local(moment).replace(microsecond=0).isoformat()


@dataclass
class AlertInfo:
    event: str
    urgency: str
    severity: str
    certainty: str
    category: str = "Safety"
    headline: str = ""
    description: str = ""
    instruction: str = ""
    expires: datetime | None = None
    area_desc: str = ""
    circle: str = ""
    parameters: list[tuple[str, str]] = field(default_factory=list)
    response_type: str = ""


@dataclass
class Alert:
    identifier: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    info: AlertInfo
    restriction: str = ""
    note: str = ""
    sender: str = SENDER


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    node.text = text
    return node


def to_xml(alert: Alert) -> bytes:
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", cap_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _sub(root, "scope", alert.scope)
    if alert.restriction:
        _sub(root, "restriction", alert.restriction)
    if alert.note:
        _sub(root, "note", alert.note)
    info = ET.SubElement(root, f"{{{CAP_NS}}}info")
    data = alert.info
    _sub(info, "language", "zh-CN")
    _sub(info, "category", data.category)
    _sub(info, "event", data.event)
    if data.response_type:
        _sub(info, "responseType", data.response_type)
    _sub(info, "urgency", data.urgency)
    _sub(info, "severity", data.severity)
    _sub(info, "certainty", data.certainty)
    if data.expires is not None:
        _sub(info, "expires", cap_time(data.expires))
    _sub(info, "senderName", SENDER_NAME)
    for tag, text in (
        ("headline", data.headline),
        ("description", data.description),
        ("instruction", data.instruction),
    ):
        if text:
            _sub(info, tag, text)
    for name, value in data.parameters:
        parameter = ET.SubElement(info, f"{{{CAP_NS}}}parameter")
        _sub(parameter, "valueName", name)
        _sub(parameter, "value", value)
    if data.area_desc:
        area = ET.SubElement(info, f"{{{CAP_NS}}}area")
        _sub(area, "areaDesc", data.area_desc)
        if data.circle:
            _sub(area, "circle", data.circle)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


# --- reading --------------------------------------------------------------------------------


@dataclass
class ReadAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    expires: datetime | None
    infos: int


def _text(node: ET.Element | None, tag: str) -> str:
    if node is None:
        return ""
    found = node.find(f"{{{CAP_NS}}}{tag}")
    return (found.text or "").strip() if found is not None else ""


def read_alert(data: bytes | str, *, schema: CapSchema) -> ReadAlert:
    """Parse safely, validate against the schema, and take the first info block."""
    root = safe_parse(data)
    errors = schema.validate(root)
    if errors:
        raise InvalidInput(
            "不是有效的 CAP 1.2 警报 / not a valid CAP 1.2 alert", code="invalid_cap", errors=errors
        )
    infos = root.findall(f"{{{CAP_NS}}}info")
    # prefer a Chinese block, then the first
    info = next((i for i in infos if _text(i, "language").lower().startswith("zh")), None)
    info = info if info is not None else (infos[0] if infos else None)
    area = info.find(f"{{{CAP_NS}}}area") if info is not None else None
    expires_text = _text(info, "expires")
    return ReadAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=as_utc(datetime.fromisoformat(_text(root, "sent"))),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        category=_text(info, "category") or "Other",
        event=_text(info, "event") or _text(root, "note") or "(no info)",
        urgency=_text(info, "urgency") or "Unknown",
        severity=_text(info, "severity") or "Unknown",
        certainty=_text(info, "certainty") or "Unknown",
        headline=_text(info, "headline"),
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        area_desc=_text(area, "areaDesc"),
        expires=as_utc(datetime.fromisoformat(expires_text)) if expires_text else None,
        infos=len(infos),
    )
