"""The SQL store: SQLite, PostgreSQL and MySQL/MariaDB through one generic path."""
