#!/bin/sh
# Install Annotator's bundle for the current user: the program under ~/.local/lib, the launcher
# ~/.local/bin/annotator, the desktop file, the icons and the AppStream metainfo. No root needed.
#
#   install-linux.sh [BUNDLE_DIR]     install (or update) from a built bundle folder
#   install-linux.sh --uninstall      remove everything the install put in place
#
# BUNDLE_DIR defaults to the folder this script sits in when it is a bundle (the script ships
# inside it), else packaging/dist/annotator beside the script. Data files go under
# $XDG_DATA_HOME (default ~/.local/share). See docs/packaging.md.
set -eu

APP_ID=io.github.annotator.Annotator
HERE=$(cd "$(dirname "$0")" && pwd)
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
BIN_DIR=$HOME/.local/bin
LIB_DIR=$HOME/.local/lib/annotator
APPS_DIR=$DATA_HOME/applications
ICONS_DIR=$DATA_HOME/icons/hicolor
METAINFO_DIR=$DATA_HOME/metainfo
SIZES="16 24 32 48 64 128 256 512"

say() { printf 'install-linux.sh: %s\n' "$*"; }
die() { printf 'install-linux.sh: error: %s\n' "$*" >&2; exit 1; }

refresh_caches() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$APPS_DIR" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$ICONS_DIR" ]; then
        gtk-update-icon-cache -q -f -t "$ICONS_DIR" 2>/dev/null || true
    fi
}

uninstall() {
    if [ -L "$BIN_DIR/annotator" ] || [ -f "$BIN_DIR/annotator" ]; then
        case $(readlink "$BIN_DIR/annotator" 2>/dev/null || true) in
            "$LIB_DIR"/*) rm -f "$BIN_DIR/annotator" ;;
            *) say "left $BIN_DIR/annotator alone: it is not this install's launcher" ;;
        esac
    fi
    rm -rf "$LIB_DIR"
    rm -f "$APPS_DIR/$APP_ID.desktop" "$METAINFO_DIR/$APP_ID.metainfo.xml" "$ICONS_DIR/scalable/apps/$APP_ID.svg"
    for size in $SIZES; do
        rm -f "$ICONS_DIR/${size}x${size}/apps/$APP_ID.png"
    done
    refresh_caches
    say "removed Annotator (your projects in ${XDG_DATA_HOME:-~/.local/share}/Annotator are kept)"
}

find_bundle() {
    if [ $# -gt 0 ]; then
        printf '%s\n' "$1"
    elif [ -x "$HERE/annotator" ] && [ -d "$HERE/_internal" ]; then
        printf '%s\n' "$HERE"
    else
        printf '%s\n' "$HERE/dist/annotator"
    fi
}

do_install() {
    bundle=$(find_bundle "$@")
    [ -x "$bundle/annotator" ] && [ -d "$bundle/_internal" ] \
        || die "no bundle in $bundle (build one with: python3 packaging/build.py)"
    bundle=$(cd "$bundle" && pwd)
    icons=$bundle/_internal/resources/icons
    [ -f "$icons/annotator.svg" ] || die "the bundle in $bundle has no resources/icons"
    # The desktop file and metainfo ship beside this script, in the repository and in the bundle.
    desktop=$HERE/$APP_ID.desktop
    metainfo=$HERE/$APP_ID.metainfo.xml
    [ -f "$desktop" ] || desktop=$bundle/$APP_ID.desktop
    [ -f "$metainfo" ] || metainfo=$bundle/$APP_ID.metainfo.xml
    [ -f "$desktop" ] && [ -f "$metainfo" ] || die "cannot find $APP_ID.desktop and .metainfo.xml"

    if [ "$bundle" != "$LIB_DIR" ]; then
        mkdir -p "$(dirname "$LIB_DIR")"
        rm -rf "$LIB_DIR.new"
        cp -R "$bundle" "$LIB_DIR.new"
        rm -rf "$LIB_DIR"
        mv "$LIB_DIR.new" "$LIB_DIR"
    fi
    mkdir -p "$BIN_DIR" "$APPS_DIR" "$METAINFO_DIR" "$ICONS_DIR/scalable/apps"
    ln -sf "$LIB_DIR/annotator" "$BIN_DIR/annotator"

    # Menus may not search ~/.local/bin, so the installed desktop file names the launcher in full.
    sed -e "s|^Exec=annotator|Exec=$BIN_DIR/annotator|" -e "s|^TryExec=annotator|TryExec=$BIN_DIR/annotator|" \
        "$desktop" >"$APPS_DIR/$APP_ID.desktop"
    cp "$metainfo" "$METAINFO_DIR/$APP_ID.metainfo.xml"
    cp "$icons/annotator.svg" "$ICONS_DIR/scalable/apps/$APP_ID.svg"
    for size in $SIZES; do
        mkdir -p "$ICONS_DIR/${size}x${size}/apps"
        cp "$icons/hicolor/${size}x${size}/apps/annotator.png" "$ICONS_DIR/${size}x${size}/apps/$APP_ID.png"
    done
    refresh_caches

    say "installed $("$LIB_DIR/annotator" --version) into $LIB_DIR"
    say "launcher $BIN_DIR/annotator, menu entry $APPS_DIR/$APP_ID.desktop"
    case ":${PATH:-}:" in
        *":$BIN_DIR:"*) ;;
        *) say "note: $BIN_DIR is not on your PATH; the menu entry works, or add it to run 'annotator'" ;;
    esac
}

case "${1:-}" in
    -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
    --uninstall) uninstall ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) do_install "$@" ;;
esac
