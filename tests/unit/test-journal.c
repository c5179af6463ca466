// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal: round trip, atomic replace, listing, bad names and content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "journal.h"
#include "lock.h"
#include "tap.h"
#include "testfile.h"

static char dir[] = "/tmp/mh-journal-XXXXXX";

static void put(const char *name, const char *content)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "run/%s", name);
	test_put_file(dir, rel, content, -1);
}

#define HEAD "memhotctl-journal 1\nop remove\ndev dax0.0\nroot /\n"
#define FLAGS "unbind_started 0\nrebind_devdax 1\n"

/* The strict parser: each of these is refused, whole. */
static void parser(void)
{
	static const struct { const char *what, *text; } bad[] = {
		{ "flag with junk", HEAD "unbind_started 1junk\nrebind_devdax 1\n" },
		{ "flag 2", HEAD "unbind_started 2\nrebind_devdax 1\n" },
		{ "negative block", HEAD FLAGS "block -1 movable online\n" },
		{ "block 2^64 overflows", HEAD FLAGS "block 18446744073709551616 movable online\n" },
		{ "block 2^64-1", HEAD FLAGS "block 18446744073709551615 movable online\n" },
		{ "block +1", HEAD FLAGS "block +1 movable online\n" },
		{ "block 01", HEAD FLAGS "block 01 movable online\n" },
		{ "block twice", HEAD FLAGS "block 3 movable online\nblock 3 movable online\n" },
		{ "blocks downwards", HEAD FLAGS "block 4 movable online\nblock 3 movable online\n" },
		{ "block extra word", HEAD FLAGS "block 3 movable online x\n" },
		{ "no op", "memhotctl-journal 1\ndev dax0.0\nroot /\n" FLAGS },
		{ "op twice", HEAD "op online\n" FLAGS },
		{ "no root", "memhotctl-journal 1\nop remove\ndev dax0.0\n" FLAGS },
		{ "relative root", "memhotctl-journal 1\nop remove\ndev dax0.0\nroot x\n" FLAGS },
		{ "no flags", HEAD },
		{ "unknown key", HEAD FLAGS "colour blue\n" },
		{ "policy not the kernel's", HEAD FLAGS "policy xyz_garbage\n" },
		{ "policy twice", HEAD FLAGS "policy online\npolicy online\n" },
		{ "double space", HEAD "unbind_started  0\nrebind_devdax 1\n" },
		{ "trailing space", HEAD "unbind_started 0 \nrebind_devdax 1\n" },
		{ "empty line", HEAD FLAGS "\n" },
		{ "last line cut", HEAD "unbind_started 0\nrebind_devdax 1" },
		{ "magic 2", "memhotctl-journal 2\nop remove\ndev dax0.0\nroot /\n" FLAGS },
		{ "bad dev", "memhotctl-journal 1\nop remove\ndev ../x\nroot /\n" FLAGS },
		{ "unknown phase", HEAD FLAGS "phase sideways\n" },
		{ "phase twice", HEAD FLAGS "phase changed\nphase changed\n" },
		{ "phase past the unbind, unbind_started 0", HEAD FLAGS "phase unbound\n" },
		{ "phase before the unbind, unbind_started 1",
		  HEAD "unbind_started 1\nrebind_devdax 1\nphase changed\n" },
	};
	char longline[400];
	struct mh_journal j;
	size_t i, line;
	int err;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = mh_journal_parse(bad[i].text, strlen(bad[i].text), &j, &line);
		is_int(err, -EINVAL, bad[i].what);
	}
	/* A NUL inside a line. */
	err = mh_journal_parse(HEAD FLAGS "block 3\0 movable online\n",
			       sizeof(HEAD FLAGS "block 3\0 movable online\n") - 1, &j, &line);
	is_int(err, -EINVAL, "NUL in a line");
	/* Over 255 bytes: refused, not split into two lines. */
	snprintf(longline, sizeof(longline), "%s%s%-300s\n", HEAD, FLAGS, "policy online");
	err = mh_journal_parse(longline, strlen(longline), &j, &line);
	is_int(err, -EINVAL, "line over 255 bytes");
	err = mh_journal_parse(HEAD FLAGS, strlen(HEAD FLAGS), &j, &line);
	is_int(err, 0, "minimal journal");
	err = mh_journal_parse(HEAD "policy online_movable\n" FLAGS
			       "block 18446744073709551614 normal going-offline\n",
			       strlen(HEAD "policy online_movable\n" FLAGS
				      "block 18446744073709551614 normal going-offline\n"),
			       &j, &line);
	is_int(err, 0, "largest block id, policy online_movable");
	ok(!err && j.nr_blocks == 1 && j.blocks[0] == UINT64_MAX - 1 && j.rebind_devdax &&
	   !strcmp(j.saved_policy, "online_movable") && !strcmp(j.root, "/"), "values");
	mh_journal_free(&j);
	/* An older memhotctl's journal has no phase: unbind_started says. */
	err = mh_journal_parse(HEAD FLAGS, strlen(HEAD FLAGS), &j, &line);
	ok(!err && j.phase == MH_PHASE_CHANGED, "no phase line, unbind_started 0: changed");
	mh_journal_free(&j);
	err = mh_journal_parse(HEAD "unbind_started 1\nrebind_devdax 1\n",
			       strlen(HEAD "unbind_started 1\nrebind_devdax 1\n"), &j, &line);
	ok(!err && j.phase == MH_PHASE_UNBINDING, "no phase line, unbind_started 1: unbinding");
	mh_journal_free(&j);
	err = mh_journal_parse(HEAD "unbind_started 1\nrebind_devdax 1\nphase unbind-running\n",
			       strlen(HEAD "unbind_started 1\nrebind_devdax 1\n"
				      "phase unbind-running\n"), &j, &line);
	ok(!err && j.phase == MH_PHASE_UNBIND_RUNNING, "phase unbind-running read");
	mh_journal_free(&j);
}

/* The file itself: root's (or ours), 0644 at most, regular, one link; never blocks. */
static void file_checks(const char *run)
{
	char p[400], q[400];
	struct mh_journal r;
	int err;

	snprintf(p, sizeof(p), "%s/dax8.0.journal", run);
	put("dax8.0.journal", "memhotctl-journal 1\nop remove\ndev dax8.0\nroot /\n"
	    "unbind_started 0\nrebind_devdax 1\n");
	chmod(p, 0644);
	err = mh_journal_read("dax8.0", &r);
	is_int(err, 0, "0644 journal read");
	mh_journal_free(&r);
	chmod(p, 0666);
	is_int(mh_journal_read("dax8.0", &r), -EPERM, "world-writable journal refused");
	chmod(p, 0644);
	snprintf(q, sizeof(q), "%s/other", run);
	if (link(p, q) == 0) {
		is_int(mh_journal_read("dax8.0", &r), -EPERM, "journal with two links refused");
		unlink(q);
	}
	unlink(p);
	if (symlink("/etc/passwd", p) == 0)
		is_int(mh_journal_read("dax8.0", &r), -EPERM, "symlinked journal refused");
	unlink(p);
	/* A FIFO with no writer would block open() and read() forever. */
	if (mkfifo(p, 0644) == 0) {
		alarm(5);
		is_int(mh_journal_read("dax8.0", &r), -EPERM, "FIFO journal refused, no hang");
		alarm(0);
		is_int(mh_journal_exists("dax8.0"), 1, "FIFO still counts as pending");
		unlink(p);
	}
	if (geteuid() == 0) {
		put("dax8.0.journal", "memhotctl-journal 1\nop remove\ndev dax8.0\nroot /\n"
		    "unbind_started 0\nrebind_devdax 1\n");
		chmod(p, 0644);
		if (chown(p, 65534, 65534) == 0)
			is_int(mh_journal_read("dax8.0", &r), -EPERM,
			       "journal of another user refused");
		unlink(p);
	}
	/* Bigger than the cap: refused, not read into memory. */
	put("dax8.0.journal", "x");
	chmod(p, 0644);
	if (truncate(p, MH_JOURNAL_MAX_BYTES + 1) == 0)
		is_int(mh_journal_read("dax8.0", &r), -EFBIG, "oversized journal refused");
	unlink(p);
}

int main(void)
{
	uint64_t blocks[] = { 34, 35 };
	enum mh_zone zones[] = { MH_ZONE_MOVABLE, MH_ZONE_NORMAL };
	enum mh_block_state states[] = { MH_BLOCK_ONLINE, MH_BLOCK_OFFLINE };
	struct mh_journal j = {
		.op = MH_OP_REMOVE, .dev = "dax1.2", .root = "/tree", .saved_policy = "online",
		.unbind_started = false, .rebind_devdax = true, .phase = MH_PHASE_CHANGED,
		.nr_blocks = 2,
		.blocks = blocks, .orig_zone = zones, .orig_state = states,
	}, r;
	char run[300], p[400], cmd[400], **names;
	struct stat st;
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
	is_int(r.phase, MH_PHASE_CHANGED, "phase");
	is_int(r.nr_blocks, 2, "blocks");
	ok(r.blocks[1] == 35 && r.orig_zone[1] == MH_ZONE_NORMAL &&
	   r.orig_state[1] == MH_BLOCK_OFFLINE, "block 35 normal offline");
	mh_journal_free(&r);

	j.unbind_started = true;
	j.phase = MH_PHASE_UNBINDING;
	j.saved_policy[0] = '\0';
	err = mh_journal_write(&j);
	is_int(err, 0, "rewrite");
	err = mh_journal_read("dax1.2", &r);
	is_int(err, 0, "read the new one");
	ok(r.unbind_started && !r.saved_policy[0], "replaced, not appended");
	is_int(r.phase, MH_PHASE_UNBINDING, "phase unbinding written and read back");
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
	put("dax7.0.journal", "memhotctl-journal 1\nop remove\ndev dax3.0\nroot /\nunbind_started 0\nrebind_devdax 1\n");
	err = mh_journal_read("dax7.0", &r);
	is_int(err, -EINVAL, "dev mismatch refused");
	err = mh_journal_read("../etc/passwd", &r);
	is_int(err, -EINVAL, "bad name: no path built");
	err = mh_journal_remove("../x");
	is_int(err, -EINVAL, "bad name: remove refused");

	parser();
	file_checks(run);
	/* What mh_journal_write() makes: 0644 whatever the umask, the root line. */
	umask(0);
	err = mh_journal_write(&j);
	umask(022);
	snprintf(p, sizeof(p), "%s/dax1.2.journal", run);
	ok(!err && stat(p, &st) == 0 && (st.st_mode & 07777) == 0644, "written 0644");
	err = mh_journal_read("dax1.2", &r);
	ok(!err && !strcmp(r.root, "/tree"), "root line kept");
	mh_journal_free(&r);
	is_int(mh_journal_exists("dax1.2"), 1, "exists");
	is_int(mh_journal_exists("dax1.3"), 0, "does not exist");

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
