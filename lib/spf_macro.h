/*
 * spf_macro.h: SPF macro strings (RFC 7208 §7): syntax checks at parse
 * time and expansion at evaluation time. Internal to the library.
 *
 * A macro-string is checked once, when its record is parsed
 * (spf_macro_check); spf_macro_expand() then writes its expansion into a
 * bounded buffer. spf_macro_domain() turns a domain-spec into the target
 * name that is queried (§4.8): expanded, one trailing dot dropped, and
 * cut from the left label by label to 253 bytes (§7.3).
 */
#ifndef SPFDMARC_SPF_MACRO_H
#define SPFDMARC_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "spfdmarc/addr.h"
#include "spfdmarc/arena.h"
#include "spfdmarc/buf.h"

/* Bytes one domain-spec may expand to before the 253-byte cut. Beyond it
 * the target is refused (SPFDMARC_ERANGE), so a record cannot make the
 * expander build megabytes (the libspf2 CVE-2021-33912/33913 class). */
#define SPF_MACRO_EXPAND_MAX	8192
/* Largest DIGIT transformer accepted. RFC 7208 §7.3: "Implementations MUST
 * support at least a value of 127"; a name has at most 127 labels. */
#define SPF_MACRO_PARTS_MAX	128

enum spf_macro_flags {
	/* explain-string (§6.2, §7.1): SP allowed, c r t allowed. */
	SPF_MACRO_EXPLAIN = 1 << 0,
	/* domain-spec (§7.1): not empty, and ends in a macro-expand or in
	 * "." toplabel [ "." ]. */
	SPF_MACRO_DOMAIN = 1 << 1,
};

/* The values macros expand to (§7.3). Strings are NUL-terminated. */
struct spf_macro_vars {
	const char *sender;		/* s: local@domain */
	const char *local;		/* l */
	const char *sender_domain;	/* o */
	const char *domain;		/* d: the current <domain> */
	const struct spfdmarc_addr *ip;	/* i c v: IPv4 or (unmapped) IPv6 */
	const char *helo;		/* h */
	const char *receiver;		/* r */
	time_t now;			/* t */
	/* p: the validated name of ip (§5.5, §7.3), or "unknown". Called
	 * only when a string holds %{p}; NULL means "unknown". */
	const char *(*ptr_name)(void *arg);
	void *ptr_arg;
};

/*
 * Check the syntax of s[0..len). Returns 0, or SPFDMARC_ESYNTAX with
 * *errpos the offset of the fault and *why a static text.
 */
int spf_macro_check(const char *s, size_t len, unsigned flags,
    size_t *errpos, const char **why);

/*
 * Append the expansion of s[0..len) to out. Returns 0, SPFDMARC_ESYNTAX
 * (s was not checked), SPFDMARC_ETRUNC (out's limit was reached; out holds
 * what fitted) or SPFDMARC_ENOMEM.
 */
int spf_macro_expand(const struct spf_macro_vars *v, const char *s,
    size_t len, unsigned flags, struct spfdmarc_buf *out);

/*
 * The target name of the domain-spec s[0..len) (§4.8, §7.3) into
 * out[outsize] (outsize >= SPFDMARC_DNAME_BUFSIZE): expanded, one trailing
 * dot dropped, leftmost labels removed until at most 253 bytes remain.
 * Returns 0; SPFDMARC_ESYNTAX when the result is no usable DNS name (empty,
 * an empty label, a label over 63 bytes); SPFDMARC_ERANGE when the
 * expansion passed SPF_MACRO_EXPAND_MAX; SPFDMARC_ENOMEM. arena provides
 * the scratch buffer.
 */
int spf_macro_domain(const struct spf_macro_vars *v,
    struct spfdmarc_arena *arena, const char *s, size_t len, char *out,
    size_t outsize);

/* Does the (checked) macro-string use %{p}, which needs DNS to expand? */
bool spf_macro_uses_ptr(const char *s, size_t len);

/* The dotted form %{i} expands to: a dotted quad, or 32 dot-separated
 * lower-case nibbles for IPv6 (§7.3, §7.4). out needs
 * SPFDMARC_ADDR_REVLEN bytes. */
void spf_macro_ip_dotted(const struct spfdmarc_addr *ip, char *out,
    size_t size);

#endif
