#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The kind groups of kinds/suite.conf through the one runner, run-suite.sh:
# each kinds/ script staged with kind-lib.sh prepended.
#   kinds/run-kinds.sh [-k SERIES]... [-g GROUP]... [-s SUITE] [-o OUTDIR]
# Options as run-suite.sh's; a later -s or -o wins over these defaults.
KINDS_DIR=$(cd "$(dirname "$0")" && pwd)
exec "$KINDS_DIR/../run-suite.sh" -n kinds -s "$KINDS_DIR/suite.conf" \
	-l "$KINDS_DIR/kind-lib.sh" -o "$PWD/vm-kinds" "$@"
