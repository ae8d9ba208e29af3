#!/bin/sh
# Installed as /usr/sbin/policy-rc.d in harness-local/debian:bookworm, like the official debian image:
# package installs inside `docker build` must not try to start services (there is no init; the
# container's command starts the server). 101 = "action forbidden by policy".
exit 101
