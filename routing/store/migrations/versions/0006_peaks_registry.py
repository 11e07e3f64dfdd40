"""announcements, standby staff and shift handovers (issue 5)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
UTILITIES = ("water", "heating", "gas", "road_bridge", "river", "streetlight", "drainage",
             "flood_control", "water_saving")
KINDS = ("planned", "unplanned")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("utility", _enum(UTILITIES, "announcement_utility"), nullable=False),
        sa.Column("kind", _enum(KINDS, "outage_kind"), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("recovery_at", TZ, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.UniqueConstraint("incident_id", name=op.f("uq_announcements_incident_id")),
    )
    op.create_index("ix_announcements_window", "announcements", ["starts_at", "ends_at"])
    op.create_table(
        "incident_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("announcement_id", sa.Integer(), sa.ForeignKey("announcements.id"),
                  nullable=False),
        sa.Column("incident_id", sa.String(32), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("call_session_id", sa.Integer(), sa.ForeignKey("call_sessions.id"),
                  nullable=True),
        sa.Column("linked_at", TZ, nullable=False),
        sa.UniqueConstraint("order_id", name=op.f("uq_incident_links_order_id")),
    )
    op.create_index(op.f("ix_incident_links_announcement_id"), "incident_links",
                    ["announcement_id"])
    op.create_index(op.f("ix_incident_links_incident_id"), "incident_links", ["incident_id"])
    _create_staff_tables()


def _create_staff_tables() -> None:
    op.create_table(
        "standby_staff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=True),
        sa.Column("called_in_at", TZ, nullable=True),
    )
    op.create_index(op.f("ix_standby_staff_agency_id"), "standby_staff", ["agency_id"])
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("outgoing", sa.String(64), nullable=False),
        sa.Column("incoming", sa.String(64), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("signed_out_at", TZ, nullable=False),
        sa.Column("signed_in_at", TZ, nullable=True),
    )
    op.create_index(op.f("ix_handovers_created_at"), "handovers", ["created_at"])


def downgrade() -> None:
    for table in ("handovers", "standby_staff", "incident_links", "announcements"):
        op.drop_table(table)
