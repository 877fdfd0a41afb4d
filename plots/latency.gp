# latency.gp - first-visible and correct latency vs trigger (Kappa) / batch period (Lambda).
# Data: latency.tsv (stack x_s x_label run first_visible_p50_s first_visible_p99_s
# correct_p50_s correct_p99_s), written by 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('latency.gp')] . 'common.gp'

stats data using 2 nooutput
set xrange [STATS_min / 2.5 : STATS_max * 2.5]
stats data using 5:8 nooutput
ylo = STATS_min_x < STATS_min_y ? STATS_min_x : STATS_min_y
yhi = STATS_max_x > STATS_max_y ? STATS_max_x : STATS_max_y
stats data using 6:7 nooutput
ylo = STATS_min_x < ylo ? STATS_min_x : ylo
ylo = STATS_min_y < ylo ? STATS_min_y : ylo
yhi = STATS_max_x > yhi ? STATS_max_x : yhi
yhi = STATS_max_y > yhi ? STATS_max_y : yhi
ylo = ylo > 0 ? ylo : 0.1
set yrange [ylo / 3 : yhi * 3]

set title with_note("Latency: when an event first shows, and when its row is correct") font ',13'
set xlabel "trigger (Kappa) / batch period (Lambda), virtual time, log scale"
set ylabel "latency after arrival, virtual time, log scale"
set logscale xy
set xtics @time_tics
set ytics @time_tics
set mxtics default
set key top left Left reverse title "solid: p50   dashed: p99" left

plot \
  data using (X('kappa')):5 with linespoints ls 1 title 'Kappa first visible', \
  ''   using (X('kappa')):6 with lines ls 1 dt 2 notitle, \
  ''   using (X('kappa')):7 with linespoints ls 2 title 'Kappa correct', \
  ''   using (X('kappa')):8 with lines ls 2 dt 2 notitle, \
  ''   using (X('lambda')):5 with linespoints ls 3 title 'Lambda first visible (speed layer)', \
  ''   using (X('lambda')):6 with lines ls 3 dt 2 notitle, \
  ''   using (X('lambda')):7 with linespoints ls 4 title 'Lambda correct (batch view)', \
  ''   using (X('lambda')):8 with lines ls 4 dt 2 notitle
