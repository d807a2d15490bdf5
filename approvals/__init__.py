"""Placeholder: the approval engine (issue #13, point 2) is being written on another branch; the
import-linter contract in pyproject.toml lists this package, so it must exist."""
