"""The reports page and the printing of summaries and book reports."""
