#ifndef SALONOPS_CLIBGIT2_SHIM_H
#define SALONOPS_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
