"""The customers page: the table, the detail card and the add/edit dialog."""
