"""Domain logic: pure Python, no Qt. Views and the CLI call these; these never call them."""
