/*
 * Shared set-up of the Kappa checkpoint fuzz targets (fuzz_kp_offsets, fuzz_kp_commits,
 * fuzz_kp_state, fuzz_kp_metadata): the engine's checkpoint and state modules are
 * compiled into the target (the fuzz build links shared/ only), a checkpoint directory
 * with a fixed run id is made once in /tmp, and each input is written as one checkpoint
 * file. The first input byte picks how: 0-191 with a valid CRC trailer (so the parser
 * behind the checksum is reached), else raw (the trailer check itself). Loaders must
 * return 0 or a negative code with a one-line message, never crash, leak or hang.
 */
#ifndef FUZZ_KP_CKPT_H
#define FUZZ_KP_CKPT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#include "../../kappa/kp_checkpoint.c"
#include "../../kappa/kp_state.c"
#include "../../kappa/kp_state_io.c"
#include "../../kappa/kp_mem.c"

#define FUZZ_RUN_ID "0123456789abcdef"
#define FUZZ_META "{\"pipeline\":\"fuzz\",\"workers\":1}"

static char fuzz_dir[64];

/* The checkpoint directory (made once), with metadata naming FUZZ_RUN_ID. */
static struct kp_ckpt *fuzz_ckpt(void)
{
    static struct kp_ckpt *c;
    static const char meta[] =
        "{\"pipeline\":\"fuzz\",\"workers\":1,\"run_id\":\"" FUZZ_RUN_ID "\"}";
    char path[128];
    if (!c) {
        snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/lk-fuzz-ckpt-XXXXXX");
        CHECK(mkdtemp(fuzz_dir) != NULL);
        snprintf(path, sizeof(path), "%s/metadata", fuzz_dir);
        CHECK(lk_file_write_checked(path, meta, strlen(meta), NULL) == 0);
        CHECK(kp_ckpt_open(&c, fuzz_dir, FUZZ_META, LK_DURABLE_PROCESS, NULL) == 0);
        CHECK(strcmp(kp_ckpt_run_id(c), FUZZ_RUN_ID) == 0);
    }
    return c;
}

/* Write the input (after its mode byte) as dir/name, checksummed or raw. */
static void fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    char path[160];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
    if (size == 0 || data[0] < 192) {
        CHECK(lk_file_write_checked_as(path, size ? (const char *)data + 1 : "",
                                       size ? size - 1 : 0, LK_DURABLE_PROCESS, NULL)
              == 0);
        return;
    }
    CHECK((fp = fopen(path, "wb")) != NULL);
    fwrite(data + 1, 1, size - 1, fp);
    fclose(fp);
}

/* A failure is a negative code with a one-line message. */
static void fuzz_check_error(int rc, const struct lk_err *err)
{
    CHECK(rc <= 0);
    if (rc < 0) {
        CHECK(err->code == rc);
        CHECK_ERR(*err);
    }
}

#endif
