/*
 * listener.h: opening the socket the MTA connects to (Socket, SocketMode)
 * and TCP_NODELAY on it.
 */
#ifndef MILTER_LISTENER_H
#define MILTER_LISTENER_H

#include "conf.h"
#include "privdrop.h"

/* smfi_setconn and smfi_opensocket for cfg->socket (smfi_register must
 * have been called); a unix socket then gets ids' owner (ids NULL: left
 * as is) and SocketMode; a TCP socket gets TCP_NODELAY. Start-up only:
 * fatal() on failure. */
void listener_open(const struct conf *cfg, const struct privdrop_ids *ids);

/* Set TCP_NODELAY on the process's listening TCP socket for spec
 * ("inet:PORT@HOST", "inet6:PORT@HOST"). 0 when set or when spec is not
 * TCP; -1 (logged) when no such socket was found. */
int listener_nodelay(const char *spec);

/* The path of a unix socket specification, or NULL. */
const char *listener_unix_path(const char *spec);

/* The port of an inet or inet6 specification: the number, 0 for a
 * service name, -1 when spec is not TCP. */
int listener_inet_port(const char *spec);

#endif
