/*
 * libFuzzer target for the Kappa offsets/N loader (kp_ckpt_read_offsets): any file gives
 * 0 with at most KP_MAX_PARTS partitions and the batch and run of its name, or a one-line
 * error. Set-up in fuzz_kp_ckpt.h. Built and run by `make fuzz`.
 */
#include "fuzz_kp_ckpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kp_ckpt *c = fuzz_ckpt();
    struct kp_offsets o;
    struct lk_err err = LK_ERR_INIT;
    int rc;
    fuzz_write("offsets/3", data, size);
    rc = kp_ckpt_read_offsets(c, 3, &o, &err);
    fuzz_check_error(rc, &err);
    if (rc == 0)
        CHECK(o.batch_id == 3 && o.nparts <= KP_MAX_PARTS);
    return 0;
}
