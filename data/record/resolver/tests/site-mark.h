/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Prints "site MODULE OFFSET LINE FUNCTION SYMBOL" for the call that called
 * it, the way the recorder sees a call site: MODULE the path of the module
 * holding the return address, OFFSET that address minus one (inside the
 * call instruction) minus the module's load bias. LINE and FUNCTION are
 * the caller's __LINE__ and __func__; SYMBOL is the out-of-line function
 * that holds the call (FUNCTION itself unless it was inlined). */
void rs_site_mark (int line, const char *function, const char *symbol);

/* A call site inside the shared library (an ET_DYN module that is not the
 * executable). */
void rs_site_mark_in_library (void);
