/*
 * headers.h: the header fields the milter reads and writes.
 *
 * Read: Authentication-Results fields of the incoming message. One that
 * carries our authserv-id came from outside and is a forgery (RFC 8601
 * §5): it is deleted and never believed. One from another trusted
 * authserv-id (TrustedAuthservIDs) gives the DKIM results DMARC uses.
 *
 * Written at end of message: one Authentication-Results (RFC 8601) and a
 * Received-SPF (RFC 7208 §9.1), at the top of the header.
 */
#ifndef MILTER_HEADERS_H
#define MILTER_HEADERS_H

#include "mfapi.h"

#include "session.h"
#include "spfdmarc/buf.h"
#include "verdict.h"

/* Examine one Authentication-Results field as it arrives. */
void headers_examine_ar(struct session *s, const char *value, size_t len);

/* At end of message: the DKIM passes of the trusted fields kept. */
void headers_dkim_passes(struct session *s);

/* Field bodies (folded with "\n\t" for the MTA). 0 or a library error. */
int headers_build_ar(const struct session *s, const struct verdict *v,
    struct spfdmarc_buf *out);
int headers_build_received_spf(const struct session *s,
    struct spfdmarc_buf *out);

/* Delete the forged A-R fields only (also when the evaluation failed:
 * a forgery never passes). 0 or -1. */
int headers_delete_forged(SMFICTX *ctx, struct session *s);

/* Delete forgeries and insert our fields. 0, or -1 if the MTA refused a
 * change (logged). */
int headers_apply(SMFICTX *ctx, struct session *s, const struct verdict *v);

#endif
