// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhotctl.conf: the parser takes what memhotctl.conf(5) describes and
 * refuses everything else with file and line; matching picks the entry the
 * page says wins; loading reads the drop-ins in name order and refuses a
 * file it must not trust.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devconf.h"
#include "tap.h"
#include "testfile.h"

#define UUID "76927df9-bba6-4621-a858-485c53e8fc14"
#define INFO_UUID "c0a1f2e3-5b6d-4e7f-8a9b-0c1d2e3f4a5b"

static void good(void)
{
	struct mh_config cfg = { 0 };
	struct mh_conf_error err = { 0 };
	const char *text =
		"# comment\n"
		"; another\n"
		"\n"
		"[device]\n"
		"uuid = 76927DF9-bba6-4621-a858-485c53e8fc14\n"
		"state = system-ram\n"
		"  [device]  \n"
		"start=0x240000000\n"
		"state=devdax\n"
		"[device]\n"
		"kind = hmem\n"
		"node = 2\n"
		"state = system-ram\n"
		"zone = normal\n";

	is_int(mh_config_parse("a.conf", text, &cfg, &err), 0, "a valid file parses");
	is_int(cfg.count, 3, "three entries");
	if (cfg.count == 3) {
		is_str(cfg.v[0].uuid, "76927df9-bba6-4621-a858-485c53e8fc14",
		       "uuid stored in lower case");
		is_int(cfg.v[0].zone, MH_CONF_ZONE_MOVABLE, "zone defaults to movable");
		is_int(cfg.v[0].line, 4, "entry line is its header's");
		is_int(cfg.v[1].start, 0x240000000ull, "start in hex");
		is_int(cfg.v[1].state, MH_CONF_DEVDAX, "state devdax");
		is_int(cfg.v[2].kind, MH_KIND_HMEM, "kind hmem");
		is_int(cfg.v[2].node, 2, "node 2");
		is_int(cfg.v[2].zone, MH_CONF_ZONE_NORMAL, "zone normal");
		is_int(cfg.v[2].select, MH_SEL_KIND | MH_SEL_NODE, "two selectors");
	}
	mh_config_free(&cfg);
	is_int(mh_config_parse("e.conf", "", &cfg, &err), 0, "an empty file parses");
	is_int(cfg.count, 0, "and has no entry");
	mh_config_free(&cfg);
}

/* Each is refused, with the line that is wrong. */
static void bad(void)
{
	static const struct {
		const char *what, *text;
		unsigned line;
	} cases[] = {
		{ "unknown key", "[device]\nname = dax0.0\ncolour = blue\nstate = devdax\n", 3 },
		{ "unknown section", "[devices]\n", 1 },
		{ "key before any entry", "state = devdax\n", 1 },
		{ "no equals sign", "[device]\nname dax0.0\n", 2 },
		{ "bad uuid", "[device]\nuuid = 1234\nstate = devdax\n", 2 },
		{ "uuid without dashes", "[device]\nuuid = 76927df9bba64621a858485c53e8fc14abcd\n", 2 },
		{ "bad start", "[device]\nstart = 0xzz\nstate = devdax\n", 2 },
		{ "start with sign", "[device]\nstart = -1\nstate = devdax\n", 2 },
		{ "bad name", "[device]\nname = ../dax0.0\nstate = devdax\n", 2 },
		{ "negative node", "[device]\nnode = -1\nstate = devdax\n", 2 },
		{ "unknown kind", "[device]\nkind = dram\nstate = devdax\n", 2 },
		{ "unknown state", "[device]\nname = dax0.0\nstate = online\n", 3 },
		{ "unknown zone", "[device]\nname = dax0.0\nstate = system-ram\nzone = dma\n", 4 },
		{ "key twice", "[device]\nname = dax0.0\nname = dax1.0\nstate = devdax\n", 3 },
		{ "state twice", "[device]\nname = dax0.0\nstate = devdax\nstate = devdax\n", 4 },
		{ "zone twice", "[device]\nname = dax0.0\nstate = system-ram\nzone = normal\nzone = normal\n", 5 },
		{ "no selector", "# x\n[device]\nstate = devdax\n", 2 },
		{ "no state", "[device]\nname = dax0.0\n[device]\nname = dax1.0\nstate = devdax\n", 1 },
		{ "zone with devdax", "[device]\nname = dax0.0\nstate = devdax\nzone = normal\n", 1 },
		{ "inline comment", "[device]\nname = dax0.0 # mine\nstate = devdax\n", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mh_config cfg = { 0 };
		struct mh_conf_error err = { 0 };
		int ret = mh_config_parse("x.conf", cases[i].text, &cfg, &err);

		ok(ret == -EINVAL && err.line == cases[i].line && !strcmp(err.file, "x.conf") &&
		   err.msg[0], "%s: refused at line %u (got %d, line %u: %s)", cases[i].what,
		   cases[i].line, ret, err.line, err.msg);
		mh_config_free(&cfg);
	}
}

static int match(const char *text, const struct mh_dev_identity *id,
		 const struct mh_conf_entry **e, struct mh_conf_error *err)
{
	static struct mh_config cfg;

	mh_config_free(&cfg);
	if (mh_config_parse("m.conf", text, &cfg, err))
		return -100;
	return mh_config_match(&cfg, id, e, err);
}

static void matching(void)
{
	struct mh_dev_identity nv = {
		.name = "dax0.0", .kind = MH_KIND_NVDIMM, .has_start = true,
		.start = 0x240000000ull, .node = 1, .uuid = UUID, .info_uuid = INFO_UUID,
	};
	struct mh_dev_identity hmem = {
		.name = "dax1.0", .kind = MH_KIND_HMEM, .has_start = true,
		.start = 0x440000000ull, .node = 2,
	};
	const struct mh_conf_entry *e;
	struct mh_conf_error err;

	is_int(match("[device]\nuuid = " UUID "\nstate = devdax\n", &nv, &e, &err), 1,
	       "uuid selects the namespace's device");
	is_int(match("[device]\nuuid = " UUID "\nstate = devdax\n", &hmem, &e, &err), 0,
	       "a device without a namespace has no uuid to match");
	is_int(match("[device]\nuuid = " INFO_UUID "\nstate = devdax\n", &nv, &e, &err), 1,
	       "the dax info block's uuid (ndctl's \"uuid\" of a devdax namespace) selects it too");
	is_int(match("[device]\nuuid = 00000000-0000-4000-8000-000000000000\nstate = devdax\n",
		     &nv, &e, &err), 0, "another uuid selects neither");
	is_int(match("[device]\nstart = 0x440000000\nstate = devdax\n", &hmem, &e, &err), 1,
	       "start selects by the first range");
	is_int(match("[device]\nkind = hmem\nnode = 3\nstate = devdax\n", &hmem, &e, &err), 0,
	       "every selector of an entry must match");
	is_int(match("[device]\nkind = hmem\nnode = 2\nstate = devdax\n", &hmem, &e, &err), 1,
	       "kind and node together");
	is_int(match("[device]\nkind = hmem\nstate = devdax\n"
		     "[device]\nstart = 0x440000000\nstate = system-ram\n", &hmem, &e, &err), 1,
	       "identity entry and class entry both match");
	ok(e && e->state == MH_CONF_SYSTEM_RAM && e->line == 4,
	   "the identity entry wins over the class entry, whatever the order");
	is_int(match("[device]\nname = dax1.0\nstate = devdax\n"
		     "[device]\nstart = 0x440000000\nstate = system-ram\n", &hmem, &e, &err),
	       -EINVAL, "two identity entries wanting different states: refused");
	ok(err.line == 4 && strstr(err.msg, "m.conf:1") && strstr(err.msg, "dax1.0"),
	   "the refusal names both entries and the device (%u: %s)", err.line, err.msg);
	is_int(match("[device]\nkind = hmem\nstate = system-ram\n"
		     "[device]\nnode = 2\nstate = system-ram\nzone = normal\n", &hmem, &e, &err),
	       -EINVAL, "two class entries wanting different zones: refused");
	is_int(match("[device]\nkind = hmem\nstate = system-ram\n"
		     "[device]\nnode = 2\nstate = system-ram\nzone = normal\n"
		     "[device]\nname = dax1.0\nstate = devdax\n", &hmem, &e, &err), 1,
	       "a class conflict does not matter when an identity entry decides");
	is_int(match("[device]\nkind = hmem\nstate = devdax\n"
		     "[device]\nnode = 2\nstate = devdax\n", &hmem, &e, &err), 1,
	       "two entries wanting the same: no conflict");
	is_int(match("[device]\nkind = cxl\nstate = devdax\n", &hmem, &e, &err), 0,
	       "no entry: the device is left alone");
	ok(!e, "and no entry is returned");
}

static char dir[] = "/tmp/mh-config-XXXXXX";

static void put(const char *rel, const char *text, mode_t mode)
{
	test_put_file(dir, rel, text, (int)mode);
}

static void loading(void)
{
	struct mh_config cfg;
	struct mh_conf_error err = { 0 };
	struct mh_root *root;
	char p[512];

	if (!mkdtemp(dir) || mh_root_open(dir, &root)) {
		ok(0, "test tree %s", dir);
		return;
	}
	is_int(mh_config_load(root, &cfg, &err), 0, "no configuration at all: empty, no error");
	is_int(cfg.nr_files, 0, "no file read");
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/memhotctl.conf.d", dir);
	mkdir(p, 0755);
	put("etc/memhotctl.conf", "[device]\nname = dax0.0\nstate = devdax\n", 0644);
	put("etc/memhotctl.conf.d/20-b.conf", "[device]\nname = dax2.0\nstate = devdax\n", 0644);
	put("etc/memhotctl.conf.d/10-a.conf", "[device]\nname = dax1.0\nstate = devdax\n", 0644);
	put("etc/memhotctl.conf.d/30-c.conf.bak", "garbage\n", 0644);
	put("etc/memhotctl.conf.d/.40-d.conf", "garbage\n", 0644);
	is_int(mh_config_load(root, &cfg, &err), 0, "main file and drop-ins load");
	is_int(cfg.nr_files, 3, "three files read, other names ignored");
	ok(cfg.count == 3 && !strcmp(cfg.v[0].name, "dax0.0") &&
	   !strcmp(cfg.v[1].name, "dax1.0") && !strcmp(cfg.v[2].name, "dax2.0"),
	   "main file first, then drop-ins in name order");
	ok(cfg.count == 3 && strstr(cfg.v[1].file, "/etc/memhotctl.conf.d/10-a.conf"),
	   "an entry knows its file (%s)", cfg.count ? cfg.v[1].file : "");
	mh_config_free(&cfg);

	put("etc/memhotctl.conf.d/20-b.conf", "[device]\nname = dax2.0\nstate = gone\n", 0644);
	is_int(mh_config_load(root, &cfg, &err), -EINVAL, "one bad drop-in refuses the whole");
	ok(strstr(err.file, "20-b.conf") && err.line == 3, "naming its file and line (%s:%u)",
	   err.file, err.line);
	is_int(cfg.count, 0, "and leaves nothing to apply");
	put("etc/memhotctl.conf.d/20-b.conf", "", 0644);

	snprintf(p, sizeof(p), "%s/etc/memhotctl.conf.d/50-fifo.conf", dir);
	if (mkfifo(p, 0644) == 0) {
		is_int(mh_config_load(root, &cfg, &err), -MH_ENOTREG,
		       "a FIFO is refused without blocking");
		ok(strstr(err.file, "50-fifo.conf") != NULL, "naming it (%s)", err.file);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/etc/memhotctl.conf.d/60-link.conf", dir);
	if (symlink("../memhotctl.conf", p) == 0) {
		ok(mh_config_load(root, &cfg, &err) < 0 && strstr(err.file, "60-link.conf"),
		   "a symbolic link is not followed (%s: %s)", err.file, err.msg);
		unlink(p);
	}
	put("etc/memhotctl.conf", "[device]\nname = dax0.0\n\x01state = devdax\n", 0644);
	is_int(mh_config_load(root, &cfg, &err), -EINVAL, "garbage is refused");
	mh_config_free(&cfg);
	mh_root_close(root);
}

static void trust(void)
{
	struct stat st = { .st_uid = 0, .st_mode = S_IFREG | 0644 };

	ok(mh_config_trusted(&st), "root's 0644 file is trusted");
	st.st_mode = S_IFREG | 0664;
	ok(!mh_config_trusted(&st), "a group-writable file is not");
	st.st_mode = S_IFREG | 0646;
	ok(!mh_config_trusted(&st), "a world-writable file is not");
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 1000;
	ok(!mh_config_trusted(&st), "another user's file is not");
}

int main(void)
{
	trust();
	good();
	bad();
	matching();
	loading();
	return tap_done();
}
