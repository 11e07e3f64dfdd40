"""order case, complexity and arrival on site (issue 16)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The sweeper's on-site chase reads only orders with a crew owed on site
# (routing/dispatch/sweeper.py).
ONSITE_CHASE = "arrived_at IS NULL AND status IN ('dispatched', 'received')"


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        # The SLA table's row keys (routing/orders/sla_policy.yaml): which row the deadlines follow.
        batch.add_column(sa.Column("case", sa.String(32), nullable=False,
                                   server_default="general"))
        batch.add_column(sa.Column("complex", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_work_orders_onsite_chase", "work_orders", ["onsite_due", "id"],
                    postgresql_where=sa.text(ONSITE_CHASE), sqlite_where=sa.text(ONSITE_CHASE))


def downgrade() -> None:
    op.drop_index("ix_work_orders_onsite_chase", table_name="work_orders")
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_column("arrived_at")
        batch.drop_column("complex")
        batch.drop_column("case")
