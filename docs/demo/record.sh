#!/usr/bin/env bash
# Records docs/demo.svg, the terminal session in the README: a real terminal recorder
# (asciinema, `apt-get install asciinema`) runs docs/demo/session.sh on a pseudo-terminal, and
# svg-term-cli (`npm install -g svg-term-cli`, or `npx svg-term-cli`) draws the recording as an
# animated SVG. Run it from anywhere: bash docs/demo/record.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in asciinema; do
    command -v "$tool" > /dev/null || { echo "record.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done
if command -v svg-term > /dev/null; then
    svg_term=(svg-term)
else
    svg_term=(npx --yes svg-term-cli@2.1.1)
fi

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/home"
cast="$work/demo.cast"
# A fresh home: the notebook and the config of the session are its own.
env -i PATH="$PWD/target/release:/usr/bin:/bin" HOME="$work/home" TERM=xterm-256color \
    SHELL=/bin/bash LANG=C.UTF-8 TZ=UTC SMARTNOTES_DB=notes.db SMARTNOTES_CONFIG= \
    bash -c "cd '$work/home' && asciinema rec --quiet --overwrite --cols 100 --rows 26 \
        --command 'bash $PWD/docs/demo/session.sh' '$cast'"
cp "$cast" /tmp/last-demo.cast 2>/dev/null || true
"${svg_term[@]}" --in "$cast" --out docs/demo.svg --window --no-cursor --width 100 --height 26
echo "wrote docs/demo.svg"
