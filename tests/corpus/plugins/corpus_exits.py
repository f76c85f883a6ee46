"""A plugin that raises SystemExit when it is imported: it must be listed as failed."""

raise SystemExit("corpus_exits refuses to load")
