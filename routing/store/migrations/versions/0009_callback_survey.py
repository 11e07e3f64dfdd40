"""callback surveys by phone (issue 11)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
STATUSES = ("scheduled", "calling", "answered", "agent", "manual", "declined", "moot")
SATISFACTION = ("satisfied", "basically_satisfied", "not_satisfied")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "callback_surveys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False),
        sa.Column("utility", sa.String(32), nullable=True),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("reported", sa.String(16), nullable=False),
        sa.Column("reported_at", TZ, nullable=False),
        sa.Column("status", _enum(STATUSES, "survey_status"), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("due_at", TZ, nullable=True),
        sa.Column("give_up_at", TZ, nullable=True),
        sa.Column("clause", sa.String(64), nullable=True),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_result", sa.String(64), nullable=True),
        sa.Column("satisfaction", _enum(SATISFACTION, "survey_satisfaction"), nullable=True),
        sa.Column("reached_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
    )
    op.create_index(op.f("ix_callback_surveys_order_id"), "callback_surveys", ["order_id"])
    op.create_index(op.f("ix_callback_surveys_agency_id"), "callback_surveys", ["agency_id"])
    op.create_index("ix_callback_surveys_status_next", "callback_surveys",
                    ["status", "next_attempt_at"])
    with op.batch_alter_table("work_orders") as batch:
        batch.add_column(sa.Column("satisfaction", _enum(SATISFACTION, "order_satisfaction"),
                                   nullable=True))
        batch.add_column(sa.Column("callback_declined", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("callback_declined")
        batch.drop_column("satisfaction")
    op.drop_table("callback_surveys")
