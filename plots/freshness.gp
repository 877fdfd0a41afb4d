# freshness.gp - one window's answer over virtual time in both stacks, and its true value.
# Data: freshness.tsv (stack hours value; stack kappa, lambda or truth; step data),
# written by 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('freshness.gp')] . 'common.gp'

stats data using 2 nooutput
pad = (STATS_max - STATS_min) * 0.05
pad = pad > 0 ? pad : 0.1
set xrange [STATS_min - pad : STATS_max + pad]
stats data using 3 nooutput
vpad = (STATS_max - STATS_min) * 0.12
vpad = vpad > 0 ? vpad : 1
set yrange [STATS_min - vpad : STATS_max + vpad]

set title with_note("One window's answer over time") font ',13'
set xlabel "hours since the first arrival (virtual time)"
set ylabel "the window's value (as the serving answer shows it)"
set key bottom right Left reverse

plot \
  data using (X('truth')):3 with lines lw 6 lc rgb '#c8c8c8' title 'true final value', \
  ''   using (X('kappa')):3 with steps ls 2 title 'Kappa', \
  ''   using (X('kappa')):3 with points ls 2 notitle, \
  ''   using (X('lambda')):3 with steps ls 4 title 'Lambda', \
  ''   using (X('lambda')):3 with points ls 4 notitle
