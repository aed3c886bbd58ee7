/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PL_VERSION
#define PL_VERSION "0.1.0"
#endif
