# Sourced by play.sh and test.sh: installs the Debian 12 packages a step needs when missing.
# Usage: need_packages pkg...   (as root; otherwise prints the apt-get line to run)

need_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages; run as root: apt-get install ${missing[*]}" >&2
        return 1
    fi
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq &&
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the engine and the srnn tool needs.
BUILD_PACKAGES=(make gcc libc6-dev pkg-config libsndfile1-dev libsamplerate0-dev zlib1g-dev)
# The trainer (train/): OpenBLAS for its matrix products, cJSON for PRiSM's config files.
BUILD_PACKAGES+=(libopenblas-dev libcjson-dev)
# TensorFlow checkpoints (ckpt/): cJSON for PRiSM's config files, Snappy for compressed
# table blocks.
BUILD_PACKAGES+=(libcjson-dev libsnappy-dev)
# srnn play: PortAudio (with its ALSA and JACK host APIs) and JACK MIDI.
BUILD_PACKAGES+=(portaudio19-dev libasound2-dev libjack-jackd2-dev)
# What the tests need on top: the PyTorch reference, and clang for the fuzzing smoke test.
TEST_PACKAGES=(python3 python3-torch python3-numpy clang libclang-rt-14-dev python3-crcmod python3-snappy)
# The LV2 plugin: LV2 headers to build it; its GUI is drawn with cairo on X11.
BUILD_PACKAGES+=(lv2-dev libcairo2-dev libx11-dev)
# Its tests: lilv for the test hosts (make tests), lv2_validate (sordi) and lv2info, jalv on a
# dummy JACK server recorded with jack_rec (jackd2), valgrind.
TEST_PACKAGES+=(liblilv-dev lilv-utils sordi jalv jackd2 valgrind)
# The GUI's tests: a virtual X server, XTest for a synthetic drag, fontconfig to empty its
# caches before LeakSanitizer looks (tests/test_lv2_gui.sh); xwininfo and xwd to find and
# photograph it in jalv.gtk3 and jalv.qt5, whose suil module for X11 UIs needs Qt's X11 extras
# (tests/once_lv2_jalv_gui.sh).
TEST_PACKAGES+=(xvfb libxtst-dev libfontconfig-dev x11-utils x11-apps libqt5x11extras5)
# srnn play's tests: a dummy JACK server and jack_rec, tmux for the terminal UI, a MIDI sender.
TEST_PACKAGES+=(jackd2 tmux python3-jack-client)
# The NEON kernels cross-compiled and run under qemu (tests/once_neon.sh).
TEST_PACKAGES+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
# The Debian packages built from debian/ and checked by lintian (tests/once_debian.sh).
TEST_PACKAGES+=(dpkg-dev debhelper lintian)
# make install's test (tests/once_install.sh): man and groff for the man page, binutils'
# readelf and nm for the library's soname and symbols.
TEST_PACKAGES+=(man-db groff-base binutils)
# srnn train over MPI (tests/test_train_mpi.sh, make bench-mpi): Open MPI's headers and mpirun.
# Optional for building: make leaves MPI out when pkg-config does not find it.
TEST_PACKAGES+=(libopenmpi-dev openmpi-bin)
