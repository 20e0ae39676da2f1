"""Alembic migrations of the SQL store's schema."""
