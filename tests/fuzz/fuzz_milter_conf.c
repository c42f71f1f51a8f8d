/*
 * fuzz_milter_conf.c: the milter's configuration parser (milter/conf.c,
 * spfdmarc.conf(5)) on arbitrary text, and the lookups the milter makes
 * in what it parsed.
 *
 * Input: the file's text. Checked: a refused text has a terminated
 * "name:line: message" error; an accepted one answers the lookups and
 * dumps, and its lists stay within CONF_LIST_MAX.
 */
#include "config.h"

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	char err[CONF_ERR_MAX];
	struct conf *cfg;
	struct spfdmarc_addr a;

	if (null == NULL)
		null = fopen("/dev/null", "w");
	memset(err, 'x', sizeof(err));
	cfg = conf_parse("fuzz.conf", (const char *)data, size, err,
	    sizeof(err));
	FUZZ_ASSERT(strnlen(err, sizeof(err)) < sizeof(err), "err ends");
	if (cfg == NULL) {
		FUZZ_ASSERT(strncmp(err, "fuzz.conf", 9) == 0,
		    "an error names the file");
		return 0;
	}
	FUZZ_ASSERT(cfg->nforwarders <= CONF_LIST_MAX &&
	    cfg->ntrusted_authserv_ids <= CONF_LIST_MAX &&
	    cfg->nignore_hosts <= CONF_LIST_MAX &&
	    cfg->nignore_domains <= CONF_LIST_MAX &&
	    cfg->ndomain_policies <= CONF_LIST_MAX, "list limits");
	FUZZ_ASSERT(cfg->socket != NULL, "a socket");
	if (cfg->reject_text != NULL)
		FUZZ_ASSERT(!fuzz_has_crlfnul(cfg->reject_text,
		    strlen(cfg->reject_text)), "RejectText is one line");
	(void)conf_domain_policy(cfg, "a.b.example.com");
	(void)conf_domain_ignored(cfg, "example.com");
	(void)conf_authserv_trusted(cfg, "mx.example.net", "mx.example.net");
	(void)spfdmarc_addr_parse(&a, "192.0.2.1", 9);
	(void)conf_host_ignored(cfg, &a);
	(void)spfdmarc_addr_parse(&a, "2001:db8::1", 11);
	(void)conf_host_ignored(cfg, &a);
	if (null != NULL)
		conf_dump(cfg, null);
	conf_release(cfg);
	return 0;
}
