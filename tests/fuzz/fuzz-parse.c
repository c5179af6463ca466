// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the attribute parsers on arbitrary text. Every parser
 * sees the same string (sysfs content is whatever the file holds), and
 * what each one accepts is checked against the format it claims, so a
 * parser that is merely lax fails here, not only one that crashes.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "block.h"
#include "dax.h"
#include "iomem.h"
#include "range.h"
#include "sysroot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-parse: %s:%d: check failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

static bool all_digits(const char *s, int base)
{
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			continue;
		if (base == 16 && ((*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
			continue;
		return false;
	}
	return true;
}

static void fuzz_numbers(const char *s)
{
	uint64_t v = 0;
	int iv = 0;

	/* Accepted means: digits of the base only, nothing else around them. */
	if (!mh_parse_u64(s, 16, &v))
		CHECK(*s && all_digits(s, 16));
	if (!mh_parse_u64(s, 10, &v)) {
		char back[32];

		CHECK(*s && all_digits(s, 10));
		/* the value round-trips, leading zeros aside */
		snprintf(back, sizeof(back), "%llu", (unsigned long long)v);
		CHECK(!strcmp(s + strspn(s, "0"), v ? back : ""));
	}
	if (!mh_parse_int(s, &iv)) {
		char back[32];
		const char *d = *s == '-' ? s + 1 : s;

		CHECK(*d && all_digits(d, 10));
		snprintf(back, sizeof(back), "%d", iv < 0 ? -iv : iv);
		CHECK(iv == INT_MIN || !strcmp(d + strspn(d, "0"), iv ? back : ""));
	}
}

static void fuzz_words(const char *s)
{
	enum mh_block_state st;
	enum mh_zone z, zo;

	if (!mh_parse_block_state(s, &st)) {
		CHECK(st == MH_BLOCK_ONLINE || st == MH_BLOCK_OFFLINE ||
		      st == MH_BLOCK_GOING_OFFLINE);
		CHECK(!strcmp(mh_block_state_name(st), s));
	}
	z = mh_zone_from_valid_zones(s);
	CHECK(z >= MH_ZONE_UNKNOWN && z <= MH_ZONE_NONE);
	CHECK(mh_zone_name(z) != NULL);
	/* the zone of the first word is one the zones list allows */
	if (z != MH_ZONE_UNKNOWN)
		CHECK(mh_valid_zones_allow(s, z));
	(void)mh_valid_zones_allow(s, MH_ZONE_MOVABLE);
	(void)mh_valid_zones_allow(s, MH_ZONE_NORMAL);
	if (!mh_parse_zone_option(s, &zo))
		CHECK(!strcmp(mh_zone_name(zo), s));
}

static void fuzz_names(const char *s)
{
	unsigned region = 0, id = 0;
	char back[64], backing[128];

	if (!mh_dax_name_valid(s)) {
		/* a valid name is safe to put in a path, and fits its buffer */
		CHECK(!strchr(s, '/') && strcmp(s, ".") && strcmp(s, ".."));
		CHECK(strlen(s) < MH_DAX_NAME_MAX);
		CHECK(!mh_dax_name_parse(s, &region, &id));
		snprintf(back, sizeof(back), "dax%u.%u", region, id);
		CHECK(!strcmp(back, s));
	} else {
		CHECK(mh_dax_name_parse(s, &region, &id) == -EINVAL);
	}
	(void)mh_dax_kind_from_path(s, backing, sizeof(backing));
	CHECK(strlen(backing) < sizeof(backing));
	(void)mh_dax_kind_from_path(s, backing, 1);
	CHECK(backing[0] == '\0');
}

static void fuzz_iomem(const char *s)
{
	struct mh_iomem_entry *e = NULL;
	size_t n = 0, i;
	struct mh_range r = { 0, UINT64_MAX };

	if (mh_iomem_parse(s, &e, &n)) {
		CHECK(!e && !n);
		return;
	}
	for (i = 0; i < n; i++) {
		CHECK(e[i].r.start <= e[i].r.end);
		CHECK(e[i].depth >= 0);
		CHECK(strlen(e[i].name) < sizeof(e[i].name));
	}
	if (n) {
		r = e[n / 2].r;
		(void)mh_iomem_has_kmem(e, n, &r);
	}
	free(e);
}

/*
 * Whole blocks from the first bytes taken as numbers: the rounding helper
 * against the same rounding done in 128 bits, where nothing wraps.
 */
static void fuzz_range(const uint8_t *data, size_t size)
{
	uint64_t v[3] = { 0, 0, 0 }, first = 0, last = 0;
	unsigned __int128 f, e;
	struct mh_range r;
	bool got;

	if (size < sizeof(v))
		return;
	memcpy(v, data, sizeof(v));
	r.start = v[0];
	r.end = v[1];
	got = mh_range_blocks(&r, v[2], &first, &last);
	if (!v[2] || r.start > r.end) {
		CHECK(!got);
		return;
	}
	f = ((unsigned __int128)r.start + v[2] - 1) / v[2];
	e = ((unsigned __int128)r.end + 1) / v[2];	/* one past the last */
	CHECK(got == (e > f));
	if (got)
		CHECK(first == f && last == e - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 1 << 16)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* an attribute reader hands the parsers text up to the first NUL */
	fuzz_numbers(s);
	fuzz_words(s);
	fuzz_names(s);
	fuzz_iomem(s);
	fuzz_range(data, size);
	free(s);
	return 0;
}
