/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The operations memhotctl runs, and their names (names.c): what the
 * planner plans and the journal records, without the plan itself.
 */
#ifndef MH_OP_H
#define MH_OP_H

enum mh_op { MH_OP_ONLINE, MH_OP_OFFLINE, MH_OP_REMOVE };

const char *mh_op_name(enum mh_op op);	/* names.c */
int mh_parse_op(const char *s, enum mh_op *out);

#endif
