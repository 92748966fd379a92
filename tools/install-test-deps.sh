#!/usr/bin/env bash
# Install the Debian 12 packages the test suite needs (real servers, Qt platform libs,
# spell-check dictionaries). Idempotent: apt is only touched when something is missing.
#
# Run as root (CI) or as a user with sudo. Without either, it prints what is missing
# and exits 1. It never leaves the Prosody / tinyproxy / coturn / ejabberd system services running:
# the tests start their own instances on free loopback ports.
set -euo pipefail

PACKAGES=(
    # real servers used by integration tests
    prosody microsocks tinyproxy coturn
    prosody-modules  # mod_muc_moderation (XEP-0425) for the group chat tests
    ejabberd imagemagick  # CAPTCHA-protected in-band registration (captcha.sh uses convert)
    # test harness tools
    socat tcpdump iproute2 openssl
    # interop: Profanity (built with OMEMO) driven inside tmux
    profanity tmux
    # GUI under a virtual display (screenshots) and offscreen
    xvfb xauth fonts-dejavu-core fonts-noto-color-emoji
    libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0
    libglib2.0-0 libdbus-1-3 libx11-6 libx11-xcb1
    # PySide6 6.12 xcb platform plugin (libQt6XcbQpa NEEDED entries)
    libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1
    # spell checking
    hunspell-en-us hunspell-de-de hunspell-ru hunspell-lt hunspell-es hunspell-ro hunspell-ar
    libenchant-2-2
    # call audio: QtMultimedia links libpulse; the tests run their own PulseAudio with null
    # sinks (pactl lists them)
    libpulse0 libasound2 pulseaudio pulseaudio-utils
)

# `--runtime`: only what the desktop app itself needs to start (used by `make run`).
# `--venv`: only what `python3 -m venv` needs on a bare Debian/Ubuntu.
case "${1:-}" in
    --runtime)
        PACKAGES=(fonts-dejavu-core fonts-noto-color-emoji libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0
                  libxkbcommon-x11-0 libglib2.0-0 libdbus-1-3 libx11-xcb1 libxcb-cursor0
                  libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
                  libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
                  libx11-6 libxcb1 libxcb-render0 libxcb-shm0 libxcb-sync1 libxcb-util1
                  libxcb-xfixes0 hunspell-en-us libenchant-2-2
                  libpulse0 libasound2) ;;
    --venv)
        PACKAGES=(python3-venv) ;;
esac

# interop with libwebrtc (tests/support/wrtc: npm @roamhq/wrtc, a prebuilt N-API addon)
# needs node >= 18 and npm. Debian 12's nodejs 18.20 loads it. A node that is already
# there is kept (NodeSource's nodejs bundles npm and conflicts with Debian's npm
# package), so these are only asked for when the commands are missing.
NODE_PACKAGES=()
if [[ -z "${1:-}" ]]; then
    command -v node >/dev/null 2>&1 || NODE_PACKAGES+=(nodejs)
    command -v npm >/dev/null 2>&1 || NODE_PACKAGES+=(npm)
fi

# System services the packages above ship; the tests never use them.
SERVICES=(prosody tinyproxy coturn ejabberd)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done
missing+=("${NODE_PACKAGES[@]}")

check_node() {
    [[ -z "${1:-}" ]] || return 0
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [[ $major -lt 18 ]]; then
        echo "install-test-deps: warning: node $(node --version 2>/dev/null || echo missing)" \
            "is too old for the libwebrtc interop tests (needs >= 18); they will be skipped" >&2
    fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
    check_node "${1:-}"
    echo "install-test-deps: all ${#PACKAGES[@]} packages already installed"
    exit 0
fi

echo "install-test-deps: missing: ${missing[*]}"

if [[ $(id -u) -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-test-deps: not root and sudo is not available." >&2
    echo "Install these packages as root, then run the tests again:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}"

# apt may have started the system service of a package it just installed (when no
# policy-rc.d forbids it): stop it. Services of packages that were already installed
# are left alone, as are the tests' own server processes (not managed by `service`).
for svc in "${SERVICES[@]}"; do
    for pkg in "${missing[@]}"; do
        if [[ $pkg == "$svc" ]]; then
            "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
        fi
    done
done

still_missing=()
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -gt 0 ]]; then
    echo "install-test-deps: still missing after install: ${still_missing[*]}" >&2
    exit 1
fi
check_node "${1:-}"
echo "install-test-deps: installed ${missing[*]}"
