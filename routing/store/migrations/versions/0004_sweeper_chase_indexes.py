"""partial indexes for the deadline sweeper

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECEIPT_CHASE = "status = 'dispatched'"
RESOLVE_CHASE = "status IN ('dispatched', 'received', 'not_handled')"


def upgrade() -> None:
    for name, column, where in (
        ("ix_work_orders_receipt_chase", "receipt_due", RECEIPT_CHASE),
        ("ix_work_orders_resolve_chase", "resolve_due", RESOLVE_CHASE),
    ):
        op.create_index(name, "work_orders", [column, "id"],
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    op.drop_index("ix_work_orders_resolve_chase", table_name="work_orders")
    op.drop_index("ix_work_orders_receipt_chase", table_name="work_orders")
