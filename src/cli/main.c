// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhotctl: git-style dispatch. Options may come before or after the
 * command; each option says which commands accept it, so one table drives
 * parsing, --help checks and the completion lists.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "out.h"

enum {
	C_STATUS = 1 << 0,
	C_ONLINE = 1 << 1,
	C_OFFLINE = 1 << 2,
	C_REMOVE = 1 << 3,
	C_RECOVER = 1 << 4,
	C_CHANGING = C_ONLINE | C_OFFLINE | C_REMOVE | C_RECOVER,
	C_ALL = C_STATUS | C_CHANGING,
};

struct cli_cmd {
	const char *name;
	cli_cmd_fn fn;
	unsigned mask;
	const char *usage;
	const char *summary;
};

static const struct cli_cmd commands[] = {
	{ "status", cmd_status, C_STATUS, "status [DEV...|all] [--blocks]",
	  "show dax devices, their memory blocks and the hotplug configuration" },
	{ "online", cmd_online, C_ONLINE, "online DEV [--zone movable|normal]",
	  "make DEV system RAM and online its blocks" },
	{ "offline", cmd_offline, C_OFFLINE, "offline DEV [--force]",
	  "offline every block of DEV, keep it bound to kmem" },
	{ "remove", cmd_remove, C_REMOVE, "remove DEV [--rebind devdax|none] [--force]",
	  "offline DEV's blocks, unbind kmem and verify the range is released" },
	{ "recover", cmd_recover, C_RECOVER, "recover [DEV]",
	  "finish or undo an operation that was killed" },
};

enum {
	OPT_TIMEOUT = 256,
	OPT_SYSROOT,
	OPT_DRY_RUN,
	OPT_BLOCKS,
	OPT_ZONE,
	OPT_REBIND,
	OPT_FORCE,
	OPT_LIST_CMDS,
	OPT_LIST_OPTS,
};

struct cli_opt {
	struct option lo;
	char sh;		/* short form, 0 none */
	unsigned mask;		/* commands that accept it */
	bool hidden;
	const char *arg;	/* argument name for --help */
	const char *help;
};

static const struct cli_opt opts[] = {
	{ { "json", no_argument, NULL, 'j' }, 'j', C_ALL, false, NULL,
	  "print JSON on stdout" },
	{ { "verbose", no_argument, NULL, 'v' }, 'v', C_ALL, false, NULL,
	  "show progress per block and library messages" },
	{ { "quiet", no_argument, NULL, 'q' }, 'q', C_ALL, false, NULL,
	  "print errors only" },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, 0, C_ALL, false, "SECONDS",
	  "deadline for the whole operation (default 120)" },
	{ { "sysroot", required_argument, NULL, OPT_SYSROOT }, 0, C_ALL, false, "DIR",
	  "use DIR as the root of /sys and /proc" },
	{ { "dry-run", no_argument, NULL, OPT_DRY_RUN }, 0, C_CHANGING, false, NULL,
	  "print the plan, change nothing" },
	{ { "blocks", no_argument, NULL, OPT_BLOCKS }, 0, C_STATUS, false, NULL,
	  "status: list every memory block of the system" },
	{ { "zone", required_argument, NULL, OPT_ZONE }, 0, C_ONLINE, false, "ZONE",
	  "online: movable (default) or normal" },
	{ { "rebind", required_argument, NULL, OPT_REBIND }, 0, C_REMOVE, false, "DRIVER",
	  "remove: devdax (default) or none" },
	{ { "force", no_argument, NULL, OPT_FORCE }, 0, C_REMOVE | C_OFFLINE, false, NULL,
	  "remove, offline: try though blocks are predicted refused or memory is short" },
	{ { "help", no_argument, NULL, 'h' }, 'h', C_ALL, false, NULL,
	  "show this help" },
	{ { "version", no_argument, NULL, 'V' }, 'V', C_ALL, false, NULL,
	  "show the version" },
	{ { "list-cmds", no_argument, NULL, OPT_LIST_CMDS }, 0, 0, true, NULL, NULL },
	{ { "list-opts", no_argument, NULL, OPT_LIST_OPTS }, 0, 0, true, NULL, NULL },
};

#define NR_OPTS (sizeof(opts) / sizeof(opts[0]))
#define NR_CMDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static bool opt_common(const struct cli_opt *o)
{
	return o->mask == C_ALL || o->mask == C_CHANGING;
}

/* Common options (common=true) or those of one command, for --help. */
static void print_opts(FILE *f, unsigned mask, bool common)
{
	for (size_t i = 0; i < NR_OPTS; i++) {
		const struct cli_opt *o = &opts[i];
		char lhs[64], sh[8] = "    ";

		if (o->hidden || !(o->mask & mask) || opt_common(o) != common)
			continue;
		if (o->sh)
			snprintf(sh, sizeof(sh), "-%c, ", o->sh);
		snprintf(lhs, sizeof(lhs), "%s--%s%s%s", sh, o->lo.name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", lhs, o->help);
	}
}

static void usage(FILE *f, const struct cli_cmd *cmd)
{
	if (cmd) {
		fprintf(f, "Usage: memhotctl [OPTIONS] %s\n\n%s.\n\nOptions:\n",
			cmd->usage, cmd->summary);
		print_opts(f, cmd->mask, false);
		print_opts(f, cmd->mask, true);
		fprintf(f, "\nSee memhotctl-%s(8).\n", cmd->name);
		return;
	}
	fputs("Usage: memhotctl [OPTIONS] COMMAND [ARGS]\n\n"
	      "Hot-remove device-dax (kmem) memory safely.\n\nCommands:\n", f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-44s %s\n", commands[i].usage, commands[i].summary);
	fputs("\nOptions (before or after the command):\n", f);
	print_opts(f, C_ALL, true);
	fputs("\nCommand options:\n", f);
	print_opts(f, C_ALL, false);
	fputs("\nDEV is a dax device name such as dax0.0.\n"
	      "Exit status: 0 done, 1 error (nothing changed), 2 usage, 3 busy (rolled back),\n"
	      "4 partial, 5 leaked. See memhotctl(8).\n", f);
}

static void list_opts(const struct cli_cmd *cmd)
{
	for (size_t i = 0; i < NR_OPTS; i++) {
		if (opts[i].hidden || (cmd && !(opts[i].mask & cmd->mask)))
			continue;
		printf("--%s\n", opts[i].lo.name);
	}
}

static int parse_timeout(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * Each block is a file to read, and a device may have thousands of them:
 * take every descriptor the hard limit allows; the executor bounds what it
 * keeps open by the soft limit it then finds (exec.c).
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * stdout's last flush and close. Where the output is the result (status,
 * --dry-run, --help) a failed write is a failure (1). An operation that
 * changed the system keeps its exit status, which says what it did; the
 * failed write is only reported, on stderr if that still works.
 */
static int close_stdout(int rc, bool changing)
{
	bool failed = ferror(stdout);	/* an earlier flush; its errno is gone */
	int err = 0;

	if (fflush(stdout) == EOF)
		err = errno;
	if (fclose(stdout) == EOF && !err)
		err = errno;
	if (!err && !failed)
		return rc;
	fprintf(stderr, "memhotctl: write error on stdout%s%s%s\n", err ? ": " : "",
		err ? strerror(err) : "",
		changing ? " (the exit status is the operation's)" : "");
	return changing || rc != MH_EXIT_OK ? rc : MH_EXIT_ERROR;
}

static int run(int argc, char **argv, bool *changing)
{
	struct option lopts[NR_OPTS + 1];
	struct cli_ctx ctx = { .timeout = MH_DEFAULT_TIMEOUT };
	const struct cli_cmd *cmd = NULL;
	bool help = false, list_cmds = false, list_op = false;
	int seen[NR_OPTS] = { 0 };
	int c, rc;

	for (size_t i = 0; i < NR_OPTS; i++)
		lopts[i] = opts[i].lo;
	memset(&lopts[NR_OPTS], 0, sizeof(lopts[0]));

	opterr = 0;	/* our own messages, prefixed "memhotctl:" whatever argv[0] is */
	while ((c = getopt_long(argc, argv, ":jvqhV", lopts, NULL)) != -1) {
		for (size_t i = 0; i < NR_OPTS; i++)
			if (opts[i].lo.val == c)
				seen[i] = 1;
		switch (c) {
		case 'j': ctx.json = true; break;
		case 'v': ctx.verbose++; break;
		case 'q': ctx.quiet = true; break;
		case 'h': help = true; break;
		case 'V':
			printf("memhotctl %s\n", PACKAGE_VERSION);
			return MH_EXIT_OK;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &ctx.timeout)) {
				cli_err("invalid --timeout '%s': expected seconds > 0", optarg);
				return MH_EXIT_USAGE;
			}
			break;
		case OPT_SYSROOT: ctx.sysroot = optarg; break;
		case OPT_DRY_RUN: ctx.dry_run = true; break;
		case OPT_BLOCKS: ctx.blocks = true; break;
		case OPT_ZONE: ctx.zone = optarg; break;
		case OPT_REBIND: ctx.rebind = optarg; break;
		case OPT_FORCE: ctx.force = true; break;
		case OPT_LIST_CMDS: list_cmds = true; break;
		case OPT_LIST_OPTS: list_op = true; break;
		case ':':
			cli_err("option '%s' needs an argument; see 'memhotctl --help'",
				argv[optind - 1]);
			return MH_EXIT_USAGE;
		default:
			if (optopt)
				cli_err("unknown option '-%c'; see 'memhotctl --help'", optopt);
			else
				cli_err("unknown option '%s'; see 'memhotctl --help'",
					argv[optind - 1]);
			return MH_EXIT_USAGE;
		}
	}

	if (optind < argc) {
		cmd = find_cmd(argv[optind]);
		if (!cmd && !list_op) {
			cli_err("'%s' is not a command; see 'memhotctl --help'", argv[optind]);
			return MH_EXIT_USAGE;
		}
	}
	if (list_cmds) {
		for (size_t i = 0; i < NR_CMDS; i++)
			printf("%s\n", commands[i].name);
		return MH_EXIT_OK;
	}
	if (list_op) {
		list_opts(cmd);
		return MH_EXIT_OK;
	}
	if (help) {
		usage(stdout, cmd);
		return MH_EXIT_OK;
	}
	if (!cmd) {
		usage(stderr, NULL);
		return MH_EXIT_USAGE;
	}
	for (size_t i = 0; i < NR_OPTS; i++) {
		if (seen[i] && !opts[i].hidden && !(opts[i].mask & cmd->mask)) {
			cli_err("option --%s does not apply to %s", opts[i].lo.name, cmd->name);
			return MH_EXIT_USAGE;
		}
	}
	ctx.cmd = cmd->name;
	*changing = (cmd->mask & C_CHANGING) && !ctx.dry_run;
	/* The whole operation: reading the system and planning count too. */
	mh_deadline_set(&ctx.deadline, ctx.timeout);
	ctx.nargs = argc - optind - 1;
	ctx.args = argv + optind + 1;
	cli_setup_log(&ctx);

	rc = mh_root_open(ctx.sysroot ? ctx.sysroot : "/", &ctx.root);
	if (rc && ctx.sysroot && (rc == -ENOSYS || rc == -EPERM)) {
		/* mh_root_open(): openat2 failed, nothing keeps paths in the tree */
		cli_err("--sysroot '%s' refused: openat2() RESOLVE_IN_ROOT is not available "
			"(%s: Linux 5.6 or later is needed, and no seccomp filter denying it)",
			ctx.sysroot, strerror(-rc));
		return MH_EXIT_ERROR;
	}
	if (rc) {
		cli_err("cannot open root '%s': %s", ctx.sysroot ? ctx.sysroot : "/",
			strerror(-rc));
		return MH_EXIT_ERROR;
	}
	rc = cmd->fn(&ctx);
	mh_root_close(ctx.root);
	return rc;
}

/*
 * Whether -j was asked for, and of which command, read from argv before
 * getopt: an unknown option can stop the parse before it reaches -j.
 */
static bool argv_json(int argc, char **argv, const char **command)
{
	bool json = false;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json"))
			json = true;
		else if (a[0] == '-' && a[1] != '-' && strchr(a, 'j') &&
			 strspn(a + 1, "jvqhV") == strlen(a + 1))
			json = true;
		else if (a[0] != '-' && !*command && find_cmd(a))
			*command = find_cmd(a)->name;
	}
	return json;
}

int main(int argc, char **argv)
{
	const char *command = NULL;
	bool changing = false;
	int rc;

	/*
	 * A reader that goes away (| head, a dropped ssh session) must not end
	 * an operation halfway: a write to it then fails with EPIPE, and
	 * nothing but the output is lost.
	 */
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	rc = run(argc, argv, &changing);
	if (rc != MH_EXIT_OK && !json_printed && argv_json(argc, argv, &command))
		json_error(command, rc, cli_first_error());
	return close_stdout(rc, changing);
}
