#!/bin/sh
# .ci/deps.sh build|test|i386: installs, with apt-get on Debian 12, what
# building and running the daemon needs (build), what the whole test suite
# needs besides (test), or what the 32-bit build needs (i386: adds the i386
# architecture). The one list: the README's two commands and .ci/run use it.
set -eu

# building and running: the compiler, CMake, the libraries, iptables for the rules
BUILD="build-essential cmake pkg-config
	libnetfilter-queue-dev libnfnetlink-dev libmnl-dev libcap-ng-dev
	iptables"
# the test suite: fuzzers (clang, libFuzzer), namespaces and traffic, the
# crafted packets (scapy), the unit under systemd (nspawn), the man pages,
# logrotate, the package (dpkg-dev, lintian)
TEST="$BUILD
	clang libclang-rt-14-dev valgrind
	nftables iproute2 ethtool iputils-ping tcpdump socat procps kmod util-linux
	python3 python3-scapy
	systemd systemd-container
	mandoc man-db logrotate dpkg-dev lintian"
# the 32-bit build (.ci/i386.cmake): gcc and clang with -m32, the :i386 libraries
I386="gcc-multilib g++-multilib
	libnetfilter-queue-dev:i386 libnfnetlink-dev:i386 libmnl-dev:i386 libcap-ng-dev:i386"

case ${1:-} in
build) packages=$BUILD ;;
test) packages=$TEST ;;
i386)
	dpkg --add-architecture i386
	packages=$I386 ;;
*)
	echo "usage: $0 build|test|i386" >&2
	exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # one package a word
apt-get install -y --no-install-recommends --no-remove $packages
