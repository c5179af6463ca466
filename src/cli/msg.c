// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: everything but results goes to stderr, prefixed. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "sysroot.h"

static int log_verbose;
static bool log_quiet;
/* The first error said, for -j's error document (cli_json_error()). */
static char first_error[512];

const char *cli_first_error(void)
{
	return first_error;
}

/*
 * One line on stderr after "memhotctl: ". Control bytes are shown as \xHH:
 * a name from the command line or a file name from a hostile tree must
 * not drive the terminal. The first error is kept for -j's error document.
 */
static void say(bool error, const char *fmt, va_list ap)
{
	char msg[8192];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (error) {
		if (!first_error[0])
			snprintf(first_error, sizeof(first_error), "%s", msg);
		fflush(stdout);
	}
	fputs("memhotctl: ", stderr);
	for (const char *p = msg; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(true, fmt, ap);
	va_end(ap);
}

void cli_info(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	say(false, fmt, ap);
	va_end(ap);
}

static void lib_log(enum mh_log_level lvl, const char *fmt, va_list ap)
{
	if (lvl > MH_LOG_ERR && log_quiet)
		return;
	if (lvl == MH_LOG_INFO && log_verbose < 1)
		return;
	if (lvl == MH_LOG_DEBUG && log_verbose < 2)
		return;
	say(lvl == MH_LOG_ERR, fmt, ap);
}

void cli_setup_log(const struct cli_ctx *ctx)
{
	log_verbose = ctx->verbose;
	log_quiet = ctx->quiet;
	mh_set_log_fn(lib_log);
}

void cli_read_error(const char *what, const struct mh_err *e)
{
	cli_err("%s: %s", what, e->msg[0] ? e->msg : mh_strerror(e->err));
}

int cli_need_root(struct cli_ctx *ctx)
{
	/*
	 * With --sysroot the writes go to the tree: no privilege is involved,
	 * unless the tree is the live root itself (--sysroot /, however spelled).
	 */
	if (ctx->dry_run || (ctx->sysroot && !mh_root_is_live(ctx->root)) ||
	    geteuid() == 0)
		return 0;
	cli_err("%s needs root", ctx->cmd);
	return MH_EXIT_ERROR;
}

void cli_size_str(unsigned long long bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	unsigned long long whole = bytes, frac = 0;
	int u = 0;

	/* Largest unit with a whole part >= 1, one rounded decimal like lsmem. */
	while (whole >= 1024 && u < 6) {
		frac = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (u == 0) {
		snprintf(buf, len, "%lluB", bytes);
		return;
	}
	frac = (frac * 10 + 512) / 1024;
	if (frac >= 10) {
		whole++;
		frac = 0;
	}
	if (frac)
		snprintf(buf, len, "%llu.%llu%c", whole, frac, units[u]);
	else
		snprintf(buf, len, "%llu%c", whole, units[u]);
}
