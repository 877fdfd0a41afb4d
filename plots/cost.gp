# cost.gp - monthly cost per run config on a log axis, stacked by component: compute (Kappa's
# one cluster; Lambda's speed and batch clusters apart), operations, storage, retrieval.
# Bars in groups: Kappa append, Kappa update, Lambda, each by trigger / batch period.
# Data: cost.tsv (series x_s label run compute_usd compute_speed_usd compute_batch_usd
# storage_usd operations_usd retrieval_usd total_usd), written by 'lklab plot'.
# Usage: plots/README.md.
load ARG0[1:strlen(ARG0) - strlen('cost.gp')] . 'common.gp'

# (every stats before any range is set: stats skips values outside the current ranges)
pos(c) = column(c) > 0 ? column(c) : NaN
stats data using (pos(11)) nooutput
ymax = STATS_max
ytot_min = STATS_min
stats data using (strcol(1) eq 'kappa' ? 1 : 0) nooutput
nk = STATS_sum
nrows = STATS_records
stats data using (strcol(1) eq 'kappa-update' ? 1 : 0) nooutput
nu = STATS_sum
# the smallest part drawn: a cent, or a thousandth of the cheapest bill if that is more
ybot = 10 ** floor(log10(ytot_min / 1000.0 > 0.01 ? ytot_min / 1000.0 : 0.01))
set yrange [ybot : ymax * 60]
set xrange [-0.6 : nrows - 0.4]
if (nk > 0 && nk < nrows) {
    set arrow 1 from first nk - 0.5, graph 0 to first nk - 0.5, graph 1 nohead dt 3 lc rgb '#888888'
}
if (nu > 0 && nk + nu < nrows) {
    set arrow 2 from first nk + nu - 0.5, graph 0 to first nk + nu - 0.5, graph 1 nohead dt 3 lc rgb '#888888'
}
if (nk > 0) { set label 1 'Kappa append' at first (nk - 1) / 2.0, graph 0.98 center font ',10' }
if (nu > 0) { set label 2 'Kappa update' at first nk + (nu - 1) / 2.0, graph 0.98 center font ',10' }
if (nk + nu < nrows) {
    set label 3 'Lambda' at first nk + nu + (nrows - nk - nu - 1) / 2.0, graph 0.98 center font ',10'
}

set title with_note("Monthly cost per run config, USD per 30-day month") font ',13'
unset xlabel
set ylabel "USD per month, log scale"
set logscale y
set format y '$%g'
set xtics nomirror scale 0
set grid noxtics ytics
set style fill solid 0.9 border lc rgb '#ffffff'
set bmargin 8
set key outside below center horizontal maxrows 2 Left reverse width 1 title "stacked, bottom up:"

# the top of each part of the stack: compute, speed, batch, operations, storage, retrieval
top(k) = k == 0 ? $5 : k == 1 ? $5 + $6 : k == 2 ? $5 + $6 + $7 : k == 3 ? $5 + $6 + $7 + $9 \
       : k == 4 ? $5 + $6 + $7 + $9 + $8 : $5 + $6 + $7 + $9 + $8 + $10
part(k) = k == 0 ? $5 : k == 1 ? $6 : k == 2 ? $7 : k == 3 ? $9 : k == 4 ? $8 : $10
low(k) = k == 0 ? ybot : (top(k - 1) > ybot ? top(k - 1) : ybot)
# one part as a box (x, y, xlow, xhigh, ylow, yhigh); nothing when it is zero
BX(k) = part(k) > 0 ? $0 : NaN
w = 0.32
# written above each bar: its total, its cluster(s), and what its files cost (storage,
# operations, retrieval)
filebill(d) = $8 + $9 + $10
fm(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.2f', v)
parts(d) = $6 + $7 > 0 \
    ? sprintf("$%s\nspeed %s\nbatch %s\nfiles %s", fm($11), fm($6), fm($7), fm(filebill(0))) \
    : sprintf("$%s\ncluster %s\nfiles %s", fm($11), fm($5), fm(filebill(0)))
# Kappa append and update apart: the compute part of one series only
BS(k, s) = strcol(1) eq s ? BX(k) : NaN

plot \
  data using (BS(0, 'kappa')):(top(0)):($0 - w):($0 + w):(low(0)):(top(0)) with boxxyerror lc rgb '#4c72b0' title 'compute: Kappa append cluster', \
  ''   using (BS(0, 'kappa-update')):(top(0)):($0 - w):($0 + w):(low(0)):(top(0)) with boxxyerror lc rgb '#2ca25f' title 'compute: Kappa update cluster', \
  ''   using (BX(1)):(top(1)):($0 - w):($0 + w):(low(1)):(top(1)) with boxxyerror lc rgb '#8172b2' title 'compute: Lambda speed cluster', \
  ''   using (BX(2)):(top(2)):($0 - w):($0 + w):(low(2)):(top(2)) with boxxyerror lc rgb '#c44e52' title 'compute: Lambda batch cluster', \
  ''   using (BX(3)):(top(3)):($0 - w):($0 + w):(low(3)):(top(3)) with boxxyerror lc rgb '#ccb974' title 'operations', \
  ''   using (BX(4)):(top(4)):($0 - w):($0 + w):(low(4)):(top(4)) with boxxyerror lc rgb '#dd8452' title 'storage', \
  ''   using (BX(5)):(top(5)):($0 - w):($0 + w):(low(5)):(top(5)) with boxxyerror lc rgb '#937860' title 'retrieval', \
  ''   using 0:($11 * ($6 + $7 > 0 ? 1.8 : 1)):(parts(0)):xtic(3) with labels offset 0, char 2.6 font ',8' notitle
