#!/bin/sh
# Entry point of harness-local/redis:7, with the official redis image's semantics, for Debian's
# redis-server binary (see ../README.md).
set -e

# Options (`--appendonly yes`) or a config file (`/etc/redis.conf`) are for redis-server.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

# The official image compiles redis with protected mode OFF by default, so clients on other
# containers can connect to a password-less server. Debian's binary defaults to ON (it would answer
# DENIED to every non-loopback client), so turn it off here unless the command line or the given
# config file sets it.
protected_mode_configured() {
  for arg in "$@"; do
    case "$arg" in
      --protected-mode) return 0 ;;
      *.conf) [ -r "$arg" ] && grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$arg" && return 0 ;;
    esac
  done
  return 1
}

if [ "$1" = redis-server ]; then
  protected_mode_configured "$@" || set -- "$@" --protected-mode no
  # As root: own the working directory (/data), then run as redis (official: gosu; here: setpriv).
  if [ "$(id -u)" = 0 ]; then
    find . \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
fi

# Dump files readable by redis only, as in the official image.
if [ "$(umask)" = 0022 ]; then
  umask 0077
fi

exec "$@"
