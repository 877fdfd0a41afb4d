# files.gp - files written and their mean size vs trigger (Kappa) / batch period (Lambda).
# Data: files.tsv (stack x_s x_label run files_written mean_file_bytes), written by
# 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('files.gp')] . 'common.gp'

stats data using 2 nooutput
set xrange [STATS_min / 2.5 : STATS_max * 2.5]

set title with_note("Output files: how many, and how big") font ',13'
set xlabel "trigger (Kappa) / batch period (Lambda), virtual time, log scale"
set ylabel "files written (log scale)"
set y2label "mean file size (log scale)"
set logscale x
set logscale y
set logscale y2
set xtics @time_tics
set ytics nomirror
set y2tics
set format y '%.0f'
set format y2 '%.0s %cB'
set border 11
set key top center Left reverse title "solid: files written (left axis)\ndashed: mean file size (right axis)"

plot \
  data using (X('kappa')):5 axes x1y1 with linespoints ls 2 title 'Kappa', \
  ''   using (X('lambda')):5 axes x1y1 with linespoints ls 4 title 'Lambda', \
  ''   using (X('kappa')):6 axes x1y2 with linespoints ls 2 dt 2 notitle, \
  ''   using (X('lambda')):6 axes x1y2 with linespoints ls 4 dt 2 notitle
