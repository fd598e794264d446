/* widget/all.h - the fixture's entry header: includes every other one. */
#ifndef WIDGET_ALL_H
#define WIDGET_ALL_H

#include "widget/export.h"
#include "widget/widget.h"

#endif /* WIDGET_ALL_H */
