"""order engine: lifecycle columns, extensions, pending steps, dispatch pushes,
notifications, users and sessions; speech columns

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATES_OLD = ("created",)
STATES_NEW = ("created", "dispatched", "received", "handled", "pending", "not_handled",
              "callback", "closed")
ROLES = ("center_staff", "business_section", "supervision_section", "duty_supervisor",
         "leader", "agency")
PUSH = ("queued", "delivered", "retry", "failed", "no_webhook")
TZ = sa.DateTime(timezone=True)


def _check(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _order_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("district", sa.String(32), nullable=True),
        sa.Column("address", sa.String(256), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("emergency", sa.Boolean(), server_default=sa.false(), nullable=False),
        *(sa.Column(name, TZ, nullable=True) for name in (
            "dispatch_due", "receipt_due", "onsite_due", "resolve_due")),
        sa.Column("deadline_clauses", sa.JSON(), nullable=True),
        *(sa.Column(name, TZ, nullable=True) for name in (
            "dispatched_at", "received_at", "handled_at", "completed_at", "closed_at")),
        sa.Column("extension_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("pending_approved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("supervision", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("parent_order_id", sa.Integer(), nullable=True),
        sa.Column("lifecycle", sa.JSON(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("speech", sa.JSON(), nullable=True),
        sa.Column("keys_words_disagree", sa.Boolean(), server_default=sa.false(),
                  nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_constraint(op.f("ck_work_orders_order_status"), type_="check")
        batch.create_check_constraint("order_status", _check("status", STATES_NEW))
        for column in _order_columns():
            batch.add_column(column)
        batch.create_foreign_key(op.f("fk_work_orders_parent_order_id_work_orders"),
                                 "work_orders", ["parent_order_id"], ["id"])
        batch.create_index(op.f("ix_work_orders_agency_id"), ["agency_id"])
        batch.create_index("ix_work_orders_status_receipt_due", ["status", "receipt_due"])
        batch.create_index("ix_work_orders_status_resolve_due", ["status", "resolve_due"])
        batch.create_index("ix_work_orders_caller_number", ["caller_number"])
    _create_order_tables()
    _create_user_tables()


def _order_fk() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("order_id", sa.Integer(), sa.ForeignKey("work_orders.id"), nullable=False)


def _create_order_tables() -> None:
    op.create_table(
        "order_extensions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _order_fk(),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("previous_due", TZ, nullable=False),
        sa.Column("new_due", TZ, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.UniqueConstraint("order_id", "seq", name="uq_order_extensions_order_seq"),
    )
    op.create_table(
        "pending_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        _order_fk(),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", _enum(ROLES, "pending_step_role"), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
    )
    op.create_index(op.f("ix_pending_steps_order_id"), "pending_steps", ["order_id"])
    op.create_table(
        "dispatch_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _order_fk(),
        sa.Column("agency_id", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(96), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", _enum(PUSH, "push_status"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ, nullable=True),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_dispatch_attempts_idempotency_key")),
    )
    op.create_index(op.f("ix_dispatch_attempts_order_id"), "dispatch_attempts", ["order_id"])
    op.create_index("ix_dispatch_attempts_status_next", "dispatch_attempts",
                    ["status", "next_attempt_at"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        _order_fk(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("consumed_at", TZ, nullable=True),
        sa.Column("result", sa.String(64), nullable=True),
        sa.UniqueConstraint("order_id", "kind", "due_at", name="uq_notifications_order_kind_due"),
    )
    op.create_index("ix_notifications_kind_consumed", "notifications", ["kind", "consumed_at"])


def _create_user_tables() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", _enum(ROLES, "user_role"), nullable=False),
        sa.Column("agency_id", sa.String(64), nullable=True),
        sa.Column("password_salt", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(128), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_index(op.f("ix_user_sessions_expires_at"), "user_sessions", ["expires_at"])


def downgrade() -> None:
    for table in ("user_sessions", "users", "notifications", "dispatch_attempts",
                  "pending_steps", "order_extensions"):
        op.drop_table(table)
    with op.batch_alter_table("work_orders") as batch:
        for name in ("ix_work_orders_caller_number", "ix_work_orders_status_resolve_due",
                     "ix_work_orders_status_receipt_due", op.f("ix_work_orders_agency_id")):
            batch.drop_index(name)
        batch.drop_constraint(op.f("fk_work_orders_parent_order_id_work_orders"),
                              type_="foreignkey")
        for column in reversed(_order_columns()):
            batch.drop_column(column.name)
        batch.drop_constraint(op.f("ck_work_orders_order_status"), type_="check")
        batch.create_check_constraint("order_status", _check("status", STATES_OLD))
