/* lk_export_spark: see lk_export_spark.h. The job's text is built section by section. */
#include <stdio.h>
#include <string.h>

#include "lk_event.h"
#include "lk_export_spark.h"
#include "lk_time.h"
#include "banned.h"

/* A Python string literal: "..." with \\, \" and control bytes escaped. */
static void py_str(struct lk_buf *b, const char *s)
{
    lk_buf_addch(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            lk_buf_addf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            lk_buf_addf(b, "\\x%02x", c);
        else
            lk_buf_addch(b, (char)c);
    }
    lk_buf_addch(b, '"');
}

/* A duration as Spark's interval text: "10 minutes", "1 minute", "250 milliseconds". */
static void spark_interval(struct lk_buf *b, int64_t ms)
{
    static const struct {
        int64_t ms;
        const char *unit;
    } units[] = { { 86400000, "day" },
                  { 3600000, "hour" },
                  { 60000, "minute" },
                  { 1000, "second" },
                  { 1, "millisecond" } };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ms % units[i].ms == 0) {
            int64_t n = ms / units[i].ms;
            lk_buf_addf(b, "%lld %s%s", (long long)n, units[i].unit, n == 1 ? "" : "s");
            return;
        }
}

static void lklab_duration(struct lk_buf *b, int64_t ms)
{
    char d[32];
    lk_duration_format(ms, d, sizeof(d));
    lk_buf_adds(b, d);
}

/* The export and kappa flags of this job (without --pipeline), for the header. */
static void flags(struct lk_buf *b, const struct lk_export_opts *o, int kappa)
{
    lk_buf_addf(b, " --source %s",
                o->source == LK_EXPORT_KAFKA ? (kappa ? "log" : "kafka")
                                             : (kappa ? "files" : "landing"));
    lk_buf_adds(b, " --trigger ");
    if (o->trigger_ms)
        lklab_duration(b, o->trigger_ms);
    else
        lk_buf_adds(b, lk_trigger_name(LK_TRIGGER_AVAILABLE_NOW));
    lk_buf_adds(b, " --watermark ");
    if (o->watermark_ms < 0)
        lk_buf_adds(b, "none");
    else
        lklab_duration(b, o->watermark_ms);
    lk_buf_addf(b, " --output-mode %s", lk_mode_name(o->mode));
    if (o->max_files)
        lk_buf_addf(b, " --max-files-per-trigger %llu", (unsigned long long)o->max_files);
    if (o->max_events)
        lk_buf_addf(b, " --max-events-per-trigger %llu", (unsigned long long)o->max_events);
}

/* ---- header and constants ---------------------------------------------------------- */

static void emit_header(struct lk_buf *b, const struct lk_spec *spec,
                        const struct lk_export_opts *o)
{
    lk_buf_addf(b,
                "#!/usr/bin/env python3\nr\"\"\"%s: lklab's pipeline '%s' as a Spark Structured "
                "Streaming job.\n\n",
                spec->name, spec->name);
    lk_buf_addf(b, "Exported by:\n    lklab export spark --pipeline %s", o->pipeline);
    flags(b, o, 0);
    lk_buf_addf(b,
                "\nThe same query on one machine (lklab's Kappa engine, virtual time):\n"
                "    lklab kappa --data DATA --pipeline %s",
                o->pipeline);
    flags(b, o, 1);
    lk_buf_adds(b, " --out RUN\n\nRun it (pyspark 3.5 on Java 17; `make spark-deps` puts one in "
                   "out/spark/venv):\n");
    if (o->source == LK_EXPORT_KAFKA)
        lk_buf_adds(
            b, "    spark-submit --packages org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.9 \\\n"
               "        job.py --kafka-bootstrap HOST:9092 --input TOPIC \\\n"
               "        --checkpoint CKPT --output spark.csv\n");
    else
        lk_buf_adds(
            b, "    python3 job.py --input DATA/landing --checkpoint CKPT --output spark.csv\n");
    lk_buf_addf(b,
                "and check its answer with lklab's oracle:\n"
                "    lklab truth --data DATA --pipeline %s --out truth.csv\n"
                "    lklab reconcile spark.csv truth.csv\n\n",
                o->pipeline);
    lk_buf_adds(
        b, "Each step below names the concept of the lecture on pipelines, streaming, Lambda and\n"
           "Kappa that it implements and the lklab flag that does the same. Where Spark and lklab\n"
           "differ, and why: docs/spark.md in the lklab repository.\n\"\"\"\n"
           "import argparse\nimport csv\nimport datetime\nimport json\nimport os\nimport sys\n\n"
           "from pyspark.sql import SparkSession\nfrom pyspark.sql import functions as F\n"
           "from pyspark.sql.types import StringType, StructField, StructType\n\n");
    lk_buf_adds(b, "PIPELINE = ");
    py_str(b, spec->name);
    lk_buf_adds(b, "\nGROUP_BY = [");
    for (size_t i = 0; i < spec->ngroup; i++) {
        lk_buf_adds(b, i ? ", " : "");
        py_str(b, lk_field_name(spec->group[i]));
    }
    lk_buf_adds(b, "]\nAGGREGATES = [");
    for (size_t i = 0; i < spec->naggs; i++) {
        lk_buf_adds(b, i ? ", " : "");
        py_str(b, spec->aggs[i].as);
    }
    lk_buf_adds(b, "]\n# sum, min and max are money: written with exactly 2 decimals.\nMONEY = {");
    size_t before = b->len;
    for (size_t i = 0; i < spec->naggs; i++)
        if (spec->aggs[i].fn == LK_AGG_SUM || spec->aggs[i].fn == LK_AGG_MIN
            || spec->aggs[i].fn == LK_AGG_MAX) {
            lk_buf_adds(b, b->len > before ? ", " : "");
            py_str(b, spec->aggs[i].as);
        }
    if (b->len == before) { /* {} would be a dict */
        lk_buf_setlen(b, before - 1);
        lk_buf_adds(b, "set()");
    } else {
        lk_buf_adds(b, "}");
    }
    lk_buf_addf(b, "\nOUTPUT_MODE = \"%s\"\n\n", lk_mode_name(o->mode));
}

/* ---- 1. the source and 2. the event rules ------------------------------------------ */

static const char event_rules[] =
    "# The event schema (docs/formats.md \"Events\"), given explicitly: a stream cannot infer\n"
    "# it. Every field is read as a string so that the checks below can apply lklab's strict\n"
    "# rules (shared/lk_event.h), which Spark's JSON reader alone does not: it would read\n"
    "# \"12\" or 1e3 as a number and a time without its Z as local time.\n"
    "FIELDS = (\"event_id\", \"tenant\", \"key\", \"type\", \"value\", \"event_time\", "
    "\"arrival_time\")\n"
    "SCHEMA = StructType([StructField(name, StringType()) for name in FIELDS])\n"
    "TIME_RE = r\"^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,3})?Z$\"\n"
    "TIME_FORMAT = \"yyyy-MM-dd'T'HH:mm:ss[.SSS]'Z'\"\n"
    "# A plain decimal with at most 2 places: 12, 12.5, -0.25; not 12.345, \"12\" or 1e3.\n"
    "VALUE_RE = r\"^-?(0|[1-9][0-9]{0,11})(\\.[0-9]{1,2})?$\"\n\n\n"
    "def parse_events(lines):\n"
    "    \"\"\"One JSON line -> one event, or a malformed line (lklab's quarantine).\n\n"
    "    Lecture: schema on read and bad records. Spark's JSON reader in PERMISSIVE mode turns\n"
    "    a line it cannot parse into nulls (DROPMALFORMED drops it, FAILFAST stops the query);\n"
    "    lklab quarantines it with a reason and goes on. Here a malformed line is counted by\n"
    "    observe() (progress JSON, observedMetrics.input.malformed = lklab's quarantined\n"
    "    count) and dropped; the rules are lklab's: every string 1-63 bytes of valid UTF-8,\n"
    "    value a plain 2-decimal number, times real ISO-8601 instants in UTC.\n"
    "    \"\"\"\n"
    "    event = F.from_json(\"line\", SCHEMA)  # PERMISSIVE: not JSON -> all fields null\n"
    "    value_text = F.regexp_extract(\"line\", r'\"value\"\\s*:\\s*([^,}\\s]*)', 1)\n"
    "    parsed = lines.select(\"line\", event.alias(\"e\"), value_text.alias(\"value_text\"))\n"
    "    ok = F.col(\"value_text\").rlike(VALUE_RE)\n"
    "    for name in (\"event_id\", \"tenant\", \"key\", \"type\"):\n"
    "        text = F.col(\"e.\" + name)\n"
    "        ok = ok & (F.octet_length(text) >= 1) & (F.octet_length(text) <= 63)\n"
    "    for name in (\"event_time\", \"arrival_time\"):\n"
    "        text = F.col(\"e.\" + name)\n"
    "        ok = ok & text.rlike(TIME_RE) & F.to_timestamp(text, TIME_FORMAT).isNotNull()\n"
    "    ok = ok & ~F.col(\"line\").rlike(\"\\ufffd\")  # bytes that are not UTF-8 decode to "
    "U+FFFD\n"
    "    parsed = parsed.withColumn(\"ok\", F.coalesce(ok, F.lit(False)))  # null (missing) = bad\n"
    "    parsed = parsed.observe(\"input\", F.count(F.lit(1)).alias(\"lines\"),\n"
    "                            F.count(F.when(~F.col(\"ok\"), 1)).alias(\"malformed\"))\n"
    "    return parsed.where(\"ok\").select(\n"
    "        \"e.event_id\", \"e.tenant\", \"e.key\", \"e.type\",\n"
    "        # int64 hundredths in lklab; an exact decimal here, so sums reconcile to the cent\n"
    "        F.col(\"value_text\").cast(\"decimal(14,2)\").alias(\"value\"),\n"
    "        F.to_timestamp(\"e.event_time\", TIME_FORMAT).alias(\"event_time\"),\n"
    "        # arrival_time is lklab's virtual clock; Spark's clock is the wall clock, so the\n"
    "        # job only checks it.\n"
    "        F.to_timestamp(\"e.arrival_time\", TIME_FORMAT).alias(\"arrival_time\"))\n\n\n";

static void emit_source(struct lk_buf *b, const struct lk_export_opts *o)
{
    lk_buf_adds(b, "def read_lines(spark, args):\n");
    if (o->source == LK_EXPORT_KAFKA) {
        lk_buf_adds(
            b,
            "    \"\"\"The source: a Kafka topic, one event per record (lklab: --source log).\n\n"
            "    Lecture: an event-based source, a replayable log read by offsets; the offsets of\n"
            "    each batch go to the checkpoint (lklab: RUN/checkpoint/offsets/N).\n"
            "    \"\"\"\n"
            "    reader = (spark.readStream.format(\"kafka\")\n"
            "              .option(\"kafka.bootstrap.servers\", args.kafka_bootstrap)\n"
            "              .option(\"subscribe\", args.input)\n"
            "              .option(\"startingOffsets\", \"earliest\"))\n");
        if (o->max_events)
            lk_buf_addf(b,
                        "    # Rate limit (lklab: --max-events-per-trigger %llu), shared over the\n"
                        "    # partitions in proportion to their backlogs.\n"
                        "    reader = reader.option(\"maxOffsetsPerTrigger\", %llu)\n",
                        (unsigned long long)o->max_events, (unsigned long long)o->max_events);
        lk_buf_adds(
            b, "    return "
               "reader.load().select(F.col(\"value\").cast(\"string\").alias(\"line\"))\n\n\n");
        return;
    }
    lk_buf_adds(
        b,
        "    \"\"\"The source: JSON-lines files dropped into a landing directory (lklab: --source\n"
        "    files).\n\n"
        "    Lecture: a file-based source; each batch takes the files not taken before, oldest\n"
        "    modification time first, and records them in the checkpoint (sources/0). Read as\n"
        "    text so that every line, malformed ones included, reaches parse_events.\n"
        "    \"\"\"\n"
        "    reader = spark.readStream.format(\"text\")\n");
    if (o->max_files)
        lk_buf_addf(b,
                    "    # Rate limit: at most %llu files per micro-batch (lklab: "
                    "--max-files-per-trigger %llu)\n"
                    "    reader = reader.option(\"maxFilesPerTrigger\", %llu)\n",
                    (unsigned long long)o->max_files, (unsigned long long)o->max_files,
                    (unsigned long long)o->max_files);
    lk_buf_adds(b,
                "    return reader.load(args.input).withColumnRenamed(\"value\", \"line\")\n\n\n");
}

/* ---- 3. the query ------------------------------------------------------------------- */

static void emit_filter(struct lk_buf *b, const struct lk_spec *spec)
{
    if (!spec->nfilters)
        return;
    lk_buf_adds(
        b, "    # Filter: the spec's \"filter\". Before the watermark: Spark's optimizer pushes a\n"
           "    # filter that does not read the event time below withWatermark anyway, so the\n"
           "    # watermark only sees the events kept (lklab's too).\n");
    for (size_t i = 0; i < spec->nfilters; i++) {
        const struct lk_filter_spec *f = &spec->filters[i];
        lk_buf_adds(b, "    events = events.where(F.col(");
        py_str(b, lk_field_name(f->field));
        if (f->nvalues == 1) {
            lk_buf_adds(b, ") == ");
            py_str(b, f->values[0]);
        } else {
            lk_buf_adds(b, ").isin(");
            for (size_t v = 0; v < f->nvalues; v++) {
                lk_buf_adds(b, v ? ", " : "");
                py_str(b, f->values[v]);
            }
            lk_buf_adds(b, ")");
        }
        lk_buf_adds(b, ")\n");
    }
}

static void emit_window(struct lk_buf *b, const struct lk_spec *spec)
{
    const struct lk_window_spec *w = &spec->window;
    if (w->kind == LK_WIN_SESSION) {
        lk_buf_adds(b, "    # Window: session windows with a gap of ");
        spark_interval(b, w->gap);
        lk_buf_adds(b, " (spec \"window\": session). A session is\n"
                       "    # [first event, last event + gap); sessions that touch merge, in Spark "
                       "and lklab.\n"
                       "    window = F.session_window(\"event_time\", \"");
        spark_interval(b, w->gap);
        lk_buf_adds(b, "\")\n");
        return;
    }
    if (w->kind == LK_WIN_SLIDING) {
        lk_buf_adds(b, "    # Window: sliding windows of ");
        spark_interval(b, w->size);
        lk_buf_adds(b, " every ");
        spark_interval(b, w->slide);
        lk_buf_adds(
            b, ", aligned to the epoch, [start, end):\n"
               "    # one event counts in every window that holds it (spec \"window\": sliding).\n"
               "    window = F.window(\"event_time\", \"");
        spark_interval(b, w->size);
        lk_buf_adds(b, "\", \"");
        spark_interval(b, w->slide);
        lk_buf_adds(b, "\")\n");
        return;
    }
    lk_buf_adds(b, "    # Window: tumbling windows of ");
    spark_interval(b, w->size);
    lk_buf_adds(b, ", aligned to the epoch, [start, end) (spec \"window\": tumbling).\n"
                   "    window = F.window(\"event_time\", \"");
    spark_interval(b, w->size);
    lk_buf_adds(b, "\")\n");
}

static void emit_aggregates(struct lk_buf *b, const struct lk_spec *spec)
{
    lk_buf_adds(b, "    aggregates = [\n");
    for (size_t i = 0; i < spec->naggs; i++) {
        const struct lk_agg_spec *a = &spec->aggs[i];
        const char *of = a->of >= 0 ? lk_field_name(a->of) : "";
        switch (a->fn) {
        case LK_AGG_COUNT:
            lk_buf_adds(b, "        F.count(F.lit(1))");
            break;
        case LK_AGG_SUM:
            lk_buf_addf(b, "        F.sum(\"%s\")", of);
            break;
        case LK_AGG_MIN:
            lk_buf_addf(b, "        F.min(\"%s\")", of);
            break;
        case LK_AGG_MAX:
            lk_buf_addf(b, "        F.max(\"%s\")", of);
            break;
        case LK_AGG_COUNT_DISTINCT:
            lk_buf_addf(
                b,
                "        # count_distinct: Spark refuses distinct aggregations on a stream;\n"
                "        # the set of values is an ordinary aggregate, exact in every output\n"
                "        # mode (lklab keeps the same set per window; docs/spark.md).\n"
                "        F.size(F.collect_set(\"%s\"))",
                of);
            break;
        }
        lk_buf_adds(b, ".alias(");
        py_str(b, a->as);
        lk_buf_adds(b, "),\n");
    }
    lk_buf_adds(b, "    ]\n");
}

static void emit_query(struct lk_buf *b, const struct lk_spec *spec, const struct lk_export_opts *o)
{
    lk_buf_adds(
        b,
        "def build_result(events):\n"
        "    \"\"\"The pipeline spec as a streaming query: the rows of the result table.\"\"\"\n");
    if (spec->dedup)
        lk_buf_adds(
            b,
            "    # Dedup (spec \"dedup\": \"event_id\"): an at-least-once producer re-delivers "
            "events;\n"
            "    # the first copy counts. Before withWatermark, so this operator keeps every id "
            "and\n"
            "    # drops nothing as late: lklab drops a late copy as late, Spark as a duplicate,\n"
            "    # the answer is the same (docs/spark.md; dropDuplicatesWithinWatermark would "
            "also\n"
            "    # drop events whose window is still open).\n"
            "    events = events.dropDuplicates([\"event_id\"])\n");
    emit_filter(b, spec);
    if (o->watermark_ms >= 0) {
        lk_buf_adds(b, "    # Watermark (lklab: --watermark ");
        lklab_duration(b, o->watermark_ms);
        lk_buf_adds(
            b,
            "): max event time seen - delay, moved after each batch;\n"
            "    # a window whose end is at or before it is final (append emits it, state drops\n"
            "    # it) and a later event for it is dropped as late (numRowsDroppedByWatermark).\n"
            "    events = events.withWatermark(\"event_time\", \"");
        spark_interval(b, o->watermark_ms);
        lk_buf_adds(b, "\")\n");
    } else {
        lk_buf_adds(
            b,
            "    # No watermark (lklab: --watermark none): nothing is late, state only grows.\n");
    }
    emit_window(b, spec);
    emit_aggregates(b, spec);
    lk_buf_adds(
        b, "    # Aggregate per group and window: the stateful step; its state is checkpointed\n"
           "    # after every batch (lklab: RUN/checkpoint/state/N).\n"
           "    result = events.groupBy(*GROUP_BY, window.alias(\"window\")).agg(*aggregates)\n"
           "    return result.select(\n"
           "        *GROUP_BY,\n"
           "        F.expr(\"unix_millis(window.start)\").alias(\"window_start_ms\"),\n"
           "        F.expr(\"unix_millis(window.end)\").alias(\"window_end_ms\"),\n"
           "        *AGGREGATES)\n\n\n");
}

/* ---- 4. the sink and the run -------------------------------------------------------- */

static const char sink[] =
    "def iso(ms):\n"
    "    \"\"\"Milliseconds since the epoch -> 2026-01-01T00:01:00.000Z (lklab's time "
    "format).\"\"\"\n"
    "    secs, millis = divmod(ms, 1000)\n"
    "    days, secs = divmod(secs, 86400)\n"
    "    date = datetime.date(1970, 1, 1) + datetime.timedelta(days=days)\n"
    "    return \"%sT%02d:%02d:%02d.%03dZ\" % (date.isoformat(), secs // 3600, secs // 60 % 60,\n"
    "                                       secs % 60, millis)\n\n\n"
    "def csv_field(text):\n"
    "    \"\"\"RFC 4180 quoting only when needed, as lklab's CSV writer does.\"\"\"\n"
    "    if any(c in text for c in \",\\\"\\r\\n\"):\n"
    "        return '\"' + text.replace('\"', '\"\"') + '\"'\n"
    "    return text\n\n\n"
    "class ResultTable:\n"
    "    \"\"\"The query's result table, written as lklab's canonical result CSV "
    "(docs/formats.md).\n\n"
    "    Lecture: the serving layer. Spark's file sink can only append, so this foreachBatch\n"
    "    sink keeps the table on the driver (one row per group and window: small) and rewrites\n"
    "    the CSV atomically after each batch, sorted as lklab sorts it. A batch replayed after a\n"
    "    crash writes the same rows again (foreachBatch is at-least-once, the upsert makes it\n"
    "    idempotent: lklab's sink ledger does the same). On a cluster, MERGE into a table.\n"
    "    \"\"\"\n\n"
    "    def __init__(self, path):\n"
    "        self.path = path\n"
    "        self.rows = {}\n"
    "        self.header = GROUP_BY + [\"window_start\", \"window_end\"] + AGGREGATES\n"
    "        if os.path.exists(path):  # a restart: the answer so far\n"
    "            with open(path, newline=\"\", encoding=\"utf-8\") as f:\n"
    "                for record in list(csv.reader(f))[1:]:\n"
    "                    self.rows[tuple(record[:len(GROUP_BY) + 1])] = record\n\n"
    "    def write_batch(self, batch, batch_id):\n"
    "        fresh = {}\n"
    "        for row in batch.collect():\n"
    "            record = ([row[g] for g in GROUP_BY]\n"
    "                      + [iso(row.window_start_ms), iso(row.window_end_ms)]\n"
    "                      + [format(row[a], \".2f\") if a in MONEY else str(row[a])\n"
    "                         for a in AGGREGATES])\n"
    "            fresh[tuple(record[:len(GROUP_BY) + 1])] = record\n"
    "        if OUTPUT_MODE == \"complete\":\n"
    "            self.rows = fresh  # complete: every batch is the whole table\n"
    "        else:\n"
    "            self.rows.update(fresh)  # update: the changed rows; append: final rows\n"
    "        tmp = self.path + \".tmp\"\n"
    "        with open(tmp, \"w\", encoding=\"utf-8\", newline=\"\") as f:\n"
    "            f.write(\",\".join(self.header) + \"\\n\")\n"
    "            for key in sorted(self.rows, key=lambda k: [part.encode() for part in k]):\n"
    "                f.write(\",\".join(csv_field(x) for x in self.rows[key]) + \"\\n\")\n"
    "        os.replace(tmp, self.path)\n\n\n";

static void emit_run(struct lk_buf *b, const struct lk_export_opts *o)
{
    lk_buf_adds(b, "def run(spark, args):\n"
                   "    \"\"\"Start the query, wait until it ends (available-now) or Ctrl-C, write "
                   "the outputs.\"\"\"\n"
                   "    table = ResultTable(args.output)\n"
                   "    result = build_result(parse_events(read_lines(spark, args)))\n"
                   "    writer = (result.writeStream.queryName(PIPELINE)\n");
    lk_buf_addf(b, "              # Output mode (lklab: --output-mode %s): %s\n",
                lk_mode_name(o->mode),
                o->mode == LK_MODE_APPEND
                    ? "each window once, when the\n              # watermark passes its end"
                : o->mode == LK_MODE_UPDATE
                    ? "the rows each batch changed,\n              # upserted"
                    : "the whole table every batch;\n              # no late data, no eviction");
    lk_buf_addf(b, "              .outputMode(\"%s\")\n", lk_mode_name(o->mode));
    if (o->trigger_ms) {
        lk_buf_adds(b, "              # Trigger (lklab: --trigger ");
        lklab_duration(b, o->trigger_ms);
        lk_buf_adds(b, "): a micro-batch every interval of the WALL clock (lklab's\n"
                       "              # clock is arrival_time, so its batches are not these)\n"
                       "              .trigger(processingTime=\"");
        spark_interval(b, o->trigger_ms);
        lk_buf_adds(b, "\")\n");
    } else {
        lk_buf_adds(
            b,
            "              # Trigger (lklab: --trigger available-now): everything there now, in\n"
            "              # capped batches, then a no-data batch that moves the watermark, then "
            "stop\n"
            "              .trigger(availableNow=True)\n");
    }
    lk_buf_adds(
        b,
        "              # Checkpoint (lklab: RUN/checkpoint): offsets/N before the batch, "
        "commits/N\n"
        "              # after it, state per batch; a restart with the same directory resumes\n"
        "              .option(\"checkpointLocation\", args.checkpoint)\n"
        "              .foreachBatch(table.write_batch))\n"
        "    query = writer.start()\n"
        "    try:\n"
        "        query.awaitTermination()\n"
        "    except KeyboardInterrupt:\n"
        "        query.stop()\n"
        "    progress = query.recentProgress  # StreamingQueryProgress of every batch, as dicts\n"
        "    if args.progress:\n"
        "        with open(args.progress, \"w\", encoding=\"utf-8\") as f:\n"
        "            for p in progress:\n"
        "                f.write(json.dumps(p, sort_keys=True) + \"\\n\")\n"
        "    observed = [p.get(\"observedMetrics\", {}).get(\"input\", {}) for p in progress]\n"
        "    summary = {\n"
        "        \"batches\": len(progress),\n"
        "        \"lines\": sum(m.get(\"lines\", 0) for m in observed),\n"
        "        \"malformed\": sum(m.get(\"malformed\", 0) for m in observed),\n"
        "        \"dropped_by_watermark\": sum(op[\"numRowsDroppedByWatermark\"]\n"
        "                                    for p in progress for op in p[\"stateOperators\"]),\n"
        "        \"rows\": len(table.rows),\n"
        "    }\n"
        "    print(\"%s: %d batches, %d lines, %d malformed, %d rows dropped by the watermark, \"\n"
        "          \"%d result rows -> %s\" % (PIPELINE, summary[\"batches\"], "
        "summary[\"lines\"],\n"
        "                                     summary[\"malformed\"], "
        "summary[\"dropped_by_watermark\"],\n"
        "                                     summary[\"rows\"], args.output), file=sys.stderr)\n"
        "    return summary\n\n\n");
}

/* The session, the arguments and main(). */
static void emit_main(struct lk_buf *b, const struct lk_export_opts *o)
{
    lk_buf_adds(
        b,
        "def spark_session(master):\n"
        "    \"\"\"A Spark session for this job (local mode when master is local[N]).\"\"\"\n"
        "    builder = (SparkSession.builder.appName(\"lklab-\" + PIPELINE)\n"
        "               .config(\"spark.sql.session.timeZone\", \"UTC\")  # times are UTC, as in "
        "lklab\n"
        "               # strict date parsing: 2026-02-30 is malformed, not 2026-03-02\n"
        "               .config(\"spark.sql.legacy.timeParserPolicy\", \"CORRECTED\")\n"
        "               .config(\"spark.sql.shuffle.partitions\", \"2\")  # small state: few "
        "partitions\n"
        "               .config(\"spark.sql.streaming.numRecentProgressUpdates\", \"100000\")\n"
        "               .config(\"spark.ui.showConsoleProgress\", \"false\"))\n"
        "    if master:\n"
        "        builder = builder.master(master)\n"
        "    spark = builder.getOrCreate()\n"
        "    spark.sparkContext.setLogLevel(\"ERROR\")\n"
        "    return spark\n\n\n"
        "def parse_args(argv=None):\n"
        "    p = argparse.ArgumentParser(description=__doc__.split(\"\\n\")[0])\n");
    if (o->source == LK_EXPORT_KAFKA)
        lk_buf_adds(
            b,
            "    p.add_argument(\"--input\", required=True, help=\"Kafka topic of event lines\")\n"
            "    p.add_argument(\"--kafka-bootstrap\", required=True, help=\"HOST:PORT,...\")\n");
    else
        lk_buf_adds(b, "    p.add_argument(\"--input\", required=True,\n"
                       "                   help=\"landing directory of JSONL files (a dataset's "
                       "landing/)\")\n");
    lk_buf_adds(
        b,
        "    p.add_argument(\"--checkpoint\", required=True, help=\"checkpoint directory\")\n"
        "    p.add_argument(\"--output\", required=True, help=\"result CSV (lklab's canonical "
        "format)\")\n"
        "    p.add_argument(\"--progress\", help=\"write each batch's progress JSON here, one a "
        "line\")\n"
        "    p.add_argument(\"--master\", default=\"local[2]\",\n"
        "                   help=\"Spark master (default local[2]; '' to take spark-submit's)\")\n"
        "    return p.parse_args(argv)\n\n\n"
        "def main():\n"
        "    args = parse_args()\n"
        "    spark = spark_session(args.master)\n"
        "    try:\n"
        "        run(spark, args)\n"
        "    finally:\n"
        "        spark.stop()\n\n\n"
        "if __name__ == \"__main__\":\n"
        "    main()\n");
}

/* ---- the whole job ------------------------------------------------------------------- */

static int check(const struct lk_spec *spec, const struct lk_export_opts *o, struct lk_err *err)
{
    if (strchr(o->pipeline, '"') || strchr(o->pipeline, '\n'))
        return lk_err_set(err, LK_EUSAGE,
                          "--pipeline: a path with a double quote or a line "
                          "break cannot be quoted in the job's header");
    if (o->mode == LK_MODE_APPEND && o->watermark_ms < 0)
        return lk_err_set(err, LK_EUSAGE,
                          "append mode needs a watermark: Spark refuses an "
                          "aggregation in append mode without one");
    if (spec->window.kind == LK_WIN_SESSION && o->mode == LK_MODE_UPDATE)
        return lk_err_set(err, LK_EUSAGE,
                          "session windows in update mode: Spark refuses them "
                          "(use --output-mode append or complete)");
    if (spec->window.kind == LK_WIN_SESSION && spec->ngroup == 0)
        return lk_err_set(err, LK_EUSAGE,
                          "session windows without a group_by: Spark refuses "
                          "a global aggregation with session windows");
    if (o->max_files && o->source != LK_EXPORT_LANDING)
        return lk_err_set(err, LK_EUSAGE,
                          "--max-files-per-trigger caps landing files: it needs "
                          "--source landing");
    if (o->max_events && o->source != LK_EXPORT_KAFKA)
        return lk_err_set(err, LK_EUSAGE,
                          "--max-events-per-trigger caps Kafka offsets: it needs "
                          "--source kafka");
    return 0;
}

int lk_export_spark(const struct lk_spec *spec, const struct lk_export_opts *o, struct lk_buf *out,
                    struct lk_err *err)
{
    if (check(spec, o, err) < 0)
        return LK_EUSAGE;
    emit_header(out, spec, o);
    lk_buf_adds(out, event_rules);
    emit_source(out, o);
    emit_query(out, spec, o);
    lk_buf_adds(out, sink);
    emit_run(out, o);
    emit_main(out, o);
    return 0;
}
