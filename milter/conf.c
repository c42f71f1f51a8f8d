/*
 * conf.c: reading spfdmarc.conf(5) and holding the current snapshot.
 *
 * The file is "Key value" lines; '#' starts a comment (a '#' inside a
 * value must be preceded by a backslash); key names are matched without
 * regard to case. Every key has a default; an unknown key, a bad value or
 * a key given twice is an error reported as "file:line: message", and the
 * whole file is refused: a half-applied configuration is worse than the
 * old one.
 *
 * The current snapshot (conf_acquire/conf_install) is the one mutable
 * global of the milter, behind a mutex.
 */
#include "config.h"

#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"

/* The bytes one configuration may use: a bound on hostile or mistaken
 * input (a file of a million IgnoreHosts lines). */
#define CONF_ARENA_MAX	(8u * 1024 * 1024)

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *conf_current;

struct conf_parser {
	struct conf *cfg;
	const char *name;	/* file name for messages */
	unsigned line;
	char *err;
	size_t errsize;
	unsigned seen[64];	/* line where each key was set, 0: not yet */
};

static void conf_error(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
conf_error(struct conf_parser *p, const char *fmt, ...)
{
	char msg[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		(void)snprintf(p->err, p->errsize, "%s:%u: %s", p->name,
		    p->line, msg);
	else
		(void)snprintf(p->err, p->errsize, "%s: %s", p->name, msg);
}

const char *
conf_strdup(struct conf *cfg, const char *s)
{
	return spfdmarc_arena_strdup(cfg->arena, s);
}

/* --- value parsers -------------------------------------------------- */

static int
parse_bool(struct conf_parser *p, const char *key, const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	conf_error(p, "%s: expected yes or no, not '%s'", key, v);
	return -1;
}

static int
parse_enum(struct conf_parser *p, const char *key, const char *v,
    const char *const *names, size_t n, int *out)
{
	char list[256];

	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(v, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			(void)strlcat(list, ", ", sizeof(list));
		(void)strlcat(list, names[i], sizeof(list));
	}
	conf_error(p, "%s: expected one of %s, not '%s'", key, list, v);
	return -1;
}

static int
parse_uint(struct conf_parser *p, const char *key, const char *v,
    unsigned long min, unsigned long max, int base, unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	if (!isdigit((unsigned char)v[0]))
		goto bad;
	n = strtoul(v, &end, base);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		goto bad;
	*out = n;
	return 0;
bad:
	if (base == 8)
		conf_error(p, "%s: expected an octal mode, not '%s'", key, v);
	else
		conf_error(p, "%s: expected a number from %lu to %lu, "
		    "not '%s'", key, min, max, v);
	return -1;
}

/* A path: absolute, no control characters. */
static int
parse_path(struct conf_parser *p, const char *key, const char *v,
    const char **out)
{
	if (v[0] != '/') {
		conf_error(p, "%s: expected an absolute path, not '%s'",
		    key, v);
		return -1;
	}
	*out = conf_strdup(p->cfg, v);
	return *out == NULL ? -1 : 0;
}

/* A domain name as a host would type it: lower-cased, trailing dot
 * removed, LDH (underscores allowed). */
static int
parse_domain(struct conf_parser *p, const char *key, const char *v,
    const char **out)
{
	size_t len = strlen(v);
	char *d;

	if (len > 0 && v[len - 1] == '.')
		len--;
	if (len == 0 || spfdmarc_dname_check(v, len, SPFDMARC_DNAME_LDH |
	    SPFDMARC_DNAME_UNDERSCORE) != 0) {
		conf_error(p, "%s: '%s' is not a domain name", key, v);
		return -1;
	}
	d = spfdmarc_arena_strndup(p->cfg->arena, v, len);
	if (d == NULL)
		return -1;
	spfdmarc_dname_lower(d, len);
	*out = d;
	return 0;
}

/* Split a list value at commas and white space; calls fn for each item. */
static int
parse_list(struct conf_parser *p, const char *key, char *v,
    int (*fn)(struct conf_parser *, const char *, const char *))
{
	size_t n = 0;
	char *s = v;

	for (;;) {
		char *item;

		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		item = s;
		while (*s != '\0' && *s != ',' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
		if (++n > CONF_LIST_MAX) {
			conf_error(p, "%s: more than %d items", key,
			    CONF_LIST_MAX);
			return -1;
		}
		if (fn(p, key, item) != 0)
			return -1;
	}
	if (n == 0) {
		conf_error(p, "%s: empty list", key);
		return -1;
	}
	return 0;
}

/* Append one element of size sz to an arena array (small lists). */
static void *
conf_grow(struct conf *cfg, void *old, size_t n, size_t sz)
{
	void *a = spfdmarc_arena_calloc(cfg->arena, n + 1, sz);

	if (a != NULL && n > 0)
		memcpy(a, old, n * sz);
	return a;
}

static int
conf_push_str(struct conf *cfg, const char ***list, size_t *n,
    const char *s)
{
	const char **a = conf_grow(cfg, *list, *n, sizeof(*a));

	if (a == NULL)
		return -1;
	a[(*n)++] = s;
	*list = a;
	return 0;
}

/* --- the keys ------------------------------------------------------- */

static int
item_forwarder(struct conf_parser *p, const char *key, const char *item)
{
	struct spfdmarc_addr a;
	const char *at = strchr(item, '@');
	size_t alen = at != NULL ? (size_t)(at - item) : strlen(item);
	unsigned long port;
	const char *s;

	if (spfdmarc_addr_parse(&a, item, alen) != 0) {
		conf_error(p, "%s: '%s' is not an IP address (HOST[@PORT])",
		    key, item);
		return -1;
	}
	if (at != NULL && parse_uint(p, key, at + 1, 1, 65535, 10, &port) != 0)
		return -1;
	s = conf_strdup(p->cfg, item);
	if (s == NULL)
		return -1;
	return conf_push_str(p->cfg, &p->cfg->forwarders,
	    &p->cfg->nforwarders, s);
}

static int
item_authserv(struct conf_parser *p, const char *key, const char *item)
{
	const char *s;

	if (parse_domain(p, key, item, &s) != 0)
		return -1;
	return conf_push_str(p->cfg, &p->cfg->trusted_authserv_ids,
	    &p->cfg->ntrusted_authserv_ids, s);
}

static int
item_ignore_domain(struct conf_parser *p, const char *key, const char *item)
{
	const char *s;

	if (parse_domain(p, key, item, &s) != 0)
		return -1;
	return conf_push_str(p->cfg, &p->cfg->ignore_domains,
	    &p->cfg->nignore_domains, s);
}

static int
item_ignore_host(struct conf_parser *p, const char *key, const char *item)
{
	struct conf *cfg = p->cfg;
	struct spfdmarc_cidr net, *a;

	if (spfdmarc_cidr_parse(&net, item, strlen(item)) != 0) {
		conf_error(p, "%s: '%s' is not an address or CIDR network",
		    key, item);
		return -1;
	}
	a = conf_grow(cfg, cfg->ignore_hosts, cfg->nignore_hosts,
	    sizeof(*a));
	if (a == NULL)
		return -1;
	a[cfg->nignore_hosts++] = net;
	cfg->ignore_hosts = a;
	return 0;
}

/* Socket: unix:/path, local:/path, /path, inet:PORT@HOST, inet6:PORT@HOST
 * (libmilter's syntax; smfi_setconn checks the rest at start-up). */
static int
key_socket(struct conf_parser *p, const char *key, char *v)
{
	unsigned long port;
	char *at;

	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0) {
		const char *path = strchr(v, ':') + 1;

		if (path[0] != '/') {
			conf_error(p, "%s: '%s': the socket path must be "
			    "absolute", key, v);
			return -1;
		}
	} else if (strncmp(v, "inet:", 5) == 0 || strncmp(v, "inet6:", 6) == 0) {
		char *portstr = strchr(v, ':') + 1;
		char save;

		at = strchr(portstr, '@');
		if (at != NULL) {
			save = *at;
			*at = '\0';
		}
		if (parse_uint(p, key, portstr, 1, 65535, 10, &port) != 0)
			return -1;
		if (at != NULL) {
			*at = save;
			if (at[1] == '\0') {
				conf_error(p, "%s: '%s': no host after @",
				    key, v);
				return -1;
			}
		}
	} else if (v[0] != '/') {
		conf_error(p, "%s: expected unix:/path, inet:PORT@HOST or "
		    "inet6:PORT@HOST, not '%s'", key, v);
		return -1;
	}
	p->cfg->socket = conf_strdup(p->cfg, v);
	return p->cfg->socket == NULL ? -1 : 0;
}

static int
key_socket_mode(struct conf_parser *p, const char *key, char *v)
{
	unsigned long mode;

	if (parse_uint(p, key, v, 0, 0777, 8, &mode) != 0)
		return -1;
	p->cfg->socket_mode = (unsigned)mode;
	return 0;
}

/* UserID user[:group]: names are checked at start-up (getpwnam). */
static int
key_user(struct conf_parser *p, const char *key, char *v)
{
	for (const char *s = v; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("._-:$", *s) == NULL) {
			conf_error(p, "%s: '%s' is not user[:group]", key, v);
			return -1;
		}
	}
	if (v[0] == ':' || strchr(v, ':') != strrchr(v, ':') ||
	    v[strlen(v) - 1] == ':') {
		conf_error(p, "%s: '%s' is not user[:group]", key, v);
		return -1;
	}
	p->cfg->user = conf_strdup(p->cfg, v);
	return p->cfg->user == NULL ? -1 : 0;
}

static int
key_pidfile(struct conf_parser *p, const char *key, char *v)
{
	return parse_path(p, key, v, &p->cfg->pidfile);
}

static int
key_syslog(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->syslog);
}

static int
key_facility(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = {
		"mail", "daemon", "user", "local0", "local1", "local2",
		"local3", "local4", "local5", "local6", "local7",
	};
	static const int values[] = {
		LOG_MAIL, LOG_DAEMON, LOG_USER, LOG_LOCAL0, LOG_LOCAL1,
		LOG_LOCAL2, LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6,
		LOG_LOCAL7,
	};
	int i;

	if (parse_enum(p, key, v, names, 11, &i) != 0)
		return -1;
	p->cfg->syslog_facility = values[i];
	return 0;
}

static int
key_log_level(struct conf_parser *p, const char *key, char *v)
{
	if (spfdmarc_log_level_parse(v, &p->cfg->log_level) != 0) {
		conf_error(p, "%s: expected error, warning, info or debug, "
		    "not '%s'", key, v);
		return -1;
	}
	return 0;
}

static int
key_forwarders(struct conf_parser *p, const char *key, char *v)
{
	if (strcasecmp(v, "none") == 0)
		return 0;
	return parse_list(p, key, v, item_forwarder);
}

static int
key_trust_anchor(struct conf_parser *p, const char *key, char *v)
{
	return parse_path(p, key, v, &p->cfg->trust_anchor_file);
}

static int
key_unbound_config(struct conf_parser *p, const char *key, char *v)
{
	return parse_path(p, key, v, &p->cfg->unbound_config);
}

static int
key_dnssec(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->dnssec);
}

static int
key_dns_timeout(struct conf_parser *p, const char *key, char *v)
{
	unsigned long secs;

	if (parse_uint(p, key, v, 1, 300, 10, &secs) != 0)
		return -1;
	p->cfg->dns_timeout_ms = (unsigned)secs * 1000;
	return 0;
}

/* DNSThreads auto|1-4: libunbound contexts (resolver threads). */
static int
key_dns_threads(struct conf_parser *p, const char *key, char *v)
{
	unsigned long n;

	if (strcasecmp(v, "auto") == 0) {
		p->cfg->dns_threads = 0;
		return 0;
	}
	if (parse_uint(p, key, v, 1, 4, 10, &n) != 0)
		return -1;
	p->cfg->dns_threads = (unsigned)n;
	return 0;
}

static int
key_authserv_id(struct conf_parser *p, const char *key, char *v)
{
	if (strcasecmp(v, "HOSTNAME") == 0)	/* OpenDMARC's spelling */
		return 0;
	return parse_domain(p, key, v, &p->cfg->authserv_id);
}

static int
key_dmarc_mode(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = { "rfc9989", "rfc7489" };
	int i;

	if (parse_enum(p, key, v, names, 2, &i) != 0)
		return -1;
	p->cfg->dmarc_mode = (enum conf_dmarc_mode)i;
	return 0;
}

static int
key_trusted(struct conf_parser *p, const char *key, char *v)
{
	p->cfg->trusted_authserv_ids_set = true;
	if (strcasecmp(v, "none") == 0)
		return 0;
	return parse_list(p, key, v, item_authserv);
}

static int
key_ignore_hosts(struct conf_parser *p, const char *key, char *v)
{
	/* The first IgnoreHosts line replaces the default list. */
	p->cfg->ignore_hosts = NULL;
	p->cfg->nignore_hosts = 0;
	if (strcasecmp(v, "none") == 0)
		return 0;
	return parse_list(p, key, v, item_ignore_host);
}

static int
key_ignore_auth(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->ignore_authenticated);
}

static int
key_ignore_domains(struct conf_parser *p, const char *key, char *v)
{
	return parse_list(p, key, v, item_ignore_domain);
}

/* DomainPolicy DOMAIN ACTION: repeatable. */
static int
key_domain_policy(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = { "none", "quarantine", "reject" };
	struct conf *cfg = p->cfg;
	struct conf_domain_policy *a;
	const char *domain;
	char *sp = v + strcspn(v, " \t");
	int action;

	if (*sp == '\0') {
		conf_error(p, "%s: expected DOMAIN ACTION, not '%s'", key, v);
		return -1;
	}
	*sp++ = '\0';
	sp += strspn(sp, " \t");
	if (parse_domain(p, key, v, &domain) != 0 ||
	    parse_enum(p, key, sp, names, 3, &action) != 0)
		return -1;
	for (size_t i = 0; i < cfg->ndomain_policies; i++) {
		if (strcmp(cfg->domain_policies[i].domain, domain) == 0) {
			conf_error(p, "%s: %s listed twice", key, domain);
			return -1;
		}
	}
	a = conf_grow(cfg, cfg->domain_policies, cfg->ndomain_policies,
	    sizeof(*a));
	if (a == NULL)
		return -1;
	a[cfg->ndomain_policies].domain = domain;
	a[cfg->ndomain_policies].action = (enum conf_action)action;
	cfg->ndomain_policies++;
	cfg->domain_policies = a;
	return 0;
}

static int
key_spf_check_helo(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->spf_check_helo);
}

static int
key_reject_failures(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->reject_failures);
}

static int
key_soften_reject(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->soften_reject);
}

static int
key_soften_quarantine(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->soften_quarantine);
}

static int
key_quarantine_action(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = { "hold", "header", "none" };
	int i;

	if (parse_enum(p, key, v, names, 3, &i) != 0)
		return -1;
	p->cfg->quarantine_action = (enum conf_quarantine)i;
	return 0;
}

/* A reply or header text: printable ASCII, '%' only as %d / %% (or the
 * one letter the key allows). */
static int
check_text(struct conf_parser *p, const char *key, const char *v,
    char letter)
{
	for (const char *s = v; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
			conf_error(p, "%s: only printable ASCII is allowed",
			    key);
			return -1;
		}
		if (*s == '%') {
			if (s[1] != letter && s[1] != '%') {
				conf_error(p, "%s: '%%' must be followed by "
				    "%c or %%", key, letter);
				return -1;
			}
			s++;
		}
	}
	if (strlen(v) > 400) {
		conf_error(p, "%s: longer than 400 characters", key);
		return -1;
	}
	return 0;
}

/* QuarantineHeader "Name: value". */
static int
key_quarantine_header(struct conf_parser *p, const char *key, char *v)
{
	char *colon = strchr(v, ':');
	char *value;

	if (colon == NULL || colon == v) {
		conf_error(p, "%s: expected 'Name: value', not '%s'", key, v);
		return -1;
	}
	for (const char *s = v; s < colon; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
			conf_error(p, "%s: bad header name", key);
			return -1;
		}
	}
	*colon = '\0';
	value = colon + 1 + strspn(colon + 1, " \t");
	if (*value == '\0') {
		conf_error(p, "%s: the header needs a value", key);
		return -1;
	}
	if (check_text(p, key, value, 'd') != 0)
		return -1;
	p->cfg->quarantine_header_name = conf_strdup(p->cfg, v);
	p->cfg->quarantine_header_value = conf_strdup(p->cfg, value);
	return p->cfg->quarantine_header_name == NULL ||
	    p->cfg->quarantine_header_value == NULL ? -1 : 0;
}

static int
key_tempfail_on_error(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->tempfail_on_error);
}

static int
key_on_internal_error(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = { "accept", "tempfail" };
	int i;

	if (parse_enum(p, key, v, names, 2, &i) != 0)
		return -1;
	p->cfg->on_internal_error = (enum conf_on_error)i;
	return 0;
}

static int
key_spf_reject_fail(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->spf_reject_fail);
}

static int
key_add_received_spf(struct conf_parser *p, const char *key, char *v)
{
	return parse_bool(p, key, v, &p->cfg->add_received_spf);
}

static int
key_multiple_from(struct conf_parser *p, const char *key, char *v)
{
	static const char *const names[] = {
		"permerror", "reject", "strictest",
	};
	int i;

	if (parse_enum(p, key, v, names, 3, &i) != 0)
		return -1;
	p->cfg->multiple_from = (enum conf_multifrom)i;
	return 0;
}

static int
key_reject_text(struct conf_parser *p, const char *key, char *v)
{
	if (check_text(p, key, v, 'd') != 0)
		return -1;
	p->cfg->reject_text = conf_strdup(p->cfg, v);
	return p->cfg->reject_text == NULL ? -1 : 0;
}

static int
key_spf_reject_text(struct conf_parser *p, const char *key, char *v)
{
	if (check_text(p, key, v, 's') != 0)
		return -1;
	p->cfg->spf_reject_text = conf_strdup(p->cfg, v);
	return p->cfg->spf_reject_text == NULL ? -1 : 0;
}

struct conf_key {
	const char *name;
	int (*fn)(struct conf_parser *, const char *, char *);
	bool repeatable;
};

static const struct conf_key conf_keys[] = {
	{ "Socket", key_socket, false },
	{ "SocketMode", key_socket_mode, false },
	{ "AuthservID", key_authserv_id, false },
	{ "UserID", key_user, false },
	{ "PidFile", key_pidfile, false },
	{ "Syslog", key_syslog, false },
	{ "SyslogFacility", key_facility, false },
	{ "LogLevel", key_log_level, false },
	{ "Forwarders", key_forwarders, false },
	{ "TrustAnchorFile", key_trust_anchor, false },
	{ "UnboundConfig", key_unbound_config, false },
	{ "DNSSEC", key_dnssec, false },
	{ "DNSTimeout", key_dns_timeout, false },
	{ "DNSThreads", key_dns_threads, false },
	{ "DMARCMode", key_dmarc_mode, false },
	{ "TrustedAuthservIDs", key_trusted, false },
	{ "IgnoreHosts", key_ignore_hosts, false },
	{ "IgnoreAuthenticatedClients", key_ignore_auth, false },
	{ "IgnoreDomains", key_ignore_domains, true },
	{ "DomainPolicy", key_domain_policy, true },
	{ "SPFCheckHELO", key_spf_check_helo, false },
	{ "RejectFailures", key_reject_failures, false },
	{ "SoftenReject", key_soften_reject, false },
	{ "SoftenQuarantine", key_soften_quarantine, false },
	{ "QuarantineAction", key_quarantine_action, false },
	{ "QuarantineHeader", key_quarantine_header, false },
	{ "TempFailOnError", key_tempfail_on_error, false },
	{ "OnInternalError", key_on_internal_error, false },
	{ "SPFRejectFail", key_spf_reject_fail, false },
	{ "SPFRejectText", key_spf_reject_text, false },
	{ "AddReceivedSPF", key_add_received_spf, false },
	{ "MultipleFrom", key_multiple_from, false },
	{ "RejectText", key_reject_text, false },
};

#define CONF_NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

_Static_assert(CONF_NKEYS <= 64, "conf_parser.seen is too small");

static struct conf *
conf_new(void)
{
	struct spfdmarc_arena *arena = spfdmarc_arena_new(CONF_ARENA_MAX);
	struct conf *cfg;
	struct spfdmarc_cidr net;

	if (arena == NULL)
		return NULL;
	cfg = spfdmarc_arena_zalloc(arena, sizeof(*cfg));
	if (cfg == NULL) {
		spfdmarc_arena_free(arena);
		return NULL;
	}
	cfg->arena = arena;
	cfg->refs = 1;
	cfg->socket = "unix:/run/spfdmarc/spfdmarc.sock";
	cfg->socket_mode = 0660;
	cfg->syslog = true;
	cfg->syslog_facility = LOG_MAIL;
	cfg->log_level = SPFDMARC_LOG_INFO;
	cfg->dnssec = true;
	cfg->dns_timeout_ms = 5000;
	cfg->ignore_authenticated = true;
	cfg->spf_check_helo = true;
	cfg->reject_failures = true;
	cfg->quarantine_action = CONF_QUARANTINE_HOLD;
	cfg->quarantine_header_name = "X-Spfdmarc-Quarantine";
	cfg->quarantine_header_value = "DMARC policy of %d is quarantine";
	cfg->add_received_spf = true;
	cfg->multiple_from = CONF_MULTIFROM_PERMERROR;
	cfg->reject_text = "Message rejected: DMARC policy of %d";
	cfg->spf_reject_text = "SPF: %s does not authorize this host";
	cfg->on_internal_error = CONF_ON_ERROR_ACCEPT;
	/* IgnoreHosts 127.0.0.0/8 ::1 */
	if (spfdmarc_cidr_parse(&net, "127.0.0.0/8", 11) != 0 ||
	    (cfg->ignore_hosts = conf_grow(cfg, NULL, 0, sizeof(net))) ==
	    NULL)
		goto fail;
	cfg->ignore_hosts[cfg->nignore_hosts++] = net;
	if (spfdmarc_cidr_parse(&net, "::1", 3) != 0 ||
	    (cfg->ignore_hosts = conf_grow(cfg, cfg->ignore_hosts, 1,
	    sizeof(net))) == NULL)
		goto fail;
	cfg->ignore_hosts[cfg->nignore_hosts++] = net;
	return cfg;
fail:
	spfdmarc_arena_free(arena);
	return NULL;
}

static void
conf_free(struct conf *cfg)
{
	if (cfg != NULL)
		spfdmarc_arena_free(cfg->arena);
}

/* Trim white space at both ends, in place. */
static char *
conf_trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		s[--len] = '\0';
	return s;
}

/* Remove a '#' comment; "\#" is a literal '#'. */
static void
conf_uncomment(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == '#') {
			*w++ = '#';
			r++;
		} else if (*r == '#')
			break;
		else
			*w++ = *r;
	}
	*w = '\0';
}

static int
conf_apply(struct conf_parser *p, const char *key, char *value)
{
	for (size_t i = 0; i < CONF_NKEYS; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (strcasecmp(key, k->name) != 0)
			continue;
		if (*value == '\0') {
			conf_error(p, "%s: missing value", k->name);
			return -1;
		}
		if (!k->repeatable && p->seen[i] != 0) {
			conf_error(p, "%s: already set at line %u", k->name,
			    p->seen[i]);
			return -1;
		}
		p->seen[i] = p->line;
		if (k->fn(p, k->name, value) != 0) {
			if (p->err[0] == '\0')
				conf_error(p, "%s: out of memory", k->name);
			return -1;
		}
		return 0;
	}
	conf_error(p, "unknown key '%s'", key);
	return -1;
}

/* One line (NUL-terminated, without its newline). */
static int
conf_line(struct conf_parser *p, char *line)
{
	char *s, *key, *value;

	for (s = line; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\r') {
			conf_error(p, "control character in line");
			return -1;
		}
	}
	conf_uncomment(line);
	s = conf_trim(line);
	if (*s == '\0')
		return 0;
	key = s;
	s += strcspn(s, " \t");
	if (*s != '\0')
		*s++ = '\0';
	value = conf_trim(s);
	return conf_apply(p, key, value);
}

static int
conf_finish(struct conf_parser *p)
{
	struct conf *cfg = p->cfg;

	p->line = 0;
	if (cfg->quarantine_action == CONF_QUARANTINE_HEADER &&
	    cfg->quarantine_header_name == NULL) {
		conf_error(p, "QuarantineAction header needs "
		    "QuarantineHeader");
		return -1;
	}
	return 0;
}

struct conf *
conf_parse(const char *name, const char *text, size_t len, char *err,
    size_t errsize)
{
	struct conf_parser p;
	char line[CONF_LINE_MAX];
	size_t pos = 0;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.err = err;
	p.errsize = errsize;
	if (errsize > 0)
		err[0] = '\0';
	p.cfg = conf_new();
	if (p.cfg == NULL) {
		conf_error(&p, "out of memory");
		return NULL;
	}
	p.cfg->file = conf_strdup(p.cfg, name);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		p.line++;
		if (n >= sizeof(line)) {
			conf_error(&p, "line longer than %d bytes",
			    CONF_LINE_MAX - 1);
			goto fail;
		}
		if (memchr(text + pos, '\0', n) != NULL) {
			conf_error(&p, "NUL byte in line");
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (conf_line(&p, line) != 0)
			goto fail;
		pos += n + (nl != NULL ? 1 : 0);
	}
	if (conf_finish(&p) != 0)
		goto fail;
	return p.cfg;
fail:
	conf_free(p.cfg);
	return NULL;
}

/* The most a configuration file may hold. */
#define CONF_FILE_MAX	(4u * 1024 * 1024)

struct conf *
conf_load(const char *path, bool missing_ok, char *err, size_t errsize)
{
	struct conf *cfg = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT && missing_ok) {
			cfg = conf_parse(path, "", 0, err, errsize);
			if (cfg != NULL)
				cfg->file = NULL;
			return cfg;
		}
		(void)snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *t;

			if (cap >= CONF_FILE_MAX) {
				(void)snprintf(err, errsize, "%s: larger than "
				    "%u bytes", path, CONF_FILE_MAX);
				goto done;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			t = realloc(text, cap);
			if (t == NULL) {
				(void)snprintf(err, errsize, "%s: out of memory",
				    path);
				goto done;
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		(void)snprintf(err, errsize, "%s: read error", path);
		goto done;
	}
	cfg = conf_parse(path, text != NULL ? text : "", len, err, errsize);
done:
	free(text);
	(void)fclose(f);
	return cfg;
}

int
conf_set(struct conf *cfg, const char *key, const char *value, char *err,
    size_t errsize)
{
	struct conf_parser p;
	char buf[CONF_LINE_MAX];

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = "command line";
	p.err = err;
	p.errsize = errsize;
	if (strlcpy(buf, value, sizeof(buf)) >= sizeof(buf)) {
		conf_error(&p, "%s: value too long", key);
		return -1;
	}
	return conf_apply(&p, key, buf);
}

/* --- the current snapshot ------------------------------------------- */

struct conf *
conf_acquire(void)
{
	struct conf *cfg;

	pthread_mutex_lock(&conf_lock);
	cfg = conf_current;
	if (cfg != NULL)
		cfg->refs++;
	pthread_mutex_unlock(&conf_lock);
	return cfg;
}

void
conf_release(struct conf *cfg)
{
	bool last;

	if (cfg == NULL)
		return;
	pthread_mutex_lock(&conf_lock);
	last = --cfg->refs == 0;
	pthread_mutex_unlock(&conf_lock);
	if (last)
		conf_free(cfg);
}

void
conf_install(struct conf *cfg)
{
	struct conf *old;

	pthread_mutex_lock(&conf_lock);
	old = conf_current;
	conf_current = cfg;
	pthread_mutex_unlock(&conf_lock);
	conf_release(old);
}

/* --- queries -------------------------------------------------------- */

const struct conf_domain_policy *
conf_domain_policy(const struct conf *cfg, const char *domain)
{
	const struct conf_domain_policy *best = NULL;
	size_t len = strlen(domain);

	for (size_t i = 0; i < cfg->ndomain_policies; i++) {
		const struct conf_domain_policy *dp = &cfg->domain_policies[i];

		if (spfdmarc_dname_is_under(domain, len, dp->domain,
		    strlen(dp->domain)) &&
		    (best == NULL || strlen(dp->domain) > strlen(best->domain)))
			best = dp;
	}
	return best;
}

bool
conf_domain_ignored(const struct conf *cfg, const char *domain)
{
	size_t len = strlen(domain);

	for (size_t i = 0; i < cfg->nignore_domains; i++)
		if (spfdmarc_dname_is_under(domain, len, cfg->ignore_domains[i],
		    strlen(cfg->ignore_domains[i])))
			return true;
	return false;
}

bool
conf_host_ignored(const struct conf *cfg, const struct spfdmarc_addr *a)
{
	for (size_t i = 0; i < cfg->nignore_hosts; i++)
		if (spfdmarc_cidr_match(&cfg->ignore_hosts[i], a))
			return true;
	return false;
}

bool
conf_authserv_trusted(const struct conf *cfg, const char *id,
    const char *our_id)
{
	size_t len = strlen(id);

	if (!cfg->trusted_authserv_ids_set)
		return our_id != NULL && spfdmarc_dname_equal(id, len, our_id,
		    strlen(our_id));
	for (size_t i = 0; i < cfg->ntrusted_authserv_ids; i++) {
		const char *t = cfg->trusted_authserv_ids[i];

		if (spfdmarc_dname_equal(id, len, t, strlen(t)))
			return true;
	}
	return false;
}

const char *
conf_action_name(enum conf_action action)
{
	switch (action) {
	case CONF_ACTION_NONE:	return "none";
	case CONF_ACTION_QUARANTINE:	return "quarantine";
	case CONF_ACTION_REJECT:	return "reject";
	}
	return "unknown";
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

void
conf_dump(const struct conf *cfg, FILE *out)
{
	static const char *const qa[] = { "hold", "header", "none" };
	static const char *const mf[] = { "permerror", "reject", "strictest" };
	char a[SPFDMARC_ADDR_STRLEN];

	fprintf(out, "Socket %s\nSocketMode %04o\n", cfg->socket,
	    cfg->socket_mode);
	fprintf(out, "AuthservID %s\n", cfg->authserv_id != NULL ?
	    cfg->authserv_id : "(the MTA's j macro, else the host name)");
	fprintf(out, "UserID %s\nPidFile %s\n", cfg->user ? cfg->user : "",
	    cfg->pidfile ? cfg->pidfile : "");
	fprintf(out, "Syslog %s\nLogLevel %s\n", yesno(cfg->syslog),
	    spfdmarc_log_level_name(cfg->log_level));
	fprintf(out, "Forwarders");
	for (size_t i = 0; i < cfg->nforwarders; i++)
		fprintf(out, " %s", cfg->forwarders[i]);
	fprintf(out, "%s\n", cfg->nforwarders == 0 ? " none" : "");
	fprintf(out, "TrustAnchorFile %s\nUnboundConfig %s\n",
	    cfg->trust_anchor_file != NULL ? cfg->trust_anchor_file :
	    "(UnboundConfig's, else /usr/share/dns/root.key)",
	    cfg->unbound_config ? cfg->unbound_config : "");
	fprintf(out, "DNSSEC %s\nDNSTimeout %u\n", yesno(cfg->dnssec),
	    cfg->dns_timeout_ms / 1000);
	if (cfg->dns_threads == 0)
		fprintf(out, "DNSThreads auto\n");
	else
		fprintf(out, "DNSThreads %u\n", cfg->dns_threads);
	fprintf(out, "DMARCMode %s\n",
	    cfg->dmarc_mode == CONF_DMARC_RFC9989 ? "rfc9989" : "rfc7489");
	fprintf(out, "TrustedAuthservIDs");
	if (!cfg->trusted_authserv_ids_set)
		fprintf(out, " (AuthservID)");
	for (size_t i = 0; i < cfg->ntrusted_authserv_ids; i++)
		fprintf(out, " %s", cfg->trusted_authserv_ids[i]);
	fprintf(out, "\nIgnoreHosts");
	for (size_t i = 0; i < cfg->nignore_hosts; i++) {
		if (spfdmarc_addr_format(&cfg->ignore_hosts[i].addr, a,
		    sizeof(a)) == 0)
			fprintf(out, " %s/%u", a, cfg->ignore_hosts[i].prefix);
	}
	fprintf(out, "%s\n", cfg->nignore_hosts == 0 ? " none" : "");
	fprintf(out, "IgnoreAuthenticatedClients %s\n",
	    yesno(cfg->ignore_authenticated));
	for (size_t i = 0; i < cfg->nignore_domains; i++)
		fprintf(out, "IgnoreDomains %s\n", cfg->ignore_domains[i]);
	for (size_t i = 0; i < cfg->ndomain_policies; i++)
		fprintf(out, "DomainPolicy %s %s\n",
		    cfg->domain_policies[i].domain,
		    conf_action_name(cfg->domain_policies[i].action));
	fprintf(out, "SPFCheckHELO %s\nRejectFailures %s\n",
	    yesno(cfg->spf_check_helo), yesno(cfg->reject_failures));
	fprintf(out, "SoftenReject %s\nSoftenQuarantine %s\n",
	    yesno(cfg->soften_reject), yesno(cfg->soften_quarantine));
	fprintf(out, "QuarantineAction %s\nQuarantineHeader %s: %s\n",
	    qa[cfg->quarantine_action], cfg->quarantine_header_name,
	    cfg->quarantine_header_value);
	fprintf(out, "TempFailOnError %s\nOnInternalError %s\n",
	    yesno(cfg->tempfail_on_error),
	    cfg->on_internal_error == CONF_ON_ERROR_ACCEPT ? "accept" :
	    "tempfail");
	fprintf(out, "SPFRejectFail %s\nSPFRejectText %s\n",
	    yesno(cfg->spf_reject_fail), cfg->spf_reject_text);
	fprintf(out, "AddReceivedSPF %s\nMultipleFrom %s\nRejectText %s\n",
	    yesno(cfg->add_received_spf), mf[cfg->multiple_from],
	    cfg->reject_text);
}
