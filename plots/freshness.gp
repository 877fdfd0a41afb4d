# freshness.gp - one window's answer over virtual time in both stacks, and its true value:
# the whole run on top, and below it the same lines framed around the true final value, so
# an answer that ends a few units off (late data dropped) is told apart from the truth.
# Data: freshness.tsv (stack hours value; stack kappa, lambda or truth; step data; each
# stack's last value repeated at the common end time), written by 'lklab plot'.
# Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('freshness.gp')] . 'common.gp'

# (every stats before any range is set: stats skips values outside the current ranges)
stats data using 2 nooutput
hlo = STATS_min
hhi = STATS_max
stats data using 3 nooutput
vlo = STATS_min
vhi = STATS_max
stats data using (strcol(1) eq 'truth' ? $3 : NaN) nooutput
final = STATS_max
# how far the stacks' last values (the rows at the common end) are from the truth
stats data using (strcol(1) ne 'truth' && $2 == hhi ? abs($3 - final) : NaN) nooutput
dev = STATS_max
frame = dev * 1.8 > abs(final) * 0.03 ? dev * 1.8 : abs(final) * 0.03
frame = frame > 0.5 ? frame : 0.5

pad = (hhi - hlo) * 0.05
pad = pad > 0 ? pad : 0.1
set xrange [hlo - pad : hhi + pad]
vpad = (vhi - vlo) * 0.12
vpad = vpad > 0 ? vpad : 1

set multiplot title with_note("One window's answer over time") font ',13'
set lmargin 10
unset key

# top: the whole run
set size 1, 0.42
set origin 0, 0.52
set yrange [vlo - vpad : vhi + vpad]
set ylabel "value (all)"
set format x ''
set object 1 rect from graph 0, first final - frame to graph 1, first final + frame \
    fc rgb '#fff3c4' fs solid 0.6 noborder behind
plot \
  data using (X('truth')):3 with lines lw 6 lc rgb '#c8c8c8' notitle, \
  ''   using (X('kappa')):3 with steps ls 2 notitle, \
  ''   using (X('lambda')):3 with steps ls 4 notitle
unset object 1

# bottom: framed around the true final value (the shaded band above)
set size 1, 0.54
set origin 0, 0
set yrange [final - frame : final + frame]
set format x '%g'
set xlabel "hours since the first arrival (virtual time)"
set key bottom right Left reverse
set ylabel "value near the final one"
set label 1 sprintf('true final value %g', final) at graph 0.01, first final left offset 0,0.7 \
    font ',9' tc rgb '#777777'
plot \
  data using (X('truth')):3 with lines lw 6 lc rgb '#c8c8c8' title 'true final value', \
  ''   using (X('kappa')):3 with steps ls 2 title 'Kappa', \
  ''   using (X('kappa')):3 with points ls 2 notitle, \
  ''   using (X('lambda')):3 with steps ls 4 title 'Lambda', \
  ''   using (X('lambda')):3 with points ls 4 notitle
unset multiplot
