# shellcheck shell=bash
# Shim for replays written for the anchor harness, which `source "$(dirname "$0")/../_curl.sh"`
# from replays/. The helpers live in runner/shell/replay-helpers.sh; every value comes from the
# environment the replay runner exports, so this committed file holds nothing per run and any
# number of stacks can run from one checkout at once.
# shellcheck source=runner/shell/replay-helpers.sh
source "${HARNESS_HELPERS:-$(dirname "${BASH_SOURCE[0]}")/runner/shell/replay-helpers.sh}"
