/*
 * addr.c: IPv4/IPv6 parsing, formatting and CIDR matching
 * (spfdmarc/addr.h). IPv4 is parsed by hand (strict dotted quad, RFC 7208
 * §12 ip4-network); IPv6 by inet_pton() on a bounded, checked copy.
 * IPv6 text is written by hand in the RFC 5952 form: glibc's inet_ntop()
 * prints any address whose first 96 bits are zero (other than :: and ::1)
 * in the deprecated IPv4-compatible form ("::1:2" as "::0.1.0.2").
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "export.h"
#include "spfdmarc/addr.h"
#include "spfdmarc/err.h"

static const uint8_t mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* One decimal number 0..max, no leading zero, at most 3 digits for IPv4
 * octets (or as many as max needs). Returns -1 on error. */
static long
addr_decimal(struct cursor *c, long max)
{
	long v = 0;
	size_t digits = 0;
	int first = cursor_peek(c);

	while (cursor_peek(c) >= '0' && cursor_peek(c) <= '9') {
		v = v * 10 + (cursor_get(c) - '0');
		if (++digits > 3 || v > max)
			return -1;
	}
	if (digits == 0 || (digits > 1 && first == '0'))
		return -1;
	return v;
}

SPFDMARC_PUBLIC int
spfdmarc_addr_parse4(struct spfdmarc_addr *out, const char *text, size_t len)
{
	struct cursor c;
	uint8_t b[4];

	cursor_init(&c, text, len);
	for (int i = 0; i < 4; i++) {
		long v;

		if (i > 0 && !cursor_accept(&c, '.'))
			return SPFDMARC_ESYNTAX;
		v = addr_decimal(&c, 255);
		if (v < 0)
			return SPFDMARC_ESYNTAX;
		b[i] = (uint8_t)v;
	}
	if (!cursor_eof(&c) || !cursor_ok(&c))
		return SPFDMARC_ESYNTAX;
	memset(out, 0, sizeof(*out));
	out->family = SPFDMARC_AF_INET;
	memcpy(out->bytes, b, 4);
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_addr_parse6(struct spfdmarc_addr *out, const char *text, size_t len)
{
	char copy[SPFDMARC_ADDR_STRLEN];
	struct in6_addr in6;

	/* inet_pton needs a NUL-terminated string; reject what it would
	 * treat loosely: no zone ids, no brackets, no NULs, bounded. */
	if (len < 2 || len >= sizeof(copy))
		return SPFDMARC_ESYNTAX;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		    (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.'))
			return SPFDMARC_ESYNTAX;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (inet_pton(AF_INET6, copy, &in6) != 1)
		return SPFDMARC_ESYNTAX;
	/* An embedded dotted quad must itself be strict. */
	{
		const char *dot = memchr(copy, '.', len);

		if (dot != NULL) {
			const char *colon = dot;
			struct spfdmarc_addr v4;

			while (colon > copy && colon[-1] != ':')
				colon--;
			if (spfdmarc_addr_parse4(&v4, colon,
			    len - (size_t)(colon - copy)) != 0)
				return SPFDMARC_ESYNTAX;
		}
	}
	memset(out, 0, sizeof(*out));
	out->family = SPFDMARC_AF_INET6;
	memcpy(out->bytes, &in6, 16);
	return 0;
}

SPFDMARC_PUBLIC int
spfdmarc_addr_parse(struct spfdmarc_addr *out, const char *text, size_t len)
{
	if (text == NULL || len == 0)
		return SPFDMARC_ESYNTAX;
	if (memchr(text, ':', len) != NULL)
		return spfdmarc_addr_parse6(out, text, len);
	return spfdmarc_addr_parse4(out, text, len);
}

/*
 * RFC 5952 §4: lower-case hex without leading zeros, the longest run of
 * two or more zero fields (the first of equal runs) shortened to "::";
 * §5: an IPv4-mapped address ends in a dotted quad.
 */
static void
addr_format6(const uint8_t bytes[16], char *out, size_t size)
{
	unsigned words[8];
	int best = -1, bestlen = 0, run = -1, runlen = 0, last;
	size_t o = 0;

	for (int i = 0; i < 8; i++)
		words[i] = (unsigned)bytes[2 * i] << 8 | bytes[2 * i + 1];
	for (int i = 0; i < 8; i++) {
		if (words[i] == 0) {
			if (run < 0)
				run = i;
			if (++runlen > bestlen) {
				best = run;
				bestlen = runlen;
			}
		} else {
			run = -1;
			runlen = 0;
		}
	}
	if (bestlen < 2) {		/* §4.2.2: never for one field */
		best = -1;
		bestlen = 0;
	}
	/* The fields in hex; a mapped address stops after ffff. */
	last = memcmp(bytes, mapped_prefix, sizeof(mapped_prefix)) == 0 ? 6 : 8;
	out[0] = '\0';
	for (int i = 0; i < last; i++) {
		int n;

		if (i == best) {
			n = snprintf(out + o, size - o, "::");
			i += bestlen - 1;
		} else {
			n = snprintf(out + o, size - o, "%s%x",
			    i > 0 && i != best + bestlen ? ":" : "", words[i]);
		}
		o += (size_t)n;	/* size is large enough: see the caller */
	}
	if (last == 6)
		(void)snprintf(out + o, size - o, ":%u.%u.%u.%u",
		    bytes[12], bytes[13], bytes[14], bytes[15]);
}

SPFDMARC_PUBLIC int
spfdmarc_addr_format(const struct spfdmarc_addr *a, char *out, size_t size)
{
	char tmp[SPFDMARC_ADDR_STRLEN];

	switch (a->family) {
	case SPFDMARC_AF_INET:
		(void)snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", a->bytes[0],
		    a->bytes[1], a->bytes[2], a->bytes[3]);
		break;
	case SPFDMARC_AF_INET6:
		addr_format6(a->bytes, tmp, sizeof(tmp));
		break;
	default:
		return SPFDMARC_EINVAL;
	}
	if (strlcpy(out, tmp, size) >= size)
		return SPFDMARC_ETRUNC;
	return 0;
}

SPFDMARC_PUBLIC bool
spfdmarc_addr_is_mapped(const struct spfdmarc_addr *a)
{
	return a->family == SPFDMARC_AF_INET6 &&
	    memcmp(a->bytes, mapped_prefix, sizeof(mapped_prefix)) == 0;
}

SPFDMARC_PUBLIC void
spfdmarc_addr_unmap(struct spfdmarc_addr *a)
{
	if (!spfdmarc_addr_is_mapped(a))
		return;
	memmove(a->bytes, a->bytes + 12, 4);
	memset(a->bytes + 4, 0, 12);
	a->family = SPFDMARC_AF_INET;
}

SPFDMARC_PUBLIC bool
spfdmarc_addr_equal(const struct spfdmarc_addr *a,
    const struct spfdmarc_addr *b)
{
	struct spfdmarc_addr x = *a, y = *b;

	spfdmarc_addr_unmap(&x);
	spfdmarc_addr_unmap(&y);
	if (x.family != y.family || x.family == SPFDMARC_AF_NONE)
		return false;
	return memcmp(x.bytes, y.bytes, x.family == SPFDMARC_AF_INET ? 4 : 16)
	    == 0;
}

SPFDMARC_PUBLIC bool
spfdmarc_addr_match(const struct spfdmarc_addr *a,
    const struct spfdmarc_addr *net, unsigned prefix)
{
	struct spfdmarc_addr x = *a;
	unsigned full, bits;

	if (net->family == SPFDMARC_AF_INET)
		spfdmarc_addr_unmap(&x);
	if (x.family != net->family || x.family == SPFDMARC_AF_NONE)
		return false;
	if (prefix > (x.family == SPFDMARC_AF_INET ? 32u : 128u))
		return false;
	full = prefix / 8;
	bits = prefix % 8;
	if (memcmp(x.bytes, net->bytes, full) != 0)
		return false;
	if (bits != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((x.bytes[full] & mask) != (net->bytes[full] & mask))
			return false;
	}
	return true;
}

SPFDMARC_PUBLIC int
spfdmarc_cidr_parse(struct spfdmarc_cidr *out, const char *text, size_t len)
{
	const char *slash;
	size_t alen;
	unsigned max;
	int rc;

	if (text == NULL || len == 0)
		return SPFDMARC_ESYNTAX;
	slash = memchr(text, '/', len);
	alen = slash == NULL ? len : (size_t)(slash - text);
	rc = spfdmarc_addr_parse(&out->addr, text, alen);
	if (rc != 0)
		return rc;
	max = out->addr.family == SPFDMARC_AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash != NULL) {
		struct cursor c;
		long v;

		cursor_init(&c, slash + 1, len - alen - 1);
		v = addr_decimal(&c, 999);
		if (v < 0 || !cursor_eof(&c))
			return SPFDMARC_ESYNTAX;
		if ((unsigned long)v > max)
			return SPFDMARC_ERANGE;
		out->prefix = (unsigned)v;
	}
	return 0;
}

SPFDMARC_PUBLIC bool
spfdmarc_cidr_match(const struct spfdmarc_cidr *net,
    const struct spfdmarc_addr *a)
{
	return spfdmarc_addr_match(a, &net->addr, net->prefix);
}

SPFDMARC_PUBLIC int
spfdmarc_addr_reverse_name(const struct spfdmarc_addr *a, char *out,
    size_t size)
{
	static const char hex[] = "0123456789abcdef";
	struct spfdmarc_addr x = *a;
	int n;

	spfdmarc_addr_unmap(&x);
	if (x.family == SPFDMARC_AF_INET) {
		n = snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa",
		    x.bytes[3], x.bytes[2], x.bytes[1], x.bytes[0]);
		if (n < 0 || (size_t)n >= size)
			return SPFDMARC_ETRUNC;
		return 0;
	}
	if (x.family != SPFDMARC_AF_INET6)
		return SPFDMARC_EINVAL;
	if (size < SPFDMARC_ADDR_REVLEN)	/* the exact size, NUL included */
		return SPFDMARC_ETRUNC;
	n = 0;
	for (int i = 15; i >= 0; i--) {
		out[n++] = hex[x.bytes[i] & 0xf];
		out[n++] = '.';
		out[n++] = hex[x.bytes[i] >> 4];
		out[n++] = '.';
	}
	memcpy(out + n, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}
