/* hybrid/export.h - symbol visibility and calling-convention macros for the Hybrid C ABI.
 *
 * Every public function is declared HYB_API. The library is built with
 * -fvisibility=hidden, so only HYB_API symbols are exported. */
#ifndef HYBRID_EXPORT_H
#define HYBRID_EXPORT_H

#if defined(_WIN32)
#  if defined(HYBRID_BUILDING)
#    define HYB_API __declspec(dllexport)
#  else
#    define HYB_API __declspec(dllimport)
#  endif
#else
#  define HYB_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#  define HYB_EXTERN_C_BEGIN extern "C" {
#  define HYB_EXTERN_C_END }
#  define HYB_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#  define HYB_EXTERN_C_BEGIN
#  define HYB_EXTERN_C_END
#  define HYB_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#endif /* HYBRID_EXPORT_H */
