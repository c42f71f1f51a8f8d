/*
 * headers.c: reading Authentication-Results (RFC 8601 §2.2, §5) and
 * writing Authentication-Results and Received-SPF (RFC 7208 §9.1).
 *
 * Every value written goes through the library's builders
 * (spfdmarc/hdr.h), which quote or escape whatever came from the peer.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "headers.h"
#include "mlog.h"
#include "spfdmarc/authres.h"
#include "spfdmarc/dname.h"
#include "spfdmarc/err.h"
#include "spfdmarc/hdr.h"

#define HEADERS_FOLD		"\n\t"
#define HEADERS_VALUE_MAX	4096	/* one field body we write */

/* --- reading --------------------------------------------------------- */

void
headers_examine_ar(struct session *s, const char *value, size_t len)
{
	struct message *m = &s->msg;
	char id[SPFDMARC_HDR_AUTHSERV_MAX];
	size_t index = ++m->nar;
	bool ours;

	if (spfdmarc_hdr_ar_authserv_id(value, len, id, sizeof(id)) != 0)
		return;
	ours = s->authserv_id != NULL && spfdmarc_dname_equal(id, strlen(id),
	    s->authserv_id, strlen(s->authserv_id));
	if (ours) {
		/*
		 * RFC 8601 §5: it claims to be ours but came with the
		 * message. (Postfix shows a filter neither its own Received
		 * field nor what other filters add, so every field seen here
		 * came from the client.) Never trusted, always deleted.
		 */
		if (m->nforged < MESSAGE_AR_MAX)
			m->forged[m->nforged++] = index;
		return;
	}
	/* Kept for the DKIM results DMARC uses (read at end of message). */
	if (conf_authserv_trusted(s->cfg, id, s->authserv_id) &&
	    m->ntrusted_ar < MESSAGE_AR_MAX) {
		const char *copy = spfdmarc_arena_strndup(m->arena, value, len);

		if (copy == NULL) {
			m->failed = true;
			m->fail_why = "out of memory";
			return;
		}
		m->trusted_ar[m->ntrusted_ar] = copy;
		m->trusted_ar_len[m->ntrusted_ar++] = len;
	}
}

void
headers_dkim_passes(struct session *s)
{
	struct message *m = &s->msg;
	struct spfdmarc_authres_dkim *d = NULL;
	const char *const *trusted = s->cfg->trusted_authserv_ids;
	size_t ntrusted = s->cfg->ntrusted_authserv_ids, nd = 0;
	const char *ours[1] = { s->authserv_id };

	if (m->ntrusted_ar == 0)
		return;
	if (!s->cfg->trusted_authserv_ids_set) {
		trusted = ours;
		ntrusted = 1;
	}
	if (spfdmarc_authres_dkim_passes(m->arena, m->trusted_ar,
	    m->trusted_ar_len, m->ntrusted_ar, trusted, ntrusted, &d, &nd,
	    NULL) != 0) {
		m->failed = true;
		m->fail_why = "out of memory";
		return;
	}
	for (size_t i = 0; i < nd && m->ndkim_pass < MESSAGE_DKIM_MAX; i++)
		m->dkim_pass[m->ndkim_pass++] = d[i].domain;
}

/* --- writing --------------------------------------------------------- */

static const char *
headers_dnssec(enum spfdmarc_dnssec d)
{
	return spfdmarc_dnssec_name(d);
}

static void
headers_ar_spf(const struct session *s, struct spfdmarc_hdr *h)
{
	const struct message *m = &s->msg;
	const struct spfdmarc_spf_response *spf = m->spf;
	char comment[SPFDMARC_SPF_REASON_MAX + 128];

	if (spf == NULL)
		return;
	spfdmarc_hdr_ar_method(h, "spf", spfdmarc_spf_result_name(spf->result));
	if (spf->reason[0] != '\0')
		(void)snprintf(comment, sizeof(comment), "dnssec=%s: %s",
		    headers_dnssec(spf->dnssec), spf->reason);
	else
		(void)snprintf(comment, sizeof(comment), "dnssec=%s",
		    headers_dnssec(spf->dnssec));
	if (s->helo_spf_done && s->helo_spf != NULL) {
		size_t n = strlen(comment);

		(void)snprintf(comment + n, sizeof(comment) - n, " helo=%s",
		    spfdmarc_spf_result_name(s->helo_spf->result));
	}
	spfdmarc_hdr_comment(h, comment);
	/* RFC 8601 §2.7.2: the address checked (postmaster@helo for the
	 * null sender, RFC 7208 §2.4). */
	if (spf->sender[0] != '\0')
		spfdmarc_hdr_ar_prop(h, "smtp", "mailfrom", spf->sender);
	if (s->helo != NULL)
		spfdmarc_hdr_ar_prop(h, "smtp", "helo", s->helo);
}

static void
headers_ar_dmarc(const struct session *s, const struct verdict *v,
    struct spfdmarc_hdr *h)
{
	const struct message *m = &s->msg;
	const struct spfdmarc_dmarc_result *r = &m->dmarc.res;
	char comment[SPFDMARC_DMARC_REASON_MAX + 256];
	size_t n = 0;
	const char *pub = spfdmarc_dmarc_policy_name(r->published_policy);
	const char *eval = spfdmarc_dmarc_policy_name(r->evaluated_policy);

	if (!m->dmarc.evaluated)
		return;
	spfdmarc_hdr_ar_method(h, "dmarc", spfdmarc_dmarc_result_name(
	    r->result));
	comment[0] = '\0';
	if (pub != NULL)
		n += (size_t)snprintf(comment + n, sizeof(comment) - n,
		    "%s=%s t=%s ", r->published_tag != NULL ?
		    r->published_tag : "p", pub, r->testing ? "y" : "n");
	if (n < sizeof(comment))
		n += (size_t)snprintf(comment + n, sizeof(comment) - n,
		    "dnssec=%s", headers_dnssec(r->dnssec));
	if (n < sizeof(comment) && v->override != NULL &&
	    r->result == SPFDMARC_DMARC_FAIL)
		n += (size_t)snprintf(comment + n, sizeof(comment) - n,
		    " local=%s:%s", v->override, conf_action_name(v->policy));
	if (n < sizeof(comment) && m->dmarc.why != NULL)
		n += (size_t)snprintf(comment + n, sizeof(comment) - n,
		    ": %s", m->dmarc.why);
	else if (n < sizeof(comment) && r->reason[0] != '\0' &&
	    r->result != SPFDMARC_DMARC_PASS)
		n += (size_t)snprintf(comment + n, sizeof(comment) - n,
		    ": %s", r->reason);
	spfdmarc_hdr_comment(h, comment);
	if (r->author_domain != NULL)
		spfdmarc_hdr_ar_prop(h, "header", "from", r->author_domain);
	if (eval != NULL)
		spfdmarc_hdr_ar_prop(h, "policy", "dmarc", eval);
}

int
headers_build_ar(const struct session *s, const struct verdict *v,
    struct spfdmarc_buf *out)
{
	struct spfdmarc_hdr h;

	spfdmarc_hdr_init(&h, out, HEADERS_FOLD);
	spfdmarc_hdr_ar_begin(&h, s->authserv_id);
	if (s->msg.spf == NULL && !s->msg.dmarc.evaluated)
		spfdmarc_hdr_ar_none(&h);
	headers_ar_spf(s, &h);
	headers_ar_dmarc(s, v, &h);
	return spfdmarc_hdr_finish(&h);
}

int
headers_build_received_spf(const struct session *s, struct spfdmarc_buf *out)
{
	const struct spfdmarc_spf_response *spf = s->msg.spf;
	struct spfdmarc_hdr h;
	char c[SPFDMARC_SPF_SENDER_MAX + SPFDMARC_SPF_REASON_MAX + 512];
	const char *who = spf->sender[0] != '\0' ? spf->sender : spf->domain;

	/* The comment texts of RFC 7208 §9.1's examples. */
	switch (spf->result) {
	case SPFDMARC_SPF_PASS:
		(void)snprintf(c, sizeof(c), "%s: domain of %s designates %s "
		    "as permitted sender", s->authserv_id, who, s->addr_text);
		break;
	case SPFDMARC_SPF_FAIL:
		(void)snprintf(c, sizeof(c), "%s: domain of %s does not "
		    "designate %s as permitted sender", s->authserv_id, who,
		    s->addr_text);
		break;
	case SPFDMARC_SPF_SOFTFAIL:
		(void)snprintf(c, sizeof(c), "%s: domain of transitioning %s "
		    "does not designate %s as permitted sender",
		    s->authserv_id, who, s->addr_text);
		break;
	case SPFDMARC_SPF_NEUTRAL:
		(void)snprintf(c, sizeof(c), "%s: %s is neither permitted nor "
		    "denied by domain of %s", s->authserv_id, s->addr_text,
		    who);
		break;
	case SPFDMARC_SPF_NONE:
		(void)snprintf(c, sizeof(c), "%s: %s does not designate "
		    "permitted sender hosts", s->authserv_id,
		    spf->domain[0] != '\0' ? spf->domain : who);
		break;
	default:
		(void)snprintf(c, sizeof(c), "%s: error in processing during "
		    "lookup of %s: %s", s->authserv_id, who, spf->reason);
		break;
	}
	spfdmarc_hdr_init(&h, out, HEADERS_FOLD);
	spfdmarc_hdr_rspf_begin(&h, spfdmarc_spf_result_name(spf->result));
	spfdmarc_hdr_comment(&h, c);
	spfdmarc_hdr_rspf_kv(&h, "receiver", s->authserv_id);
	spfdmarc_hdr_rspf_kv(&h, "client-ip", s->addr_text);
	spfdmarc_hdr_rspf_kv(&h, "envelope-from", s->msg.mailfrom);
	if (s->helo != NULL)
		spfdmarc_hdr_rspf_kv(&h, "helo", s->helo);
	spfdmarc_hdr_rspf_kv(&h, "identity",
	    s->msg.mailfrom[0] != '\0' ? "mailfrom" : "helo");
	if (spf->mechanism[0] != '\0')
		spfdmarc_hdr_rspf_kv(&h, "mechanism", spf->mechanism);
	if ((spf->result == SPFDMARC_SPF_PERMERROR ||
	    spf->result == SPFDMARC_SPF_TEMPERROR) && spf->reason[0] != '\0')
		spfdmarc_hdr_rspf_kv(&h, "problem", spf->reason);
	return spfdmarc_hdr_finish(&h);
}

int
headers_delete_forged(SMFICTX *ctx, struct session *s)
{
	struct message *m = &s->msg;
	int rc = 0;

	/* Highest index first: deleting one does not renumber the others
	 * below it. */
	for (size_t i = m->nforged; i > 0; i--) {
		if (smfi_chgheader(ctx, mfapi_str("Authentication-Results"),
		    (int)m->forged[i - 1], NULL) != MI_SUCCESS) {
			mlog_warnx("%s: could not delete forged "
			    "Authentication-Results #%zu", m->qid,
			    m->forged[i - 1]);
			rc = -1;
		}
	}
	return rc;
}

int
headers_apply(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	struct message *m = &s->msg;
	struct spfdmarc_buf b;
	int rc, err;

	rc = headers_delete_forged(ctx, s);
	if (m->spf != NULL && s->cfg->add_received_spf) {
		spfdmarc_buf_init(&b, m->arena, HEADERS_VALUE_MAX);
		err = headers_build_received_spf(s, &b);
		if (err != 0)
			mlog_warnx("%s: Received-SPF not built: %s", m->qid,
			    spfdmarc_strerror(err));
		else if (smfi_insheader(ctx, 0, mfapi_str("Received-SPF"),
		    b.data) != MI_SUCCESS) {
			mlog_warnx("%s: could not add Received-SPF", m->qid);
			rc = -1;
		}
	}
	spfdmarc_buf_init(&b, m->arena, HEADERS_VALUE_MAX);
	err = headers_build_ar(s, v, &b);
	if (err != 0)
		mlog_warnx("%s: Authentication-Results not built: %s", m->qid,
		    spfdmarc_strerror(err));
	else if (smfi_insheader(ctx, 0, mfapi_str("Authentication-Results"),
	    b.data) != MI_SUCCESS) {
		mlog_warnx("%s: could not add Authentication-Results", m->qid);
		rc = -1;
	}
	if (v->action == VERDICT_MARK &&
	    smfi_addheader(ctx, mfapi_str(s->cfg->quarantine_header_name),
	    mfapi_str(v->header_value)) != MI_SUCCESS) {
		mlog_warnx("%s: could not add %s", m->qid,
		    s->cfg->quarantine_header_name);
		rc = -1;
	}
	return rc;
}
