# latency.gp - first-visible and correct latency vs trigger (Kappa) / batch period (Lambda):
# every run's p50 (a point) with a whisker to its p99 (and a tick at p95), for Kappa append,
# Kappa update and Lambda. A percentile that is `inf` (it falls among the events whose row is
# never correct) is drawn on the "never" line at the top, not left out.
# Data: latency.tsv (series x_s x_label run first_visible_p50_s first_visible_p95_s
# first_visible_p99_s correct_p50_s correct_p95_s correct_p99_s correct_pct), written by
# 'lklab plot'. Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('latency.gp')] . 'common.gp'

# finite values only (inf -> NaN), and the smaller / larger of two that may be NaN
fin(c) = column(c) > 1e300 ? NaN : column(c)
mn(a, b) = a != a ? b : (b != b ? a : (a < b ? a : b))
mx(a, b) = a != a ? b : (b != b ? a : (a > b ? a : b))
rmin(d) = mn(mn(mn(fin(5), fin(6)), mn(fin(7), fin(8))), mn(fin(9), fin(10)))
rmax(d) = mx(mx(mx(fin(5), fin(6)), mx(fin(7), fin(8))), mx(fin(9), fin(10)))

# (every stats before any range is set: stats skips values outside the current ranges)
stats data using 2 nooutput
xlo = STATS_min
xhi = STATS_max
stats data using (rmin(0)) nooutput
ylo = STATS_min > 0 ? STATS_min : 0.1
stats data using (rmax(0)) nooutput
yhi = STATS_max > ylo ? STATS_max : ylo * 10
isinf(c) = column(c) > 1e300 ? 1 : 0
stats data using (isinf(5) + isinf(6) + isinf(7) + isinf(8) + isinf(9) + isinf(10)) nooutput
ninf = STATS_sum
never = yhi * 8
set xrange [xlo / 2.5 : xhi * 2.5]
set yrange [ylo / 3 : (ninf > 0 ? never * 2.2 : yhi * 3)]
Y(c) = column(c) > 1e300 ? never : column(c)

# each of the six series a little apart on the log x axis, so equal values stay visible
off(k) = 1.075 ** (k - 2.5)
XS(s, k) = strcol(1) eq s ? column(2) * off(k) : NaN

set title with_note("Latency after arrival: first visible, and row correct") font ',13'
set xlabel "trigger (Kappa) / batch period (Lambda), virtual time, log scale"
set ylabel "latency after arrival, virtual time, log scale"
set logscale xy
set xtics @time_tics
set ytics @time_tics
set mxtics default
if (ninf > 0) {
    set ytics add ("never" never)
    set arrow 1 from graph 0, first never to graph 1, first never nohead dt 3 lw 1.5 lc rgb '#cc0000'
    set label 1 "never: the percentile falls among events whose row is never correct" \
        at graph 0.01, first never * 1.45 left font ',9' tc rgb '#cc0000'
}
set key outside below center horizontal maxrows 2 Left reverse width 2 \
    title "point: p50; whisker: p50 to p99, tick at p95; open: first visible, filled: correct"
set bmargin 9

upd_fv = '#74c476'
upd_ok = '#006d2c'
set style line 11 lc rgb kappa_fv lw 1.5 pt 6 ps 1.3
set style line 12 lc rgb kappa_ok lw 1.5 pt 7 ps 1.3
set style line 13 lc rgb upd_fv lw 1.5 pt 4 ps 1.3
set style line 14 lc rgb upd_ok lw 1.5 pt 5 ps 1.3
set style line 15 lc rgb lambda_fv lw 1.5 pt 12 ps 1.6
set style line 16 lc rgb lambda_ok lw 1.5 pt 13 ps 1.6

SN(k) = k < 2 ? 'kappa' : (k < 4 ? 'kappa-update' : 'lambda')
# the p95 tick of series k: a short horizontal stroke centred on the series' x
TX(k) = XS(SN(k), k) / 1.035
TW(k) = XS(SN(k), k) * (1.035 - 1 / 1.035)
P50(k) = k % 2 ? 8 : 5

plot \
  for [k = 0:5] data using (XS(SN(k), k)):(Y(P50(k))) with lines ls 11 + k dt 1 + (k + 1) % 2 notitle, \
  for [k = 0:5] data using (TX(k)):(Y(P50(k) + 1)):(TW(k)):(0) with vectors nohead ls 11 + k notitle, \
  data using (XS('kappa', 0)):(Y(5)):(Y(5)):(Y(7)) with yerrorbars ls 11 title 'Kappa append, first visible', \
  ''   using (XS('kappa', 1)):(Y(8)):(Y(8)):(Y(10)) with yerrorbars ls 12 title 'Kappa append, correct', \
  ''   using (XS('kappa-update', 2)):(Y(5)):(Y(5)):(Y(7)) with yerrorbars ls 13 title 'Kappa update, first visible', \
  ''   using (XS('kappa-update', 3)):(Y(8)):(Y(8)):(Y(10)) with yerrorbars ls 14 title 'Kappa update, correct', \
  ''   using (XS('lambda', 4)):(Y(5)):(Y(5)):(Y(7)) with yerrorbars ls 15 title 'Lambda, first visible (speed layer)', \
  ''   using (XS('lambda', 5)):(Y(8)):(Y(8)):(Y(10)) with yerrorbars ls 16 title 'Lambda, correct (batch view)'
