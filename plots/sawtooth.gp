# sawtooth.gp - Lambda: how far the speed layer's answer is from the batch view, over time.
# Data: sawtooth.tsv, block 0 (hours diff_rows diff_pct) and after two blank lines
# block 1 (batch_visible_hours), written by 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('sawtooth.gp')] . 'common.gp'

stats data index 0 using 3 nooutput
ytop = (STATS_max > 0 ? STATS_max : 1) * 1.2
set yrange [0 : ytop]

set title with_note("Lambda: speed layer vs batch view, over time") font ',13'
set xlabel "hours since the first arrival (virtual time)"
set ylabel "rows where speed and batch differ (% of rows)"
set key top left Left reverse

plot \
  data index 0 using 1:3 with linespoints ls 3 title 'speed vs batch discrepancy', \
  ''   index 1 using 1:(0):(0):(ytop) with vectors nohead dt 2 lw 1.5 lc rgb '#555555' title 'a batch view lands'
