#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check: bench/b3-report.py's figures and targets on crafted data
# whose answers are known by hand (a fraction of a second, no VM).
command -v python3 >/dev/null || { echo "no python3"; exit 77; }
exec python3 "${srcdir:-.}/bench/b3-report.py" --self-test
