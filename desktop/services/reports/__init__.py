"""Documents: the entitlement summary, the book report, calendar printing."""
