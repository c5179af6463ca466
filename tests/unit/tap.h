/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP output for the unit tests: every ok() can fail the run. */
#ifndef MH_TAP_H
#define MH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static __attribute__((format(printf, 4, 5), unused))
int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		printf("#   failed at %s:%d\n", file, line);
		tap_failed++;
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* Each argument is evaluated once: is_int(f(), 0, ...) calls f() once. */
static __attribute__((unused))
int tap_is_int(long long got, long long want, const char *file, int line, const char *name)
{
	return tap_ok(got == want, file, line, "%s (got %lld, want %lld)", name, got, want);
}

static __attribute__((unused))
int tap_is_str(const char *got, const char *want, const char *file, int line,
	       const char *name)
{
	return tap_ok(got && want && !strcmp(got, want), file, line,
		      "%s (got \"%s\", want \"%s\")", name, got ? got : "(null)",
		      want ? want : "(null)");
}

#define is_int(a, b, name) \
	tap_is_int((long long)(a), (long long)(b), __FILE__, __LINE__, name)
#define is_str(a, b, name) tap_is_str((a), (b), __FILE__, __LINE__, name)

static __attribute__((unused)) int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif
