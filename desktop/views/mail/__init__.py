"""Mail: the account dialog, the outbox and reply import."""
