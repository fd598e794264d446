/* widget/export.h - macros only; nothing here is emitted. */
#ifndef WIDGET_EXPORT_H
#define WIDGET_EXPORT_H

#define HYB_WIDGET_API __attribute__((visibility("default")))
#define HYB_WIDGET_SQUARE(x) ((x) * (x))
#define HYB_WIDGET_EMPTY

#endif /* WIDGET_EXPORT_H */
