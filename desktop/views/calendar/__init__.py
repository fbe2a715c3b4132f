"""The calendar page: day, week, month and agenda views of the book."""
