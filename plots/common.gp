# common.gp - the shared look of the lab's charts, loaded by every plots/<name>.gp.
# Expects data (the tidy .tsv) and out (the image: .svg gives SVG, anything else PNG);
# note (words for the title) is optional. See plots/README.md.
if (!exists("data")) {
    print "set the data file: gnuplot -e \"data='DIR/NAME.tsv'; out='NAME.png'\" plots/NAME.gp"
    exit status 2
}
if (!exists("out")) { out = data[1:strlen(data) - 4] . '.png' }
if (!exists("note")) { note = '' }
with_note(s) = note eq '' ? s : s . ' (' . note . ')'

if (strlen(out) > 4 && out[strlen(out) - 3:] eq '.svg') {
    set terminal svg size 900,500 font 'DejaVu Sans,12' noenhanced background '#ffffff'
} else {
    if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
        set terminal pngcairo size 900,500 font 'DejaVu Sans,11' noenhanced background '#ffffff'
    } else {
        set terminal png size 900,500 noenhanced
    }
}
set output out
set datafile separator "\t"
set encoding utf8

# Series colours: Kappa blues, Lambda oranges; the darker shade is the "correct" answer.
kappa_fv = '#6baed6'
kappa_ok = '#08519c'
lambda_fv = '#fd8d3c'
lambda_ok = '#a63603'
set style line 1 lc rgb kappa_fv lw 2 pt 7 ps 1.0
set style line 2 lc rgb kappa_ok lw 2 pt 5 ps 1.0
set style line 3 lc rgb lambda_fv lw 2 pt 9 ps 1.2
set style line 4 lc rgb lambda_ok lw 2 pt 13 ps 1.2
set grid xtics ytics lc rgb '#d0d0d0' lw 1 dt 1
set border 3 lw 1
set xtics nomirror out
set ytics nomirror out
set key opaque box lc rgb '#bbbbbb' samplen 3 spacing 1.2

# Virtual durations in seconds, labelled in the units a student reads.
time_tics = '("1 s" 1, "10 s" 10, "1 min" 60, "10 min" 600, "1 h" 3600, "6 h" 21600, "1 d" 86400, "1 wk" 604800)'

# x of one stack's rows (the others give NaN, so each stack draws its own line).
X(s) = strcol(1) eq s ? column(2) : NaN
