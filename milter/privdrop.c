/*
 * privdrop.c: dropping root after the socket is open and the trust
 * anchor loaded, in the fixed order Postfix (util/chroot_uid.c) and
 * Unbound (daemon/unbound.c) use: look the user up, set the
 * supplementary groups, the group ids, the user ids; then check that
 * they stuck, since a failure half-way would leave a process that looks
 * unprivileged and is not.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

int
privdrop_lookup(const char *spec, struct privdrop_ids *ids, char *err,
    size_t errsize)
{
	char user[64];
	const char *colon = strchr(spec, ':');
	size_t ulen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;
	struct group *gr;

	if (ulen == 0 || ulen >= sizeof(user)) {
		(void)snprintf(err, errsize, "UserID: bad user name '%s'", spec);
		return -1;
	}
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		(void)snprintf(err, errsize, "UserID: no user '%s'", user);
		return -1;
	}
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	if (strlcpy(ids->user, user, sizeof(ids->user)) >= sizeof(ids->user)) {
		(void)snprintf(err, errsize, "UserID: name too long");
		return -1;
	}
	if (colon != NULL) {
		gr = getgrnam(colon + 1);
		if (gr == NULL) {
			(void)snprintf(err, errsize, "UserID: no group '%s'",
			    colon + 1);
			return -1;
		}
		ids->gid = gr->gr_gid;
	}
	return 0;
}

int
privdrop_apply(const struct privdrop_ids *ids, char *err, size_t errsize)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	/* The configured group and the user's supplementary groups. */
	if (initgroups(ids->user, ids->gid) != 0 &&
	    setgroups(1, &ids->gid) != 0) {
		(void)snprintf(err, errsize, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(ids->gid, ids->gid, ids->gid) != 0) {
		(void)snprintf(err, errsize, "setresgid(%u): %s",
		    (unsigned)ids->gid, strerror(errno));
		return -1;
	}
	if (setresuid(ids->uid, ids->uid, ids->uid) != 0) {
		(void)snprintf(err, errsize, "setresuid(%u): %s",
		    (unsigned)ids->uid, strerror(errno));
		return -1;
	}
	if (getresgid(&rgid, &egid, &sgid) != 0 ||
	    getresuid(&ruid, &euid, &suid) != 0 ||
	    rgid != ids->gid || egid != ids->gid || sgid != ids->gid ||
	    ruid != ids->uid || euid != ids->uid || suid != ids->uid) {
		(void)snprintf(err, errsize, "privileges were not dropped");
		return -1;
	}
	/* Regaining root must fail (unless we are root by configuration). */
	if (ids->uid != 0 && setuid(0) == 0) {
		(void)snprintf(err, errsize, "could regain root after the drop");
		return -1;
	}
	return 0;
}
