"""agents; call outcomes answered and callback

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OUTCOMES_OLD = ("in_progress", "completed", "abandoned", "failed")
OUTCOMES_NEW = (*OUTCOMES_OLD, "answered", "callback")
AGENT_STATES = ("logged_out", "available", "ringing", "on_call", "after_call_work", "paused")


def _outcome_check(values: tuple[str, ...]) -> str:
    return "outcome IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("call_sessions") as batch:
        batch.drop_constraint(op.f("ck_call_sessions_call_outcome"), type_="check")
        batch.create_check_constraint("call_outcome", _outcome_check(OUTCOMES_NEW))
    op.create_table(
        "agents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("endpoint", sa.String(128), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*AGENT_STATES, name="agent_state", native_enum=False,
                    create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pause_reason", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )


def downgrade() -> None:
    op.drop_table("agents")
    with op.batch_alter_table("call_sessions") as batch:
        batch.drop_constraint(op.f("ck_call_sessions_call_outcome"), type_="check")
        batch.create_check_constraint("call_outcome", _outcome_check(OUTCOMES_OLD))
