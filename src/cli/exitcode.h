/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exit statuses: stable, documented in memhotctl(8). */
#ifndef MH_CLI_EXITCODE_H
#define MH_CLI_EXITCODE_H

enum mh_exit {
	MH_EXIT_OK = 0,		/* done, including nothing to do */
	MH_EXIT_ERROR = 1,	/* failed before changing anything */
	MH_EXIT_USAGE = 2,	/* bad option, command or device name */
	MH_EXIT_BUSY = 3,	/* retries/deadline exhausted, rolled back */
	MH_EXIT_PARTIAL = 4,	/* changed and could not be restored */
	MH_EXIT_LEAKED = 5,	/* unbound but the range was not released */
};

#endif
