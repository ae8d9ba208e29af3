#!/usr/bin/env bash
# Asks the Go module proxy for every module version the toolchain needs, and for the ones it would
# rather have (the upstream providers), and prints one line each: served, or refused with the
# proxy's own answer. tools/toolchain/README.md records a run; re-run it when the proxy may have changed:
#   bash tools/toolchain/probe.sh
# Uses a throwaway module cache, so it downloads only the .info/.mod/.zip it asks about.
set -uo pipefail
cache=$(mktemp -d)
trap 'chmod -R u+w "$cache" 2>/dev/null; rm -rf "$cache"' EXIT
probe() {
  local out err
  out=$(cd "$cache" && GOMODCACHE="$cache/mod" GOFLAGS=-mod=mod go mod download -json "$1" 2>&1)
  err=$(printf '%s' "$out" | sed -n 's/.*"Error": "\(.*\)",\{0,1\}$/\1/p' | head -1)
  if [ -z "$err" ]; then printf 'served    %s\n' "$1"; else printf 'REFUSED   %s\n          %s\n' "$1" "$err"; fi
}
echo "# needed, and used"
probe github.com/pulumi/pulumi/pkg/v3@v3.276.0
probe github.com/pulumi/pulumi/sdk/v3@v3.276.0
probe github.com/pulumi/pulumi-go-provider@v1.3.0
probe github.com/pulumi/pulumi-terraform-bridge/v3@v3.120.0
probe github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20260318212141-5525259d096b
probe github.com/kreuzwerker/terraform-provider-docker@v0.0.0-20260916201441-96d331c98ff4
echo "# wanted, refused"
probe github.com/pulumi/pulumi-command/provider@v0.0.0-20260303235922-7f3eb6f3b77c
probe github.com/pulumi/pulumi-command/provider@latest
probe github.com/pulumi/pulumi-docker/provider/v5@v5.2.0
probe github.com/pulumi/pulumi-docker/provider/v5@latest
probe github.com/pulumi/pulumi-docker/provider/v4@v4.5.0
probe github.com/pulumi/pulumi-docker/provider/v4@latest
probe github.com/pulumi/pulumi-docker/provider/v3@v3.6.1
probe github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@latest
probe github.com/pulumi/pulumi/pkg/v3@v3.270.0
echo "# tried on the way"
probe github.com/pulumi/terraform-plugin-sdk/v2@v2.0.0-20250923233607-7f1981c8674a
