"""Preferences: the profile edited in the GUI, refused values named under their field."""

from __future__ import annotations

from datetime import time

from desktop.app import AppContext
from desktop.views.shell.preferences_dialog import PreferencesDialog
from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot


def test_preferences_save_the_workload_profile(qtbot: QtBot, context: AppContext) -> None:
    dialog = PreferencesDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.per_day_spin.value() == 6 and dialog.lunch_check.isChecked()
    dialog.name_edit.setText("Dana Manager")
    dialog.email_edit.setText("dana@inflectra.example")
    dialog.tz_combo.setCurrentText("Europe/London")
    dialog.per_day_spin.setValue(4)
    dialog.buffer_spin.setValue(30)
    dialog.lunch_from.setTime(QTime(12, 30))
    dialog.lunch_to.setTime(QTime(13, 15))
    dialog.lead_spin.setValue(2)
    dialog.save_button.click()
    assert dialog.result() == PreferencesDialog.DialogCode.Accepted
    profile = context.profiles.load()
    assert (profile.name, profile.tz, profile.max_per_day, profile.buffer_minutes) == (
        "Dana Manager",
        "Europe/London",
        4,
        30,
    )
    assert profile.lunch == (time(12, 30), time(13, 15)) and profile.lead_days == 2


def test_a_refused_value_is_named_under_its_field(qtbot: QtBot, context: AppContext) -> None:
    dialog = PreferencesDialog(context)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Dana")
    dialog.email_edit.setText("dana.example")
    dialog.save_button.click()
    assert dialog.messages["email"].is_error()
    assert "not an e-mail" in dialog.messages["email"].text()
    dialog.email_edit.setText("dana@inflectra.example")
    dialog.tz_combo.setCurrentText("Mars/Base")
    dialog.save_button.click()
    assert dialog.messages["tz"].is_error() and not dialog.messages["email"].is_error()
    assert context.profiles.identity() == ("", "")
