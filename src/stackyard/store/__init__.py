"""Metadata stores: SQL databases (`sql/`) and a stackyard server (`rest`)."""
