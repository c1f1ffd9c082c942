/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rs-error.h"

G_DEFINE_QUARK (rs-error-quark, rs_error)
