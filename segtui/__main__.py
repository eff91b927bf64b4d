"""`python -m segtui`: the same as the `segtui` command."""

from segtui.cli import main

raise SystemExit(main())
