"""Shared pytest configuration."""

# Fixture notebooks are inputs to tests, not chapters: nbval must not collect them.
collect_ignore_glob = ["fixtures/*", "fixtures/**/*"]
