#!/usr/bin/env bash
# System packages the test suite drives: Debian's Chromium (browser tests and chart images via
# kaleido), LibreOffice (opens the exported .pptx/.xlsx as a user's office suite would) and
# poppler (renders and reads PDFs). Installs only what is missing, and only where it can (root).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Impress and Calc are separate packages: soffice alone cannot open a .pptx or .xlsx
for package in libreoffice-impress libreoffice-calc; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} from Debian's packages..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    >/dev/null
else
  echo "NOTE: ${missing[*]} not installed and this user cannot apt-get install them;" \
       "the browser and office tests will be skipped (sudo apt-get install ${missing[*]})." >&2
fi
