"""The domain of segtui: no Textual import anywhere below here (a test enforces it)."""
