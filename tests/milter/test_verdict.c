/*
 * test_verdict.c: from results and local policy to the MTA's answer
 * (milter/verdict.c): reject, quarantine (hold / header / none), t=y as
 * the library evaluates it, RejectFailures, SoftenReject,
 * SoftenQuarantine, IgnoreDomains, DomainPolicy, TempFailOnError,
 * OnInternalError, MultipleFrom reject, and the %d expansion.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "session.h"
#include "tap.h"
#include "verdict.h"

static struct session s;

/* A session whose message failed DMARC with the given disposition. */
static void
setup(const char *conf_text, enum spfdmarc_dmarc_result_code result,
    enum spfdmarc_dmarc_policy disposition, const char *domain)
{
	char err[CONF_ERR_MAX];

	conf_release(s.cfg);
	memset(&s, 0, sizeof(s));
	s.cfg = conf_parse("t.conf", conf_text, strlen(conf_text), err,
	    sizeof(err));
	if (s.cfg == NULL)
		diag("config: %s", err);
	s.msg.dmarc.evaluated = true;
	s.msg.dmarc.res.result = result;
	s.msg.dmarc.res.disposition = disposition;
	s.msg.dmarc.res.evaluated_policy = disposition;
	s.msg.dmarc.res.author_domain = domain;
}

static void
expect(const char *name, enum verdict_action action, enum conf_action policy,
    const char *text)
{
	struct verdict v;

	verdict_decide(&s, &v);
	is_str(verdict_action_name(v.action), verdict_action_name(action),
	    "%s: action", name);
	is_str(conf_action_name(v.policy), conf_action_name(policy),
	    "%s: policy acted on", name);
	if (text != NULL) {
		const char *got = v.action == VERDICT_MARK ? v.header_value :
		    v.text;

		is_str(got, text, "%s: text", name);
	}
}

int
main(void)
{
	const enum spfdmarc_dmarc_result_code FAIL = SPFDMARC_DMARC_FAIL;
	const enum spfdmarc_dmarc_policy REJ = SPFDMARC_DMARC_POLICY_REJECT;
	const enum spfdmarc_dmarc_policy QUA =
	    SPFDMARC_DMARC_POLICY_QUARANTINE;
	struct verdict v;
	char out[64];

	setup("", FAIL, REJ, "example.com");
	expect("reject", VERDICT_REJECT, CONF_ACTION_REJECT,
	    "Message rejected: DMARC policy of example.com");
	verdict_decide(&s, &v);
	ok(strcmp(v.rcode, "550") == 0 && strcmp(v.xcode, "5.7.1") == 0,
	    "reject: 550 5.7.1");

	setup("", FAIL, QUA, "example.com");
	expect("quarantine hold", VERDICT_QUARANTINE, CONF_ACTION_QUARANTINE,
	    "spfdmarc: DMARC policy of example.com is quarantine");
	setup("QuarantineAction header\nQuarantineHeader X-Spam: yes %d\n",
	    FAIL, QUA, "example.com");
	expect("quarantine header", VERDICT_MARK, CONF_ACTION_QUARANTINE,
	    "yes example.com");
	setup("QuarantineAction none\n", FAIL, QUA, "example.com");
	expect("quarantine none", VERDICT_ACCEPT, CONF_ACTION_QUARANTINE, NULL);

	setup("", FAIL, SPFDMARC_DMARC_POLICY_NONE, "example.com");
	expect("p=none", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);
	setup("", SPFDMARC_DMARC_PASS, SPFDMARC_DMARC_POLICY_NONE,
	    "example.com");
	expect("pass", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);

	setup("RejectFailures no\n", FAIL, REJ, "example.com");
	expect("RejectFailures no", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);
	setup("SoftenReject yes\n", FAIL, REJ, "example.com");
	expect("SoftenReject", VERDICT_QUARANTINE, CONF_ACTION_QUARANTINE,
	    NULL);
	setup("SoftenQuarantine yes\n", FAIL, QUA, "example.com");
	expect("SoftenQuarantine", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);
	setup("SoftenReject yes\nSoftenQuarantine yes\n", FAIL, REJ,
	    "example.com");
	expect("both softenings", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);
	setup("SoftenQuarantine yes\n", FAIL, REJ, "example.com");
	expect("SoftenQuarantine leaves reject", VERDICT_REJECT,
	    CONF_ACTION_REJECT, NULL);

	setup("IgnoreDomains example.com\n", FAIL, REJ, "mail.example.com");
	expect("IgnoreDomains (subdomain)", VERDICT_ACCEPT, CONF_ACTION_NONE,
	    NULL);
	setup("DomainPolicy example.com quarantine\n", FAIL, REJ,
	    "example.com");
	expect("DomainPolicy softer", VERDICT_QUARANTINE,
	    CONF_ACTION_QUARANTINE, NULL);
	setup("DomainPolicy example.com reject\nSoftenReject yes\n", FAIL, QUA,
	    "example.com");
	expect("DomainPolicy stricter, softening not applied", VERDICT_REJECT,
	    CONF_ACTION_REJECT, NULL);
	setup("DomainPolicy example.org none\n", FAIL, REJ, "example.com");
	expect("DomainPolicy of another domain", VERDICT_REJECT,
	    CONF_ACTION_REJECT, NULL);

	setup("", SPFDMARC_DMARC_TEMPERROR, SPFDMARC_DMARC_POLICY_UNSET,
	    "example.com");
	expect("temperror accepted", VERDICT_ACCEPT, CONF_ACTION_NONE, NULL);
	setup("TempFailOnError yes\n", SPFDMARC_DMARC_TEMPERROR,
	    SPFDMARC_DMARC_POLICY_UNSET, "example.com");
	expect("TempFailOnError", VERDICT_TEMPFAIL, CONF_ACTION_NONE,
	    "Temporary DNS failure evaluating DMARC for example.com");
	verdict_decide(&s, &v);
	ok(strcmp(v.rcode, "451") == 0 && strcmp(v.xcode, "4.4.3") == 0,
	    "TempFailOnError: 451 4.4.3");

	setup("", FAIL, REJ, "example.com");
	s.msg.failed = true;
	expect("internal error: accept", VERDICT_ACCEPT, CONF_ACTION_NONE,
	    NULL);
	setup("OnInternalError tempfail\n", FAIL, REJ, "example.com");
	s.msg.failed = true;
	expect("internal error: tempfail", VERDICT_TEMPFAIL, CONF_ACTION_NONE,
	    NULL);

	setup("", SPFDMARC_DMARC_PERMERROR, SPFDMARC_DMARC_POLICY_UNSET, NULL);
	s.msg.dmarc.why = "several author domains";
	expect("several From: permerror accepted", VERDICT_ACCEPT,
	    CONF_ACTION_NONE, NULL);
	setup("MultipleFrom reject\n", SPFDMARC_DMARC_PERMERROR,
	    SPFDMARC_DMARC_POLICY_UNSET, NULL);
	s.msg.dmarc.why = "several author domains";
	expect("MultipleFrom reject", VERDICT_REJECT, CONF_ACTION_NONE,
	    "Message must have exactly one author domain in From");

	verdict_expand(out, sizeof(out), "a %d b %% c %x", 'd', "x.example");
	is_str(out, "a x.example b % c %x", "expand: %%d, %%%%, others kept");
	verdict_expand(out, 8, "%d%d", 'd', "example.com");
	is_str(out, "example", "expand: bounded");
	verdict_expand(out, sizeof(out), "%d", 'd', "a\r\nb");
	is_str(out, "a  b", "expand: no line break can reach a reply");

	conf_release(s.cfg);
	return done_testing();
}
