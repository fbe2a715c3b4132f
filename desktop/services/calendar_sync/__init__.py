"""Two-way CalDAV sync: the account, the protocol, the sync itself."""
