#ifndef SALONOPS_CLIBGIT2_SHIM_H
#define SALONOPS_CLIBGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <zlib.h>

/* An object database backend with room for a pointer back to its Swift owner. `parent` must
 * stay the first member: libgit2 hands the backend back as a `git_odb_backend *`. */
typedef struct salonops_odb_guard {
    git_odb_backend parent;
    void *owner;
} salonops_odb_guard;

/* `git_libgit2_opts` is variadic, so Swift cannot call it: one non-variadic wrapper per use. */
static inline int salonops_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

#endif
