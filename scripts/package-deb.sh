#!/usr/bin/env bash
# Builds the Debian package callctl_<version>_<arch>.deb from this checkout. See --help.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    cat <<'EOF'
Usage: scripts/package-deb.sh [--output-dir DIR] [--configuration release|debug]
                              [--maintainer "Name <email>"]

Builds callctl_<version>_<arch>.deb (the version is what the built binary's --version prints):
  /usr/bin/callctl                         the binary, Swift standard library linked statically
  /usr/lib/systemd/system/callctl.service  callctl.service, ExecStart=/usr/bin/callctl
  /etc/callctl/callctl.env                 callctl.env with placeholders (conffile; postinst
                                           makes it mode 600, owner callctl)
  /etc/cron.d/callctl                      crontab.example (conffile)
  /etc/logrotate.d/callctl                 deploy/logrotate/callctl (conffile)
  /usr/share/man/man1/callctl*.1.gz        from the commands' help (swift-argument-parser's
                                           generate-manual, the tool of its manual plugin)
  bash, zsh and fish completions           from `callctl --generate-completion-script`
  /usr/share/doc/callctl/                  README, docs/, playbooks/, examples/ (nginx, Prometheus)
postinst creates the system user callctl, /var/log/callctl and /var/lib/callctl/{metrics,reports};
it neither migrates the database nor starts the daemon (edit /etc/callctl/callctl.env first).
Depends is computed by dpkg-shlibdeps from the binary's shared libraries, plus adduser.

Options:
  --output-dir DIR         where the .deb goes (default .build/deb)
  --configuration NAME     release (default) or debug (a faster build, for trying the packaging)
  --maintainer TEXT        the Maintainer field (default: $DEBFULLNAME <$DEBEMAIL>, or
                           "callctl developers <callctl@example.org>")

Examples:
  scripts/package-deb.sh
  scripts/package-deb.sh --output-dir /tmp/out
  sudo apt install ./.build/deb/callctl_0.1.0_amd64.deb
EOF
}

fail() { echo "package-deb: $*" >&2; exit 1; }

output=.build/deb
configuration=release
maintainer="${DEBFULLNAME:-callctl developers} <${DEBEMAIL:-callctl@example.org}>"
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --output-dir) [ $# -ge 2 ] || fail "--output-dir needs a directory"; output="$2"; shift 2 ;;
        --configuration)
            [ $# -ge 2 ] || fail "--configuration needs release or debug"
            case "$2" in release|debug) configuration="$2" ;; *) fail "--configuration must be release or debug; got '$2'" ;; esac
            shift 2 ;;
        --maintainer) [ $# -ge 2 ] || fail "--maintainer needs \"Name <email>\""; maintainer="$2"; shift 2 ;;
        *) echo "package-deb: unknown argument '$1'" >&2; usage >&2; exit 64 ;;
    esac
done
for tool in dpkg-deb dpkg-shlibdeps gzip strip python3; do
    command -v "$tool" > /dev/null || fail "$tool is missing: apt-get install dpkg-dev binutils"
done

step() { echo "==> $*" >&2; }
umask 022
mkdir -p "$output"
output="$(cd "$output" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"

step "building callctl ($configuration, static Swift standard library)"
swift build -c "$configuration" --static-swift-stdlib --product callctl >&2
binary="$(swift build -c "$configuration" --static-swift-stdlib --show-bin-path)/callctl"
version="$("$binary" --version)"
architecture="$(dpkg --print-architecture)"
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || fail "callctl --version printed '$version', not a Debian version"

# The man pages: swift-argument-parser's generate-manual (the tool behind its GenerateManual
# plugin), from the version this package resolved, run on the binary just built. The plugin
# itself would build the whole package a second time, without the static standard library.
step "generating man pages (swift-argument-parser's generate-manual)"
parser="$(swift package show-dependencies --format json | python3 -c '
import json, sys
def find(node):
    for dependency in node.get("dependencies", []):
        if dependency["identity"] == "swift-argument-parser": return dependency["path"]
        found = find(dependency)
        if found: return found
print(find(json.load(sys.stdin)) or "")')"
[ -n "$parser" ] || fail "swift-argument-parser is not among the resolved dependencies"
swift build --package-path "$parser" --scratch-path .build/generate-manual --product generate-manual > "$work/manual.log" 2>&1 \
    || { tail -n 30 "$work/manual.log" >&2; fail "building generate-manual failed (the log's end is above)"; }
pages="$work/man"
mkdir -p "$pages"
"$(swift build --package-path "$parser" --scratch-path .build/generate-manual --show-bin-path)/generate-manual" "$binary" \
    --multi-page --date "$(date -u -d "@$(git log -1 --format=%ct 2> /dev/null || date +%s)" +%F)" \
    --authors "the callctl developers" --output-directory "$pages" > /dev/null
[ -f "$pages/callctl.1" ] || fail "generate-manual wrote no callctl.1"

step "staging callctl $version ($architecture)"
install -D -m 755 "$binary" "$root/usr/bin/callctl"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/callctl"
install -d "$root/usr/lib/systemd/system"
sed 's|^ExecStart=/usr/local/bin/callctl |ExecStart=/usr/bin/callctl |' callctl.service > "$root/usr/lib/systemd/system/callctl.service"
grep -q '^ExecStart=/usr/bin/callctl ' "$root/usr/lib/systemd/system/callctl.service" \
    || fail "callctl.service no longer has ExecStart=/usr/local/bin/callctl to rewrite"
install -D -m 600 callctl.env "$root/etc/callctl/callctl.env"
install -D -m 644 crontab.example "$root/etc/cron.d/callctl"
install -D -m 644 deploy/logrotate/callctl "$root/etc/logrotate.d/callctl"

man="$root/usr/share/man/man1"
install -d "$man"
# mdoc has no empty lines: a blank line of the help text becomes a paragraph break.
for page in "$pages"/*.1; do sed 's/^$/.Pp/' "$page" | gzip -9n > "$man/$(basename "$page").gz"; done
install -d "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
# Completions are sourced, not run: no #! line.
"$binary" --generate-completion-script bash | sed '1{/^#!/d}' > "$root/usr/share/bash-completion/completions/callctl"
"$binary" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_callctl"
"$binary" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/callctl.fish"

doc="$root/usr/share/doc/callctl"
install -d "$doc/docs" "$doc/playbooks" "$doc/examples/nginx" "$doc/examples/prometheus"
install -m 644 README.md "$doc/"
install -m 644 docs/*.md "$doc/docs/"
install -m 644 playbooks/*.md "$doc/playbooks/"
install -m 644 deploy/nginx/callctl.conf "$doc/examples/nginx/"
install -m 644 deploy/prometheus/*.yml "$doc/examples/prometheus/"
install -D -m 644 deploy/debian/lintian-overrides "$root/usr/share/lintian/overrides/callctl"
# Debian policy: documentation over 4 KiB is compressed (the examples stay as they are).
find "$doc" -path "$doc/examples" -prune -o -type f -size +4k -print0 | xargs -0 -r gzip -9n
cat > "$doc/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: callctl
Comment: Built from this project's own sources; third-party Swift packages are linked
 statically and keep their own licences (Apache-2.0 or MIT, see each package).

Files: *
Copyright: 2026 the callctl developers
License: proprietary
 All rights reserved by the callctl developers; no licence has been chosen yet.
EOF
changelog_date="$(date -R -u -d "@$(git log -1 --format=%ct 2> /dev/null || date +%s)")"
commit="$(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
printf 'callctl (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
    "$version" "$commit" "$maintainer" "$changelog_date" | gzip -9n > "$doc/changelog.gz"

step "computing Depends with dpkg-shlibdeps"
mkdir -p "$work/debian"
printf 'Source: callctl\n\nPackage: callctl\nArchitecture: any\n' > "$work/debian/control"
shlibs="$(cd "$work" && dpkg-shlibdeps -O -e root/usr/bin/callctl 2> "$work/shlibdeps.log")" \
    || { cat "$work/shlibdeps.log" >&2; fail "dpkg-shlibdeps could not map the binary's libraries to packages"; }
depends="${shlibs#shlibs:Depends=}"
[ -n "$depends" ] || fail "dpkg-shlibdeps printed no dependencies"
case "$depends" in *libswift*) fail "the binary still needs Swift's shared libraries: $depends" ;; esac

install -d "$root/DEBIAN"
for script in postinst prerm postrm; do install -m 755 "deploy/debian/$script" "$root/DEBIAN/$script"; done
printf '/etc/callctl/callctl.env\n/etc/cron.d/callctl\n/etc/logrotate.d/callctl\n' > "$root/DEBIAN/conffiles"
(cd "$root" && find usr -type f -print0 | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
installed_size="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
cat > "$root/DEBIAN/control" <<EOF
Package: callctl
Version: $version
Architecture: $architecture
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $depends, adduser
Recommends: cron, logrotate
Suggests: nginx, coturn, postgresql-client, prometheus-node-exporter
Section: net
Priority: optional
Description: ops CLI, cron jobs and signaling daemon for video consultations
 callctl runs what doctor-patient video consultations must never forget:
 database migrations, the no-show marker and the zombie-call reaper (cron
 jobs), TURN/STUN probes, channel and call diagnostics, KPI reports, and a
 daemon serving the call lifecycle API, a Pusher-protocol WebSocket hub,
 channel auth and an outbox relay.
 .
 After installing, edit /etc/callctl/callctl.env, run
 "callctl migrate up --env-file /etc/callctl/callctl.env", then
 "systemctl enable --now callctl".
EOF

package="$output/callctl_${version}_${architecture}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$package" > /dev/null
step "built $package ($(du -h "$package" | cut -f1); Depends: $depends, adduser)"
echo "$package"
