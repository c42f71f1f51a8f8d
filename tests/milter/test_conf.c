/*
 * test_conf.c: the milter's configuration parser (milter/conf.c):
 * defaults, every key, errors reported as "file:line: message", the
 * reference-counted snapshots a reload swaps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

static struct conf *
parse(const char *text, char *err, size_t errsize)
{
	return conf_parse("t.conf", text, strlen(text), err, errsize);
}

/* The text must be refused with exactly this message. */
static void
refused(const char *text, const char *want, const char *name)
{
	char err[CONF_ERR_MAX];
	struct conf *cfg = parse(text, err, sizeof(err));

	ok(cfg == NULL, "%s: refused", name);
	is_str(err, want, "%s: message", name);
	conf_release(cfg);
}

static void
test_defaults(void)
{
	char err[CONF_ERR_MAX];
	struct conf *cfg = parse("", err, sizeof(err));
	struct spfdmarc_addr a;

	if (!ok(cfg != NULL, "empty configuration parses")) {
		diag("%s", err);
		return;
	}
	is_str(cfg->socket, "unix:/run/spfdmarc/spfdmarc.sock", "Socket");
	is_int(cfg->socket_mode, 0660, "SocketMode");
	ok(cfg->authserv_id == NULL, "AuthservID: MTA's or host name");
	ok(cfg->user == NULL && cfg->pidfile == NULL, "UserID, PidFile unset");
	is_int((long long)cfg->nforwarders, 0, "Forwarders: full recursion");
	ok(cfg->trust_anchor_file == NULL,
	    "TrustAnchorFile: UnboundConfig's, else the library default");
	ok(cfg->unbound_config == NULL, "UnboundConfig unset");
	ok(cfg->dnssec, "DNSSEC yes");
	is_int(cfg->dns_timeout_ms, 5000, "DNSTimeout 5");
	is_int(cfg->dns_threads, 0, "DNSThreads auto");
	is_int(cfg->dmarc_mode, CONF_DMARC_RFC9989, "DMARCMode rfc9989");
	ok(!cfg->trusted_authserv_ids_set, "TrustedAuthservIDs: AuthservID");
	is_int((long long)cfg->nignore_hosts, 2, "IgnoreHosts: two networks");
	spfdmarc_addr_parse(&a, "127.1.2.3", 9);
	ok(conf_host_ignored(cfg, &a), "127.1.2.3 ignored");
	spfdmarc_addr_parse(&a, "::1", 3);
	ok(conf_host_ignored(cfg, &a), "::1 ignored");
	spfdmarc_addr_parse(&a, "192.0.2.1", 9);
	ok(!conf_host_ignored(cfg, &a), "192.0.2.1 evaluated");
	ok(cfg->ignore_authenticated, "IgnoreAuthenticatedClients yes");
	ok(cfg->reject_failures, "RejectFailures yes");
	is_int(cfg->quarantine_action, CONF_QUARANTINE_HOLD,
	    "QuarantineAction hold");
	ok(!cfg->tempfail_on_error, "TempFailOnError no");
	ok(cfg->spf_check_helo, "SPFCheckHELO yes");
	ok(!cfg->spf_reject_fail, "SPFRejectFail no");
	ok(cfg->add_received_spf, "AddReceivedSPF yes");
	is_int(cfg->multiple_from, CONF_MULTIFROM_PERMERROR,
	    "MultipleFrom permerror");
	ok(strstr(cfg->reject_text, "%d") != NULL, "RejectText names %%d");
	is_int(cfg->log_level, SPFDMARC_LOG_INFO, "LogLevel info");
	ok(cfg->syslog && cfg->syslog_facility == LOG_MAIL,
	    "syslog, mail facility");
	is_int(cfg->on_internal_error, CONF_ON_ERROR_ACCEPT,
	    "OnInternalError accept");
	conf_release(cfg);
}

static const char all_keys[] =
    "# every key\n"
    "Socket inet:8893@127.0.0.1\n"
    "SocketMode 0600\n"
    "AuthservID MX.Example.NET.\n"
    "UserID spfdmarc:mail\n"
    "PidFile /run/spfdmarc/spfdmarc.pid\n"
    "Syslog no\n"
    "SyslogFacility local3\n"
    "LogLevel debug\n"
    "Forwarders 192.0.2.53, 2001:db8::53@5353\n"
    "TrustAnchorFile /etc/unbound/root.key\n"
    "UnboundConfig /etc/spfdmarc/unbound.conf\n"
    "DNSSEC no\n"
    "DNSTimeout 7\n"
    "DNSThreads 3\n"
    "DMARCMode RFC7489\n"
    "TrustedAuthservIDs dkim.example.net mx.example.net\n"
    "IgnoreHosts 10.0.0.0/8 2001:db8::/32 192.0.2.1\n"
    "IgnoreAuthenticatedClients no\n"
    "IgnoreDomains partner.example\n"
    "IgnoreDomains other.example, third.example\n"
    "DomainPolicy example.com quarantine\n"
    "DomainPolicy sub.example.com none\n"
    "SPFCheckHELO no\n"
    "RejectFailures no\n"
    "SoftenReject yes\n"
    "SoftenQuarantine yes\n"
    "QuarantineAction header\n"
    "QuarantineHeader X-Spam-Flag: YES (%d)\n"
    "TempFailOnError yes\n"
    "OnInternalError tempfail\n"
    "SPFRejectFail yes\n"
    "SPFRejectText SPF fail for %s\n"
    "AddReceivedSPF no\n"
    "MultipleFrom strictest\n"
    "RejectText Rejected by DMARC policy of %d, 100%% sure  # comment\n";

static void
test_all_keys(void)
{
	char err[CONF_ERR_MAX];
	struct conf *cfg = parse(all_keys, err, sizeof(err));
	struct spfdmarc_addr a;
	const struct conf_domain_policy *dp;

	if (!ok(cfg != NULL, "every key parses")) {
		diag("%s", err);
		return;
	}
	is_str(cfg->socket, "inet:8893@127.0.0.1", "Socket");
	is_int(cfg->socket_mode, 0600, "SocketMode octal");
	is_str(cfg->authserv_id, "mx.example.net", "AuthservID lower, no dot");
	is_str(cfg->user, "spfdmarc:mail", "UserID");
	is_str(cfg->pidfile, "/run/spfdmarc/spfdmarc.pid", "PidFile");
	ok(!cfg->syslog && cfg->syslog_facility == LOG_LOCAL3, "Syslog");
	is_int(cfg->log_level, SPFDMARC_LOG_DEBUG, "LogLevel");
	is_int((long long)cfg->nforwarders, 2, "Forwarders: two");
	is_str(cfg->forwarders[1], "2001:db8::53@5353", "Forwarders: port");
	is_str(cfg->unbound_config, "/etc/spfdmarc/unbound.conf",
	    "UnboundConfig");
	ok(!cfg->dnssec, "DNSSEC no");
	is_int(cfg->dns_timeout_ms, 7000, "DNSTimeout");
	is_int(cfg->dns_threads, 3, "DNSThreads");
	is_int(cfg->dmarc_mode, CONF_DMARC_RFC7489, "DMARCMode any case");
	is_int((long long)cfg->ntrusted_authserv_ids, 2, "TrustedAuthservIDs");
	ok(conf_authserv_trusted(cfg, "DKIM.example.net", "mx.example.net"),
	    "trusted id, any case");
	ok(!conf_authserv_trusted(cfg, "evil.example", "mx.example.net"),
	    "other id not trusted");
	is_int((long long)cfg->nignore_hosts, 3,
	    "IgnoreHosts replaces the default");
	spfdmarc_addr_parse(&a, "127.0.0.1", 9);
	ok(!conf_host_ignored(cfg, &a), "127.0.0.1 no longer ignored");
	spfdmarc_addr_parse(&a, "10.1.2.3", 8);
	ok(conf_host_ignored(cfg, &a), "10.1.2.3 ignored");
	ok(!cfg->ignore_authenticated, "IgnoreAuthenticatedClients no");
	is_int((long long)cfg->nignore_domains, 3, "IgnoreDomains adds up");
	ok(conf_domain_ignored(cfg, "mail.other.example"),
	    "subdomain of an ignored domain");
	ok(!conf_domain_ignored(cfg, "notother.example"),
	    "label boundary respected");
	dp = conf_domain_policy(cfg, "a.sub.example.com");
	ok(dp != NULL && dp->action == CONF_ACTION_NONE,
	    "DomainPolicy: the longest suffix wins");
	dp = conf_domain_policy(cfg, "example.com");
	ok(dp != NULL && dp->action == CONF_ACTION_QUARANTINE,
	    "DomainPolicy: exact");
	ok(conf_domain_policy(cfg, "example.org") == NULL,
	    "DomainPolicy: no match");
	ok(!cfg->spf_check_helo && !cfg->reject_failures, "SPFCheckHELO, "
	    "RejectFailures");
	ok(cfg->soften_reject && cfg->soften_quarantine, "Soften*");
	is_int(cfg->quarantine_action, CONF_QUARANTINE_HEADER,
	    "QuarantineAction");
	is_str(cfg->quarantine_header_name, "X-Spam-Flag", "header name");
	is_str(cfg->quarantine_header_value, "YES (%d)", "header value");
	ok(cfg->tempfail_on_error, "TempFailOnError");
	is_int(cfg->on_internal_error, CONF_ON_ERROR_TEMPFAIL,
	    "OnInternalError");
	ok(cfg->spf_reject_fail, "SPFRejectFail");
	is_str(cfg->spf_reject_text, "SPF fail for %s", "SPFRejectText");
	ok(!cfg->add_received_spf, "AddReceivedSPF");
	is_int(cfg->multiple_from, CONF_MULTIFROM_STRICTEST, "MultipleFrom");
	is_str(cfg->reject_text, "Rejected by DMARC policy of %d, 100%% sure",
	    "RejectText, comment and trailing space cut");
	conf_release(cfg);
}

static void
test_errors(void)
{
	refused("Foo bar\n", "t.conf:1: unknown key 'Foo'", "unknown key");
	refused("# c\n\nDNSSEC maybe\n",
	    "t.conf:3: DNSSEC: expected yes or no, not 'maybe'", "bad bool");
	refused("DNSTimeout 0\n",
	    "t.conf:1: DNSTimeout: expected a number from 1 to 300, not '0'",
	    "timeout 0");
	refused("DNSTimeout 5s\n",
	    "t.conf:1: DNSTimeout: expected a number from 1 to 300, not '5s'",
	    "timeout with unit");
	refused("DNSThreads 5\n",
	    "t.conf:1: DNSThreads: expected a number from 1 to 4, not '5'",
	    "DNSThreads above 4");
	refused("Socket tcp:25\n", "t.conf:1: Socket: expected unix:/path, "
	    "inet:PORT@HOST or inet6:PORT@HOST, not 'tcp:25'", "bad socket");
	refused("Socket inet:99999@localhost\n", "t.conf:1: Socket: expected "
	    "a number from 1 to 65535, not '99999'", "bad port");
	refused("Socket unix:run/x.sock\n", "t.conf:1: Socket: "
	    "'unix:run/x.sock': the socket path must be absolute",
	    "relative unix socket");
	refused("SocketMode 999\n",
	    "t.conf:1: SocketMode: expected an octal mode, not '999'",
	    "bad mode");
	refused("PidFile run/x.pid\n",
	    "t.conf:1: PidFile: expected an absolute path, not 'run/x.pid'",
	    "relative path");
	refused("IgnoreHosts 10.0.0.0/33\n", "t.conf:1: IgnoreHosts: "
	    "'10.0.0.0/33' is not an address or CIDR network", "bad CIDR");
	refused("IgnoreHosts ,\n", "t.conf:1: IgnoreHosts: empty list",
	    "empty list");
	refused("Forwarders dns.example\n", "t.conf:1: Forwarders: "
	    "'dns.example' is not an IP address (HOST[@PORT])",
	    "forwarder by name");
	refused("AuthservID bad_host!\n",
	    "t.conf:1: AuthservID: 'bad_host!' is not a domain name",
	    "bad authserv-id");
	refused("QuarantineAction drop\n", "t.conf:1: QuarantineAction: "
	    "expected one of hold, header, none, not 'drop'", "bad enum");
	refused("MultipleFrom first\n", "t.conf:1: MultipleFrom: expected "
	    "one of permerror, reject, strictest, not 'first'",
	    "bad MultipleFrom");
	refused("RejectText bad %s here\n", "t.conf:1: RejectText: '%' must "
	    "be followed by d or %", "bad % in text");
	refused("DomainPolicy example.com\n", "t.conf:1: DomainPolicy: "
	    "expected DOMAIN ACTION, not 'example.com'", "policy no action");
	refused("DomainPolicy example.com drop\n", "t.conf:1: DomainPolicy: "
	    "expected one of none, quarantine, reject, not 'drop'",
	    "policy bad action");
	refused("DomainPolicy a.example none\nDomainPolicy A.example. reject\n",
	    "t.conf:2: DomainPolicy: a.example listed twice",
	    "policy twice");
	refused("LogLevel debug\n\nloglevel info\n",
	    "t.conf:3: LogLevel: already set at line 1", "key given twice");
	refused("Socket\n", "t.conf:1: Socket: missing value",
	    "missing value");
	refused("UserID :mail\n",
	    "t.conf:1: UserID: ':mail' is not user[:group]", "bad UserID");
	refused("QuarantineHeader NoColon\n", "t.conf:1: QuarantineHeader: "
	    "expected 'Name: value', not 'NoColon'", "bad header");
	refused("Syslog yes\rDNSSEC no\n", "t.conf:1: Syslog: expected yes "
	    "or no, not 'yes\rDNSSEC no'", "a lone CR is not a line break");
	refused("Syslog yes\001\n", "t.conf:1: control character in line",
	    "control character");
}

static void
test_misc_syntax(void)
{
	char err[CONF_ERR_MAX];
	struct conf *cfg;
	char big[CONF_LINE_MAX + 32];

	cfg = parse("  # indented comment\n\tdnssec\tNO  \r\n"
	    "rejecttext A \\# sign for %d\nIgnoreHosts none\n"
	    "TrustedAuthservIDs none\nForwarders none", err, sizeof(err));
	if (ok(cfg != NULL, "tabs, CRLF, any case, no final newline")) {
		ok(!cfg->dnssec, "dnssec NO");
		is_str(cfg->reject_text, "A # sign for %d", "escaped #");
		is_int((long long)cfg->nignore_hosts, 0, "IgnoreHosts none");
		ok(cfg->trusted_authserv_ids_set &&
		    cfg->ntrusted_authserv_ids == 0, "TrustedAuthservIDs none");
		ok(!conf_authserv_trusted(cfg, "x.example", "x.example"),
		    "none trusts nobody, not even us");
	} else
		diag("%s", err);
	conf_release(cfg);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cfg = parse(big, err, sizeof(err));
	ok(cfg == NULL, "a line over the limit is refused");
	is_str(err, "t.conf:1: line longer than 4095 bytes", "its message");

	cfg = conf_parse("t.conf", "Syslog yes\0\n", 12, err, sizeof(err));
	ok(cfg == NULL && strcmp(err, "t.conf:1: NUL byte in line") == 0,
	    "a NUL byte is refused");
	conf_release(cfg);

	cfg = parse("QuarantineAction header\n", err, sizeof(err));
	ok(cfg != NULL && cfg->quarantine_header_name != NULL,
	    "QuarantineAction header has a default header");
	conf_release(cfg);

	cfg = parse("Socket /run/x.sock\n", err, sizeof(err));
	ok(cfg != NULL, "a bare path socket");
	if (cfg != NULL)
		ok(conf_set(cfg, "Socket", "inet6:10025@[::1]", err,
		    sizeof(err)) == 0 && strcmp(cfg->socket,
		    "inet6:10025@[::1]") == 0, "-p overrides Socket");
	conf_release(cfg);
}

static void
test_load(void)
{
	char err[CONF_ERR_MAX], path[] = "/tmp/test_conf.XXXXXX";
	struct conf *cfg;
	FILE *f;
	int fd;

	cfg = conf_load("/nonexistent/spfdmarc.conf", true, err, sizeof(err));
	ok(cfg != NULL && cfg->file == NULL,
	    "a missing default file gives the defaults");
	conf_release(cfg);
	cfg = conf_load("/nonexistent/spfdmarc.conf", false, err, sizeof(err));
	ok(cfg == NULL, "a missing -c file is an error");
	is_str(err, "/nonexistent/spfdmarc.conf: No such file or directory",
	    "its message");

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		ok(0, "temporary file");
		return;
	}
	fputs("LogLevel warning\nDNSTimeout 2\nBogusKey 1\n", f);
	fclose(f);
	cfg = conf_load(path, false, err, sizeof(err));
	ok(cfg == NULL, "a bad file is refused");
	ok(strstr(err, ":3: unknown key 'BogusKey'") != NULL &&
	    strncmp(err, path, strlen(path)) == 0, "file:line in the message");
	f = fopen(path, "w");
	fputs("LogLevel warning\nDNSTimeout 2\n", f);
	fclose(f);
	cfg = conf_load(path, false, err, sizeof(err));
	ok(cfg != NULL && cfg->dns_timeout_ms == 2000, "a good file loads");
	conf_release(cfg);
	unlink(path);
}

static void
test_snapshots(void)
{
	char err[CONF_ERR_MAX];
	struct conf *a = parse("LogLevel error\n", err, sizeof(err));
	struct conf *b = parse("LogLevel debug\n", err, sizeof(err));
	struct conf *held, *now;

	ok(conf_acquire() == NULL, "no configuration before install");
	conf_install(a);
	held = conf_acquire();		/* a connection starts */
	ok(held == a && a->refs == 2, "a connection holds a reference");
	conf_install(b);		/* SIGHUP */
	ok(held->log_level == SPFDMARC_LOG_ERROR && a->refs == 1,
	    "the old snapshot lives on for its connection");
	now = conf_acquire();
	ok(now == b, "new connections get the new one");
	conf_release(now);
	conf_release(held);		/* the connection ends: a is freed */
	conf_install(NULL);
	ok(conf_acquire() == NULL, "uninstalled");
}

int
main(void)
{
	test_defaults();
	test_all_keys();
	test_errors();
	test_misc_syntax();
	test_load();
	test_snapshots();
	return done_testing();
}
