"""What the places API reads and writes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class BeatOut(_Out):
    id: int
    code: str
    name: str


class CommunityOut(_Out):
    id: int
    code: str
    name: str
    kind: str
    beat_id: int | None
    boundary: list[list[float]]


class AddressOut(_Out):
    id: int
    community_id: int
    full_text: str
    street: str
    door_no: str
    building: str | None
    unit: str | None
    floor: str | None
    room: str | None
    lat: float
    lon: float


class AddressPage(BaseModel):
    items: list[AddressOut]
    total: int


class KeySiteOut(_Out):
    id: int
    name: str
    kind: str
    lat: float
    lon: float
    status: str
    crowd_level: str
    note: str


class CameraOut(_Out):
    id: int
    code: str
    name: str
    lat: float
    lon: float
    direction_deg: float
    fov_deg: float
    range_m: float
    stream_url: str


class Location(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    community_id: int | None
    community_name: str | None
    beat_id: int | None
    beat_name: str | None
