/*
 * lk_export_spark - a pipeline spec as a readable PySpark Structured Streaming job
 * (docs/spark.md), the text `lklab export spark` writes.
 *
 * The job reads JSON events from a landing directory (Spark's file source, one JSON object
 * per line) or a Kafka topic, applies lklab's event rules (shared/lk_event.h) as explicit
 * checks, then the spec's dedup, filter, window and aggregates, with withWatermark,
 * outputMode, trigger and checkpointLocation as the options say. It writes lklab's
 * canonical result CSV (docs/formats.md), so `lklab reconcile` compares it directly, and
 * optionally Spark's progress JSON. Every step carries a comment naming the lecture's
 * concept and the lklab flag that does the same.
 *
 * Decisions (docs/spark.md): count_distinct is size(collect_set(field)), exact in every
 * output mode; dedup runs before withWatermark (dropDuplicates on event_id, no late
 * filter of its own); malformed lines are counted with observe() and dropped.
 *
 * lk_export_spark refuses, with LK_EUSAGE and a one-line message, what Spark refuses:
 * append without a watermark, session windows in update mode or without a group.
 */
#ifndef LK_EXPORT_SPARK_H
#define LK_EXPORT_SPARK_H

#include <stdint.h>

#include "lk_buf.h"
#include "lk_err.h"
#include "lk_run.h"
#include "lk_spec.h"

enum lk_export_source { LK_EXPORT_LANDING, LK_EXPORT_KAFKA };

struct lk_export_opts {
    const char *pipeline; /* the --pipeline argument, quoted in the header */
    enum lk_export_source source;
    int64_t trigger_ms;   /* processing-time interval; 0 = available-now */
    int64_t watermark_ms; /* delay; -1 = none */
    enum lk_mode mode;
    uint64_t max_files;  /* landing: maxFilesPerTrigger, 0 = no cap */
    uint64_t max_events; /* kafka: maxOffsetsPerTrigger, 0 = no cap */
};

/* Append the job's Python text to out. LK_EUSAGE (err set) for a combination Spark refuses. */
int lk_export_spark(const struct lk_spec *spec, const struct lk_export_opts *o, struct lk_buf *out,
                    struct lk_err *err);

#endif
