# watermark.gp - watermark delay vs late events dropped, events never correct and state kept
# (one Kappa trigger). Data: watermark.tsv (watermark_s watermark run late_pct max_state_rows
# never_correct never_correct_pct),
# written by 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('watermark.gp')] . 'common.gp'

stats data using 1 nooutput
set xrange [STATS_min / 2.5 : STATS_max * 2.5]

set title with_note("Watermark delay: late events dropped, rows never correct, state kept") font ',13'
set xlabel "watermark delay, virtual time, log scale"
set ylabel "% of events (left axis)"
set y2label "max state rows"
set logscale x
set xtics @time_tics
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics
set border 11
set key top center Left reverse

plot \
  data using 1:7 axes x1y1 with linespoints lc rgb '#f4a6a6' lw 6 pt 9 ps 1.6 title 'events whose row is never correct (%)', \
  ''   using 1:4 axes x1y1 with linespoints ls 4 title 'late events dropped (% of input lines)', \
  ''   using 1:7:(sprintf('%.2f%%', $7)) axes x1y1 with labels offset 0,1.1 font ',9' tc rgb '#cc0000' notitle, \
  ''   using 1:5 axes x1y2 with linespoints ls 2 dt 2 title 'max state rows (right axis)'
