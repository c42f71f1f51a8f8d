/*
 * spfdmarc/addr.h: IPv4 and IPv6 addresses: parsing, formatting, CIDR.
 *
 * Parsing is strict: IPv4 is exactly four decimal octets without leading
 * zeros ("01.2.3.4" and "1.2.3" are errors, as RFC 7208's ip4-network
 * requires a dotted quad); IPv6 follows RFC 4291 §2.2 (with an embedded
 * dotted quad in the last 32 bits). No zone ids, no brackets.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 client behind an
 * IPv6 socket: spfdmarc_addr_unmap() turns it into IPv4, and matching
 * against an IPv4 network treats it as IPv4.
 */
#ifndef SPFDMARC_ADDR_H
#define SPFDMARC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SPFDMARC_ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
/* "f.e.d....ip6.arpa": 32 nibbles, 32 dots, "ip6.arpa", NUL: 73 bytes,
 * enough for the IPv4 form too. */
#define SPFDMARC_ADDR_REVLEN	73

enum spfdmarc_addr_family {
	SPFDMARC_AF_NONE = 0,
	SPFDMARC_AF_INET = 4,
	SPFDMARC_AF_INET6 = 6,
};

struct spfdmarc_addr {
	enum spfdmarc_addr_family family;
	uint8_t bytes[16];	/* network order; IPv4 uses the first 4 */
};

/* Parse text[0..len) (IPv4 or IPv6). 0 or SPFDMARC_ESYNTAX. */
int spfdmarc_addr_parse(struct spfdmarc_addr *out, const char *text,
    size_t len);

/* Parse only IPv4 / only IPv6. 0 or SPFDMARC_ESYNTAX. */
int spfdmarc_addr_parse4(struct spfdmarc_addr *out, const char *text,
    size_t len);
int spfdmarc_addr_parse6(struct spfdmarc_addr *out, const char *text,
    size_t len);

/* Canonical text (RFC 5952 for IPv6) into out[size]. 0 or SPFDMARC_ETRUNC
 * / SPFDMARC_EINVAL. */
int spfdmarc_addr_format(const struct spfdmarc_addr *a, char *out,
    size_t size);

/* True for ::ffff:a.b.c.d. */
bool spfdmarc_addr_is_mapped(const struct spfdmarc_addr *a);

/* An IPv4-mapped IPv6 address becomes IPv4; others are unchanged. */
void spfdmarc_addr_unmap(struct spfdmarc_addr *a);

/* Same family and bytes (a mapped address equals its IPv4 form). */
bool spfdmarc_addr_equal(const struct spfdmarc_addr *a,
    const struct spfdmarc_addr *b);

/*
 * Does a lie in net/prefix? prefix 0 matches every address of the family.
 * A mapped IPv6 a is compared as IPv4 against an IPv4 net. Different
 * families never match. prefix beyond 32/128 never matches.
 */
bool spfdmarc_addr_match(const struct spfdmarc_addr *a,
    const struct spfdmarc_addr *net, unsigned prefix);

/* A network in CIDR notation. */
struct spfdmarc_cidr {
	struct spfdmarc_addr addr;
	unsigned prefix;
};

/* "192.0.2.0/24", "2001:db8::/32", or a bare address (full-length
 * prefix). The prefix is decimal, no leading zeros, within 0..32 / 0..128.
 * Host bits need not be zero. 0 or SPFDMARC_ESYNTAX / SPFDMARC_ERANGE. */
int spfdmarc_cidr_parse(struct spfdmarc_cidr *out, const char *text,
    size_t len);

bool spfdmarc_cidr_match(const struct spfdmarc_cidr *net,
    const struct spfdmarc_addr *a);

/* Reverse-lookup name: "4.3.2.1.in-addr.arpa" / nibbles ".ip6.arpa"
 * (a mapped address gives the IPv4 form). 0 or SPFDMARC_ETRUNC. */
int spfdmarc_addr_reverse_name(const struct spfdmarc_addr *a, char *out,
    size_t size);

#ifdef __cplusplus
}
#endif

#endif
