/*
 * libFuzzer target for the Kappa checkpoint metadata (kp_ckpt_open of an existing
 * checkpoint): any metadata file is accepted only when it holds every field asked for
 * with the same value and a run id of KP_RUN_ID_LEN characters; otherwise a one-line
 * error. Set-up in fuzz_kp_ckpt.h. Built and run by `make fuzz`.
 */
#include "fuzz_kp_ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kp_ckpt *m = NULL;
    struct lk_err err = LK_ERR_INIT;
    char dir[128];
    int rc;
    fuzz_ckpt();
    snprintf(dir, sizeof(dir), "%s/m", fuzz_dir);
    if (!lk_is_dir(dir))
        CHECK(lk_mkdir_p(dir, NULL) == 0);
    fuzz_write("m/metadata", data, size);
    rc = kp_ckpt_open(&m, dir, FUZZ_META, LK_DURABLE_PROCESS, &err);
    fuzz_check_error(rc, &err);
    if (rc == 0)
        CHECK(strlen(kp_ckpt_run_id(m)) == KP_RUN_ID_LEN);
    kp_ckpt_close(m);
    return 0;
}
