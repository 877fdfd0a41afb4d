#!/usr/bin/env bash
# make asan's last step: read the sanitizer reports that LSAN_OPTIONS/ASAN_OPTIONS log_path
# wrote into DIR (one file per process: the test runner, its workers, every lklab run) and
# fail on any of them, but one kind: a leak allocated by Criterion's own runner (the frame
# right above the allocator is in libcriterion, no frame of ours), which Criterion 2.4's
# parent process sometimes leaves at exit (48 bytes, seen once in CI) and which no test of
# ours can fix. A leak anywhere in our code has one of our frames right above the allocator.
set -u
dir=${1:?usage: tests/asan-leaks.sh DIR}
shopt -s nullglob
bad=0
for f in "$dir"/*; do
    verdict=$(awk '
        /ERROR: AddressSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer/ { other = 1 }
        /^(Direct|Indirect) leak/ { inleak = 1; frame = 0; next }
        inleak && /^ *#1 / { if ($0 !~ /libcriterion\.so/) ours = 1; inleak = 0 }
        END { print (other || ours) ? "bad" : "criterion-only" }' "$f")
    if [ "$verdict" = bad ]; then
        echo "asan: $f:"
        cat "$f"
        bad=1
    else
        echo "asan: ignored a leak inside Criterion's runner ($(grep -m1 SUMMARY "$f"))"
    fi
done
exit $bad
