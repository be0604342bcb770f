"""Cases: the squad, people, arrests, evidence and custody, losses, requests, timeline.

Revision ID: 20261128_cases
Revises: 20261128_spine
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261128_cases"
down_revision = "20261128_spine"
branch_labels = ("cases",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_squad",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("assault_team", sa.Boolean(), nullable=False),
        sa.Column("specialty", sa.String(length=64), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mentor_id"], ["officers.id"], name=op.f("fk_case_squad_mentor_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_case_squad_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_squad")),
        sa.UniqueConstraint("officer_id", name=op.f("uq_case_squad_officer_id")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("case_type", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("address_text", sa.String(length=255), nullable=False),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("beat_id", sa.Integer(), nullable=True),
        sa.Column("lead_officer_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_lead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_arrest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("controlled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_recovery_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["beat_id"], ["beats.id"], name=op.f("fk_cases_beat_id_beats")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officers.id"], name=op.f("fk_cases_created_by_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_cases_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["lead_officer_id"], ["officers.id"], name=op.f("fk_cases_lead_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("number", name=op.f("uq_cases_number")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_case_type"), ["case_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_filed_at"), ["filed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index("ix_cases_status_reported", ["status", "reported_at"], unique=False)

    op.create_table(
        "case_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_by_id", sa.Integer(), nullable=True),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_evidence_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["collected_by_id"],
            ["officers.id"],
            name=op.f("fk_case_evidence_collected_by_id_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["officers.id"], name=op.f("fk_case_evidence_holder_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
        sa.UniqueConstraint("number", name=op.f("uq_case_evidence_number")),
    )
    with op.batch_alter_table("case_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_evidence_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_losses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=120), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_losses_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_losses")),
    )
    with op.batch_alter_table("case_losses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_losses_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("duty", sa.String(length=16), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_officers_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_case_officers_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_officers")),
        sa.UniqueConstraint("case_id", "officer_id", name=op.f("uq_case_officers_case_id")),
    )
    with op.batch_alter_table("case_officers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_officers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_officers_officer_id"), ["officer_id"], unique=False
        )

    op.create_table(
        "case_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("suspect_status", sa.String(length=16), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_persons_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officers.id"], name=op.f("fk_case_persons_created_by_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_persons")),
    )
    with op.batch_alter_table("case_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_persons_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_persons_id_number"), ["id_number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_persons_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "case_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("target_officer_id", sa.Integer(), nullable=True),
        sa.Column("beat_id", sa.Integer(), nullable=True),
        sa.Column("target_unit", sa.String(length=80), nullable=False),
        sa.Column("camera_ids", sa.JSON(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_data", sa.JSON(), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["officers.id"],
            name=op.f("fk_case_requests_answered_by_id_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["beat_id"], ["beats.id"], name=op.f("fk_case_requests_beat_id_beats")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_requests_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["officers.id"], name=op.f("fk_case_requests_created_by_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["target_officer_id"],
            ["officers.id"],
            name=op.f("fk_case_requests_target_officer_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_requests")),
    )
    with op.batch_alter_table("case_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_requests_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_case_requests_status_deadline", ["status", "deadline"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_requests_target_officer_id"), ["target_officer_id"], unique=False
        )

    op.create_table(
        "case_timeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["officers.id"], name=op.f("fk_case_timeline_actor_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_timeline_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_timeline")),
    )
    with op.batch_alter_table("case_timeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_timeline_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_arrests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("arrested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_arrests_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["case_persons.id"], name=op.f("fk_case_arrests_person_id_case_persons")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["officers.id"],
            name=op.f("fk_case_arrests_recorded_by_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_arrests")),
    )
    with op.batch_alter_table("case_arrests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_arrests_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_arrests_person_id"), ["person_id"], unique=False)

    op.create_table(
        "case_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_attachments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["case_evidence.id"],
            name=op.f("fk_case_attachments_evidence_id_case_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["case_requests.id"],
            name=op.f("fk_case_attachments_request_id_case_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["officers.id"],
            name=op.f("fk_case_attachments_uploaded_by_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_attachments")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_case_attachments_stored_name")),
    )
    with op.batch_alter_table("case_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_attachments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_officer_id", sa.Integer(), nullable=True),
        sa.Column("to_officer_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["officers.id"], name=op.f("fk_case_custody_events_actor_id_officers")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["case_evidence.id"],
            name=op.f("fk_case_custody_events_evidence_id_case_evidence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_officer_id"],
            ["officers.id"],
            name=op.f("fk_case_custody_events_from_officer_id_officers"),
        ),
        sa.ForeignKeyConstraint(
            ["to_officer_id"],
            ["officers.id"],
            name=op.f("fk_case_custody_events_to_officer_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_custody_events")),
    )
    with op.batch_alter_table("case_custody_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_custody_events_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "case_recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("loss_id", sa.Integer(), nullable=True),
        sa.Column("value_fen", sa.BigInteger(), nullable=False),
        sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_recoveries_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["loss_id"], ["case_losses.id"], name=op.f("fk_case_recoveries_loss_id_case_losses")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["officers.id"],
            name=op.f("fk_case_recoveries_recorded_by_id_officers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_recoveries")),
    )
    with op.batch_alter_table("case_recoveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_recoveries_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_recoveries_case_id"))

    op.drop_table("case_recoveries")
    with op.batch_alter_table("case_custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_custody_events_evidence_id"))

    op.drop_table("case_custody_events")
    with op.batch_alter_table("case_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_attachments_case_id"))

    op.drop_table("case_attachments")
    with op.batch_alter_table("case_arrests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_arrests_person_id"))
        batch_op.drop_index(batch_op.f("ix_case_arrests_case_id"))

    op.drop_table("case_arrests")
    with op.batch_alter_table("case_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_timeline_case_id"))

    op.drop_table("case_timeline")
    with op.batch_alter_table("case_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_requests_target_officer_id"))
        batch_op.drop_index("ix_case_requests_status_deadline")
        batch_op.drop_index(batch_op.f("ix_case_requests_case_id"))

    op.drop_table("case_requests")
    with op.batch_alter_table("case_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_persons_resident_id"))
        batch_op.drop_index(batch_op.f("ix_case_persons_id_number"))
        batch_op.drop_index(batch_op.f("ix_case_persons_case_id"))

    op.drop_table("case_persons")
    with op.batch_alter_table("case_officers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_officers_officer_id"))
        batch_op.drop_index(batch_op.f("ix_case_officers_case_id"))

    op.drop_table("case_officers")
    with op.batch_alter_table("case_losses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_losses_case_id"))

    op.drop_table("case_losses")
    with op.batch_alter_table("case_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_evidence_case_id"))

    op.drop_table("case_evidence")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_reported")
        batch_op.drop_index(batch_op.f("ix_cases_reported_at"))
        batch_op.drop_index(batch_op.f("ix_cases_incident_id"))
        batch_op.drop_index(batch_op.f("ix_cases_filed_at"))
        batch_op.drop_index(batch_op.f("ix_cases_case_type"))

    op.drop_table("cases")
    op.drop_table("case_squad")
