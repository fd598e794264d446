/* hybrid/hybrid.h - the whole Hybrid C ABI. See each header for its part. */
#ifndef HYBRID_HYBRID_H
#define HYBRID_HYBRID_H

#include "hybrid/export.h"
#include "hybrid/status.h"
#include "hybrid/limits.h"
#include "hybrid/cpu.h"
#include "hybrid/version.h"
#include "hybrid/random.h"
#include "hybrid/device_response.h"
#include "hybrid/lns.h"
#include "hybrid/device.h"
#include "hybrid/lns_arith.h"
#include "hybrid/madam.h"
#include "hybrid/cuda.h"

#endif /* HYBRID_HYBRID_H */
