/*
 * libFuzzer target for the Lambda speed checkpoint loader (lb_speed_open resuming from
 * RUN/speed.checkpoint over datasets/fixtures/tiny.jsonl): any file gives 0 or a
 * one-line error, never a crash, a leak or a read outside the text. The first input byte
 * picks a valid CRC trailer (0-191) or the raw bytes. The speed layer's modules are
 * compiled into the target (the fuzz build links shared/ only). Built and run by
 * `make fuzz` (from the repository root, where the fixture is).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#include "../../lambda/lb_bucket.c"
#include "../../lambda/lb_db.c"
#include "../../lambda/lb_job.c"
#include "../../lambda/lb_speed.c"
#include "../../lambda/lb_sql.c"
#include "../../lambda/lb_sqlfn.c"
#include "../../lambda/lb_stream.c"

static const char spec_text[] =
    "{\"name\":\"revenue\",\"dedup\":\"event_id\",\"group_by\":[\"tenant\",\"type\"],"
    "\"window\":{\"kind\":\"tumbling\",\"size\":\"1m\"},"
    "\"aggregates\":[{\"fn\":\"count\",\"as\":\"events\"},{\"fn\":\"sum\",\"of\":\"value\","
    "\"as\":\"value_sum\"}]}";

static double now(void)
{
    return 0.0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lk_spec spec;
    static struct lk_model model;
    static sqlite3 *db;
    static char dir[64], ckpt[128];
    struct lb_speed_opts o = { .spec = &spec,
                               .model = &model,
                               .trigger = 60000,
                               .checkpoint = ckpt,
                               .checkpoint_every = 64,
                               .now = now };
    struct lb_speed *s = NULL;
    struct lk_err err = LK_ERR_INIT;
    FILE *fp;
    int rc;
    if (!db) {
        char path[128], *schema;
        snprintf(dir, sizeof(dir), "/tmp/lk-fuzz-speed-XXXXXX");
        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof(path), "%s/serving.db", dir);
        snprintf(ckpt, sizeof(ckpt), "%s/speed.checkpoint", dir);
        CHECK(lk_spec_parse(&spec, spec_text, strlen(spec_text), "fuzz", NULL) == 0);
        CHECK(lk_model_load(&model, "default", NULL) == 0);
        CHECK(lb_db_open(&db, path, 1, NULL) == 0 && lb_db_create_fixed(db, NULL) == 0);
        schema = lb_sql_schema(&spec);
        CHECK(lk_store_exec(db, schema, NULL) == 0);
        free(schema);
        /* a database far ahead, so that any micro-batch the checkpoint names is committed */
        CHECK(lk_store_exec(db,
                            "INSERT INTO progress VALUES('speed', 1000000, 0, 0, 0, 0, 0, 0,"
                            " NULL, NULL, '{}')",
                            NULL)
              == 0);
    }
    if (size == 0 || data[0] < 192) {
        CHECK(lk_file_write_checked_as(ckpt, size ? (const char *)data + 1 : "",
                                       size ? size - 1 : 0, LK_DURABLE_PROCESS, NULL)
              == 0);
    } else {
        CHECK((fp = fopen(ckpt, "wb")) != NULL);
        fwrite(data + 1, 1, size - 1, fp);
        fclose(fp);
    }
    rc = lb_speed_open(&s, db, "datasets/fixtures/tiny.jsonl", &o, &err);
    CHECK(rc <= 0);
    if (rc < 0) {
        CHECK(err.code == rc);
        CHECK_ERR(err);
    }
    lb_speed_free(s);
    return 0;
}
