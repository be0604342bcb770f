"""Road network: nodes and edges, with closures.

Revision ID: 20261128_roads
Revises: 20261128_spine
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261128_roads"
down_revision = "20261128_spine"
branch_labels = ("roads",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "road_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("osm_id", sa.BigInteger(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_road_nodes"),
    )
    op.create_index("ix_road_nodes_osm_id", "road_nodes", ["osm_id"], unique=False)
    op.create_table(
        "road_edges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("road_class", sa.String(length=32), nullable=False),
        sa.Column("maxspeed_kmh", sa.Float(), nullable=True),
        sa.Column("oneway", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("slow_factor", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["road_nodes.id"], name="fk_road_edges_source_id_road_nodes"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["road_nodes.id"], name="fk_road_edges_target_id_road_nodes"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_road_edges"),
    )
    op.create_index("ix_road_edges_source_id", "road_edges", ["source_id"], unique=False)
    op.create_index("ix_road_edges_target_id", "road_edges", ["target_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_road_edges_target_id", table_name="road_edges")
    op.drop_index("ix_road_edges_source_id", table_name="road_edges")
    op.drop_table("road_edges")
    op.drop_index("ix_road_nodes_osm_id", table_name="road_nodes")
    op.drop_table("road_nodes")
