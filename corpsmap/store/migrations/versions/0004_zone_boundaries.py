"""zone boundaries: official boundaries imported by an admin, versioned with the data

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 07:09:37.750302
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zone_boundaries',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.String(length=100), nullable=False),
    sa.Column('feature', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_zone_boundaries_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_zone_boundaries_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_zone_boundaries'))
    )
    with op.batch_alter_table('zone_boundaries', schema=None) as batch_op:
        batch_op.create_index('ix_zone_boundaries_valid', ['valid_from', 'valid_to'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('zone_boundaries', schema=None) as batch_op:
        batch_op.drop_index('ix_zone_boundaries_valid')

    op.drop_table('zone_boundaries')
