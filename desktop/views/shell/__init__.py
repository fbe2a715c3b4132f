"""The main window, its menus and the dialogs that belong to the whole app."""
