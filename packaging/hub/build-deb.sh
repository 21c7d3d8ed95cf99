#!/usr/bin/env bash
# Builds the quorum-hub Debian package from a built binary:
#   packaging/hub/build-deb.sh BINARY OUT_DIR   → OUT_DIR/quorum-hub_VERSION_ARCH.deb
# The package carries the binary, the systemd unit and /etc/quorum-hub/hub.toml (kept
# across upgrades when edited); installing it makes the quorum-hub system user, and on
# a machine run by systemd enables and starts the service.
set -euo pipefail
binary=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../../Cargo.toml" | head -1)
arch=$(dpkg --print-architecture)

root=$(mktemp -d)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/bin/quorum-hub"
install -D -m 0644 "$here/quorum-hub.service" "$root/lib/systemd/system/quorum-hub.service"
install -D -m 0644 "$here/hub.toml" "$root/etc/quorum-hub/hub.toml"
install -d -m 0755 "$root/DEBIAN"
echo /etc/quorum-hub/hub.toml > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<CONTROL
Package: quorum-hub
Version: $version
Architecture: $arch
Maintainer: Quorum <quorum@localhost>
Depends: libc6 (>= 2.36), adduser, fonts-dejavu-core
Section: net
Priority: optional
Description: Quorum hub: meetings, documents and votes for a committee's laptops
 The server that Quorum's desktop app syncs with: it keeps the committee's meetings,
 documents, ballots (in a hash-chained audit log) and annotations, and tells the
 laptops what changed. Runs as the quorum-hub service; settings in
 /etc/quorum-hub/hub.toml, data in /var/lib/quorum-hub.
CONTROL
cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    if ! getent passwd quorum-hub >/dev/null; then
        adduser --system --group --no-create-home --home /var/lib/quorum-hub quorum-hub
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl enable --now quorum-hub.service
    fi
fi
POSTINST
cat > "$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    systemctl disable --now quorum-hub.service || true
fi
PRERM
cat > "$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# The data (/var/lib/quorum-hub) stays: it holds the committee's ballots.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/quorum-hub_${version}_${arch}.deb" >/dev/null
echo "$out/quorum-hub_${version}_${arch}.deb"
