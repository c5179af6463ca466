// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal: round trip, atomic replace, listing, bad names and content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "lock.h"
#include "tap.h"

static char dir[] = "/tmp/mh-journal-XXXXXX";

static void put(const char *name, const char *content)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/run/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

int main(void)
{
	uint64_t blocks[] = { 34, 35 };
	enum mh_zone zones[] = { MH_ZONE_MOVABLE, MH_ZONE_NORMAL };
	enum mh_block_state states[] = { MH_BLOCK_ONLINE, MH_BLOCK_OFFLINE };
	struct mh_journal j = {
		.op = MH_OP_REMOVE, .dev = "dax1.2", .saved_policy = "online",
		.unbind_started = false, .rebind_devdax = true, .nr_blocks = 2,
		.blocks = blocks, .orig_zone = zones, .orig_state = states,
	}, r;
	char run[300], p[400], cmd[400], **names;
	size_t n, i;
	int err;

	if (!mkdtemp(dir)) {
		printf("1..0 # SKIP no temp dir\n");
		return 77;
	}
	snprintf(run, sizeof(run), "%s/run", dir);
	setenv("MEMHOTCTL_RUNDIR", run, 1);
	is_str(mh_journal_dir(), run, "MEMHOTCTL_RUNDIR is the journal dir");

	err = mh_journal_read("dax1.2", &r);
	is_int(err, -ENOENT, "no journal: ENOENT");
	err = mh_journal_write(&j);
	is_int(err, 0, "write (creates the dir)");
	snprintf(p, sizeof(p), "%s/dax1.2.journal.tmp", run);
	ok(access(p, F_OK) != 0, "no temporary file left");
	err = mh_journal_read("dax1.2", &r);
	is_int(err, 0, "read back");
	is_int(r.op, MH_OP_REMOVE, "op");
	is_str(r.dev, "dax1.2", "dev");
	is_str(r.saved_policy, "online", "saved policy");
	ok(!r.unbind_started && r.rebind_devdax, "flags");
	is_int(r.nr_blocks, 2, "blocks");
	ok(r.blocks[1] == 35 && r.orig_zone[1] == MH_ZONE_NORMAL &&
	   r.orig_state[1] == MH_BLOCK_OFFLINE, "block 35 normal offline");
	mh_journal_free(&r);

	j.unbind_started = true;
	j.saved_policy[0] = '\0';
	err = mh_journal_write(&j);
	is_int(err, 0, "rewrite");
	err = mh_journal_read("dax1.2", &r);
	is_int(err, 0, "read the new one");
	ok(r.unbind_started && !r.saved_policy[0], "replaced, not appended");
	mh_journal_free(&r);

	put("dax3.0.journal", "memhotctl-journal 1\nop offline\ndev dax3.0\n");
	put("junk.journal", "x");
	put("dax4.0.journal.tmp", "x");
	err = mh_journal_list(&names, &n);
	is_int(err, 0, "list");
	is_int(n, 2, "two journals of valid names");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);

	put("dax5.0.journal", "memhotctl-journal 1\nop remove\ndev dax5.0\nblock 1 sideways on\n");
	err = mh_journal_read("dax5.0", &r);
	is_int(err, -EINVAL, "bad block line refused");
	put("dax6.0.journal", "something else\n");
	err = mh_journal_read("dax6.0", &r);
	is_int(err, -EINVAL, "no magic: refused");
	put("dax7.0.journal", "memhotctl-journal 1\nop remove\ndev dax3.0\n");
	err = mh_journal_read("dax7.0", &r);
	is_int(err, -EINVAL, "dev mismatch refused");
	err = mh_journal_read("../etc/passwd", &r);
	is_int(err, -EINVAL, "bad name: no path built");
	err = mh_journal_remove("../x");
	is_int(err, -EINVAL, "bad name: remove refused");

	err = mh_journal_remove("dax1.2");
	is_int(err, 0, "remove");
	err = mh_journal_read("dax1.2", &r);
	is_int(err, -ENOENT, "gone");
	err = mh_journal_remove("dax1.2");
	is_int(err, 0, "remove again: fine");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("# cannot remove %s\n", dir);
	return tap_done();
}
