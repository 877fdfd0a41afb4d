/*
 * What every libFuzzer target of `make fuzz` shares: the entry point's prototype (the
 * build has -Wmissing-prototypes), CHECK (a violated property aborts: a crash for
 * libFuzzer, with the condition and line on stderr) and CHECK_ERR (a failed call left a
 * one-line message: the CLI prints it as the one line a user sees).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s: check failed: %s (line %d)\n", __FILE__, #cond, __LINE__);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* err (a struct lk_err) holds a non-empty one-line message. */
#define CHECK_ERR(err) CHECK((err).msg[0] != '\0' && strchr((err).msg, '\n') == NULL)

#endif
