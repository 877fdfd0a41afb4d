#!/usr/bin/env bash
# labs/09-cost/params.sh DATASET: the parameters of the student whose dataset (from 'lklab
# lab data 09') is DATASET, picked from the dataset's seed: the small tenant to price on a
# cluster of its own, how often the dashboard queries the lake, and the latency SLA of
# step 4. Prints them for people, then one line "params TENANT QUERIES_PER_HOUR SLA_MIN".
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: labs/09-cost/params.sh DATASET" >&2; exit 2; }
seed=$(lklab lab answer "$1/manifest.json" seed) || {
    echo "params: no dataset in '$1' (run: lklab lab data 09 --student ID --out $1)" >&2; exit 3; }
tenant=$(printf 't%03d' $((60 + seed % 41)))
sla=(20 45 90 150 300)
q=$((2 + (seed / 41) % 119))        # 2 to 120 queries an hour
s=${sla[$(((seed / 4879) % 5))]}
cat <<TEXT
Your parameters (dataset seed $seed):
  tenant      $tenant (a small one: price it on a cluster of its own in step 3)
  dashboard   $q queries an hour, each reading a fifth of the last day's files (step 2)
  SLA         95% of the events correct within $s minutes of their arrival (step 4)
TEXT
echo "params $tenant $q $s"
