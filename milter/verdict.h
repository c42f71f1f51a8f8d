/*
 * verdict.h: from a message's results and the local policy to what the
 * MTA is told: accept, reject with a text, tempfail, or quarantine.
 */
#ifndef MILTER_VERDICT_H
#define MILTER_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "session.h"

enum verdict_action {
	VERDICT_ACCEPT = 0,
	VERDICT_QUARANTINE,	/* smfi_quarantine (QuarantineAction hold) */
	VERDICT_MARK,		/* accept with QuarantineHeader added */
	VERDICT_REJECT,		/* 5xx */
	VERDICT_TEMPFAIL,	/* 4xx */
};

#define VERDICT_TEXT_MAX	512

struct verdict {
	enum verdict_action action;
	/* The DMARC policy acted on, after local policy ("none" if no
	 * DMARC failure). */
	enum conf_action policy;
	const char *override;	/* why local policy changed it, or NULL */
	char rcode[4];		/* "550", "451" */
	char xcode[8];		/* "5.7.1" */
	char text[VERDICT_TEXT_MAX];	/* reply, or quarantine reason */
	char header_value[VERDICT_TEXT_MAX];	/* for VERDICT_MARK */
};

/* Decide for the message of s (results computed). */
void verdict_decide(const struct session *s, struct verdict *v);

/* "accept", "quarantine", "mark", "reject", "tempfail". */
const char *verdict_action_name(enum verdict_action a);

/* Expand a configured text: %X (X = letter) becomes value, %% a '%'.
 * The result has no CR or LF. */
void verdict_expand(char *out, size_t size, const char *fmt, char letter,
    const char *value);

#endif
