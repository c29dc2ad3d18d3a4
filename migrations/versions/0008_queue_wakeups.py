"""queue wake-ups: on PostgreSQL, a NOTIFY on channel mutuals_queue after rows are queued

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-04 05:00:00

A statement trigger on each queue table calls ``pg_notify('mutuals_queue', <table>)``
after an INSERT, sent at commit (``store.wakeups`` listens). Only INSERT: claims and
lease renewals are UPDATEs, and waking every worker on each would cost more than the
polling it saves. SQLite has no notifications: nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("inbox_items", "fanouts", "deliveries")
FUNCTION = "mutuals_queue_notify"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('mutuals_queue', TG_TABLE_NAME);
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        # A restore of a backup older than this migration may leave them behind.
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
