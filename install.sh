#!/bin/sh
# Install 1mcp: download the binary for this OS/architecture, verify its SHA-256, put it on disk.
# POSIX sh (runs under dash, bash, zsh, busybox ash). Safe to run again: it replaces the binary atomically.
# Downloads are https only, redirects included: SHA256SUMS comes over the same connection as the binary,
# so over plain http both could be swapped together (see docs/security.md).
set -eu

# The one place the release location is written down.
RELEASES_URL="https://github.com/1mcp-dev/1mcp/releases"

usage() {
  cat <<EOF
Install 1mcp.

  curl -fsSL $RELEASES_URL/latest/download/install.sh | sh
  sh install.sh [--prefix DIR] [--version V] [--help]

Options:
  --prefix DIR    install folder (default: \$HOME/.local/bin); created if missing
  --version V     install release V instead of the latest; with ONE_MCP_INSTALL_BASE the binary
                  found there must report V, else nothing is installed
  -h, --help      show this help

Environment:
  ONE_MCP_INSTALL_BASE     the folder of one release, holding 1mcp-<os>-<arch>[.exe] and SHA256SUMS:
                           an https:// URL, a file:// URL or a local folder (plain http:// is refused)
                           (default: $RELEASES_URL/latest/download)
  ONE_MCP_INSTALL_PREFIX   install folder; --prefix wins
  ONE_MCP_INSTALL_OS       override OS detection (linux, darwin, windows)
  ONE_MCP_INSTALL_ARCH     override architecture detection (x64, arm64)
EOF
}

say() { printf '%s\n' "$*"; }
fail() { printf '1mcp install: %s\n' "$*" >&2; exit 1; }

PREFIX="${ONE_MCP_INSTALL_PREFIX:-${HOME:-}/.local/bin}"
VERSION_WANTED=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --version) [ $# -ge 2 ] || fail "--version needs a version, e.g. --version 0.1.0"; VERSION_WANTED="$2"; shift 2 ;;
    --version=*) VERSION_WANTED="${1#--version=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail "unknown option $1 (try --help)" ;;
  esac
done
[ -n "$PREFIX" ] || fail "no install folder: HOME is not set; pass --prefix DIR"

VERSION_WANTED="${VERSION_WANTED#v}"
if [ -n "${ONE_MCP_INSTALL_BASE:-}" ]; then
  BASE="$ONE_MCP_INSTALL_BASE"
elif [ -n "$VERSION_WANTED" ]; then
  BASE="$RELEASES_URL/download/v$VERSION_WANTED"
else
  BASE="$RELEASES_URL/latest/download"
fi
BASE="${BASE%/}"
case "$BASE" in
  [Hh][Tt][Tt][Pp][Ss]://*|[Ff][Ii][Ll][Ee]://*) ;;
  *://*) fail "refusing ONE_MCP_INSTALL_BASE=$BASE: only https:// URLs, file:// URLs and local folders are allowed (over plain http the binary and its checksum could both be swapped); nothing installed" ;;
esac

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
  *) fail "no 1mcp binary for $OS/$ARCH; supported: linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64 (nothing installed)" ;;
esac
ASSET="1mcp-$OS-$ARCH"
TARGET_NAME=1mcp
if [ "$OS" = windows ]; then ASSET="$ASSET.exe"; TARGET_NAME=1mcp.exe; fi

# Downloads live in a temp dir; it and any half-copied binary go away however the script ends.
TMP="$(mktemp -d 2>/dev/null || mktemp -d -t 1mcp)" || fail "cannot create a temporary folder"
STAGE_DIR=""
cleanup() {
  rm -rf "$TMP"
  if [ -n "$STAGE_DIR" ]; then rm -rf "$STAGE_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# curl refuses anything but https itself, also on redirects (exit 1 = protocol refused).
fetch_curl() { # fetch_curl <url> <dest>
  rc=0
  curl -fsSL --proto =https --proto-redir =https --retry 2 "$1" -o "$2" || rc=$?
  case "$rc" in
    0) ;;
    1) fail "refused to download $1: it is not https or redirects to a non-https URL; nothing installed" ;;
    *) fail "could not download $1 (nothing installed)" ;;
  esac
}

# wget's --https-only does not apply to redirects of a single download, so wget is told to stop at every
# redirect and this loop follows it only when the new location is https.
fetch_wget() { # fetch_wget <url> <dest>
  url="$1"; hops=0
  while :; do
    case "$url" in
      [Hh][Tt][Tt][Pp][Ss]://*) ;;
      *) fail "refused to follow a redirect from $1 to $url: downloads must stay on https; nothing installed" ;;
    esac
    if LC_ALL=C wget -nv -S --max-redirect=0 -O "$2" "$url" 2>"$TMP/wget.log"; then return 0; fi
    # -S shows the response headers indented by two spaces; wget's own messages are not indented.
    location="$(awk '$1 == "Location:" { l = $2 } END { sub(/\r$/, "", l); print l }' "$TMP/wget.log")"
    if [ -z "$location" ]; then
      awk 'substr($0, 1, 2) != "  "' "$TMP/wget.log" >&2
      fail "could not download $1 (nothing installed)"
    fi
    hops=$((hops + 1))
    [ "$hops" -le 10 ] || fail "too many redirects downloading $1; nothing installed"
    rest="${url#????????}" # the URL after "https://"
    case "$location" in
      *://*) url="$location" ;;
      //*) url="https:$location" ;;
      /*) url="https://${rest%%/*}$location" ;;
      *) url="${url%/*}/$location" ;;
    esac
  done
}

fetch() { # fetch <name> <dest>
  case "$BASE" in
    [Hh][Tt][Tt][Pp][Ss]://*)
      if command -v curl >/dev/null 2>&1; then fetch_curl "$BASE/$1" "$2"
      elif command -v wget >/dev/null 2>&1; then fetch_wget "$BASE/$1" "$2"
      else fail "need curl or wget to download $BASE/$1"
      fi ;;
    [Ff][Ii][Ll][Ee]://*) cp "${BASE#???????}/$1" "$2" 2>/dev/null || fail "cannot read ${BASE#???????}/$1 (nothing installed)" ;;
    *) cp "$BASE/$1" "$2" 2>/dev/null || fail "cannot read $BASE/$1 (nothing installed)" ;;
  esac
}

if command -v sha256sum >/dev/null 2>&1; then SHA_TOOL="sha256sum"
elif command -v shasum >/dev/null 2>&1; then SHA_TOOL="shasum -a 256"
else fail "need sha256sum or shasum to verify the download (nothing installed)"; fi
sha256() { $SHA_TOOL "$1" | cut -d' ' -f1; }

say "Downloading $ASSET from $BASE"
fetch SHA256SUMS "$TMP/SHA256SUMS"
fetch "$ASSET" "$TMP/$ASSET"
# sha256sum writes "<hex>  <file>" (text mode) or "<hex> *<file>" (binary mode).
EXPECTED="$(awk -v f="$ASSET" '$2 == f || $2 == "*"f { print tolower($1); exit }' "$TMP/SHA256SUMS")"
[ -n "$EXPECTED" ] || fail "SHA256SUMS at $BASE has no entry for $ASSET; nothing installed"
ACTUAL="$(sha256 "$TMP/$ASSET")"
[ "$EXPECTED" = "$ACTUAL" ] || fail "checksum mismatch for $ASSET from $BASE (expected $EXPECTED, got $ACTUAL); nothing installed"

mkdir -p "$PREFIX" 2>/dev/null || fail "cannot create $PREFIX; pick another folder with --prefix"
PREFIX="$(cd "$PREFIX" && pwd)"
DEST="$PREFIX/$TARGET_NAME"
if [ ! -e "$DEST" ]; then WAS=new
elif [ -f "$DEST" ] && [ "$(sha256 "$DEST")" = "$ACTUAL" ]; then WAS=same
else WAS=other; fi

# Stage next to the target in a fresh private folder (mktemp creates it exclusively under an unpredictable
# name, so nothing planted in PREFIX can redirect the copy; inside it the binary keeps its real name, which
# Windows needs to run it), check it runs, then rename: a running 1mcp keeps its old file, nobody sees half
# a binary, and a binary that fails the checks never replaces a working one.
STAGE_DIR="$(mktemp -d "$PREFIX/.1mcp.XXXXXX" 2>/dev/null)" || fail "cannot write to $PREFIX; pick another folder with --prefix"
STAGED="$STAGE_DIR/$TARGET_NAME"
cp "$TMP/$ASSET" "$STAGED" || fail "cannot write to $PREFIX; pick another folder with --prefix"
chmod 755 "$STAGED"
VERSION_OUT="$("$STAGED" --version 2>&1)" || fail "the downloaded 1mcp does not run here ('1mcp --version' failed: $VERSION_OUT); nothing installed"
if [ -n "$VERSION_WANTED" ] && [ "$VERSION_OUT" != "$VERSION_WANTED" ]; then
  HINT=""
  if [ -n "${ONE_MCP_INSTALL_BASE:-}" ]; then HINT=" (point ONE_MCP_INSTALL_BASE at the folder of release $VERSION_WANTED, or leave out --version)"; fi
  fail "asked for version $VERSION_WANTED, but the release at $BASE is $VERSION_OUT; nothing installed$HINT"
fi
mv -f "$STAGED" "$DEST" || fail "cannot replace $DEST"
case "$WAS" in
  new) say "1mcp $VERSION_OUT installed to $DEST" ;;
  same) say "1mcp $VERSION_OUT installed to $DEST (the same file was already there; replaced it)" ;;
  other) say "1mcp $VERSION_OUT installed to $DEST (replaced the previous one)" ;;
esac

case ":$PATH:" in
  *":$PREFIX:"*|*":$PREFIX/:"*) ;;
  *)
    say ""
    say "$PREFIX is not on your PATH. To use 1mcp, add it, e.g.:"
    say "  echo 'export PATH=\"$PREFIX:\$PATH\"' >> ~/.profile && . ~/.profile"
    ;;
esac
