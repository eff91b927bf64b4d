"""Reusable widgets: the screen tab bar, path completion and the importable-file tree."""
