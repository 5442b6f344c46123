#!/usr/bin/env bash
# System packages the workstation needs on Debian/Ubuntu (Qt + VTK rendering, headless testing,
# numba's OpenMP layer). As root: installs the missing ones. Otherwise: prints the exact command.
set -euo pipefail
PKGS=(fonts-wqy-microhei dicom3tools poppler-utils libgl1 libegl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 libosmesa6 libgomp1 xvfb
      xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
      libxcb-render-util0 libxcb-shape0 libxcb-xkb1
      orthanc orthanc-dicomweb dcmtk openssl shared-mime-info libglib2.0-bin)
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "sysdeps: not a Debian-based system; install the equivalents of: ${PKGS[*]}" >&2
    exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "sysdeps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "sysdeps: missing system packages. Install them with:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
