#ifndef CALLCTL_CLIBPQ_SHIM_H
#define CALLCTL_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#include <poll.h>
#endif
