/*
 * privdrop.h: becoming the unprivileged user after start-up.
 */
#ifndef MILTER_PRIVDROP_H
#define MILTER_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct privdrop_ids {
	uid_t uid;
	gid_t gid;
	char user[64];
};

/* Resolve "user[:group]" (group defaults to the user's primary group).
 * 0, or -1 with a message in err. */
int privdrop_lookup(const char *spec, struct privdrop_ids *ids, char *err,
    size_t errsize);

/* setgroups, setresgid, setresuid, then verify that nothing of root is
 * left. 0, or -1 with a message in err. */
int privdrop_apply(const struct privdrop_ids *ids, char *err,
    size_t errsize);

#endif
