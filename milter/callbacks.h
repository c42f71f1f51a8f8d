/*
 * callbacks.h: the libmilter filter description.
 */
#ifndef MILTER_CALLBACKS_H
#define MILTER_CALLBACKS_H

#include "mfapi.h"

extern struct smfiDesc callbacks_desc;

#endif
