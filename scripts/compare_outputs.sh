#!/usr/bin/env bash
# Byte identity of two builds: runs the same commands (train with CV and a
# fixed lambda, vectorize, classify with --json --explain and -p, eval,
# words, inspect, every --help, errors) with both binaries, on the bundled
# sample and the public corpus, and compares every output, exit code and
# written file with cmp. A change that should alter no output (a
# restructuring) must print ALL IDENTICAL.
#
# Usage: scripts/compare_outputs.sh OLD_BINARY NEW_BINARY [quick]
#   quick: the sample corpus only. Both binaries run with SOURCE_DATE_EPOCH
#   set, so models record the same training date; an old binary that does not
#   honour it can be given as a wrapper script that runs it under faketime
#   (`faketime -f "YYYY-MM-DD hh:mm:ss"`; a dynamically linked build).
set -uo pipefail
cd "$(dirname "$0")/.."
old=$(readlink -f "$1")
new=$(readlink -f "$2")
mode=${3:-full}
corp=$PWD/corpora
[ "$mode" = quick ] || [ -d "$corp/spamassassin" ] || corpora/fetch-spamassassin.sh
work=$(mktemp -d)
mkdir -p "$work/old" "$work/new"
export SOURCE_DATE_EPOCH=$(date -u -d "$(date -u +%F)" +%s)
fail=0

run() { # name cmd... ; runs cmd with $BIN and $OUT set, for both binaries
    local name=$1; shift
    for side in old new; do
        local bin=$old; [ $side = new ] && bin=$new
        ln -sfn "$work/$side" "$work/cur"
        (cd "$work/cur" && BIN=$bin OUT=$work/cur bash -c "$*" \
            >"$work/$side/$name.stdout" 2>"$work/$side/$name.stderr"; echo $? >"$work/$side/$name.rc")
    done
    # vectorize reports its own speed: the one line that may differ.
    sed -i '/^time: /d' "$work/old/$name.stdout" "$work/new/$name.stdout"
    for f in stdout stderr rc; do
        if ! cmp -s "$work/old/$name.$f" "$work/new/$name.$f"; then
            echo "DIFF: $name.$f"; diff <(head -c 3000 "$work/old/$name.$f") <(head -c 3000 "$work/new/$name.$f") | head -10
            fail=1
        fi
    done
}
same() { # files relative to each side's dir
    for f in "$@"; do
        if ! cmp -s "$work/old/$f" "$work/new/$f"; then echo "DIFF: file $f"; fail=1; fi
    done
}

run train_sample '$BIN train '"$corp"'/sample -o $OUT/sample.model'
same sample.model
run train_sample_fixed '$BIN train '"$corp"'/sample --lambda 1e-3 --alpha 1 -o $OUT/fixed.model'
same fixed.model
run train_sample_opts '$BIN train '"$corp"'/sample --lambda 1e-3 --weighting log --l2-normalize --word-pairs true --html-tags true --stemmer none --unsure 0.3,0.7 -o $OUT/opts.model'
same opts.model
run vectorize_sample '$BIN vectorize '"$corp"'/sample -o $OUT/sample.svm --vocab $OUT/sample.vocab'
same sample.svm sample.vocab
run train_svm '$BIN train --svmlight $OUT/sample.svm --vocab $OUT/sample.vocab -o $OUT/svm.model'
same svm.model
run train_svm_novocab '$BIN train --svmlight $OUT/sample.svm --lambda 1e-3 -o $OUT/svm2.model'
same svm2.model
for m in sample fixed opts svm; do
    run words_$m '$BIN words -m $OUT/'$m'.model'
    run inspect_$m '$BIN inspect $OUT/'$m'.model'
    run inspectj_$m '$BIN inspect --json $OUT/'$m'.model'
done
run classify_sample '$BIN classify -m $OUT/sample.model '"$corp"'/sample'
run classify_sample_json '$BIN classify --json --explain -m $OUT/sample.model '"$corp"'/sample'
run classify_opts '$BIN classify --explain -m $OUT/opts.model '"$corp"'/sample'
run eval_sample '$BIN eval -m $OUT/sample.model '"$corp"'/sample'
run evalj_sample '$BIN eval --json -m $OUT/opts.model '"$corp"'/sample'
for f in $(ls "$corp"/sample/spam | head -3) ; do
    run "pass_$f" '$BIN classify -p -m $OUT/sample.model < '"$corp/sample/spam/$f"
    run "stdin_$f" '$BIN classify --explain -m $OUT/sample.model < '"$corp/sample/spam/$f"
done
for f in "$PWD"/tests/data/mail/*; do
    b=$(basename "$f")
    run "pass_$b" '$BIN classify -p -m $OUT/sample.model < '"$f"
    run "json_$b" '$BIN classify --json --explain -m $OUT/sample.model < '"$f"
done
for c in "" train classify words eval inspect vectorize; do
    run "help_$c" '$BIN '"$c"' --help'
done
run bad_model '$BIN classify -m '"$corp"'/README.md < '"$corp"'/README.md'
run bad_args '$BIN train --alpha 2'

if [ "$mode" = full ]; then
    sa=$corp/spamassassin
    run train_full '$BIN train '"$sa"' -o $OUT/full.model'
    same full.model
    run train_full_fixed '$BIN train '"$sa"' --lambda 1e-4 -o $OUT/fullfixed.model'
    same fullfixed.model
    run vectorize_full '$BIN vectorize '"$sa"' -o $OUT/full.svm --vocab $OUT/full.vocab'
    same full.svm full.vocab
    run classify_full '$BIN classify -m $OUT/full.model '"$sa"
    run classify_full_json '$BIN classify --json --explain -m $OUT/full.model '"$sa"
    run classify_full_fixed '$BIN classify -m $OUT/fullfixed.model '"$sa"
    run eval_full '$BIN eval --json -m $OUT/fullfixed.model '"$sa"
    run words_full '$BIN words -m $OUT/full.model'
fi
if [ $fail = 0 ]; then echo "ALL IDENTICAL ($mode) in $work"; rm -rf "$work"; else echo "DIFFERENCES in $work"; fi
exit $fail
