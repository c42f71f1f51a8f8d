/*
 * conf.h: spfdmarc-milter's configuration (spfdmarc.conf(5)).
 *
 * A configuration is an immutable snapshot. The current one is held
 * behind a lock with a reference count: each connection takes a
 * reference when it starts and keeps using that snapshot to its end, so a
 * reload (SIGHUP) never changes the rules under a message in flight and
 * never drops a connection.
 */
#ifndef MILTER_CONF_H
#define MILTER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/dns.h"
#include "spfdmarc/log.h"

#define CONF_DEFAULT_FILE	SYSCONFDIR "/spfdmarc/spfdmarc.conf"
#define CONF_LINE_MAX		4096	/* one line of the file */
#define CONF_LIST_MAX		1024	/* items of one list key */
#define CONF_ERR_MAX		512	/* an error message */

enum conf_quarantine {
	CONF_QUARANTINE_HOLD = 0,	/* smfi_quarantine: the hold queue */
	CONF_QUARANTINE_HEADER,	/* add QuarantineHeader */
	CONF_QUARANTINE_NONE,		/* headers only */
};

enum conf_multifrom {
	CONF_MULTIFROM_PERMERROR = 0,
	CONF_MULTIFROM_REJECT,
	CONF_MULTIFROM_STRICTEST,
};

enum conf_dmarc_mode {
	CONF_DMARC_RFC9989 = 0,
	CONF_DMARC_RFC7489,
};

enum conf_on_error {
	CONF_ON_ERROR_ACCEPT = 0,
	CONF_ON_ERROR_TEMPFAIL,
};

/* What to do with mail failing DMARC, for DomainPolicy. */
enum conf_action {
	CONF_ACTION_NONE = 0,
	CONF_ACTION_QUARANTINE,
	CONF_ACTION_REJECT,
};

struct conf_domain_policy {
	const char *domain;		/* lower case, no trailing dot */
	enum conf_action action;
};

struct conf {
	const char *file;		/* where it was read from, or NULL */

	/* Process (read at start-up only; a reload keeps the old ones). */
	const char *socket;
	unsigned socket_mode;		/* unix socket permissions */
	const char *user;		/* UserID user[:group], or NULL */
	const char *pidfile;		/* or NULL */
	bool syslog;
	int syslog_facility;
	enum spfdmarc_log_level log_level;

	/* Resolver (start-up only). */
	const char **forwarders;
	size_t nforwarders;
	const char *trust_anchor_file;	/* NULL: UnboundConfig's anchors,
					 * else the library's default */
	const char *unbound_config;	/* or NULL */
	bool dnssec;
	unsigned dns_timeout_ms;
	unsigned dns_threads;		/* 0: one per CPU (at most 4) */

	/* Evaluation. */
	const char *authserv_id;	/* NULL: the MTA's j macro, else host */
	enum conf_dmarc_mode dmarc_mode;
	const char **trusted_authserv_ids;	/* NULL list: AuthservID */
	size_t ntrusted_authserv_ids;
	bool trusted_authserv_ids_set;
	struct spfdmarc_cidr *ignore_hosts;
	size_t nignore_hosts;
	bool ignore_authenticated;
	const char **ignore_domains;
	size_t nignore_domains;
	struct conf_domain_policy *domain_policies;
	size_t ndomain_policies;
	bool spf_check_helo;

	/* Actions. */
	bool reject_failures;
	bool soften_reject;		/* reject becomes quarantine */
	bool soften_quarantine;		/* quarantine becomes none */
	enum conf_quarantine quarantine_action;
	const char *quarantine_header_name;
	const char *quarantine_header_value;	/* may hold %d */
	bool tempfail_on_error;
	enum conf_on_error on_internal_error;
	bool spf_reject_fail;
	bool add_received_spf;
	enum conf_multifrom multiple_from;
	const char *reject_text;	/* may hold %d */
	const char *spf_reject_text;	/* may hold %s (the sender domain) */

	/* Set by the program, not the file. */
	struct spfdmarc_dns *dns;	/* shared resolver, not owned */
	const char *hostname;		/* this host, for the AuthservID default */

	/* Private. */
	struct spfdmarc_arena *arena;
	unsigned refs;
};

/*
 * Read path into a new configuration (refs 1). A missing file is an
 * error unless missing_ok (the default file). On error returns NULL with
 * "file:line: message" in err.
 */
struct conf *conf_load(const char *path, bool missing_ok, char *err,
    size_t errsize);

/* Parse the text of a configuration (for tests); name is used in
 * messages. */
struct conf *conf_parse(const char *name, const char *text, size_t len,
    char *err, size_t errsize);

/* Override a key as if it were in the file (-p SOCKET). 0 or -1 with a
 * message in err. */
int conf_set(struct conf *cfg, const char *key, const char *value,
    char *err, size_t errsize);

/* Strings owned by the configuration. */
const char *conf_strdup(struct conf *cfg, const char *s);

/* The current configuration with a reference taken, or NULL if none. */
struct conf *conf_acquire(void);

/* Drop a reference; the last one frees the snapshot. NULL allowed. */
void conf_release(struct conf *cfg);

/* Make cfg current (its reference passes to the holder); the old one is
 * released. */
void conf_install(struct conf *cfg);

/* The DomainPolicy for domain (the longest matching suffix), or NULL. */
const struct conf_domain_policy *conf_domain_policy(
    const struct conf *cfg, const char *domain);

/* Is domain (or a parent of it) in IgnoreDomains? */
bool conf_domain_ignored(const struct conf *cfg, const char *domain);

/* Is the client address in IgnoreHosts? */
bool conf_host_ignored(const struct conf *cfg,
    const struct spfdmarc_addr *addr);

/* Is id one of the authserv-ids whose DKIM results we believe? */
bool conf_authserv_trusted(const struct conf *cfg, const char *id,
    const char *our_id);

/* Print the effective configuration, one key a line (for -n -v). */
void conf_dump(const struct conf *cfg, FILE *out);

const char *conf_action_name(enum conf_action action);

#endif
