"""Invitations by e-mail: building, the outbox, sending, replies read back."""
