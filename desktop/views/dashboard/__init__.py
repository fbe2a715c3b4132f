"""The dashboard: what needs attention today and this week."""
