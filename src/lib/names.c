// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The name tables. Each table is indexed by its enum; a name is written
 * once, and its parser reads the same table, so a journal, a plan printed
 * by --dry-run and an option always agree.
 */
#include <errno.h>
#include <string.h>

#include "block.h"
#include "dax.h"
#include "errclass.h"
#include "names.h"
#include "plan.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned v,
			   const char *fallback)
{
	return v < n && names[v] ? names[v] : fallback;
}

/* Index of s in names[first..n), or -1. */
int mh_name_index(const char *const *names, size_t n, size_t first, const char *s)
{
	size_t i;

	for (i = first; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static const char *const block_states[] = {
	[MH_BLOCK_UNKNOWN] = "unknown",
	[MH_BLOCK_ONLINE] = "online",
	[MH_BLOCK_OFFLINE] = "offline",
	[MH_BLOCK_GOING_OFFLINE] = "going-offline",
};

const char *mh_block_state_name(enum mh_block_state s)
{
	return name_of(block_states, ARRAY_SIZE(block_states), s, "unknown");
}

int mh_parse_block_state(const char *s, enum mh_block_state *out)
{
	int i = mh_name_index(block_states, ARRAY_SIZE(block_states), MH_BLOCK_ONLINE, s);

	if (i < 0)
		return -EINVAL;
	*out = (enum mh_block_state)i;
	return 0;
}

/*
 * A zone has three spellings, each with its own reader: memhotctl's name
 * (options, plans, the journal), the kernel's word (valid_zones; results
 * print it, as lsmem does) and what memoryN/state takes to online there.
 */
static const struct {
	const char *name, *word, *online;
} zones[] = {
	[MH_ZONE_UNKNOWN] = { "unknown", "", "online" },
	[MH_ZONE_MOVABLE] = { "movable", "Movable", "online_movable" },
	[MH_ZONE_NORMAL] = { "normal", "Normal", "online_kernel" },
	[MH_ZONE_NONE] = { "none", "none", "online" },
};

const char *mh_zone_name(enum mh_zone z)
{
	return (unsigned)z < ARRAY_SIZE(zones) ? zones[z].name : zones[0].name;
}

const char *mh_zone_word(enum mh_zone z)
{
	return (unsigned)z < ARRAY_SIZE(zones) ? zones[z].word : zones[0].word;
}

const char *mh_zone_online_cmd(enum mh_zone z)
{
	return (unsigned)z < ARRAY_SIZE(zones) ? zones[z].online : zones[0].online;
}

int mh_parse_zone(const char *s, enum mh_zone *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zones); i++)
		if (!strcmp(zones[i].name, s)) {
			*out = (enum mh_zone)i;
			return 0;
		}
	return -EINVAL;
}

int mh_parse_zone_option(const char *s, enum mh_zone *out)
{
	enum mh_zone z;

	if (mh_parse_zone(s, &z) || (z != MH_ZONE_MOVABLE && z != MH_ZONE_NORMAL))
		return -EINVAL;
	*out = z;
	return 0;
}

static const char *const ops[] = {
	[MH_OP_ONLINE] = "online",
	[MH_OP_OFFLINE] = "offline",
	[MH_OP_REMOVE] = "remove",
};

const char *mh_op_name(enum mh_op op)
{
	return name_of(ops, ARRAY_SIZE(ops), op, "unknown");
}

int mh_parse_op(const char *s, enum mh_op *out)
{
	int i = mh_name_index(ops, ARRAY_SIZE(ops), 0, s);

	if (i < 0)
		return -EINVAL;
	*out = (enum mh_op)i;
	return 0;
}

static const char *const step_kinds[] = {
	[MH_STEP_LOAD_KMEM] = "load-kmem",
	[MH_STEP_SET_POLICY] = "set-policy",
	[MH_STEP_UNBIND] = "unbind",
	[MH_STEP_BIND_KMEM] = "bind-kmem",
	[MH_STEP_ONLINE_BLOCK] = "online-block",
	[MH_STEP_OFFLINE_BLOCK] = "offline-block",
	[MH_STEP_CHECK_OFFLINE] = "check-offline",
	[MH_STEP_UNBIND_KMEM] = "unbind-kmem",
	[MH_STEP_VERIFY_RELEASED] = "verify-released",
	[MH_STEP_BIND_DEVDAX] = "bind-devdax",
	[MH_STEP_RESTORE_POLICY] = "restore-policy",
	[MH_STEP_SETTLE_UDEV] = "settle-udev",
};

const char *mh_step_kind_name(enum mh_step_kind k)
{
	return name_of(step_kinds, ARRAY_SIZE(step_kinds), k, "unknown");
}

/* The mode a driver puts the device in, as daxctl names it. */
static const char *const dax_modes[] = {
	[MH_DRIVER_NONE] = "none",
	[MH_DRIVER_KMEM] = "system-ram",
	[MH_DRIVER_DEVICE_DAX] = "devdax",
	[MH_DRIVER_OTHER] = "none",
};

const char *mh_dax_mode_name(enum mh_dax_driver d)
{
	return name_of(dax_modes, ARRAY_SIZE(dax_modes), d, "none");
}

static const char *const dax_kinds[] = {
	[MH_KIND_UNKNOWN] = "unknown",
	[MH_KIND_NVDIMM] = "nvdimm",
	[MH_KIND_E820] = "e820",
	[MH_KIND_HMEM] = "hmem",
	[MH_KIND_CXL] = "cxl",
};

const char *mh_dax_kind_name(enum mh_dax_kind k)
{
	return name_of(dax_kinds, ARRAY_SIZE(dax_kinds), k, "unknown");
}

static const char *const err_actions[] = {
	[MH_ERR_DONE] = "done",
	[MH_ERR_RETRY] = "retry",
	[MH_ERR_REREAD] = "reread",
	[MH_ERR_FINAL] = "final",
	[MH_ERR_DEADLINE] = "deadline",
};

const char *mh_err_action_name(enum mh_err_action a)
{
	return name_of(err_actions, ARRAY_SIZE(err_actions), a, "unknown");
}

static const char *const policies[] = {
	"offline", "online", "online_kernel", "online_movable",
};

bool mh_policy_valid(const char *s)
{
	return mh_name_index(policies, ARRAY_SIZE(policies), 0, s) >= 0;
}
