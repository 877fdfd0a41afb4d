/*
 * libFuzzer target for the Kappa commits/N loader (kp_ckpt_read_commit): any file gives
 * 0 with the batch of its name, or a one-line error. Set-up in fuzz_kp_ckpt.h. Built and
 * run by `make fuzz`.
 */
#include "fuzz_kp_ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kp_ckpt *c = fuzz_ckpt();
    struct kp_commit m;
    struct lk_err err = LK_ERR_INIT;
    int rc;
    fuzz_write("commits/3", data, size);
    rc = kp_ckpt_read_commit(c, 3, &m, &err);
    fuzz_check_error(rc, &err);
    if (rc == 0)
        CHECK(m.batch_id == 3);
    return 0;
}
