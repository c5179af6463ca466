#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side of contrib/demo: an NVDIMM namespace in devdax mode made system
# RAM with memhotctl, then removed again, shown as a person would type it.
. /run/mh/guest-lib.sh
export PATH=/run/mh/bin:$PATH
show() {
	echo
	echo "# $*"
	"$@" 2>&1
	echo "  (exit status $?)"
}
echo "Guest kernel $(uname -r); auto_online_blocks=$(policy)"
nd_init
show ndctl create-namespace -m devdax -a 2M -s 768M
show memhotctl online dax0.0
show memhotctl status
show grep -A1 dax0.0 /proc/iomem
show memhotctl remove dax0.0
show memhotctl status
show grep -A1 dax0.0 /proc/iomem
