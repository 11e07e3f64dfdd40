"""the knowledge base: answers, their revisions, and the consultations they answered (issue 17)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
UTILITIES = ("water", "heating", "gas", "road_bridge", "river", "streetlight", "drainage",
             "flood_control", "water_saving")


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("utility", sa.Enum(*UTILITIES, name="knowledge_utility", native_enum=False,
                                     create_constraint=True, length=32)),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date()),
        sa.Column("valid_to", sa.Date()),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.UniqueConstraint("slug", name="uq_knowledge_entries_slug"),
    )
    op.create_table(
        "knowledge_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey(
            "knowledge_entries.id", name="fk_knowledge_revisions_entry_id_knowledge_entries"),
            nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(500)),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("decided_by", sa.String(64)),
        sa.Column("decided_at", TZ),
    )
    op.create_index("ix_knowledge_revisions_entry_id", "knowledge_revisions", ["entry_id"])
    op.create_table(
        "knowledge_uses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey(
            "knowledge_entries.id", name="fk_knowledge_uses_entry_id_knowledge_entries"),
            nullable=False),
        sa.Column("entry_version", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey(
            "work_orders.id", name="fk_knowledge_uses_order_id_work_orders")),
        sa.Column("call_session_id", sa.Integer(), sa.ForeignKey(
            "call_sessions.id", name="fk_knowledge_uses_call_session_id_call_sessions")),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.UniqueConstraint("order_id", name="uq_knowledge_uses_order_id"),
    )
    op.create_index("ix_knowledge_uses_entry_id", "knowledge_uses", ["entry_id"])
    op.create_index("ix_knowledge_uses_call_session_id", "knowledge_uses", ["call_session_id"])


def downgrade() -> None:
    op.drop_table("knowledge_uses")
    op.drop_table("knowledge_revisions")
    op.drop_table("knowledge_entries")
