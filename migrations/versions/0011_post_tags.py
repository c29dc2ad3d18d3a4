"""post tags: each post's hashtags by key, for the tag pages at /tags/{name}

Filled from the ``tag`` list of every post's document, as publishing fills it from now on.

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-05 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from posts.tags import tag_keys

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def upgrade() -> None:
    post_tags = op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "tag"),
    )
    op.create_index("ix_post_tags_tag", "post_tags", ["tag", "post_id"], unique=False)
    posts = sa.table("posts", sa.column("id", sa.Integer()), sa.column("document", sa.JSON()))
    bind = op.get_bind()
    last = 0
    while True:  # a batch at a time, by id: any number of posts in little memory
        batch = bind.execute(
            sa.select(posts.c.id, posts.c.document)
            .where(posts.c.id > last)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        rows = [
            {"post_id": post_id, "tag": key}
            for post_id, document in batch
            for key in sorted(tag_keys(document or {}))
        ]
        if rows:
            op.bulk_insert(post_tags, rows)
        last = batch[-1][0]


def downgrade() -> None:
    op.drop_index("ix_post_tags_tag", table_name="post_tags")
    op.drop_table("post_tags")
