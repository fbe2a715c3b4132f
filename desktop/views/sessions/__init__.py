"""Sessions: the editor, the per-customer panel and the plan dialog."""
