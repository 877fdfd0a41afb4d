# cost.gp - monthly cost per run config, stacked: compute, storage, operations.
# Data: cost.tsv (stack x_s label run compute_usd storage_usd operations_usd total_usd),
# written by 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('cost.gp')] . 'common.gp'

stats data using 8 nooutput
set yrange [0 : (STATS_max > 0 ? STATS_max : 1) * 1.18]
stats data using (strcol(1) eq 'kappa' ? 1 : 0) nooutput
nkappa = STATS_sum
nrows = STATS_records
if (nkappa > 0 && nkappa < nrows) {
    set arrow 1 from first nkappa - 0.5, graph 0 to first nkappa - 0.5, graph 1 nohead dt 3 lc rgb '#888888'
}

set title with_note("Monthly cost per run config, USD per 30-day month") font ',13'
set xlabel "run config (Kappa: trigger; Lambda: batch period)"
set ylabel "USD per month"
set style data histograms
set style histogram rowstacked
set style fill solid 0.9 border lc rgb '#ffffff'
set boxwidth 0.65
set xtics nomirror scale 0
set grid noxtics ytics
set key at graph 0.68, graph 0.95 top right Left reverse title "bar label: total"

plot \
  data using 5:xtic(3) title 'compute' lc rgb '#4c72b0', \
  ''   using 6 title 'storage' lc rgb '#dd8452', \
  ''   using 7 title 'operations' lc rgb '#55a868', \
  ''   using 0:($5 + $6 + $7):(sprintf('%.2f', $8)) with labels offset 0,0.8 notitle
