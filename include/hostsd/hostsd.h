/* hostsd — the SSH server engine: include this one header. */
#ifndef HOSTSD_HOSTSD_H
#define HOSTSD_HOSTSD_H
#include "hostsd/agent.h"
#include "hostsd/error.h"
#include "hostsd/key.h"
#include "hostsd/server.h"
#endif
