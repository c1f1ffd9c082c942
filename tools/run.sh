#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets everything up, then runs Refscope; arguments go to refscope (none: the
# bundled sample).
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
exec _build/app/refscope "$@"
