#!/usr/bin/env bash
# The session docs/demo.svg shows: run inside the recorder by record.sh, in a fresh home.
set -euo pipefail

# Prints a prompt and the command as if typed, then runs it.
run() {
    printf '\033[1;32m$\033[0m '
    local text="$*"
    for ((i = 0; i < ${#text}; i++)); do
        printf '%s' "${text:i:1}"
        sleep 0.02
    done
    printf '\n'
    eval "$@"
    sleep 1.5
}

# The "editor" of the session: changes the title of the note it is given.
printf '#!/bin/sh\nsed -i "s/^title: .*/title: Call the bank about the loan/" "$1"\n' > retitle
chmod +x retitle

run smartnotes seed --count 20000
run smartnotes export --out backup --incremental
run EDITOR=./retitle smartnotes edit 42
run smartnotes tag rename todo next
run smartnotes list --since "'1 minute ago'" --limit 3
run smartnotes export --out backup --incremental
