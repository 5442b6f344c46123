#!/usr/bin/env bash
# Per-user install of the bundled workstation on Linux (no root needed):
#   installer/install-linux.sh workstation-linux-x86_64.tar.gz   (or a dist/workstation folder)
# Puts the application under ~/.local/share/pet-workstation/app, a launcher in ~/.local/bin,
# the desktop entry and icon, and registers DICOMDIR (and *.dcm) to open with the workstation.
# --uninstall removes all of it. Nothing outside the user's home is touched.
set -euo pipefail
DATA="${XDG_DATA_HOME:-$HOME/.local/share}"
APPDIR="$DATA/pet-workstation/app"
BIN="$HOME/.local/bin"
HERE="$(cd "$(dirname "$0")" && pwd)"
RES="$HERE/../resources"
[ -d "$RES" ] || RES="$HERE/_internal/resources"   # inside the bundle folder (the tarball)

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$DATA/pet-workstation/app" "$BIN/pet-workstation" \
        "$DATA/applications/pet-workstation.desktop" \
        "$DATA/icons/hicolor/scalable/apps/pet-workstation.svg" \
        "$DATA/mime/packages/pet-workstation-mime.xml"
    command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
    command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
    echo "uninstalled"
    exit 0
fi

SRC="${1:?usage: install-linux.sh BUNDLE.tar.gz|BUNDLE_DIR | --uninstall}"
rm -rf "$APPDIR.new" && mkdir -p "$APPDIR.new"
if [ -d "$SRC" ]; then
    cp -a "$SRC/." "$APPDIR.new/"
else
    tar -xzf "$SRC" -C "$APPDIR.new" --strip-components=1
fi
test -x "$APPDIR.new/workstation" || { echo "install-linux.sh: no executable 'workstation' in $SRC" >&2; exit 1; }
rm -rf "$APPDIR" && mv "$APPDIR.new" "$APPDIR"

mkdir -p "$BIN" "$DATA/applications" "$DATA/icons/hicolor/scalable/apps" "$DATA/mime/packages"
ln -sfn "$APPDIR/workstation" "$BIN/pet-workstation"
cp "$RES/pet-workstation.svg" "$DATA/icons/hicolor/scalable/apps/pet-workstation.svg"
cp "$RES/pet-workstation-mime.xml" "$DATA/mime/packages/pet-workstation-mime.xml"
sed "s|@EXEC@|$APPDIR/workstation|" "$RES/pet-workstation.desktop" > "$DATA/applications/pet-workstation.desktop"
command -v update-mime-database >/dev/null && update-mime-database "$DATA/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$DATA/applications" || true
if command -v xdg-mime >/dev/null; then
    xdg-mime default pet-workstation.desktop application/x-dicomdir || true
    xdg-mime default pet-workstation.desktop application/dicom || true
elif command -v gio >/dev/null; then
    gio mime application/x-dicomdir pet-workstation.desktop >/dev/null || true
    gio mime application/dicom pet-workstation.desktop >/dev/null || true
fi
echo "installed: $APPDIR (launcher $BIN/pet-workstation, desktop entry pet-workstation.desktop)"
