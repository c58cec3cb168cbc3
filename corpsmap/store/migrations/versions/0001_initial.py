"""initial schema: data tables, versions, uploads

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-02 04:40:38.613262
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('uploads',
    sa.Column('upload_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('upload_id', name=op.f('pk_uploads'))
    )
    op.create_table('versions',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('based_on', sa.Integer(), nullable=True),
    sa.Column('restores', sa.Integer(), nullable=True),
    sa.Column('upload_id', sa.Integer(), nullable=True),
    sa.Column('data_month', sa.String(length=7), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.upload_id'], name=op.f('fk_versions_upload_id_uploads')),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_versions'))
    )
    op.create_table('data_indicators',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('indicator_id', sa.String(length=100), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('unit_en', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=100), nullable=True),
    sa.Column('cumulative', sa.Boolean(), nullable=True),
    sa.Column('additive', sa.Boolean(), nullable=True),
    sa.Column('higher_is_better', sa.Boolean(), nullable=True),
    sa.Column('decimals', sa.Integer(), nullable=True),
    sa.Column('headline', sa.Boolean(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_indicators_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_indicators_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_indicators'))
    )
    with op.batch_alter_table('data_indicators', schema=None) as batch_op:
        batch_op.create_index('ix_data_indicators_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_industry_chains',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('chain_id', sa.String(length=100), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_industry_chains_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_industry_chains_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_industry_chains'))
    )
    with op.batch_alter_table('data_industry_chains', schema=None) as batch_op:
        batch_op.create_index('ix_data_industry_chains_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_observations',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.String(length=100), nullable=True),
    sa.Column('indicator_id', sa.String(length=100), nullable=True),
    sa.Column('month', sa.String(length=100), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_observations_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_observations_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_observations'))
    )
    with op.batch_alter_table('data_observations', schema=None) as batch_op:
        batch_op.create_index('ix_data_observations_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_platforms',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('platform_id', sa.String(length=100), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_platforms_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_platforms_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_platforms'))
    )
    with op.batch_alter_table('data_platforms', schema=None) as batch_op:
        batch_op.create_index('ix_data_platforms_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_projects',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.String(length=100), nullable=True),
    sa.Column('zone_id', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=100), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=100), nullable=True),
    sa.Column('industry_chain', sa.String(length=100), nullable=True),
    sa.Column('investment_yi', sa.Float(), nullable=True),
    sa.Column('amount_kind', sa.String(length=100), nullable=True),
    sa.Column('start_date', sa.String(length=100), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('location_precision', sa.String(length=100), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=True),
    sa.Column('note_zh', sa.Text(), nullable=True),
    sa.Column('note_en', sa.Text(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_projects_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_projects_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_projects'))
    )
    with op.batch_alter_table('data_projects', schema=None) as batch_op:
        batch_op.create_index('ix_data_projects_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_sources',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('publisher', sa.Text(), nullable=True),
    sa.Column('date', sa.String(length=100), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_sources_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_sources_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_sources'))
    )
    with op.batch_alter_table('data_sources', schema=None) as batch_op:
        batch_op.create_index('ix_data_sources_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_targets',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.String(length=100), nullable=True),
    sa.Column('indicator_id', sa.String(length=100), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_targets_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_targets_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_targets'))
    )
    with op.batch_alter_table('data_targets', schema=None) as batch_op:
        batch_op.create_index('ix_data_targets_valid', ['valid_from', 'valid_to'], unique=False)

    op.create_table('data_zones',
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Integer(), nullable=False),
    sa.Column('valid_to', sa.Integer(), nullable=True),
    sa.Column('zone_id', sa.String(length=100), nullable=True),
    sa.Column('name_zh', sa.Text(), nullable=True),
    sa.Column('name_en', sa.Text(), nullable=True),
    sa.Column('short_zh', sa.Text(), nullable=True),
    sa.Column('short_en', sa.Text(), nullable=True),
    sa.Column('platform_id', sa.String(length=100), nullable=True),
    sa.Column('river_order', sa.Integer(), nullable=True),
    sa.Column('positioning_zh', sa.Text(), nullable=True),
    sa.Column('positioning_en', sa.Text(), nullable=True),
    sa.Column('townships_zh', sa.Text(), nullable=True),
    sa.Column('size_km2', sa.Float(), nullable=True),
    sa.Column('provenance', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['valid_from'], ['versions.number'], name=op.f('fk_data_zones_valid_from_versions')),
    sa.ForeignKeyConstraint(['valid_to'], ['versions.number'], name=op.f('fk_data_zones_valid_to_versions')),
    sa.PrimaryKeyConstraint('row_id', name=op.f('pk_data_zones'))
    )
    with op.batch_alter_table('data_zones', schema=None) as batch_op:
        batch_op.create_index('ix_data_zones_valid', ['valid_from', 'valid_to'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('data_zones', schema=None) as batch_op:
        batch_op.drop_index('ix_data_zones_valid')

    op.drop_table('data_zones')
    with op.batch_alter_table('data_targets', schema=None) as batch_op:
        batch_op.drop_index('ix_data_targets_valid')

    op.drop_table('data_targets')
    with op.batch_alter_table('data_sources', schema=None) as batch_op:
        batch_op.drop_index('ix_data_sources_valid')

    op.drop_table('data_sources')
    with op.batch_alter_table('data_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_data_projects_valid')

    op.drop_table('data_projects')
    with op.batch_alter_table('data_platforms', schema=None) as batch_op:
        batch_op.drop_index('ix_data_platforms_valid')

    op.drop_table('data_platforms')
    with op.batch_alter_table('data_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_data_observations_valid')

    op.drop_table('data_observations')
    with op.batch_alter_table('data_industry_chains', schema=None) as batch_op:
        batch_op.drop_index('ix_data_industry_chains_valid')

    op.drop_table('data_industry_chains')
    with op.batch_alter_table('data_indicators', schema=None) as batch_op:
        batch_op.drop_index('ix_data_indicators_valid')

    op.drop_table('data_indicators')
    op.drop_table('versions')
    op.drop_table('uploads')
