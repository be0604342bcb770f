"""Cases over HTTP: the board, a case's whole picture, its people, evidence, losses, requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.responses import FileResponse

from jingwu.cases import queries, service
from jingwu.cases.schemas import (
    AnswerIn,
    ArrestIn,
    ArrestOut,
    AttachmentOut,
    CaseIn,
    CaseOut,
    CasePage,
    ClearanceRate,
    Created,
    CustodyIn,
    EvidenceIn,
    FastsBoard,
    JointEntry,
    LossIn,
    NoteIn,
    OfficerAssignIn,
    OfficerRef,
    PersonIn,
    PersonOut,
    RecoveryIn,
    RequestIn,
    RequestOut,
    SquadIn,
    SquadMemberOut,
    SuspectStatusIn,
    TasksOut,
    TransitionIn,
)
from jingwu.cases.states import CaseStatus, CaseType
from jingwu.core.clock import utcnow
from jingwu.core.config import Settings
from jingwu.core.errors import Forbidden, InvalidInput
from jingwu.core.http import AppSettings, DbSession, WriteSession
from jingwu.identity.deps import CurrentOfficer, require
from jingwu.identity.models import Officer
from jingwu.identity.roles import Permission

router = APIRouter(prefix="/api", tags=["cases 案件办理"])


CanViewCases = Annotated[Officer, Depends(require(Permission.CASE_VIEW))]
CanManageCases = Annotated[Officer, Depends(require(Permission.CASE_MANAGE))]
Unmask = Annotated[
    bool, Query(description="show ID numbers and phones in full (PERSON_UNMASK; audited)")
]


def upload_dir(settings: Settings) -> Path:
    return Path(settings.upload_dir) / "cases"


def _created(session: DbSession, case_id: int, new_id: int) -> Created:
    case = service.get_case(session, case_id=case_id)
    return Created(id=new_id, case=queries.summarize(session, [case])[0])


def _read_upload(file: UploadFile) -> bytes:
    return file.file.read(service.MAX_ATTACHMENT_BYTES + 1)


@router.get("/cases", response_model=CasePage, summary="案件看板（按状态）")
def case_board(
    session: DbSession,
    viewer: CanViewCases,
    status: Annotated[list[CaseStatus] | None, Query()] = None,
    case_type: CaseType | None = None,
    q: str | None = Query(default=None, max_length=100),
    mine: bool = False,
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=200),
) -> CasePage:
    rows, total, counts = queries.list_cases(
        session,
        statuses=[s.value for s in status] if status else None,
        case_type=case_type.value if case_type else None,
        text=q,
        officer_id=viewer.id if mine else None,
        page=page,
        per_page=per_page,
    )
    return CasePage(
        items=queries.summarize(session, rows),
        total=total,
        page=page,
        per_page=per_page,
        counts=counts,
    )


@router.post("/cases", response_model=CaseOut, status_code=201, summary="受理案件（可由警情转入）")
def open_case(
    body: CaseIn, response: Response, session: DbSession, officer: CanManageCases
) -> CaseOut:
    case = service.do_open_case(session, data=body, actor_id=officer.id)
    response.headers["Location"] = f"/api/cases/{case.id}"
    return queries.describe(session, case=case, viewer=officer)


@router.get("/cases/fasts", response_model=FastsBoard, summary="六快：各月中位用时")
def fasts(
    session: DbSession, _viewer: CanViewCases, months: int = Query(default=12, ge=1, le=36)
) -> FastsBoard:
    return queries.fasts_board(session, months=months)


@router.get(
    "/cases/clearance", response_model=list[ClearanceRate], summary="破案率（按时段、类型）"
)
def clearance(
    session: DbSession,
    _viewer: CanViewCases,
    start: datetime | None = None,
    end: datetime | None = None,
    case_type: CaseType | None = None,
) -> list[ClearanceRate]:
    end = end or utcnow()
    start = start or end - timedelta(days=365)
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("时间须带时区 / give times with a zone offset", code="naive_time")
    if end <= start:
        raise InvalidInput("结束须晚于开始 / end must be after start", code="bad_period")
    if case_type is not None:
        return [queries.clearance_rate(session, start=start, end=end, case_type=case_type)]
    return queries.clearance_by_type(session, start=start, end=end)


@router.get(
    "/cases/squad", response_model=list[SquadMemberOut], summary="办案队名单：师徒结对、突击队"
)
def squad(session: DbSession, _viewer: CanViewCases) -> list[SquadMemberOut]:
    return queries.squad(session)


@router.post("/cases/squad/{officer_id}", response_model=list[SquadMemberOut], summary="编入名单")
def set_squad(
    officer_id: int, body: SquadIn, session: DbSession, officer: CanManageCases
) -> list[SquadMemberOut]:
    service.do_set_squad(
        session,
        officer_id=officer_id,
        mentor_id=body.mentor_id,
        assault_team=body.assault_team,
        specialty=body.specialty,
        actor_id=officer.id,
    )
    return queries.squad(session)


@router.get("/cases/officers", response_model=dict[str, list[OfficerRef]], summary="可指派的民警")
def pickable_officers(session: DbSession, _viewer: CanViewCases) -> dict[str, list[OfficerRef]]:
    return queries.officers_for_pick(session)


@router.get("/cases/tasks", response_model=TasksOut, summary="我的任务：承办案件与待答复请求")
def my_tasks(session: DbSession, officer: CurrentOfficer) -> TasksOut:
    return queries.tasks_for(session, officer=officer)


@router.get("/cases/requests/overdue", response_model=list[RequestOut], summary="超期请求告警")
def overdue(session: DbSession, officer: CurrentOfficer) -> list[RequestOut]:
    return queries.overdue_outs(session, officer=officer)


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    summary="案件详情（六快、人员、物证、损失、请求、合成作战时间线）",
)
def get_case(
    case_id: int, session: WriteSession, viewer: CanViewCases, unmask: Unmask = False
) -> CaseOut:
    case = service.get_case(session, case_id=case_id)
    return queries.describe(session, case=case, viewer=viewer, unmask=unmask)


@router.get("/cases/{case_id}/timeline", response_model=list[JointEntry], summary="合成作战时间线")
def timeline(case_id: int, session: DbSession, _viewer: CanViewCases) -> list[JointEntry]:
    case = service.get_case(session, case_id=case_id)
    return queries.joint_timeline(session, case=case)


@router.post(
    "/cases/{case_id}/transition",
    response_model=Created,
    summary="立案 / 不立案 / 侦查 / 破案 / 移送起诉 / 结案 / 撤案",
)
def transition(
    case_id: int, body: TransitionIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    service.do_transition(
        session, case=case, target=body.to, reason=body.reason, actor_id=officer.id
    )
    return _created(session, case.id, case.id)


@router.post("/cases/{case_id}/officers", response_model=Created, summary="指派主办/协办民警")
def assign(
    case_id: int, body: OfficerAssignIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    row = service.do_assign_officer(
        session, case=case, officer_id=body.officer_id, duty=body.duty, actor_id=officer.id
    )
    return _created(session, case.id, row.officer_id)


@router.post(
    "/cases/{case_id}/persons",
    response_model=Created,
    status_code=201,
    summary="添加嫌疑人/被害人/证人",
)
def add_person(
    case_id: int, body: PersonIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    person = service.do_add_person(session, case=case, data=body, actor_id=officer.id)
    return _created(session, case.id, person.id)


@router.get(
    "/cases/{case_id}/persons/{person_id}", response_model=PersonOut, summary="人员信息（查看留痕）"
)
def get_person(
    case_id: int,
    person_id: int,
    session: WriteSession,
    viewer: CanViewCases,
    unmask: Unmask = False,
) -> PersonOut:
    case = service.get_case(session, case_id=case_id)
    service.get_person(session, case=case, person_id=person_id)
    return queries.read_persons(
        session, case=case, viewer=viewer, unmask=unmask, person_id=person_id
    )[0]


@router.post(
    "/cases/{case_id}/persons/{person_id}/status",
    response_model=Created,
    summary="嫌疑人状态：已查明/已定位/已释放",
)
def suspect_status(
    case_id: int, person_id: int, body: SuspectStatusIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    person = service.get_person(session, case=case, person_id=person_id)
    service.do_set_suspect_status(
        session,
        case=case,
        person=person,
        status=body.status,
        note_text=body.note,
        address=body.address,
        actor_id=officer.id,
    )
    return _created(session, case.id, person.id)


@router.post(
    "/cases/{case_id}/arrests", response_model=ArrestOut, status_code=201, summary="登记抓捕"
)
def arrest(case_id: int, body: ArrestIn, session: DbSession, officer: CanManageCases) -> ArrestOut:
    case = service.get_case(session, case_id=case_id)
    return ArrestOut.model_validate(
        service.do_arrest(session, case=case, data=body, actor_id=officer.id)
    )


@router.post(
    "/cases/{case_id}/evidence", response_model=Created, status_code=201, summary="登记物证"
)
def add_evidence(
    case_id: int, body: EvidenceIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    item = service.do_add_evidence(session, case=case, data=body, actor_id=officer.id)
    return _created(session, case.id, item.id)


@router.post(
    "/cases/{case_id}/evidence/{evidence_id}/custody",
    response_model=Created,
    summary="物证流转（保管链）",
)
def custody(
    case_id: int, evidence_id: int, body: CustodyIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    item = service.get_evidence(session, case=case, evidence_id=evidence_id)
    row = service.do_custody(session, case=case, item=item, data=body, actor_id=officer.id)
    return _created(session, case.id, row.id)


@router.post("/cases/{case_id}/losses", response_model=Created, status_code=201, summary="登记损失")
def add_loss(case_id: int, body: LossIn, session: DbSession, officer: CanManageCases) -> Created:
    case = service.get_case(session, case_id=case_id)
    loss = service.do_add_loss(session, case=case, data=body, actor_id=officer.id)
    return _created(session, case.id, loss.id)


@router.post(
    "/cases/{case_id}/recoveries", response_model=Created, status_code=201, summary="登记挽损"
)
def add_recovery(
    case_id: int, body: RecoveryIn, session: DbSession, officer: CanManageCases
) -> Created:
    case = service.get_case(session, case_id=case_id)
    row = service.do_add_recovery(session, case=case, data=body, actor_id=officer.id)
    return _created(session, case.id, row.id)


@router.post(
    "/cases/{case_id}/notes",
    response_model=Created,
    status_code=201,
    summary="线索 / 现场勘查 / 走访 / 控情 / 记事",
)
def add_note(case_id: int, body: NoteIn, session: DbSession, officer: CanManageCases) -> Created:
    case = service.get_case(session, case_id=case_id)
    entry = service.do_add_note(
        session, case=case, kind=body.kind, text=body.text, actor_id=officer.id
    )
    return _created(session, case.id, entry.id)


@router.post(
    "/cases/{case_id}/requests",
    response_model=RequestOut,
    status_code=201,
    summary="发起视频侦查 / 协作信号 / 协查请求",
)
def create_request(
    case_id: int, body: RequestIn, session: DbSession, officer: CanManageCases
) -> RequestOut:
    case = service.get_case(session, case_id=case_id)
    request = service.do_create_request(session, case=case, data=body, actor_id=officer.id)
    return queries.request_outs(session, [request])[0]


@router.get("/case-requests/{request_id}", response_model=RequestOut, summary="请求详情")
def get_request(request_id: int, session: DbSession, officer: CurrentOfficer) -> RequestOut:
    request = service.get_request(session, request_id=request_id)
    if not (queries.may_view_case(officer) or service.may_answer(officer, request)):
        raise Forbidden("无权查看此请求 / not yours to see", code="forbidden")
    return queries.request_outs(session, [request])[0]


@router.post(
    "/case-requests/{request_id}/answer",
    response_model=RequestOut,
    summary="答复请求（指挥室/社区民警/办案民警）",
)
def answer_request(
    request_id: int, body: AnswerIn, session: DbSession, officer: CurrentOfficer
) -> RequestOut:
    request = service.get_request(session, request_id=request_id)
    service.do_answer_request(session, request=request, data=body, officer=officer)
    return queries.request_outs(session, [request])[0]


@router.post("/case-requests/{request_id}/cancel", response_model=RequestOut, summary="撤回请求")
def cancel_request(request_id: int, session: DbSession, officer: CanManageCases) -> RequestOut:
    request = service.get_request(session, request_id=request_id)
    service.do_cancel_request(session, request=request, actor_id=officer.id)
    return queries.request_outs(session, [request])[0]


@router.post(
    "/attachments/cases/{case_id}",
    response_model=AttachmentOut,
    status_code=201,
    summary="上传案件附件（JPEG/PNG/PDF/MP4/文本，≤10 MB）",
)
def upload_case_file(
    case_id: int,
    session: DbSession,
    settings: AppSettings,
    officer: CanManageCases,
    file: Annotated[UploadFile, File()],
    evidence_id: Annotated[int | None, Form(ge=1)] = None,
) -> AttachmentOut:
    case = service.get_case(session, case_id=case_id)
    stored = service.do_store_attachment(
        session,
        case=case,
        content=_read_upload(file),
        filename=file.filename or "",
        upload_dir=upload_dir(settings),
        actor_id=officer.id,
        evidence_id=evidence_id,
    )
    return queries.attachment_out(stored.attachment)


@router.post(
    "/attachments/case-requests/{request_id}",
    response_model=AttachmentOut,
    status_code=201,
    summary="为请求附上结果（视频截图、报告）",
)
def upload_request_file(
    request_id: int,
    session: DbSession,
    settings: AppSettings,
    officer: CurrentOfficer,
    file: Annotated[UploadFile, File()],
) -> AttachmentOut:
    request = service.get_request(session, request_id=request_id)
    if not (service.may_answer(officer, request) or queries.may_manage(officer)):
        raise Forbidden(
            "此请求不是发给您的 / this request is not addressed to you", code="not_your_request"
        )
    case = service.get_case(session, case_id=request.case_id)
    stored = service.do_store_attachment(
        session,
        case=case,
        content=_read_upload(file),
        filename=file.filename or "",
        upload_dir=upload_dir(settings),
        actor_id=officer.id,
        request=request,
    )
    return queries.attachment_out(stored.attachment)


@router.get("/attachments/cases/{attachment_id}", summary="下载附件", response_class=FileResponse)
def download(
    attachment_id: int, session: DbSession, settings: AppSettings, officer: CurrentOfficer
) -> FileResponse:
    attachment = service.get_attachment(session, attachment_id=attachment_id)
    allowed = queries.may_view_case(officer)
    if not allowed and attachment.request_id is not None:
        allowed = service.may_answer(
            officer, service.get_request(session, request_id=attachment.request_id)
        )
    if not allowed:
        raise Forbidden("无权查看此附件 / not yours to see", code="forbidden")
    path = upload_dir(settings) / attachment.stored_name
    if not path.is_file():
        raise InvalidInput("附件文件缺失 / the stored file is missing", code="file_missing")
    return FileResponse(
        path,
        media_type=attachment.content_type,
        filename=attachment.original_name,
        content_disposition_type="attachment",
    )
