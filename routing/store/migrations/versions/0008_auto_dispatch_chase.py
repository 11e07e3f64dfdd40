"""automatic dispatch and the receipt chase (issue 11)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# The automatic dispatcher reads only orders still waiting for dispatch
# (routing/dispatch/auto_dispatch.py).
DISPATCH_WATCH = "status = 'created'"


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        # The dispatch policy rule that dispatched the order by itself; None: a person did.
        batch.add_column(sa.Column("auto_dispatch_rule", sa.String(64), nullable=True))
    op.create_index("ix_work_orders_dispatch_watch", "work_orders", ["dispatch_due", "id"],
                    postgresql_where=sa.text(DISPATCH_WATCH), sqlite_where=sa.text(DISPATCH_WATCH))


def downgrade() -> None:
    op.drop_index("ix_work_orders_dispatch_watch", table_name="work_orders")
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("auto_dispatch_rule")
