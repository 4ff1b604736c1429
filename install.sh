#!/bin/sh
# Install 1mcp: download the binary for this OS/architecture, verify its SHA-256, put it on disk.
#
#   curl -fsSL <release-url>/install.sh | sh
#   sh install.sh [--prefix DIR] [--help]
#
# Environment:
#   ONE_MCP_INSTALL_BASE    where release files are: an http(s) URL, a file:// URL or a local folder
#   ONE_MCP_INSTALL_PREFIX  install folder (default: $HOME/.local/bin); --prefix wins
#   ONE_MCP_INSTALL_OS, ONE_MCP_INSTALL_ARCH   override detection (linux|darwin|windows, x64|arm64)
set -eu

DEFAULT_BASE="https://github.com/1mcp-dev/1mcp/releases/latest/download"
BASE="${ONE_MCP_INSTALL_BASE:-$DEFAULT_BASE}"
PREFIX="${ONE_MCP_INSTALL_PREFIX:-${HOME}/.local/bin}"

say() { printf '%s\n' "$*"; }
fail() { printf '1mcp install: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option $1 (try --help)" ;;
  esac
done

detect_os() {
  case "$(uname -s)" in
    Linux) echo linux ;;
    Darwin) echo darwin ;;
    MINGW*|MSYS*|CYGWIN*) echo windows ;;
    *) uname -s ;;
  esac
}
detect_arch() {
  case "$(uname -m)" in
    x86_64|amd64) echo x64 ;;
    aarch64|arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

OS="${ONE_MCP_INSTALL_OS:-$(detect_os)}"
ARCH="${ONE_MCP_INSTALL_ARCH:-$(detect_arch)}"
case "$OS-$ARCH" in
  linux-x64|linux-arm64|darwin-x64|darwin-arm64|windows-x64) ;;
  *) fail "no 1mcp binary for $OS/$ARCH; supported: linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64" ;;
esac
ASSET="1mcp-$OS-$ARCH"
TARGET_NAME=1mcp
if [ "$OS" = windows ]; then ASSET="$ASSET.exe"; TARGET_NAME=1mcp.exe; fi

TMP="$(mktemp -d 2>/dev/null || mktemp -d -t 1mcp)"
trap 'rm -rf "$TMP"' EXIT INT TERM

fetch() { # fetch <name> <dest>
  case "$BASE" in
    http://*|https://*)
      if command -v curl >/dev/null 2>&1; then curl -fsSL "$BASE/$1" -o "$2" || fail "could not download $BASE/$1"
      elif command -v wget >/dev/null 2>&1; then wget -q "$BASE/$1" -O "$2" || fail "could not download $BASE/$1"
      else fail "need curl or wget to download"; fi ;;
    file://*) cp "${BASE#file://}/$1" "$2" 2>/dev/null || fail "no $1 in ${BASE#file://}" ;;
    *) cp "$BASE/$1" "$2" 2>/dev/null || fail "no $1 in $BASE" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else fail "need sha256sum or shasum to verify the download"; fi
}

say "Downloading $ASSET from $BASE"
fetch SHA256SUMS "$TMP/SHA256SUMS"
fetch "$ASSET" "$TMP/$ASSET"
EXPECTED="$(awk -v f="$ASSET" '$2 == f || $2 == "*"f { print $1 }' "$TMP/SHA256SUMS" | head -n 1)"
[ -n "$EXPECTED" ] || fail "SHA256SUMS has no entry for $ASSET; nothing installed"
ACTUAL="$(sha256 "$TMP/$ASSET")"
[ "$EXPECTED" = "$ACTUAL" ] || fail "checksum mismatch for $ASSET (expected $EXPECTED, got $ACTUAL); nothing installed"

mkdir -p "$PREFIX" || fail "cannot create $PREFIX"
DEST="$PREFIX/$TARGET_NAME"
if [ -f "$DEST" ] && [ "$(sha256 "$DEST")" = "$ACTUAL" ]; then
  say "1mcp at $DEST is already this version; nothing to do."
else
  cp "$TMP/$ASSET" "$PREFIX/.1mcp.tmp.$$"
  chmod 755 "$PREFIX/.1mcp.tmp.$$"
  mv -f "$PREFIX/.1mcp.tmp.$$" "$DEST"
fi
VERSION="$("$DEST" --version 2>/dev/null || echo unknown)"
say "1mcp $VERSION installed to $DEST"

case ":$PATH:" in
  *":$PREFIX:"*) ;;
  *) say "Note: $PREFIX is not on your PATH. Add it, e.g.: echo 'export PATH=\"$PREFIX:\$PATH\"' >> ~/.profile" ;;
esac
