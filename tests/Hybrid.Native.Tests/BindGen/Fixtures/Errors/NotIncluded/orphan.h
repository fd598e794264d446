/* Declared, but never included by errors.h. */
#define HYB_BAD_ORPHAN 1
