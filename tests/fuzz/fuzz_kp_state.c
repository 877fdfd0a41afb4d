/*
 * libFuzzer target for the Kappa state/N loader (kp_ckpt_restore_state: the run and batch
 * line, the worker sections, kp_state_apply): any file gives 0 or a one-line error, and
 * a state it accepted can be written out again. Set-up in fuzz_kp_ckpt.h. Built and run
 * by `make fuzz`.
 */
#include "fuzz_kp_ckpt.h"

static const char spec_text[] =
    "{\"name\":\"revenue\",\"dedup\":\"event_id\",\"group_by\":[\"tenant\",\"type\"],"
    "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},{\"fn\":\"sum\",\"of\":\"value\","
    "\"as\":\"value_sum\"},{\"fn\":\"min\",\"of\":\"value\",\"as\":\"value_min\"},"
    "{\"fn\":\"max\",\"of\":\"value\",\"as\":\"value_max\"},"
    "{\"fn\":\"count_distinct\",\"of\":\"key\",\"as\":\"distinct_keys\"}]}";

static void discard(void *arg, const char *data, size_t len)
{
    (void)arg;
    (void)data;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lk_spec spec;
    static int parsed;
    struct kp_ckpt *c = fuzz_ckpt();
    struct kp_state *s;
    struct lk_err err = LK_ERR_INIT;
    int rc;
    if (!parsed) {
        CHECK(lk_spec_parse(&spec, spec_text, strlen(spec_text), "fuzz", NULL) == 0);
        parsed = 1;
    }
    s = kp_state_new(&spec);
    fuzz_write("state/0", data, size);
    rc = kp_ckpt_restore_state(c, 0, &s, 1, &err);
    fuzz_check_error(rc, &err);
    if (rc == 0)
        kp_state_write(s, 1, 1, 0, discard, NULL);
    kp_state_free(s);
    return 0;
}
