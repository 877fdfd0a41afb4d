/*
 * lk_lab - the course labs as a library (the work of 'lklab lab', cli/cmd_lab.c, that is not
 * option parsing or printing): finding and loading a lab (labs/NN-topic/lab.json), the per-student
 * seed, the 'lklab gen' arguments of a lab's dataset, printing one JSON answer, running a lab's
 * shell script with its environment, and copying a tree without its solution/ directories. The lab
 * contract is in labs/README.md.
 *
 * Errors: functions return 0 or a negative LK_E* code with err naming the file; the caller
 * (the CLI) prints and picks the exit code. Memory: struct lk_lab owns its strings and
 * is released with lk_lab_release; lk_lab_argv owns its strings (lk_lab_argv_release).
 */
#ifndef LK_LAB_H
#define LK_LAB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "lk_err.h"

/* ---- one lab ---- */

struct lk_lab_question {
    char *id;   /* "q1" */
    char *hint; /* points at the concept, not the answer */
};

struct lk_lab {
    char *dir;  /* the lab directory as found (LABS/NN-topic) */
    char nn[3]; /* "03" */
    char *title, *summary;
    cJSON *dataset; /* lab.json's "dataset" object (owned) */
    cJSON *params;  /* lab.json's "params" object, NULL when it has none (owned) */
    struct lk_lab_question *q;
    size_t nq;
};
#define LK_LAB_INIT                                                                                \
    {                                                                                              \
        NULL, { 0 }, NULL, NULL, NULL, NULL, NULL, 0                                               \
    }

/*
 * The lab directories of labs (names "[0-9][0-9]-*"), sorted: *names is the caller's
 * (lk_list_free). LK_ENOENT when labs is not a directory.
 */
int lk_lab_list_dirs(const char *labs, char ***names, size_t *n, struct lk_err *err);

/*
 * Find lab which ("3", "03" or "03-checkpoints") in labs and load its lab.json. LK_EUSAGE
 * for an unknown lab, LK_EINPUT for a bad lab.json (err names it).
 */
int lk_lab_load(struct lk_lab *lab, const char *labs, const char *which, struct lk_err *err);
void lk_lab_release(struct lk_lab *lab);

/* FNV-1a 64 of n bytes, continuing from h (LK_LAB_FNV_BASIS to start). */
#define LK_LAB_FNV_BASIS 14695981039346656037ULL
uint64_t lk_lab_fnv(uint64_t h, const void *data, size_t n);

/* The dataset seed of a student for lab nn: FNV-1a 64 of "student/nn" mod 2^31, plus 1. */
uint64_t lk_lab_seed(const char *student, const char *nn);

/*
 * One student's value of a lab.json setting v (a dataset option or a parameter) as text
 * (lk_lab_value_text; in buf, or v's own string): v itself; when v is a list, its item
 * number H mod the list's length; when v is a range {"min": A, "max": B} of whole numbers,
 * A + H mod (B - A + 1); H is FNV-1a 64 of "SEED/NAME".
 */
const char *lk_lab_pick(const cJSON *v, uint64_t seed, const char *name, char *buf, size_t size);

/* ---- argument vectors (argv style, NULL-terminated) ---- */

struct lk_lab_argv {
    char **v; /* v[n] == NULL */
    size_t n, cap;
};
#define LK_LAB_ARGV_INIT                                                                           \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
void lk_lab_argv_add(struct lk_lab_argv *a, const char *s);
void lk_lab_argv_addf(struct lk_lab_argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void lk_lab_argv_release(struct lk_lab_argv *a);

/*
 * The 'lklab gen' arguments of the lab's dataset ("gen --scenario S --OPTION VALUE ...
 * --seed SEED --out DIR"): numbers as written (integers without ".0"), strings as they are.
 * LK_EINPUT when lab.json's dataset has no scenario, sets seed or out, or a value is not a
 * number or string.
 */
int lk_lab_gen_argv(const struct lk_lab *lab, uint64_t seed, const char *out, struct lk_lab_argv *a,
                    struct lk_err *err);

/* A lab.json setting's value as text: a string as it is, a number as written (no ".0"). */
const char *lk_lab_value_text(const cJSON *v, char *buf, size_t size);

/*
 * The student's parameters (lab.json "params", each picked with lk_lab_pick) as
 * "NAME=value" strings, in lab.json's order. Nothing when the lab has none.
 */
void lk_lab_params(const struct lk_lab *lab, uint64_t seed, struct lk_lab_argv *a);

/* ---- answers ---- */

/*
 * The value at key in obj; a key with dots walks nested objects ("totals.batches") unless
 * obj holds the dotted key itself. NULL when missing.
 */
const cJSON *lk_lab_lookup(const cJSON *obj, const char *key);

/*
 * Print v and a newline: a string raw, a number in its shortest exact form (integers without
 * ".0", 0.1 as 0.1), true/false, arrays and objects as compact JSON. Nothing for null.
 */
void lk_lab_print_value(FILE *fp, const cJSON *v);

/* ---- running scripts ---- */

/*
 * Run argv[0] (searched in PATH) with argv in directory cwd, the environment environ plus
 * the NAME=VALUE strings of set (replacing variables of the same name), standard input
 * from /dev/null, stdout into out_path and stderr into err_path (created or truncated).
 * Waits for it. *status is its exit code, or 128 + the signal that killed it.
 */
int lk_lab_spawn(char *const argv[], const struct lk_lab_argv *set, const char *cwd,
                 const char *out_path, const char *err_path, int *status, struct lk_err *err);

/* ---- handout ---- */

/*
 * Copy the tree src to dst (created; must not exist or be empty) keeping the files' mode
 * bits, leaving out every directory named skip (NULL: none). Symbolic links and special
 * files are left out too.
 */
int lk_lab_copy_tree(const char *src, const char *dst, const char *skip, struct lk_err *err);

#endif
