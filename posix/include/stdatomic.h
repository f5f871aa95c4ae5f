/*
 * stdatomic.h — newlib's header uses the <stdint.h> types without
 * including it; include it first so programs can include <stdatomic.h>
 * on its own.
 */
#include <stdint.h>
#include_next <stdatomic.h>
