// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the journal parser (mh_journal_parse) on any bytes.
 * A journal is what `recover` acts on as root, so what the parser accepts
 * is checked against the format, not only "no crash": every field within
 * its domain, each block once, and the journal written back in the
 * writer's form parses to the very same values (round trip).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dax.h"
#include "journal.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-journal: %s:%d: check failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

static const char *const ops[] = { [MH_OP_ONLINE] = "online", [MH_OP_OFFLINE] = "offline",
				   [MH_OP_REMOVE] = "remove" };
static const char *const zones[] = { "unknown", "movable", "normal", "none" };
static const char *const states[] = { "unknown", "online", "offline", "going-offline" };
static const char *const phases[] = { "unchanged", "changed", "unbinding", "unbind-running",
				      "unbound", "released", "leaked" };

/* The writer's form, as mh_journal_write() puts it. */
static size_t serialise(const struct mh_journal *j, char *buf, size_t len)
{
	size_t n = 0, i;

	n += (size_t)snprintf(buf + n, len - n, "memhotctl-journal 1\nop %s\ndev %s\nroot %s\n",
			      ops[j->op], j->dev, j->root);
	if (j->saved_policy[0])
		n += (size_t)snprintf(buf + n, len - n, "policy %s\n", j->saved_policy);
	n += (size_t)snprintf(buf + n, len - n, "unbind_started %d\nrebind_devdax %d\nphase %s\n",
			      j->unbind_started, j->rebind_devdax, phases[j->phase]);
	for (i = 0; i < j->nr_blocks && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "block %llu %s %s\n",
				      (unsigned long long)j->blocks[i],
				      zones[j->orig_zone[i]], states[j->orig_state[i]]);
	CHECK(n < len);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 20];
	struct mh_journal j, k;
	size_t i, m, bad = 0, len;

	if (mh_journal_parse((const char *)data, size, &j, &bad)) {
		CHECK(bad >= 1);
		CHECK(!j.blocks && !j.nr_blocks);	/* nothing kept on refusal */
		return 0;
	}
	/* Accepted: whole lines, none over 255 bytes, no NUL. */
	CHECK(size && data[size - 1] == '\n');
	CHECK(!memchr(data, '\0', size));
	for (i = 0, m = 0; i < size; i++, m++) {
		if (data[i] == '\n')
			m = (size_t)-1;
		else
			CHECK(m < 255);
	}
	CHECK(j.op == MH_OP_ONLINE || j.op == MH_OP_OFFLINE || j.op == MH_OP_REMOVE);
	CHECK(mh_dax_name_valid(j.dev) == 0);
	CHECK(j.root[0] == '/' && !strchr(j.root, ' '));
	CHECK(!j.saved_policy[0] || mh_policy_valid(j.saved_policy));
	CHECK((unsigned)j.phase <= MH_PHASE_LEAKED);
	CHECK(j.unbind_started == (j.phase >= MH_PHASE_UNBINDING));
	for (i = 0; i < j.nr_blocks; i++) {
		CHECK(j.blocks[i] != UINT64_MAX);
		CHECK((unsigned)j.orig_zone[i] < 4 && (unsigned)j.orig_state[i] < 4);
		for (m = 0; m < i; m++)
			CHECK(j.blocks[m] != j.blocks[i]);
	}
	len = serialise(&j, buf, sizeof(buf));
	CHECK(mh_journal_parse(buf, len, &k, &bad) == 0);
	CHECK(k.op == j.op && !strcmp(k.dev, j.dev) && !strcmp(k.root, j.root) &&
	      !strcmp(k.saved_policy, j.saved_policy) &&
	      k.unbind_started == j.unbind_started && k.rebind_devdax == j.rebind_devdax &&
	      k.phase == j.phase &&
	      k.nr_blocks == j.nr_blocks);
	for (i = 0; i < j.nr_blocks; i++)
		CHECK(k.blocks[i] == j.blocks[i] && k.orig_zone[i] == j.orig_zone[i] &&
		      k.orig_state[i] == j.orig_state[i]);
	mh_journal_free(&k);
	mh_journal_free(&j);
	return 0;
}
