"""The community team over HTTP: registry, quality, key persons, disputes, beat work, partners."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from jingwu.community import address as address_parser
from jingwu.community import dayplan, disputes, notices, service, whistle
from jingwu.community.schemas import (
    AddressCandidate,
    AddressMatchOut,
    AgencyIn,
    AgencyOut,
    BeatWorkIn,
    BeatWorkOut,
    CallbackOut,
    CheckInIn,
    CheckInOut,
    DayPlanOut,
    DisputeIn,
    DisputeOut,
    DisputePage,
    DisputeSummary,
    EscalateIn,
    FromIncidentIn,
    HouseIn,
    HouseOut,
    KeyPersonIn,
    KeyPersonOut,
    MediationIn,
    MediationOut,
    MemberIn,
    NoticeIn,
    NoticeOut,
    OrganisationIn,
    OrganisationOut,
    ParsedAddressOut,
    PartiesIn,
    PartnerStats,
    PartnerWhistleOut,
    QualityRow,
    ResidentIn,
    ResidentOut,
    ResolutionRate,
    VerifyIn,
    WhistleIn,
    WhistleOut,
    WhistleStepIn,
)
from jingwu.community.schemas import CallbackIn as CallbackBody
from jingwu.core.clock import utcnow
from jingwu.core.errors import InvalidInput
from jingwu.core.http import AppSettings, DbSession, WriteSession
from jingwu.identity.deps import CanManageCommunity, CanRespondWhistle, CanViewCommunity

router = APIRouter(prefix="/api/community", tags=["community 社区警务"])
partner_router = APIRouter(prefix="/api/partner", tags=["partner 联动单位"])
Unmask = Annotated[bool, Query(description="show ID numbers and phones in full (audited)")]
PageNo = Annotated[int, Query(ge=1, le=10000)]
PerPage = Annotated[int, Query(ge=1, le=200)]
XML = "application/xml"


# --- registry -------------------------------------------------------------------------------


@router.post("/houses", status_code=201, summary="采集实有房屋 / record a house")
def collect_house(body: HouseIn, session: DbSession, officer: CanManageCommunity) -> HouseOut:
    house = service.do_collect_house(session, data=body, officer_id=officer.id)
    return service.describe_house(session, house=house, unmasked=False)


@router.get("/houses/{house_id}", summary="查看房屋 / one house")
def get_house(
    house_id: int, session: WriteSession, officer: CanViewCommunity, unmask: Unmask = False
) -> HouseOut:
    house = service.get_house(session, house_id=house_id)
    shown = service.check_unmask(
        session, officer=officer, unmask=unmask, entity="house", entity_id=house.id
    )
    return service.describe_house(session, house=house, unmasked=shown)


@router.post("/residents", status_code=201, summary="采集实有人口 / record a resident")
def collect_resident(
    body: ResidentIn, session: DbSession, officer: CanManageCommunity
) -> ResidentOut:
    resident = service.do_collect_resident(session, data=body, officer_id=officer.id)
    return service.describe_resident(session, resident=resident, unmasked=False)


@router.get("/residents", summary="查询实有人口（脱敏） / residents, masked")
def list_residents(
    session: DbSession,
    _officer: CanViewCommunity,
    q: Annotated[str | None, Query(max_length=64)] = None,
    community_id: int | None = None,
    house_id: int | None = None,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    rows, total = service.search_residents(
        session,
        text=q,
        community_id=community_id,
        house_id=house_id,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    items = [service.describe_resident(session, resident=r, unmasked=False) for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@router.get("/residents/{resident_id}", summary="查看人员（可申请完整信息，留痕） / one resident")
def get_resident(
    resident_id: int, session: WriteSession, officer: CanViewCommunity, unmask: Unmask = False
) -> ResidentOut:
    resident = service.get_resident(session, resident_id=resident_id)
    shown = service.check_unmask(
        session, officer=officer, unmask=unmask, entity="resident", entity_id=resident.id
    )
    return service.describe_resident(session, resident=resident, unmasked=shown)


@router.post("/organisations", status_code=201, summary="采集实有单位 / record an organisation")
def collect_organisation(
    body: OrganisationIn, session: DbSession, officer: CanManageCommunity
) -> OrganisationOut:
    row = service.do_collect_organisation(session, data=body, officer_id=officer.id)
    return OrganisationOut.model_validate(row)


@router.get("/organisations", summary="实有单位 / organisations")
def list_organisations(
    session: DbSession, _officer: CanViewCommunity, community_id: int | None = None
) -> list[OrganisationOut]:
    rows = service.list_organisations(session, community_id=community_id)
    return [OrganisationOut.model_validate(r) for r in rows]


@router.post("/{entity}/{entity_id}/verify", summary="核实一条记录 / verify a record")
def verify(
    entity: str, entity_id: int, body: VerifyIn, session: DbSession, officer: CanManageCommunity
) -> dict[str, Any]:
    kind = {"houses": "house", "residents": "resident", "organisations": "organisation"}.get(
        entity, entity
    )
    row = service.do_verify(
        session, entity=kind, entity_id=entity_id, data=body, officer_id=officer.id
    )
    return {
        "entity": kind,
        "id": row.id,
        "verified_at": row.verified_at,
        "check_failed": row.check_failed,
    }


@router.get("/quality", summary="基础信息采集率与准确率 / collection rate and accuracy")
def quality(
    session: DbSession,
    _officer: CanViewCommunity,
    months: Annotated[int, Query(ge=1, le=60)] = service.ACCURACY_MONTHS,
) -> list[QualityRow]:
    return service.information_quality(session, months=months)


@router.post("/beats/{beat_id}/officers", status_code=201, summary="社区民警包片 / assign a beat")
def assign_beat(
    beat_id: int, body: MemberIn, session: DbSession, officer: CanManageCommunity
) -> dict[str, int]:
    link = service.do_assign_beat(
        session, beat_id=beat_id, officer_id=body.officer_id, actor_id=officer.id
    )
    return {"beat_id": link.beat_id, "officer_id": link.officer_id}


# --- key persons ----------------------------------------------------------------------------


@router.post("/key-persons", status_code=201, summary="列管重点人员 / add a key person")
def add_key_person(
    body: KeyPersonIn, session: DbSession, officer: CanManageCommunity
) -> KeyPersonOut:
    person = service.do_add_key_person(session, data=body, actor_id=officer.id)
    return service.describe_key_person(session, person=person, unmasked=False)


@router.get("/key-persons", summary="重点人员（可只看逾期未走访） / key persons")
def list_key_persons(
    session: DbSession,
    _officer: CanViewCommunity,
    overdue: bool = False,
    officer_id: int | None = None,
) -> list[KeyPersonOut]:
    rows = service.list_key_persons(session, officer_id=officer_id, overdue_only=overdue)
    return [service.describe_key_person(session, person=p, unmasked=False) for p in rows]


@router.get("/key-persons/stability", summary="重点人员稳控率 / stability-control rate")
def stability(
    session: DbSession,
    _officer: CanViewCommunity,
    beat_id: int | None = None,
    officer_id: int | None = None,
) -> dict[str, float | int | None]:
    return service.stability_control_rate(session, beat_id=beat_id, officer_id=officer_id)


@router.get("/key-persons/{key_person_id}", summary="重点人员详情 / one key person")
def get_key_person(
    key_person_id: int, session: WriteSession, officer: CanViewCommunity, unmask: Unmask = False
) -> KeyPersonOut:
    person = service.get_key_person(session, key_person_id=key_person_id)
    shown = service.check_unmask(
        session, officer=officer, unmask=unmask, entity="resident", entity_id=person.resident_id
    )
    return service.describe_key_person(session, person=person, unmasked=shown, with_checkins=True)


@router.post(
    "/key-persons/{key_person_id}/check-ins", status_code=201, summary="走访签到 / record a visit"
)
def check_in(
    key_person_id: int, body: CheckInIn, session: DbSession, officer: CanManageCommunity
) -> CheckInOut:
    person = service.get_key_person(session, key_person_id=key_person_id)
    row = service.do_check_in(session, person=person, data=body, officer_id=officer.id)
    return CheckInOut.model_validate(row)


# --- disputes -------------------------------------------------------------------------------


def _dispute_out(session: DbSession, dispute_id: int) -> DisputeOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    return disputes.describe_dispute(session, dispute=dispute, unmasked=False)


@router.post("/disputes", status_code=201, summary="登记矛盾纠纷（来访） / register a walk-in")
def register_dispute(
    body: DisputeIn, session: DbSession, officer: CanManageCommunity
) -> DisputeOut:
    dispute = disputes.do_register_walk_in(session, data=body, officer_id=officer.id)
    return _dispute_out(session, dispute.id)


@router.post(
    "/disputes/from-incident/{incident_id}",
    status_code=201,
    summary="由分流警情登记纠纷 / the dispute of a diverted incident",
    responses={200: {"description": "already registered: the same dispute"}},
)
def dispute_from_incident(
    incident_id: int,
    response: Response,
    session: DbSession,
    officer: CanManageCommunity,
    body: Annotated[FromIncidentIn | None, Body()] = None,
) -> DisputeOut:
    dispute, created = disputes.do_register_from_incident(
        session, incident_id=incident_id, data=body, actor_id=officer.id
    )
    if not created:
        response.status_code = 200
    return _dispute_out(session, dispute.id)


@router.get("/disputes", summary="矛盾纠纷列表 / disputes")
def list_disputes(
    session: DbSession,
    _officer: CanViewCommunity,
    status: Annotated[str | None, Query(max_length=16)] = None,
    beat_id: int | None = None,
    officer_id: int | None = None,
    open: bool = False,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> DisputePage:
    rows, total = disputes.list_disputes(
        session,
        status=status,
        beat_id=beat_id,
        officer_id=officer_id,
        open_only=open,
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return DisputePage(items=[DisputeSummary.model_validate(r) for r in rows], total=total)


@router.get("/disputes/resolution-rate", summary="矛盾纠纷化解率 / dispute resolution rate")
def resolution_rate(
    session: DbSession,
    _officer: CanViewCommunity,
    start: datetime | None = None,
    end: datetime | None = None,
    beat_id: int | None = None,
    officer_id: int | None = None,
) -> ResolutionRate:
    end = end or utcnow()
    start = start or end - timedelta(days=30)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("时间须带时区 / give times with a time zone", code="naive_time")
    return disputes.dispute_resolution_rate(
        session, start=start, end=end, beat_id=beat_id, officer_id=officer_id
    )


@router.get("/disputes/{dispute_id}", summary="纠纷详情 / one dispute")
def get_dispute(
    dispute_id: int, session: WriteSession, officer: CanViewCommunity, unmask: Unmask = False
) -> DisputeOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    shown = service.check_unmask(
        session, officer=officer, unmask=unmask, entity="dispute", entity_id=dispute.id
    )
    return disputes.describe_dispute(session, dispute=dispute, unmasked=shown)


@router.post("/disputes/{dispute_id}/parties", summary="添加当事人 / add parties")
def add_parties(
    dispute_id: int, body: PartiesIn, session: DbSession, officer: CanManageCommunity
) -> DisputeOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    disputes.do_add_parties(session, dispute=dispute, parties=body.parties, actor_id=officer.id)
    return _dispute_out(session, dispute.id)


@router.post(
    "/disputes/{dispute_id}/mediations", status_code=201, summary="调解 / a mediation session"
)
def mediate(
    dispute_id: int, body: MediationIn, session: DbSession, officer: CanManageCommunity
) -> MediationOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    row = disputes.do_mediate(session, dispute=dispute, data=body, officer_id=officer.id)
    return MediationOut.model_validate(row)


@router.post("/disputes/{dispute_id}/callbacks", summary="回访 / call the parties back")
def callback(
    dispute_id: int, body: CallbackBody, session: DbSession, officer: CanManageCommunity
) -> CallbackOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    row = disputes.do_callback(session, dispute=dispute, data=body, officer_id=officer.id)
    return CallbackOut.model_validate(row)


@router.post("/disputes/{dispute_id}/escalate", summary="升级为警情 / escalate into an incident")
def escalate(
    dispute_id: int,
    body: EscalateIn,
    session: DbSession,
    settings: AppSettings,
    officer: CanManageCommunity,
) -> DisputeOut:
    dispute = disputes.get_dispute(session, dispute_id=dispute_id)
    disputes.do_escalate(
        session,
        dispute=dispute,
        data=body,
        officer_id=officer.id,
        radius_m=settings.duplicate_radius_m,
        window_minutes=settings.duplicate_window_minutes,
    )
    return _dispute_out(session, dispute.id)


# --- beat work and the day ------------------------------------------------------------------


@router.post("/work", status_code=201, summary="警务区工作：走访、宣防、社情民意、服务 / beat work")
def log_work(body: BeatWorkIn, session: DbSession, officer: CanManageCommunity) -> BeatWorkOut:
    return BeatWorkOut.model_validate(
        service.do_log_work(session, data=body, officer_id=officer.id)
    )


@router.get("/work", summary="警务区工作记录 / beat work")
def list_work(
    session: DbSession,
    _officer: CanViewCommunity,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    officer_id: int | None = None,
    beat_id: int | None = None,
) -> list[BeatWorkOut]:
    rows = service.list_work(session, kind=kind, officer_id=officer_id, beat_id=beat_id)
    return [BeatWorkOut.model_validate(r) for r in rows]


@router.get("/today", summary="社区民警今日工作 / the officer's day plan")
def today(session: DbSession, officer: CanViewCommunity) -> DayPlanOut:
    return dayplan.day_plan(session, officer_id=officer.id)


# --- addresses ------------------------------------------------------------------------------


@router.get("/address/parse", summary="解析自由书写的地址 / parse a written address")
def parse_address(
    _officer: CanViewCommunity, text: Annotated[str, Query(min_length=1, max_length=500)]
) -> ParsedAddressOut:
    return ParsedAddressOut(**address_parser.parse_address(text).as_dict())


@router.get("/address/match", summary="匹配标准地址（排序候选） / match to standard addresses")
def match_address(
    session: DbSession,
    _officer: CanViewCommunity,
    text: Annotated[str, Query(min_length=1, max_length=500)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> AddressMatchOut:
    parsed, candidates = address_parser.match_address(session, text=text, limit=limit)
    return AddressMatchOut(
        parsed=ParsedAddressOut(**parsed.as_dict()),
        sure=address_parser.is_sure(candidates),
        candidates=[
            AddressCandidate(
                address_id=c.address.id,
                full_text=c.address.full_text,
                community_id=c.address.community_id,
                score=c.score,
                lat=c.address.lat,
                lon=c.address.lon,
            )
            for c in candidates
        ],
    )


# --- partners and the whistle ---------------------------------------------------------------


@router.get("/agencies", summary="联动单位名录 / partner directory")
def list_agencies(session: DbSession, _officer: CanViewCommunity) -> list[AgencyOut]:
    return [AgencyOut.model_validate(a) for a in whistle.list_agencies(session)]


@router.post("/agencies", status_code=201, summary="添加联动单位 / add a partner agency")
def add_agency(body: AgencyIn, session: DbSession, officer: CanManageCommunity) -> AgencyOut:
    return AgencyOut.model_validate(whistle.do_add_agency(session, data=body, actor_id=officer.id))


@router.post(
    "/agencies/{agency_id}/members", status_code=201, summary="关联联动单位账号 / link an account"
)
def link_member(
    agency_id: int, body: MemberIn, session: DbSession, officer: CanManageCommunity
) -> dict[str, int]:
    agency = whistle.get_agency(session, agency_id=agency_id)
    member = whistle.do_link_member(
        session, agency=agency, officer_id=body.officer_id, actor_id=officer.id
    )
    return {"agency_id": member.agency_id, "officer_id": member.officer_id}


@router.post(
    "/whistles", status_code=201, summary="吹哨：向联动单位发出协作请求 / blow the whistle"
)
def blow(body: WhistleIn, session: DbSession, officer: CanManageCommunity) -> WhistleOut:
    request = whistle.do_blow(session, data=body, officer_id=officer.id)
    return whistle.describe(session, request)


@router.get("/whistles", summary="协作请求 / whistle requests")
def list_whistles(
    session: DbSession,
    _officer: CanViewCommunity,
    agency_id: int | None = None,
    open: bool = False,
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> dict[str, Any]:
    rows, total = whistle.list_requests(
        session, agency_id=agency_id, open_only=open, limit=per_page, offset=(page - 1) * per_page
    )
    return {"items": [whistle.describe(session, r) for r in rows], "total": total}


@router.get("/whistles/stats", summary="联动单位响应时长 / response times per partner")
def partner_stats(
    session: DbSession,
    _officer: CanViewCommunity,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[PartnerStats]:
    return whistle.partner_stats(session, start=start, end=end)


@router.post("/whistles/escalate-overdue", summary="逾期升级 / escalate late requests")
def escalate_overdue(session: DbSession, _officer: CanManageCommunity) -> dict[str, int]:
    return {"escalated": whistle.do_escalate_overdue(session)}


@router.get("/whistles/{request_id}", summary="协作请求详情 / one request")
def get_whistle(request_id: int, session: DbSession, _officer: CanViewCommunity) -> WhistleOut:
    return whistle.describe(session, whistle.get_request(session, request_id=request_id))


@router.post("/whistles/{request_id}/cancel", summary="撤回请求 / withdraw a request")
def cancel_whistle(request_id: int, session: DbSession, officer: CanManageCommunity) -> WhistleOut:
    request = whistle.get_request(session, request_id=request_id)
    whistle.do_cancel(session, request=request, officer_id=officer.id)
    return whistle.describe(session, request)


@router.get(
    "/whistles/{request_id}/cap",
    summary="导出 CAP 1.2 / export as a CAP 1.2 alert",
    response_class=Response,
    responses={200: {"content": {XML: {}}}},
)
def whistle_cap(request_id: int, session: DbSession, _officer: CanViewCommunity) -> Response:
    request = whistle.get_request(session, request_id=request_id)
    return Response(notices.whistle_to_cap(session, request), media_type=XML)


# --- public notices and CAP -----------------------------------------------------------------


@router.post("/notices", status_code=201, summary="发布安全提示 / publish a public notice")
def publish_notice(body: NoticeIn, session: DbSession, officer: CanManageCommunity) -> NoticeOut:
    return NoticeOut.model_validate(notices.do_publish(session, data=body, officer_id=officer.id))


@router.get("/notices", summary="安全提示 / public notices")
def list_notices(session: DbSession, _officer: CanViewCommunity) -> list[NoticeOut]:
    return [NoticeOut.model_validate(n) for n in notices.list_notices(session)]


@router.get(
    "/notices/{notice_id}/cap",
    summary="导出 CAP 1.2 / export as a CAP 1.2 alert",
    response_class=Response,
    responses={200: {"content": {XML: {}}}},
)
def notice_cap(notice_id: int, session: DbSession, _officer: CanViewCommunity) -> Response:
    notice = notices.get_notice(session, notice_id=notice_id)
    return Response(notices.notice_to_cap(notice), media_type=XML)


@router.post(
    "/notices/cap",
    status_code=201,
    summary="导入 CAP 1.2 警报（拒绝实体与外部引用） / read in a CAP 1.2 alert",
    responses={200: {"description": "already read in: the same notice"}},
)
def import_cap(
    response: Response,
    session: DbSession,
    officer: CanManageCommunity,
    body: Annotated[bytes, Body(media_type=XML)],
) -> NoticeOut:
    notice, created = notices.do_import_cap(session, data=body, officer_id=officer.id)
    if not created:
        response.status_code = 200
    return NoticeOut.model_validate(notice)


# --- the partner portal ---------------------------------------------------------------------


@partner_router.get("/requests", summary="本单位的协作请求 / my agency's requests")
def partner_requests(
    session: DbSession, officer: CanRespondWhistle, open: bool = False
) -> list[PartnerWhistleOut]:
    agency = whistle.agency_of_partner(session, officer_id=officer.id)
    rows, _total = whistle.list_requests(session, agency_id=agency.id, open_only=open, limit=200)
    return [whistle.describe_for_partner(session, r) for r in rows]


@partner_router.get("/requests/{request_id}", summary="协作请求 / one request")
def partner_request(
    request_id: int, session: DbSession, officer: CanRespondWhistle
) -> PartnerWhistleOut:
    request = whistle.get_request_for_partner(session, request_id=request_id, officer_id=officer.id)
    return whistle.describe_for_partner(session, request)


@partner_router.post(
    "/requests/{request_id}/{step}", summary="签收 / 到场 / 办结 — acknowledge, arrive, resolve"
)
def partner_step(
    request_id: int,
    step: str,
    session: DbSession,
    officer: CanRespondWhistle,
    body: WhistleStepIn | None = None,
) -> PartnerWhistleOut:
    request = whistle.get_request_for_partner(session, request_id=request_id, officer_id=officer.id)
    whistle.do_step(
        session, request=request, step=step, note=body.note if body else "", officer_id=officer.id
    )
    return whistle.describe_for_partner(session, request)


@partner_router.get("/me", summary="本账号所属单位 / my agency")
def partner_me(session: DbSession, officer: CanRespondWhistle) -> AgencyOut:
    return AgencyOut.model_validate(whistle.agency_of_partner(session, officer_id=officer.id))
