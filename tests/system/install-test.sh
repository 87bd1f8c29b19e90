#!/bin/sh
# install-test.sh: what `cmake --install` and `cpack -G DEB` put where.
#
# A fresh build configured with -DCMAKE_INSTALL_PREFIX=/usr (in a temporary
# directory, the daemon target only) is installed with DESTDIR into another:
#   - exactly these files, and no others:
#       usr/sbin/mssclampd                        executable
#       etc/mssclampd/mssclampd.conf              = conf/mssclampd.conf
#       etc/logrotate.d/mssclampd                 = conf/mssclampd.logrotate
#       UNITDIR/mssclampd.service                 = systemd/mssclampd.service
#       usr/share/man/man8/mssclampd.8            = src/mssclampd.8
#       usr/share/man/man5/mssclampd.conf.5       = conf/mssclampd.conf.5
#     where UNITDIR is systemd's own systemdsystemunitdir from pkg-config
#     (lib/systemd/system on Debian 12), else usr/lib/systemd/system;
#   - the installed daemon runs, checks the installed config, and looks for
#     its config where it was installed;
#   - the installed unit passes systemd-analyze verify, its Documentation=
#     man pages found in the installed tree;
#   - the logrotate snippet parses, and rotates as it says (on a copy whose
#     paths point into the temporary directory and whose postrotate only
#     records that it ran: the real one signals the system's mssclampd);
#   - the man pages lint clean, and document every option, config key,
#     preset and stats field the code has;
#   - under another prefix the unit's ExecStart= and directory follow it;
#   - cpack -G DEB makes one .deb with those files (the man pages gzipped),
#     /usr/share/doc/mssclampd/copyright (DEP-5) and changelog.Debian.gz,
#     the control fields (Depends from dpkg-shlibdeps and "iptables |
#     nftables"), the conffiles (every file under /etc), maintainer scripts
#     that never enable or start the service, and writes nothing outside the
#     build directory; under another prefix it refuses to make one;
#   - lintian --pedantic finds no error and no warning in it, and no info or
#     pedantic tag but the ones accepted below (LINTIAN_ACCEPTED).
#
# Accepted lintian tags, each with its reason:
#   package-supports-alternative-init-but-no-init.d-script (info): no init.d
#     script on purpose; the sandbox and the dynamic user are the unit's, and
#     without systemd the operator starts the daemon with user = (mssclampd(8)).
# Overridden in the package itself (conf/deb/lintian-overrides, with reasons):
#   initial-upload-closes-no-bugs (warning): no upload to Debian, no ITP bug.
LINTIAN_ACCEPTED="package-supports-alternative-init-but-no-init.d-script"
set -u
umask 022

. "$(dirname "$0")/../lib/check.sh"
src=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

# finish: the summary, and the end of the test (its status: nothing failed).
finish() {
	summary
	exit
}

command -v cmake >/dev/null || skip "no cmake"

tmp=$(mktemp -d /tmp/mssclampd-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
build=$tmp/build
dest=$tmp/dest
version=$(sed -n 's/^project(mssclampd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")

# The host's own copies, to show afterwards that nothing was written there.
host_state() {
	for f in /etc/mssclampd /etc/logrotate.d/mssclampd /lib/systemd/system/mssclampd.service \
	    /usr/lib/systemd/system/mssclampd.service /usr/sbin/mssclampd \
	    /usr/share/man/man8/mssclampd.8 /usr/share/man/man5/mssclampd.conf.5; do
		ls -ld --time-style=full-iso "$f" 2>&1
	done
}
host_state >"$tmp/host.before"

# --- configure, build, install ----------------------------------------------
# CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: cpack's preinstall step would otherwise
# build every test and fuzzer; the install needs only the daemon.
if ! cmake -S "$src" -B "$build" -DCMAKE_INSTALL_PREFIX=/usr -DMSSCLAMPD_FUZZ=OFF \
    -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >"$tmp/configure.log" 2>&1; then
	fail "configure with -DCMAKE_INSTALL_PREFIX=/usr" "$(tail -n 20 "$tmp/configure.log")"
	finish
fi
pass "configure with -DCMAKE_INSTALL_PREFIX=/usr"
if ! cmake --build "$build" -j2 --target mssclampd >"$tmp/build.log" 2>&1; then
	fail "build mssclampd" "$(tail -n 20 "$tmp/build.log")"
	finish
fi
pass "build mssclampd"
if ! DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/install.log" 2>&1; then
	fail "DESTDIR=\$tmp cmake --install --prefix /usr" "$(tail -n 20 "$tmp/install.log")"
	finish
fi
pass "DESTDIR=\$tmp cmake --install --prefix /usr"

# --- where the files land ----------------------------------------------------
unitdir=
if command -v pkg-config >/dev/null; then
	unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
fi
[ -n "$unitdir" ] || unitdir=/usr/lib/systemd/system
unitdir=${unitdir#/}
echo "note: systemd unit directory: /$unitdir"
cached=$(sed -n 's/^MSSCLAMPD_SYSTEMD_UNITDIR:PATH=//p' "$build/CMakeCache.txt")
if [ "$cached" = "/$unitdir" ]; then
	pass "MSSCLAMPD_SYSTEMD_UNITDIR is /$unitdir"
else
	fail "MSSCLAMPD_SYSTEMD_UNITDIR is '$cached', expected /$unitdir"
fi

cat >"$tmp/expected" <<EOF
etc/logrotate.d/mssclampd
etc/mssclampd/mssclampd.conf
$unitdir/mssclampd.service
usr/sbin/mssclampd
usr/share/man/man5/mssclampd.conf.5
usr/share/man/man8/mssclampd.8
EOF
sort -o "$tmp/expected" "$tmp/expected"
(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort) >"$tmp/installed"
if cmp -s "$tmp/expected" "$tmp/installed"; then
	pass "installed exactly the six expected files"
else
	fail "installed files differ from the expected list" \
		"$(diff "$tmp/expected" "$tmp/installed")"
fi

# same INSTALLED SOURCE: the installed file is the source file, unchanged
same() {
	if [ -f "$dest/$1" ] && cmp -s "$dest/$1" "$src/$2"; then
		pass "/$1 is $2"
	else
		fail "/$1 is missing or differs from $2"
	fi
}
same etc/mssclampd/mssclampd.conf conf/mssclampd.conf
same etc/logrotate.d/mssclampd conf/mssclampd.logrotate
same usr/share/man/man8/mssclampd.8 src/mssclampd.8
same usr/share/man/man5/mssclampd.conf.5 conf/mssclampd.conf.5
# with prefix /usr the generated unit is the source unit, byte for byte
same "$unitdir/mssclampd.service" systemd/mssclampd.service
unit=$dest/$unitdir/mssclampd.service
if [ "$(grep -c '^ExecStart=' "$unit" 2>/dev/null)" = 1 ] &&
    grep -qx 'ExecStart=/usr/sbin/mssclampd' "$unit"; then
	pass "installed unit: ExecStart=/usr/sbin/mssclampd"
else
	fail "installed unit: ExecStart= is not /usr/sbin/mssclampd" "$(grep '^ExecStart' "$unit" 2>&1)"
fi

# --- the installed daemon ----------------------------------------------------
daemon=$dest/usr/sbin/mssclampd
if [ -f "$daemon" ] && [ -x "$daemon" ]; then
	pass "/usr/sbin/mssclampd is an executable file"
else
	fail "/usr/sbin/mssclampd is not an executable file"
fi
out=$("$daemon" --version 2>&1)
if [ "$out" = "mssclampd $version" ]; then
	pass "mssclampd --version prints 'mssclampd $version'"
else
	fail "mssclampd --version printed '$out', expected 'mssclampd $version'"
fi
conf=$dest/etc/mssclampd/mssclampd.conf
out=$("$daemon" -c "$conf" --check 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$conf: configuration OK" ]; then
	pass "mssclampd -c <installed config> --check: OK"
else
	fail "mssclampd -c <installed config> --check: exit $rc" "$out"
fi
# the compiled-in default is where the config was installed
if "$daemon" -h 2>&1 | grep -q '(default /etc/mssclampd/mssclampd.conf;'; then
	pass "the daemon's default config path is /etc/mssclampd/mssclampd.conf"
else
	fail "the daemon's default config path is not /etc/mssclampd/mssclampd.conf" \
		"$("$daemon" -h 2>&1 | grep default)"
fi

# --- the unit ----------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir "$tmp/unit"
	sed "s|^ExecStart=/usr/sbin/mssclampd\$|ExecStart=$daemon|" "$unit" \
		>"$tmp/unit/mssclampd.service"
	# --man=yes: the Documentation= pages must be found, here in the installed tree
	man=no
	if command -v man >/dev/null; then
		man=yes
	else
		echo "note: no man (apt-get install man-db): Documentation= pages not looked up"
	fi
	MANPATH=$dest/usr/share/man systemd-analyze verify --man=$man \
		"$tmp/unit/mssclampd.service" >"$tmp/verify" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$tmp/verify" ]; then
		pass "systemd-analyze verify --man=$man on the installed unit: clean"
	else
		fail "systemd-analyze verify --man=$man on the installed unit: exit $rc" \
			"$(cat "$tmp/verify")"
	fi
else
	echo "note: no systemd-analyze: unit verification skipped"
fi

# --- logrotate ---------------------------------------------------------------
snippet=$dest/etc/logrotate.d/mssclampd
if sed 's/#.*//' "$snippet" | grep -qw copytruncate; then
	fail "logrotate snippet uses copytruncate (SIGHUP reopens: not needed)"
else
	pass "logrotate snippet: no copytruncate"
fi
if grep -q 'systemctl kill --kill-who=main --signal=HUP mssclampd.service' "$snippet"; then
	pass "logrotate snippet: postrotate sends SIGHUP to mssclampd.service"
else
	fail "logrotate snippet: no SIGHUP to mssclampd.service in postrotate"
fi
if command -v logrotate >/dev/null; then
	logrotate -d -s "$tmp/logrotate.state" "$snippet" >"$tmp/lr-debug" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && ! grep -qi 'error' "$tmp/lr-debug"; then
		pass "logrotate -d: the snippet parses"
	else
		fail "logrotate -d: exit $rc" "$(grep -i error "$tmp/lr-debug" | head -n 10)"
	fi

	# A copy that rotates $tmp/log and records its postrotate runs instead of
	# signalling anything.
	mkdir "$tmp/log"
	awk -v logdir="$tmp/log" -v hup="$tmp/hup" '
		/^[ \t]*#/ { next }
		/^\/var\/log\/mssclampd\// { sub(/\/var\/log\/mssclampd\/\*\.log/, logdir "/*.log");
					     sub(/\/var\/log\/mssclampd\/\*\.json/, logdir "/*.json") }
		/^[ \t]*postrotate/ { print; print "\t\techo ran >>" hup; skip = 1; next }
		/^[ \t]*endscript/ { skip = 0 }
		!skip { print }' "$snippet" >"$tmp/lr.conf"
	if grep -q -e /var/log -e systemctl -e pkill "$tmp/lr.conf"; then
		fail "logrotate: the test copy still names the system's paths or daemon" \
			"$(cat "$tmp/lr.conf")"
	else
		echo "line 1" >"$tmp/log/stats.log"
		echo '{"n":1}' >"$tmp/log/stats.json"
		logrotate -f -s "$tmp/logrotate.state" "$tmp/lr.conf" >"$tmp/lr-run" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && [ -f "$tmp/log/stats.log.1" ] && [ -f "$tmp/log/stats.json.1" ] &&
		    [ ! -e "$tmp/log/stats.log" ] && [ ! -e "$tmp/log/stats.json" ] &&
		    [ "$(cat "$tmp/hup" 2>/dev/null)" = ran ]; then
			pass "logrotate: renamed stats.log and stats.json, created none, postrotate ran once"
		else
			fail "logrotate: first rotation (exit $rc)" \
				"$(ls -l "$tmp/log"; cat "$tmp/lr-run"; cat "$tmp/hup" 2>&1)"
		fi
		: >"$tmp/log/stats.log" # empty: notifempty leaves it
		echo '{"n":2}' >"$tmp/log/stats.json"
		logrotate -f -s "$tmp/logrotate.state" "$tmp/lr.conf" >"$tmp/lr-run" 2>&1
		rc=$?
		if [ $rc -eq 0 ] && gzip -t "$tmp/log/stats.json.2.gz" 2>/dev/null &&
		    [ "$(cat "$tmp/log/stats.json.1" 2>/dev/null)" = '{"n":2}' ] &&
		    [ -f "$tmp/log/stats.log" ] && [ -f "$tmp/log/stats.log.1" ] &&
		    [ ! -e "$tmp/log/stats.log.2.gz" ]; then
			pass "logrotate: delaycompress (.1 plain, .2.gz), notifempty (empty log kept)"
		else
			fail "logrotate: second rotation (exit $rc)" \
				"$(ls -l "$tmp/log"; cat "$tmp/lr-run")"
		fi
	fi
else
	echo "note: no logrotate (apt-get install logrotate): snippet checks skipped"
fi

# --- man pages ---------------------------------------------------------------
for page in usr/share/man/man8/mssclampd.8 usr/share/man/man5/mssclampd.conf.5; do
	if command -v mandoc >/dev/null; then
		linter="mandoc -Tlint -W warning"
		mandoc -Tlint -W warning "$dest/$page" >"$tmp/lint" 2>&1
	elif command -v groff >/dev/null; then
		linter="groff -mandoc -ww -z"
		groff -mandoc -ww -z "$dest/$page" >"$tmp/lint" 2>&1
	else
		echo "note: neither mandoc nor groff (apt-get install mandoc): /$page not linted"
		continue
	fi
	rc=$?
	if [ $rc -eq 0 ] && [ ! -s "$tmp/lint" ]; then
		pass "$linter /$page: clean"
	else
		fail "$linter /$page: exit $rc" "$(cat "$tmp/lint")"
	fi
done
man8=$dest/usr/share/man/man8/mssclampd.8
man5=$dest/usr/share/man/man5/mssclampd.conf.5

# every long option of main.c's table, in mssclampd(8)'s OPTIONS
missing=
for opt in $(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*, NULL, .\(.\). },/\1:\2/p' "$src/src/main.c"); do
	long=${opt%:*}
	short=${opt#*:}
	grep -q "^\.It Fl $short\( Ar [a-z]*\)* , Fl \\\\-$long\\b" "$man8" || missing="$missing -$short/--$long"
done
if [ -n "$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*, NULL, .\(.\). },/\1/p' "$src/src/main.c")" ] &&
    [ -z "$missing" ]; then
	pass "mssclampd(8) documents every option of main.c"
else
	fail "mssclampd(8) lacks options:${missing:- (none found in main.c)}"
fi

# every config key of conf.c's tables, in mssclampd.conf(5)
keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", KEY_[A-Z_]*, \(true\|false\), set_[a-z_]* },/\1/p' "$src/src/conf.c")
missing=
for key in $keys; do
	grep -q "^\.It Ic $key = " "$man5" || missing="$missing $key"
done
if [ "$(echo $keys | wc -w)" -ge 12 ] && [ -z "$missing" ]; then
	pass "mssclampd.conf(5) documents all $(echo $keys | wc -w) config keys of conf.c"
else
	fail "mssclampd.conf(5) lacks keys:${missing:- (found only: $keys)}"
fi

# every preset `mssclampd presets` prints, with its bytes and make-up
"$daemon" presets | awk 'NR > 1 && NF == 0 { exit } NR > 1 {
	name = $1; bytes = $2; $1 = ""; $2 = ""; sub(/^ +/, "");
	print name "\t" bytes "\t" $0 }' >"$tmp/presets"
missing=
while IFS='	' read -r name bytes madeof; do
	grep -qxF ".It $name Ta $bytes Ta $madeof" "$man5" || missing="$missing $name"
done <"$tmp/presets"
if [ "$(wc -l <"$tmp/presets")" -ge 19 ] && [ -z "$missing" ]; then
	pass "mssclampd.conf(5) lists all $(wc -l <"$tmp/presets") presets as \`mssclampd presets\` prints them"
else
	fail "mssclampd.conf(5) preset table differs for:${missing:- (too few presets printed)}"
fi

# every stats log field stats.c writes, in mssclampd(8)'s field lists
fields="$(sed -n 's/.*put_logfmt_u64(&w, "\([a-z_0-9]*\)".*/\1/p' "$src/src/stats.c")
$(sed -n '/engine_action_name(enum/,/^}/s/.*\] = "\([a-z]*\)",/\1/p' "$src/src/engine.c") ipv4 ipv6 iface mode=observe"
missing=
for field in $fields; do
	grep -q "^\.It Li \(.* \)\?$field\( .*\)\?\$" "$man8" || missing="$missing $field"
done
if [ "$(echo $fields | wc -w)" -ge 16 ] && [ -z "$missing" ]; then
	pass "mssclampd(8) describes all $(echo $fields | wc -w) stats log fields"
else
	fail "mssclampd(8) lacks stats fields:${missing:- (found only: $fields)}"
fi

# --- another prefix: the unit follows it -------------------------------------
if cmake -S "$src" -B "$tmp/build-opt" -DCMAKE_INSTALL_PREFIX=/opt/mssclampd \
    -DMSSCLAMPD_FUZZ=OFF >"$tmp/configure-opt.log" 2>&1; then
	optunit=$tmp/build-opt/systemd/mssclampd.service
	optdir=$(sed -n 's/^MSSCLAMPD_SYSTEMD_UNITDIR:PATH=//p' "$tmp/build-opt/CMakeCache.txt")
	if grep -qx 'ExecStart=/opt/mssclampd/sbin/mssclampd' "$optunit" &&
	    [ "$optdir" = /opt/mssclampd/lib/systemd/system ] &&
	    [ "$(grep -vx 'ExecStart=/opt/mssclampd/sbin/mssclampd' "$optunit")" = \
	      "$(grep -vx 'ExecStart=/usr/sbin/mssclampd' "$src/systemd/mssclampd.service")" ]; then
		pass "prefix /opt/mssclampd: ExecStart=/opt/mssclampd/sbin/mssclampd, unit in /opt/mssclampd/lib/systemd/system"
	else
		fail "prefix /opt/mssclampd: unit dir '$optdir'" "$(grep '^ExecStart' "$optunit" 2>&1)"
	fi
else
	fail "configure with -DCMAKE_INSTALL_PREFIX=/opt/mssclampd" "$(tail -n 20 "$tmp/configure-opt.log")"
fi

# --- the .deb ----------------------------------------------------------------
if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null ||
    ! command -v dpkg-shlibdeps >/dev/null; then
	echo "note: no cpack, dpkg-deb or dpkg-shlibdeps (dpkg-dev): .deb checks skipped"
	finish
fi
arch=$(dpkg --print-architecture)
if ! (cd "$build" && cpack -G DEB) >"$tmp/cpack.log" 2>&1; then
	fail "cpack -G DEB" "$(tail -n 20 "$tmp/cpack.log")"
	finish
fi
deb=$build/mssclampd_${version}-1_${arch}.deb
if [ -f "$deb" ] && [ "$(ls "$build"/*.deb | wc -l)" = 1 ]; then
	pass "cpack -G DEB made mssclampd_${version}-1_${arch}.deb"
else
	fail "cpack -G DEB: no $deb, or more than one .deb" "$(ls "$build"/*.deb 2>&1)"
	finish
fi

# field NAME EXPECTED
field() {
	got=$(dpkg-deb -f "$deb" "$1")
	if [ "$got" = "$2" ]; then
		pass ".deb $1: $2"
	else
		fail ".deb $1: '$got', expected '$2'"
	fi
}
field Package mssclampd
field Version "${version}-1"
field Architecture "$arch"
field Section net
field Priority optional
depends=$(dpkg-deb -f "$deb" Depends)
case ", $depends," in
*", iptables | nftables,"*) pass ".deb Depends on iptables | nftables" ;;
*) fail ".deb Depends lacks iptables | nftables" "$depends" ;;
esac
missing=
for lib in libc6 libmnl0 libnetfilter-queue1; do
	echo "$depends" | grep -q "\\b$lib (>= " || missing="$missing $lib"
done
if grep -q '^CAPNG_FOUND:INTERNAL=1' "$build/CMakeCache.txt"; then
	echo "$depends" | grep -q '\blibcap-ng0 (>= ' || missing="$missing libcap-ng0"
fi
if [ -z "$missing" ]; then
	pass ".deb Depends (from dpkg-shlibdeps): $depends"
else
	fail ".deb Depends lacks$missing" "$depends"
fi
if [ -n "$(dpkg-deb -f "$deb" Maintainer)" ] && [ -n "$(dpkg-deb -f "$deb" Description)" ]; then
	pass ".deb has a Maintainer and a Description"
else
	fail ".deb lacks a Maintainer or a Description"
fi

dpkg-deb -c "$deb" >"$tmp/deb-contents"
awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' "$tmp/deb-contents" | sort >"$tmp/deb-files"
# the installed files, the man pages gzipped, and what Debian asks besides
{
	sed 's|^\(usr/share/man/.*\)|\1.gz|' "$tmp/expected"
	printf '%s\n' usr/share/doc/mssclampd/copyright usr/share/doc/mssclampd/changelog.Debian.gz \
		usr/share/lintian/overrides/mssclampd
} | sort >"$tmp/deb-expected"
if cmp -s "$tmp/deb-expected" "$tmp/deb-files"; then
	pass ".deb holds the installed files (man pages gzipped), copyright, changelog.Debian.gz, overrides"
else
	fail ".deb files differ from the expected ones" "$(diff "$tmp/deb-expected" "$tmp/deb-files")"
fi
if ! grep -v '^[-d]rw[-x]r-[-x]r-[-x] root/root ' "$tmp/deb-contents" | grep -q .; then
	pass ".deb: every file and directory root:root, 0644 or 0755"
else
	fail ".deb: other owners or modes" "$(grep -v '^[-d]rw[-x]r-[-x]r-[-x] root/root ' "$tmp/deb-contents")"
fi
mkdir "$tmp/unpacked"
dpkg-deb -x "$deb" "$tmp/unpacked"
doc=$tmp/unpacked/usr/share/doc/mssclampd
if [ "$(gzip -dc "$tmp/unpacked/usr/share/man/man8/mssclampd.8.gz" 2>/dev/null | md5sum)" = \
     "$(md5sum <"$src/src/mssclampd.8")" ]; then
	pass ".deb: mssclampd.8.gz is src/mssclampd.8"
else
	fail ".deb: mssclampd.8.gz is not src/mssclampd.8"
fi
if head -n 1 "$doc/copyright" 2>/dev/null |
    grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/'; then
	pass ".deb: copyright is machine-readable (DEP-5)"
else
	fail ".deb: copyright lacks the DEP-5 Format line" "$(head -n 1 "$doc/copyright" 2>&1)"
fi
gzip -dc "$doc/changelog.Debian.gz" >"$tmp/changelog" 2>/dev/null
if command -v dpkg-parsechangelog >/dev/null; then
	check_eq ".deb: changelog.Debian.gz's latest entry is the package's version" "${version}-1" \
		"$(dpkg-parsechangelog -l "$tmp/changelog" -S Version 2>&1)"
	check_eq ".deb: Maintainer is the changelog's" "$(dpkg-parsechangelog -l "$tmp/changelog" -S Maintainer)" \
		"$(dpkg-deb -f "$deb" Maintainer)"
fi

# lintian: no error, no warning; info and pedantic tags only the accepted ones
if command -v lintian >/dev/null; then
	lintian --display-info --display-experimental --pedantic --fail-on none "$deb" >"$tmp/lintian" 2>&1
	grep -v -e '^running with root privileges' -e '^N: ' "$tmp/lintian" >"$tmp/lintian-tags"
	unaccepted=$(grep -v -e "^[IP]: mssclampd: \($(echo "$LINTIAN_ACCEPTED" | sed 's/ /\\|/g')\)\( \|$\)" \
		"$tmp/lintian-tags")
	if [ -z "$unaccepted" ]; then
		pass "lintian --pedantic: no error or warning$( [ -s "$tmp/lintian-tags" ] &&
			printf ', accepted: %s' "$(cut -d' ' -f3 "$tmp/lintian-tags" | sort -u | tr '\n' ' ')")"
	else
		fail "lintian --pedantic: tags not accepted" "$unaccepted"
	fi
else
	echo "note: no lintian (apt-get install lintian): the .deb is not linted"
fi
if grep -q '^-rwxr-xr-x root/root .* \./usr/sbin/mssclampd$' "$tmp/deb-contents"; then
	pass ".deb: /usr/sbin/mssclampd is root:root 0755"
else
	fail ".deb: /usr/sbin/mssclampd is not root:root 0755" "$(grep sbin "$tmp/deb-contents")"
fi

dpkg-deb -e "$deb" "$tmp/control"
printf '/etc/mssclampd/mssclampd.conf\n/etc/logrotate.d/mssclampd\n' >"$tmp/conffiles.expected"
if cmp -s "$tmp/conffiles.expected" "$tmp/control/conffiles"; then
	pass ".deb conffiles: /etc/mssclampd/mssclampd.conf and /etc/logrotate.d/mssclampd"
else
	fail ".deb conffiles" "$(cat "$tmp/control/conffiles" 2>&1)"
fi
# Debian policy 10.7.2: every file under /etc is a conffile
grep '^etc/' "$tmp/deb-files" | sed 's|^|/|' | sort >"$tmp/etc-files"
if [ -s "$tmp/etc-files" ] && [ "$(sort "$tmp/control/conffiles" 2>/dev/null)" = "$(cat "$tmp/etc-files")" ]; then
	pass ".deb: every file under /etc is a conffile"
else
	fail ".deb: files under /etc and conffiles differ" "$(cat "$tmp/etc-files")"
fi
for script in postinst prerm postrm; do
	s=$tmp/control/$script
	if [ -f "$s" ] && [ "$(stat -c %a "$s")" = 755 ] && sh -n "$s" &&
	    cmp -s "$s" "$src/conf/deb/$script"; then
		pass ".deb $script: conf/deb/$script, mode 0755, valid sh"
	else
		fail ".deb $script: missing, not 0755, not valid sh or not conf/deb/$script"
	fi
done
# the policy: systemd is told, the service is never enabled or started
if grep -q '^[^#]*systemctl --system daemon-reload' "$tmp/control/postinst" &&
    ! cat "$tmp/control/postinst" "$tmp/control/prerm" "$tmp/control/postrm" | sed 's/#.*//' |
    grep -Eq '(systemctl|deb-systemd-helper|deb-systemd-invoke).* (enable|start|restart)( |$)'; then
	pass ".deb maintainer scripts: daemon-reload, never enable or start"
else
	fail ".deb maintainer scripts enable or start the service, or never daemon-reload"
fi

# a .deb from a build for another prefix is refused, not made
if [ -d "$tmp/build-opt" ]; then
	if (cd "$tmp/build-opt" && cpack -G DEB) >"$tmp/cpack-opt.log" 2>&1; then
		fail "cpack -G DEB under prefix /opt/mssclampd made a package"
	elif grep -q 'a .deb needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr' \
	    "$tmp/cpack-opt.log" && ! ls "$tmp/build-opt"/*.deb >/dev/null 2>&1; then
		pass "cpack -G DEB under prefix /opt/mssclampd: refused, with the reason"
	else
		fail "cpack -G DEB under prefix /opt/mssclampd: failed without the reason" \
			"$(tail -n 5 "$tmp/cpack-opt.log")"
	fi
fi

host_state >"$tmp/host.after"
if cmp -s "$tmp/host.before" "$tmp/host.after"; then
	pass "install and cpack wrote nothing to the host's /etc, /lib, /usr"
else
	fail "the host's files changed" "$(diff "$tmp/host.before" "$tmp/host.after")"
fi

finish
