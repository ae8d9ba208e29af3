#!/bin/sh
# Sets the stack's password (from POSTGRES_PASSWORD, through stdin: never on a command line) in
# single-user mode, which needs no running server, then becomes the server.
set -eu
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (the harness generates one per stack)}"
escaped=$(printf %s "$POSTGRES_PASSWORD" | sed "s/'/''/g")
printf "ALTER USER \"%s\" PASSWORD '%s';\n" "$HARNESS_POSTGRES_USER" "$escaped" \
  | postgres --single -D "$PGDATA" postgres >/dev/null
exec postgres -D "$PGDATA"
