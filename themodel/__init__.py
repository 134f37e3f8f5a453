"""Tooling around The Model analytics dbt project."""

__version__ = "0.1.0"
