#!/bin/sh
# Entry point of harness-local/node:20, with the official node image's semantics: if the first
# argument is an option (`-e …`, `--version`) or not a command on PATH (a script such as `app.js`),
# run it with node; otherwise run the command as given (`node /app/x.js`, `bash`, …).
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
