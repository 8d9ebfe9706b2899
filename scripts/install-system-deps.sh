#!/usr/bin/env bash
# Installs the Debian packages that civiguard's integration tests start (real servers on loopback).
# Idempotent: installs only what is missing. Needs root (CI and the dev machines run as root);
# without root it lists what is missing and the tests that need them report themselves skipped.
set -euo pipefail
PKGS=(nginx-light openssl ca-certificates mariadb-server mariadb-client openssh-server openssh-client vsftpd
      php-fpm php-mysql wordpress apache2 libapache2-mod-security2 modsecurity-crs age procps iproute2
      restic borgbackup util-linux chromium fonts-dejavu-core)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-system-deps: missing Debian packages (tests that need them will skip): ${missing[*]}" >&2
  exit 0
fi
echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Keep package maintainer scripts from starting the system services: the tests start their own.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
