// Linux epoll and eventfd for the web host's event loops. Swift's Glibc module does not export
// <sys/epoll.h> or <sys/eventfd.h>, so they come through this header (no library to link).
#ifndef CEPOLL_SHIM_H
#define CEPOLL_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>

// epoll_data_t is a union; reading/writing its u64 member from Swift is easiest through helpers.
static inline void cepoll_set_u64(struct epoll_event *event, unsigned long long value) { event->data.u64 = value; }
static inline unsigned long long cepoll_get_u64(const struct epoll_event *event) { return event->data.u64; }
#endif
