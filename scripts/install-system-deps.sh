#!/usr/bin/env bash
# Install the Debian packages the full test suite needs (PostgreSQL for the database tests, Chromium
# for the browser journeys, Pango for PDFs), only if they are missing. Uses apt-get as root, or sudo when available.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Pango for WeasyPrint, which makes the support plan's PDF (budgets/pdf); without it the PDF link
# falls back to the printable page.
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "Please install these Debian packages (as root): ${need[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
