/* widget/widget.h - a small header for the generator's golden-file tests.
 * It exercises every kind of item and every comment position the generator supports. */
#ifndef WIDGET_WIDGET_H
#define WIDGET_WIDGET_H

#include <stdint.h>
#include "widget/export.h"

/* Most parts a widget can have. */
#define HYB_WIDGET_MAX_PARTS 8
#define HYB_WIDGET_MASK 0xFFu /* the low byte */
#define HYB_WIDGET_BIG 4294967296
#define HYB_WIDGET_SCALE 2.5f
#define HYB_WIDGET_SUM (1 + 2)
#define not_a_hyb_macro 3

/* Colours a widget can have; values are clang's, whatever the expression. */
typedef enum hyb_widget_color {
    HYB_WIDGET_COLOR_RED = 0,      /* warm & bright */
    HYB_WIDGET_COLOR_SEA_GREEN_2,  /* follows RED: 1 */
    /* A shifted value, documented above. */
    HYB_WIDGET_COLOR_BLUE = 1 << 3,
    HYB_WIDGET_COLOR_NONE = -1
} hyb_widget_color;

/* A widget: <id>, colour, name and mass.
 * Fields are laid out as C does, padding included. */
typedef struct hyb_widget {
    int32_t id;
    hyb_widget_color color; /* its colour */
    char name[12];          /* NUL-terminated, "" if unnamed */
    uint64_t mass_ug;       /* after 4 bytes of padding */
    uint8_t flags[3];
    double weight;
} hyb_widget;

/* Two widgets joined. */
typedef struct hyb_widget_pair {
    hyb_widget first;
    hyb_widget second;
} hyb_widget_pair;

/* An anonymous struct and enum, named by their typedefs. */
typedef struct {
    int16_t x, y; /* one comment, two fields */
} hyb_widget_point;
typedef enum { HYB_WIDGET_SIDE_LEFT = 1, HYB_WIDGET_SIDE_RIGHT = 2 } hyb_widget_side;

/* Fills *out with a widget called name (n bytes, not NUL-terminated). */
HYB_WIDGET_API hyb_widget_color hyb_widget_init(hyb_widget* out, const char* name, int64_t n);
HYB_WIDGET_API hyb_widget_color hyb_widget_init_pair(hyb_widget_pair* out, const char* name, int64_t n);

// The library's name.
// Never NULL.
HYB_WIDGET_API const char* hyb_widget_library(void);

HYB_WIDGET_API void hyb_widget_fill(void* buffer, uint16_t value, const uint32_t* counts, float scale);

/* Moves a point to one side. */
HYB_WIDGET_API hyb_widget_point hyb_widget_move(hyb_widget_point point, hyb_widget_side side);

/* Not part of the bound API: no hyb_ prefix. */
HYB_WIDGET_API int32_t widget_internal(void);

/* A static helper is not exported, so it is not bound. */
static inline int32_t hyb_widget_twice(int32_t x) { return 2 * x; }

#endif /* WIDGET_WIDGET_H */
