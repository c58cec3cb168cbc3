"""submissions: changes zone editors submit for an admin to publish; who submitted a version

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 06:45:56.327266
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('submissions',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('spec', sa.Text(), nullable=False),
    sa.Column('zone_ids', sa.String(length=1000), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=True),
    sa.Column('based_on', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.upload_id'], name=op.f('fk_submissions_upload_id_uploads')),
    sa.ForeignKeyConstraint(['version'], ['versions.number'], name=op.f('fk_submissions_version_versions')),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index('ix_submissions_status', ['status', 'submitted_at'], unique=False)

    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_by', sa.String(length=200), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('versions', schema=None) as batch_op:
        batch_op.drop_column('submitted_by')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_status')

    op.drop_table('submissions')
