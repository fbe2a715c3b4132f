#!/bin/sh
# Puts amplan in the desktop's menu for this user: the bundle stays where it was unpacked,
# a launcher and the icon go under ~/.local/share, and .ics files open with amplan.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/scalable/apps"
mkdir -p "$apps" "$icons" "$HOME/.local/bin"
cp "$here/share/amplan.svg" "$icons/amplan.svg"
sed "s|^Exec=amplan|Exec=\"$here/amplan\"|" "$here/share/amplan.desktop" > "$apps/amplan.desktop"
ln -sf "$here/amplan" "$HOME/.local/bin/amplan"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
command -v xdg-mime >/dev/null 2>&1 && xdg-mime default amplan.desktop text/calendar || true
echo "amplan is in your applications menu; 'amplan' is on your PATH through ~/.local/bin."
