// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memhotctl: git-style dispatch. Options may come before or after the
 * command. The common options and the table of commands are here; each
 * command's file holds its own option table and run function, which the
 * table names, so one table per command drives parsing, --help and the
 * completion lists.
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

/* Every command, as --help lists them: the run function and options are its file's. */
static const struct cli_cmd commands[] = {
	{ "status", "status [DEV...|all] [--blocks]",
	  "show dax devices, their memory blocks and the hotplug configuration",
	  false, cli_status_opts, cli_status_run },
	{ "online", "online DEV [--zone movable|normal]",
	  "make DEV system RAM and online its blocks",
	  true, cli_online_opts, cli_online_run },
	{ "offline", "offline DEV [--force]",
	  "offline every block of DEV, keep it bound to kmem",
	  true, cli_offline_opts, cli_offline_run },
	{ "remove", "remove DEV [--rebind devdax|none] [--force]",
	  "offline DEV's blocks, unbind kmem and verify the range is released",
	  true, cli_remove_opts, cli_remove_run },
	{ "recover", "recover [DEV]",
	  "finish or undo an operation that was killed",
	  true, NULL, cli_recover_run },
	{ "apply", "apply DEV...|all [--config PATH]",
	  "bring devices to the state memhotctl.conf gives them",
	  true, cli_apply_opts, cli_apply_run },
};

enum {
	OPT_TIMEOUT = 256,
	OPT_SYSROOT,
	OPT_DRY_RUN,
	OPT_LIST_CMDS,
	OPT_LIST_OPTS,
	OPT_CMD,	/* OPT_CMD + i: the i-th distinct command option name */
};

enum { FOR_ALL, FOR_CHANGING, HIDDEN };

/* The options every command takes (FOR_CHANGING: those that change state). */
struct cli_common_opt {
	struct option lo;
	char sh;		/* short form, 0 none */
	int scope;
	const char *arg;	/* argument name for --help */
	const char *help;
};

static const struct cli_common_opt common_opts[] = {
	{ { "json", no_argument, NULL, 'j' }, 'j', FOR_ALL, NULL,
	  "print JSON on stdout" },
	{ { "verbose", no_argument, NULL, 'v' }, 'v', FOR_ALL, NULL,
	  "show progress per block and library messages" },
	{ { "quiet", no_argument, NULL, 'q' }, 'q', FOR_ALL, NULL,
	  "print errors only" },
	{ { "timeout", required_argument, NULL, OPT_TIMEOUT }, 0, FOR_ALL, "SECONDS",
	  "deadline for the whole operation (default 120)" },
	{ { "sysroot", required_argument, NULL, OPT_SYSROOT }, 0, FOR_ALL, "DIR",
	  "use DIR as the root of /sys and /proc" },
	{ { "dry-run", no_argument, NULL, OPT_DRY_RUN }, 0, FOR_CHANGING, NULL,
	  "print the plan, change nothing" },
	{ { "help", no_argument, NULL, 'h' }, 'h', FOR_ALL, NULL,
	  "show this help" },
	{ { "version", no_argument, NULL, 'V' }, 'V', FOR_ALL, NULL,
	  "show the version" },
	{ { "list-cmds", no_argument, NULL, OPT_LIST_CMDS }, 0, HIDDEN, NULL, NULL },
	{ { "list-opts", no_argument, NULL, OPT_LIST_OPTS }, 0, HIDDEN, NULL, NULL },
};

#define NR_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))
#define NR_CMDS (sizeof(commands) / sizeof(commands[0]))
/* Distinct command option names, all commands together. */
#define MAX_CMD_OPTS 64

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const struct cli_option *cmd_opt(const struct cli_cmd *cmd, const char *name)
{
	for (const struct cli_option *o = cmd->opts; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

static bool common_applies(const struct cli_common_opt *o, const struct cli_cmd *cmd)
{
	return o->scope == FOR_ALL || (o->scope == FOR_CHANGING && (!cmd || cmd->changing));
}

static void print_opt(FILE *f, char short_form, const char *name, const char *arg,
		      const char *help)
{
	char lhs[64], sh[8] = "    ";

	if (short_form)
		snprintf(sh, sizeof(sh), "-%c, ", short_form);
	snprintf(lhs, sizeof(lhs), "%s--%s%s%s", sh, name, arg ? " " : "", arg ? arg : "");
	fprintf(f, "  %-24s %s\n", lhs, help);
}

static void print_common(FILE *f, const struct cli_cmd *cmd)
{
	for (size_t i = 0; i < NR_COMMON; i++) {
		const struct cli_common_opt *o = &common_opts[i];

		if (common_applies(o, cmd))
			print_opt(f, o->sh, o->lo.name, o->arg, o->help);
	}
}

/*
 * The distinct names of every command's options, in command order: the
 * long options getopt knows besides the common ones (an option may come
 * before its command). Returns how many.
 */
static size_t cmd_opt_names(const struct cli_option **out)
{
	size_t n = 0;

	for (size_t c = 0; c < NR_CMDS; c++) {
		for (const struct cli_option *o = commands[c].opts; o && o->name; o++) {
			size_t i;

			for (i = 0; i < n && strcmp(out[i]->name, o->name); i++)
				;
			if (i == n && n < MAX_CMD_OPTS)
				out[n++] = o;
		}
	}
	return n;
}

static void usage(FILE *f, const struct cli_cmd *cmd)
{
	const struct cli_option *names[MAX_CMD_OPTS];
	size_t n;

	if (cmd) {
		fprintf(f, "Usage: memhotctl [OPTIONS] %s\n\n%s.\n\nOptions:\n",
			cmd->usage, cmd->summary);
		for (const struct cli_option *o = cmd->opts; o && o->name; o++)
			print_opt(f, 0, o->name, o->argname, o->help);
		print_common(f, cmd);
		fprintf(f, "\nSee memhotctl-%s(8).\n", cmd->name);
		return;
	}
	fputs("Usage: memhotctl [OPTIONS] COMMAND [ARGS]\n\n"
	      "Hot-remove device-dax (kmem) memory safely.\n\nCommands:\n", f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-44s %s\n", commands[i].usage, commands[i].summary);
	fputs("\nOptions (before or after the command):\n", f);
	print_common(f, NULL);
	fputs("\nCommand options:\n", f);
	n = cmd_opt_names(names);
	for (size_t i = 0; i < n; i++)
		print_opt(f, 0, names[i]->name, names[i]->argname, names[i]->help);
	fputs("\nDEV is a dax device name such as dax0.0.\n"
	      "Exit status: 0 done, 1 error (nothing changed), 2 usage, 3 busy (rolled back),\n"
	      "4 partial, 5 leaked. See memhotctl(8).\n", f);
}

static void list_opts(const struct cli_cmd *cmd)
{
	const struct cli_option *names[MAX_CMD_OPTS];
	size_t n = cmd_opt_names(names);

	for (size_t i = 0; i < NR_COMMON; i++)
		if (common_opts[i].scope != HIDDEN && common_applies(&common_opts[i], cmd))
			printf("--%s\n", common_opts[i].lo.name);
	for (size_t i = 0; i < n; i++)
		if (!cmd || cmd_opt(cmd, names[i]->name))
			printf("--%s\n", names[i]->name);
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

/* What the command line asked for besides the common options. */
struct cli_args {
	bool help, list_cmds, list_opts;
	bool common_seen[NR_COMMON];
	const struct cli_option *names[MAX_CMD_OPTS];	/* command options, by val */
	size_t nr_names;
	size_t nr_given;		/* command options given, in argv order */
	struct { size_t name; const char *arg; } *given;
};

static int parse_common(struct cli_ctx *ctx, struct cli_args *a, int c, char **argv)
{
	switch (c) {
	case 'j': ctx->json = true; break;
	case 'v': ctx->verbose++; break;
	case 'q': ctx->quiet = true; break;
	case 'h': a->help = true; break;
	case 'V':
		printf("memhotctl %s\n", PACKAGE_VERSION);
		return -1;
	case OPT_TIMEOUT:
		if (parse_timeout(optarg, &ctx->timeout)) {
			cli_err("invalid --timeout '%s': expected seconds > 0", optarg);
			return MH_EXIT_USAGE;
		}
		break;
	case OPT_SYSROOT: ctx->sysroot = optarg; break;
	case OPT_DRY_RUN: ctx->dry_run = true; break;
	case OPT_LIST_CMDS: a->list_cmds = true; break;
	case OPT_LIST_OPTS: a->list_opts = true; break;
	case ':':
		cli_err("option '%s' needs an argument; see 'memhotctl --help'",
			argv[optind - 1]);
		return MH_EXIT_USAGE;
	default:
		if (optopt)
			cli_err("unknown option '-%c'; see 'memhotctl --help'", optopt);
		else
			cli_err("unknown option '%s'; see 'memhotctl --help'", argv[optind - 1]);
		return MH_EXIT_USAGE;
	}
	return 0;
}

/*
 * Every option, wherever it stands: common ones take effect now, a
 * command's are kept until the command is known. Returns 0, an exit
 * status, or -1 when done (--version).
 */
static int parse_args(int argc, char **argv, struct cli_ctx *ctx, struct cli_args *a)
{
	struct option lopts[NR_COMMON + MAX_CMD_OPTS + 1];
	size_t n = 0;
	int c, rc;

	for (size_t i = 0; i < NR_COMMON; i++)
		lopts[n++] = common_opts[i].lo;
	a->nr_names = cmd_opt_names(a->names);
	for (size_t i = 0; i < a->nr_names; i++)
		lopts[n++] = (struct option){ a->names[i]->name,
			a->names[i]->argname ? required_argument : no_argument,
			NULL, OPT_CMD + (int)i };
	memset(&lopts[n], 0, sizeof(lopts[0]));
	a->given = calloc((size_t)argc, sizeof(*a->given));
	if (!a->given) {
		cli_err("%s", strerror(ENOMEM));
		return MH_EXIT_ERROR;
	}

	opterr = 0;	/* our own messages, prefixed "memhotctl:" whatever argv[0] is */
	while ((c = getopt_long(argc, argv, ":jvqhV", lopts, NULL)) != -1) {
		if (c >= OPT_CMD) {
			a->given[a->nr_given].name = (size_t)(c - OPT_CMD);
			a->given[a->nr_given++].arg = optarg;
			continue;
		}
		for (size_t i = 0; i < NR_COMMON; i++)
			if (common_opts[i].lo.val == c)
				a->common_seen[i] = true;
		rc = parse_common(ctx, a, c, argv);
		if (rc)
			return rc;
	}
	return 0;
}

/* The command's options into its own variables, or usage if one is not its. */
static int apply_cmd_opts(const struct cli_cmd *cmd, const struct cli_args *a)
{
	for (size_t i = 0; i < NR_COMMON; i++) {
		const struct cli_common_opt *o = &common_opts[i];

		if (a->common_seen[i] && o->scope != HIDDEN && !common_applies(o, cmd)) {
			cli_err("option --%s does not apply to %s", o->lo.name, cmd->name);
			return MH_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < a->nr_names; i++) {
		for (size_t g = 0; g < a->nr_given; g++) {
			if (a->given[g].name == i && !cmd_opt(cmd, a->names[i]->name)) {
				cli_err("option --%s does not apply to %s", a->names[i]->name,
					cmd->name);
				return MH_EXIT_USAGE;
			}
		}
	}
	for (size_t g = 0; g < a->nr_given; g++) {
		const struct cli_option *o = cmd_opt(cmd, a->names[a->given[g].name]->name);

		if (o->flag)
			*o->flag = true;
		if (o->arg)
			*o->arg = a->given[g].arg;
	}
	return 0;
}

static int open_root(struct cli_ctx *ctx)
{
	int rc = mh_root_open(ctx->sysroot ? ctx->sysroot : "/", &ctx->root);

	if (rc && ctx->sysroot && (rc == -ENOSYS || rc == -EPERM)) {
		/* mh_root_open(): openat2 failed, nothing keeps paths in the tree */
		cli_err("--sysroot '%s' refused: openat2() RESOLVE_IN_ROOT is not available "
			"(%s: Linux 5.6 or later is needed, and no seccomp filter denying it)",
			ctx->sysroot, strerror(-rc));
		return MH_EXIT_ERROR;
	}
	if (rc) {
		cli_err("cannot open root '%s': %s", ctx->sysroot ? ctx->sysroot : "/",
			strerror(-rc));
		return MH_EXIT_ERROR;
	}
	return 0;
}

/* Parse, then whatever was asked instead of a command, then the command. */
static int dispatch(int argc, char **argv, struct cli_args *a, bool *changing)
{
	struct cli_ctx ctx = { .timeout = CLI_DEFAULT_TIMEOUT };
	const struct cli_cmd *cmd = NULL;
	int rc;

	rc = parse_args(argc, argv, &ctx, a);
	if (rc)
		return rc < 0 ? MH_EXIT_OK : rc;
	if (optind < argc) {
		cmd = find_cmd(argv[optind]);
		if (!cmd && !a->list_opts) {
			cli_err("'%s' is not a command; see 'memhotctl --help'", argv[optind]);
			return MH_EXIT_USAGE;
		}
	}
	if (a->list_cmds) {
		for (size_t i = 0; i < NR_CMDS; i++)
			printf("%s\n", commands[i].name);
		return MH_EXIT_OK;
	}
	if (a->list_opts) {
		list_opts(cmd);
		return MH_EXIT_OK;
	}
	if (a->help) {
		usage(stdout, cmd);
		return MH_EXIT_OK;
	}
	if (!cmd) {
		usage(stderr, NULL);
		return MH_EXIT_USAGE;
	}
	rc = apply_cmd_opts(cmd, a);
	if (rc)
		return rc;
	ctx.cmd = cmd->name;
	*changing = cmd->changing && !ctx.dry_run;
	/* The whole operation: reading the system and planning count too. */
	mh_deadline_set(&ctx.deadline, ctx.timeout);
	ctx.nargs = argc - optind - 1;
	ctx.args = argv + optind + 1;
	cli_setup_log(&ctx);

	rc = open_root(&ctx);
	if (rc)
		return rc;
	rc = cmd->run(&ctx);
	mh_root_close(ctx.root);
	return rc;
}

static int run(int argc, char **argv, bool *changing)
{
	struct cli_args a = { 0 };
	int rc = dispatch(argc, argv, &a, changing);

	free(a.given);
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
	if (rc != MH_EXIT_OK && !cli_json_printed && argv_json(argc, argv, &command))
		cli_json_error(command, rc, cli_first_error());
	return close_stdout(rc, changing);
}
