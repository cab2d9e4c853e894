#!/bin/sh
# fuzz-replay.sh - every fuzz target (tests/fuzz/fuzz_NAME.c), linked without
# libFuzzer (tests/fuzz/replay.c), runs over its recorded corpus
# tests/fuzz/corpus/NAME/ and every crash input ever found,
# tests/fuzz/regress/NAME/: each input must pass the target's properties,
# and under SANITIZE=1 also ASan/UBSan and the leak checker.
script=fuzz-replay
. "$(dirname "$0")/lib.inc"

for src in "$top"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin="${S2Q_HELPERS:-}/fuzz-$name"
	corpus="$top/tests/fuzz/corpus/$name"
	regress="$top/tests/fuzz/regress/$name"
	if [ ! -x "$bin" ]; then
		notok "$name: replay driver $bin not built"
		continue
	fi
	nseed=$(find "$corpus" -type f 2>/dev/null | wc -l)
	if [ "$nseed" -eq 0 ]; then
		notok "$name: no seed corpus in tests/fuzz/corpus/$name/"
		continue
	fi
	nreg=$(find "$regress" -type f 2>/dev/null | wc -l)
	if "$bin" "$corpus" "$regress" >"$scratch/out" 2>"$scratch/err"; then
		ok "$name: $(cat "$scratch/out") ($nseed corpus, $nreg regression) without a failure"
	else
		notok "$name: replay failed: $(grep -m3 'fuzz property\|ERROR\|runtime error\|^replay' "$scratch/err" | tr '\n' ' ')"
		sed 's/^/#   /' "$scratch/err" | head -30
		# name the failing input
		"$bin" -v "$corpus" "$regress" 2>&1 | grep '^replay:' | tail -1 | sed 's/^/#   last input: /'
	fi
done
