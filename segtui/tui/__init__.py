"""The terminal UI: the App (app.py), one module per screen and modal (screens/), reusable
widgets (widgets/), styles in .tcss files. Everything here talks to segtui.core, never the
other way round; heavy modules (polars, pyarrow, scikit-learn) are imported inside workers."""
