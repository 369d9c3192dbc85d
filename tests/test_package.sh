#!/bin/bash
# Issue 14: the Debian package, as a user gets it. Builds the .deb from this build tree with
# cpack (into WORK, not the build tree), checks its control fields and file modes, unpacks it
# into a temporary root (a prefix other than /usr, so every lookup must be relative to the
# executable), and from there runs `list`, real runs, `explain` on the real interpreter and a
# GUI screenshot under Xvfb; the menu entry and the AppStream metadata must validate.
#
# usage: test_package.sh BUILD_DIR SOURCE_DIR WORK VERSION "ID;ID;..." GUI(ON|OFF) ICON_SIZES
set -u -o pipefail
build=$1 src=$2 work=$3 version=$4 ids=$5 gui=$6 sizes=$7
app_id=io.github.daemonlab.DaemonLab
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 not found: sudo apt-get install $2"; }
need cpack cmake
need dpkg-deb dpkg
need dpkg-shlibdeps dpkg-dev
need desktop-file-validate desktop-file-utils
need appstreamcli appstream
[ "$gui" = ON ] && need xvfb-run xvfb

rm -rf "$work" && mkdir -p "$work/home" || die "cannot make $work"

# 1. The package, built the way the README says (cpack -G DEB), output kept out of the tree.
arch=$(dpkg --print-architecture)
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    die "cpack -G DEB failed (log above)"
fi
deb=$work/out/daemonlab_${version}_${arch}.deb
[ -f "$deb" ] || die "no $deb; cpack made: $(ls "$work/out")"
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"

# 2. Control fields: name, version, dependencies computed by dpkg-shlibdeps plus the fonts.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = daemonlab ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), want $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
echo "Depends: $depends"
grep -qF 'fonts-noto-cjk | fonts-wqy-microhei' <<<"$depends" || fail "Depends lacks the CJK fonts"
grep -qE '(^|, )libc6 \(>= [0-9.]+\)' <<<"$depends" || fail "Depends lacks libc6 (>= ...): dpkg-shlibdeps did not run"
grep -qE '(^|, )libssl3 ' <<<"$depends" || fail "Depends lacks libssl3 (the demos' TLS)"
if [ "$gui" = ON ]; then
    grep -qE '(^|, )libglfw3 ' <<<"$depends" || fail "Depends lacks libglfw3 (the app's window)"
fi
[ "$(field Recommends)" = "python3, gdb" ] || fail "Recommends: '$(field Recommends)', want python3, gdb"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
# The maintainer scripts byte-compile the tracer at install (and remove the bytecode at
# removal), the way dh_python3 does; the package itself ships no bytecode.
dpkg-deb -e "$deb" "$work/control" || die "dpkg-deb -e failed"
for s in postinst prerm; do
    if [ ! -x "$work/control/$s" ]; then
        fail "the package has no executable $s"
    elif ! sh -n "$work/control/$s"; then
        fail "$s is not valid sh"
    fi
done
grep -q 'py3compile -p daemonlab /usr/share/daemonlab/python' "$work/control/postinst" ||
    fail "postinst does not byte-compile /usr/share/daemonlab/python"

# 3. Files and modes: everything under /usr, owned by root, nothing group/world-writable;
# programs 0755, everything else 0644, directories 0755.
dpkg-deb -c "$deb" >"$work/contents.txt" || die "dpkg-deb -c failed"
while read -r mode owner _ _ _ path _; do
    [ "$owner" = root/root ] || fail "$path is owned by $owner"
    case "$path" in ./ | ./usr/*) ;; *) fail "$path is outside /usr" ;; esac
    case "$mode" in
    d*) [ "$mode" = drwxr-xr-x ] || fail "directory $path is $mode" ;;
    -*)
        case "$path" in
        ./usr/bin/* | ./usr/libexec/daemonlab/*) want=-rwxr-xr-x ;;
        *) want=-rw-r--r-- ;;
        esac
        [ "$mode" = "$want" ] || fail "$path is $mode, want $want"
        ;;
    *) fail "$path is neither a file nor a directory ($mode)" ;;
    esac
done <"$work/contents.txt"

root=$work/root
dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x failed"
usr=$root/usr
expect=(bin/daemonlab libexec/daemonlab/daemonlab-launch share/daemonlab/content/strings.toml
    share/daemonlab/python/daemonlab_tracer.py
    share/man/man1/daemonlab.1.gz
    share/man/zh_CN/man1/daemonlab.1.gz)
# The tracer: its entry point above, and its package (demos/python/_daemonlab_tracer/).
for m in __init__ writer threads waits shutdown step children; do
    expect+=("share/daemonlab/python/_daemonlab_tracer/$m.py")
done
IFS=';' read -ra id_list <<<"$ids"
for id in "${id_list[@]}"; do
    expect+=("libexec/daemonlab/demo-$id" "share/daemonlab/python/scenarios/${id//-/_}.py"
        "share/daemonlab/content/lessons/$id.toml")
done
if [ "$gui" = ON ]; then
    expect+=(libexec/daemonlab/daemonlab-gui
        "share/applications/$app_id.desktop" "share/metainfo/$app_id.metainfo.xml"
        share/daemonlab/assets/daemonlab.png)
fi
for f in "${expect[@]}"; do [ -f "$usr/$f" ] || fail "the package lacks /usr/$f"; done
grep -q '__pycache__' "$work/contents.txt" && fail "the package ships __pycache__ (postinst makes it)"
[ -e "$usr/share/daemonlab/python/_daemonlab_tracer.py" ] &&
    fail "the package ships _daemonlab_tracer.py beside the package of that name"
top=$(zcat "$usr/share/doc/daemonlab/changelog.gz" 2>/dev/null | head -1)
[[ "$top" == "daemonlab ($version) "* ]] ||
    fail "packaging/changelog's newest entry is '$top', want version $version"
for f in "$usr"/share/man/man1/daemonlab.1.gz "$usr"/share/man/zh_CN/man1/daemonlab.1.gz; do
    gzip -t "$f" 2>/dev/null || fail "$f is not gzip"
done
# Every subcommand has its section in both man pages.
for cmd in gui list run explain matrix serve room; do
    for f in "$usr"/share/man/man1/daemonlab.1.gz "$usr"/share/man/zh_CN/man1/daemonlab.1.gz; do
        zcat "$f" | grep -q "^\.SS \"daemonlab $cmd" || fail "$f has no section for '$cmd'"
    done
done
# The icon in each hicolor size, really that size (the PNG header's width and height).
if [ "$gui" = ON ]; then
    for s in $sizes 256; do
        png=$usr/share/icons/hicolor/${s}x${s}/apps/$app_id.png
        if [ ! -f "$png" ]; then
            fail "no icon $png"
            continue
        fi
        read -r w h < <(od -An -tu1 -j16 -N8 "$png" |
            awk '{ print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
        [ "$w" = "$s" ] && [ "$h" = "$s" ] || fail "$png is ${w}x$h, want ${s}x$s"
    done
fi

# 4. No path of this machine's source or build tree in any file of the package: the installed
# app cannot fall back to them.
for p in "$src" "$build"; do
    hits=$(grep -rlF -- "$p" "$root")
    [ -z "$hits" ] || fail "the package contains the path $p in: $hits"
done

# 5. It runs from the unpacked root: no DAEMONLAB_* overrides, from /, a private HOME.
in_root() {
    (cd / && env -u DAEMONLAB_CONTENT -u DAEMONLAB_DEMO_DIR -u DAEMONLAB_PYTHON_DIR \
        -u XDG_CONFIG_HOME HOME="$work/home" LANG=C.UTF-8 "$@")
}
expect_rc() { # expect_rc WANT NAME CMD...
    local want=$1 name=$2
    shift 2
    in_root "$@" >"$work/$name.out" 2>&1
    local rc=$?
    [ "$rc" = "$want" ] || fail "$* exited $rc, want $want:"$'\n'"$(tail -20 "$work/$name.out")"
}
expect_rc 0 list "$usr/bin/daemonlab" list
for id in "${id_list[@]}"; do grep -qF "$id" "$work/list.out" || fail "list does not show $id"; done
expect_rc 0 run-exits "$usr/bin/daemonlab" run passed-in --receiver daemon --lang en
expect_rc 3 run-hangs "$usr/bin/daemonlab" run passed-in --lang en
grep -q "recv_events" "$work/run-hangs.out" || fail "the hang's report does not name recv_events"
# The CPython engine's tracer, from share/daemonlab/python, on Debian's interpreter.
if [ -x /usr/bin/python3 ]; then
    printf 'import threading\nthreading.Thread(target=threading.Event().wait, name="waiter").start()\n' \
        >"$work/hangs.py"
    printf 'print("bye")\n' >"$work/exits.py"
    expect_rc 0 explain-exits "$usr/bin/daemonlab" explain --python /usr/bin/python3 --lang en "$work/exits.py"
    expect_rc 3 explain-hangs "$usr/bin/daemonlab" explain --python /usr/bin/python3 --lang en "$work/hangs.py"
    grep -q "waiter" "$work/explain-hangs.out" || fail "explain does not name the waiting thread"
else
    echo "note: no /usr/bin/python3, explain not run"
fi

if [ "$gui" = ON ]; then
    # 6. The app, under Xvfb: a live run that hangs, all content loaded, Chinese font found.
    shot=$work/shot.png
    expect_rc 0 gui xvfb-run -a -s "-screen 0 1440x900x24" "$usr/bin/daemonlab" gui \
        --scenario threaded-client --run --lang both --screenshot "$shot"
    [ -s "$shot" ] || fail "no screenshot"
    json=$(cat "$shot.json" 2>/dev/null)
    grep -q '"verdict": "hung"' <<<"$json" || fail "the app's run was not judged hung: $json"
    grep -q '"content_errors": \[\]' <<<"$json" || fail "the app reported content errors: $json"
    grep -q '"lessons": \[\]' <<<"$json" && fail "the app loaded no lessons"
    grep -qE '"cjk": "/' <<<"$json" || fail "the app found no Chinese font: $json"

    # 7. The menu entry and the AppStream metadata, as installed.
    desktop-file-validate "$usr/share/applications/$app_id.desktop" ||
        fail "desktop-file-validate"
    appstreamcli validate --no-net "$usr/share/metainfo/$app_id.metainfo.xml" ||
        fail "appstreamcli validate"
    # The installed tree as a software centre reads it: metainfo, menu entry and icon together.
    appstreamcli validate-tree --no-net "$root" || fail "appstreamcli validate-tree"
    grep -qx "Exec=daemonlab" "$usr/share/applications/$app_id.desktop" ||
        fail "the menu entry does not run daemonlab"
    grep -qx "Icon=$app_id" "$usr/share/applications/$app_id.desktop" ||
        fail "the menu entry's icon is not $app_id"
    grep -qx "StartupWMClass=$app_id" "$usr/share/applications/$app_id.desktop" ||
        fail "the menu entry does not name the window's class (gui/app/app_main.cpp)"
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed; the files are in $work" >&2
    exit 1
fi
echo "OK: $(basename "$deb") builds, unpacks, runs and validates"
rm -rf "$work"
