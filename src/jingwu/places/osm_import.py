"""Road networks from OpenStreetMap files: `.osm.pbf` through pyrosm, `.osm` XML through expat.

The XML reader refuses any DOCTYPE, entity declaration or external reference: a station
imports files it was handed, and none of those belong in an OSM extract.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO, NoReturn
from xml.parsers import expat

from jingwu.core.errors import InvalidInput
from jingwu.core.geo import check_point
from jingwu.places.roadgraph import RoadEdgeRecord, RoadNetwork, RoadNodeRecord

DRIVABLE_HIGHWAYS = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
        "tertiary_link",
    }
)
_NO_ACCESS = frozenset({"no", "private"})
_TRUE = frozenset({"yes", "true", "1"})
_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$", re.IGNORECASE)
_READ_CHUNK = 1 << 20


class UnsafeOsmXml(InvalidInput):
    code = "unsafe_osm_xml"


def read_osm(path: str | Path) -> RoadNetwork:
    """Read a drivable road network from `.osm.pbf` or `.osm` (XML)."""
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(
            "找不到 OSM 文件 / OSM file not found", code="osm_not_found", path=str(file)
        )
    if file.name.lower().endswith(".pbf"):
        return read_osm_pbf(file)
    with file.open("rb") as stream:
        return read_osm_xml(stream)


def read_osm_pbf(path: str | Path) -> RoadNetwork:
    try:
        from pyrosm import OSM
    except ImportError as missing:
        raise InvalidInput(
            "读取 .osm.pbf 需要安装 pyrosm / reading .osm.pbf needs the pyrosm package",
            code="pyrosm_missing",
        ) from missing
    with warnings.catch_warnings():
        # pyrosm and geopandas warn about their own dependencies; nothing for the station.
        warnings.simplefilter("ignore")
        result = OSM(str(path)).get_network(network_type="driving", nodes=True)
    if result is None:
        return RoadNetwork(nodes=[], edges=[])
    node_frame, edge_frame = result
    nodes = [
        RoadNodeRecord(int(node_id), float(lat), float(lon))
        for node_id, lat, lon in zip(
            node_frame["id"].tolist(),
            node_frame["lat"].tolist(),
            node_frame["lon"].tolist(),
            strict=True,
        )
    ]
    edges: list[RoadEdgeRecord] = []
    for row in edge_frame.to_dict("records"):
        tags = _frame_tags(row)
        edge = _edge_from_tags(int(row["u"]), int(row["v"]), tags, _number(row.get("length")))
        if edge is not None:
            edges.append(edge)
    return RoadNetwork(nodes=nodes, edges=edges)


def read_osm_xml(stream: BinaryIO) -> RoadNetwork:
    reader = _OsmXmlReader()
    parser = reader.parser()
    try:
        while chunk := stream.read(_READ_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, KeyError, ValueError) as broken:
        raise InvalidInput(
            f"OSM XML 格式错误 / malformed OSM XML: {broken!r}", code="bad_osm_xml"
        ) from broken
    return reader.network()


class _OsmXmlReader:
    def __init__(self) -> None:
        self.coordinates: dict[int, tuple[float, float]] = {}
        self.ways: list[tuple[list[int], dict[str, str]]] = []
        self._way: tuple[list[int], dict[str, str]] | None = None

    def parser(self) -> Any:
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_entity
        parser.ExternalEntityRefHandler = self._refuse_entity
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        return parser

    @staticmethod
    def _refuse_doctype(*_: object) -> NoReturn:
        raise UnsafeOsmXml(
            "OSM XML 不允许 DOCTYPE 或实体声明 / OSM XML must not contain a DOCTYPE or entities"
        )

    @staticmethod
    def _refuse_entity(*_: object) -> NoReturn:
        raise UnsafeOsmXml("OSM XML 不允许实体声明 / OSM XML must not declare entities")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "node":
            self.coordinates[int(attributes["id"])] = check_point(
                float(attributes["lat"]), float(attributes["lon"])
            )
        elif tag == "way":
            self._way = ([], {})
        elif self._way is not None and tag == "nd":
            self._way[0].append(int(attributes["ref"]))
        elif self._way is not None and tag == "tag":
            self._way[1][attributes.get("k", "")] = attributes.get("v", "")

    def _end(self, tag: str) -> None:
        if tag == "way" and self._way is not None:
            self.ways.append(self._way)
            self._way = None

    def network(self) -> RoadNetwork:
        edges: list[RoadEdgeRecord] = []
        for refs, tags in self.ways:
            present = [ref for ref in refs if ref in self.coordinates]
            for source, target in itertools.pairwise(present):
                edge = _edge_from_tags(source, target, tags, None)
                if edge is not None:
                    edges.append(edge)
        used = {e.source_id for e in edges} | {e.target_id for e in edges}
        nodes = [RoadNodeRecord(ref, *self.coordinates[ref]) for ref in sorted(used)]
        return RoadNetwork(nodes=nodes, edges=edges)


def _edge_from_tags(
    source: int, target: int, tags: Mapping[str, Any], length_m: float | None
) -> RoadEdgeRecord | None:
    highway = str(tags.get("highway") or "")
    if highway not in DRIVABLE_HIGHWAYS or source == target:
        return None
    if _text(tags.get("access")) in _NO_ACCESS or _text(tags.get("motor_vehicle")) in _NO_ACCESS:
        return None
    if _text(tags.get("area")) in _TRUE:
        return None
    oneway = _text(tags.get("oneway"))
    implied = highway in {"motorway", "motorway_link"} or _text(tags.get("junction")) in {
        "roundabout",
        "circular",
    }
    if oneway == "-1":
        source, target = target, source
    return RoadEdgeRecord(
        source_id=source,
        target_id=target,
        road_class=highway,
        name=str(tags["name"]).strip() if _present(tags.get("name")) else "",
        maxspeed_kmh=_speed_kmh(tags.get("maxspeed")),
        oneway=oneway in _TRUE or oneway == "-1" or (implied and oneway != "no"),
        length_m=length_m,
    )


def _frame_tags(row: Mapping[str, Any]) -> dict[str, Any]:
    """pyrosm puts common tags in columns and the rest, JSON-encoded, in `tags`."""
    extra = row.get("tags")
    tags: dict[str, Any] = {}
    if isinstance(extra, str) and extra:
        try:
            decoded = json.loads(extra)
        except ValueError:
            decoded = {}
        tags.update(decoded if isinstance(decoded, dict) else {})
    elif isinstance(extra, dict):
        tags.update(extra)
    tags.update({key: value for key, value in row.items() if _present(value)})
    return tags


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _text(value: object) -> str:
    return str(value).strip().lower() if _present(value) and not isinstance(value, bytes) else ""


def _number(value: object) -> float | None:
    if not _present(value):
        return None
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _speed_kmh(value: object) -> float | None:
    if not _present(value):
        return None
    match = _SPEED.match(str(value).split(";")[0])
    if match is None:
        return None
    speed = float(match.group(1)) * (1.609344 if match.group(2) else 1.0)
    return speed if speed > 0 else None
