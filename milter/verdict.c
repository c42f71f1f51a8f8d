/*
 * verdict.c: the message's fate.
 *
 * Order of rules, first match wins:
 *  1. the filter itself failed (out of memory, resolver down):
 *     OnInternalError — accept or 451 4.3.0; mail is never lost;
 *  2. no usable or several author domains: MultipleFrom reject → 550;
 *  3. DMARC temperror: TempFailOnError → 451 4.4.3, else accept;
 *  4. DMARC fail: the evaluated policy (after t=, RFC 9989 §5.3.1 and
 *     §4.7 "t"), then local policy, which RFC 9989 §5.4 allows a receiver:
 *     IgnoreDomains, DomainPolicy, RejectFailures, SoftenReject,
 *     SoftenQuarantine; reject → 550 5.7.1 RejectText; quarantine →
 *     QuarantineAction (hold, header, none);
 *  5. everything else: accept.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "verdict.h"

const char *
verdict_action_name(enum verdict_action a)
{
	switch (a) {
	case VERDICT_ACCEPT:		return "accept";
	case VERDICT_QUARANTINE:	return "quarantine";
	case VERDICT_MARK:		return "mark";
	case VERDICT_REJECT:		return "reject";
	case VERDICT_TEMPFAIL:		return "tempfail";
	}
	return "unknown";
}

void
verdict_expand(char *out, size_t size, const char *fmt, char letter,
    const char *value)
{
	size_t n = 0;

	if (size == 0)
		return;
	for (const char *p = fmt; *p != '\0' && n + 1 < size; p++) {
		const char *ins = NULL;
		char one[2] = { *p, '\0' };

		if (p[0] == '%' && p[1] == letter) {
			ins = value != NULL ? value : "";
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			ins = "%";
			p++;
		} else
			ins = one;
		for (; *ins != '\0' && n + 1 < size; ins++)
			out[n++] = (*ins == '\r' || *ins == '\n') ? ' ' : *ins;
	}
	out[n] = '\0';
}

static void
verdict_reply(struct verdict *v, enum verdict_action a, const char *rcode,
    const char *xcode)
{
	v->action = a;
	(void)strlcpy(v->rcode, rcode, sizeof(v->rcode));
	(void)strlcpy(v->xcode, xcode, sizeof(v->xcode));
}

static enum conf_action
verdict_from_policy(enum spfdmarc_dmarc_policy p)
{
	switch (p) {
	case SPFDMARC_DMARC_POLICY_REJECT:	return CONF_ACTION_REJECT;
	case SPFDMARC_DMARC_POLICY_QUARANTINE:	return CONF_ACTION_QUARANTINE;
	default:				return CONF_ACTION_NONE;
	}
}

void
verdict_decide(const struct session *s, struct verdict *v)
{
	const struct conf *cfg = s->cfg;
	const struct message *m = &s->msg;
	const struct spfdmarc_dmarc_result *r = &m->dmarc.res;
	const char *domain = r->author_domain != NULL ? r->author_domain : "";
	const struct conf_domain_policy *dp;
	enum conf_action act;

	memset(v, 0, sizeof(*v));
	v->action = VERDICT_ACCEPT;
	v->policy = CONF_ACTION_NONE;

	if (m->failed) {
		if (cfg->on_internal_error == CONF_ON_ERROR_TEMPFAIL) {
			verdict_reply(v, VERDICT_TEMPFAIL, "451", "4.3.0");
			(void)strlcpy(v->text, "Temporary authentication "
			    "failure, try again later", sizeof(v->text));
		}
		v->override = "internal error";
		return;
	}
	if (!m->dmarc.evaluated)
		return;

	if (r->result == SPFDMARC_DMARC_PERMERROR && m->dmarc.why != NULL &&
	    cfg->multiple_from == CONF_MULTIFROM_REJECT) {
		verdict_reply(v, VERDICT_REJECT, "550", "5.7.1");
		(void)strlcpy(v->text, "Message must have exactly one author "
		    "domain in From", sizeof(v->text));
		v->override = "MultipleFrom reject";
		return;
	}
	if (r->result == SPFDMARC_DMARC_TEMPERROR) {
		if (cfg->tempfail_on_error) {
			verdict_reply(v, VERDICT_TEMPFAIL, "451", "4.4.3");
			(void)snprintf(v->text, sizeof(v->text),
			    "Temporary DNS failure evaluating DMARC for %s",
			    domain);
		}
		return;
	}
	if (r->result != SPFDMARC_DMARC_FAIL)
		return;

	act = verdict_from_policy(r->disposition);
	if (conf_domain_ignored(cfg, domain)) {
		act = CONF_ACTION_NONE;
		v->override = "IgnoreDomains";
	} else if ((dp = conf_domain_policy(cfg, domain)) != NULL) {
		if (dp->action != act)
			v->override = "DomainPolicy";
		act = dp->action;
	} else {
		if (act == CONF_ACTION_REJECT && !cfg->reject_failures) {
			act = CONF_ACTION_NONE;
			v->override = "RejectFailures no";
		}
		if (act == CONF_ACTION_REJECT && cfg->soften_reject) {
			act = CONF_ACTION_QUARANTINE;
			v->override = "SoftenReject";
		}
		if (act == CONF_ACTION_QUARANTINE && cfg->soften_quarantine) {
			act = CONF_ACTION_NONE;
			v->override = "SoftenQuarantine";
		}
	}
	v->policy = act;
	switch (act) {
	case CONF_ACTION_REJECT:
		verdict_reply(v, VERDICT_REJECT, "550", "5.7.1");
		verdict_expand(v->text, sizeof(v->text), cfg->reject_text, 'd',
		    domain);
		break;
	case CONF_ACTION_QUARANTINE:
		switch (cfg->quarantine_action) {
		case CONF_QUARANTINE_HOLD:
			v->action = VERDICT_QUARANTINE;
			(void)snprintf(v->text, sizeof(v->text),
			    "spfdmarc: DMARC policy of %s is quarantine",
			    domain);
			break;
		case CONF_QUARANTINE_HEADER:
			v->action = VERDICT_MARK;
			verdict_expand(v->header_value,
			    sizeof(v->header_value),
			    cfg->quarantine_header_value, 'd', domain);
			break;
		case CONF_QUARANTINE_NONE:
			break;
		}
		break;
	case CONF_ACTION_NONE:
		break;
	}
}
