#!/usr/bin/env bash
# Bad-argument probe over every command (issue 22): each case must exit 2 with one line on stderr, no .NET type
# names, and nothing written in the working folder. Prints each bad case and "tried N clean N bad N".
#   scripts/probe-args.sh
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/hybrid" info >/dev/null # builds once and runs the setup
H="dotnet $root/src/Hybrid.Cli/bin/Release/net10.0/hybrid.dll"
work=$(mktemp -d); cd "$work"
touch afile
tried=0; clean=0; bad=0
probe() { # command args...
  tried=$((tried+1))
  local before after out err code
  before=$(find . | sort | md5sum)
  err=$($H "$@" 2>&1 >/dev/null); code=$?
  after=$(find . | sort | md5sum)
  lines=$(printf '%s' "$err" | grep -c .)
  if [[ $code -eq 2 && $lines -eq 1 && "$err" != *System.* && "$err" != *Exception* && "$err" != *"Parameter '"* && "$before" == "$after" ]]; then clean=$((clean+1))
  else bad=$((bad+1)); echo "BAD ($code, $lines lines, written: $([[ $before == $after ]] && echo no || echo yes)): $* -> $(printf '%s' "$err" | head -3)"; fi
}
for c in train compare margin-attack margin bpm uncertainty trust depth transfer cost; do
  probe $c --no-such-option
  probe $c --epochs 2147483648
  probe $c --epochs -1
  probe $c --epochs abc
  probe $c --seed 1e400
  probe $c --out /proc/x
  probe $c --out afile
  probe $c --resume /nonexistent/run
  probe $c --resume afile
  probe $c --threads 0x
  probe $c --epochs
done
for c in train compare; do
  probe $c --lr Inf; probe $c --lr NaN; probe $c --lr -1; probe $c --width 0; probe $c --depth -1; probe $c --batch-size 0
  probe $c --model rnn; probe $c --model gpt --data mnist; probe $c --data fortunes; probe $c --data ""; probe $c --data /nonexistent
  probe $c --train-size 0; probe $c --train-size 99999999; probe $c --task nope; probe $c --normalize zca; probe $c --device tpu
  probe $c --model gpt --width 130; probe $c --model resnet --depth 0; probe $c --model cnn --data mixture
done
probe train --optimizer adamw; probe train --bits 99 --optimizer lns-madam; probe train --gamma -1 --optimizer lns-madam; probe train --drift-time 1parsec
probe compare --bits 1; probe compare --update-bits 40 --variants stochastic; probe compare --baselines fp4; probe compare --seeds 0; probe compare --sram-kib -1
probe compare --energy-table /nonexistent.json; probe compare --energy-table afile; probe compare --memory-model magic; probe compare --gemm slow --update-bits 12 --variants stochastic
probe cost --model resnet999; probe cost --batch 0; probe cost --model mlp --batch -3
probe sweep run /nonexistent.json; probe sweep run afile; probe sweep plan /dev/zero; probe sweep merge /nonexistent.json; probe sweep status afile
probe pareto /nonexistent.json --baseline x; probe pareto afile --baseline x; probe pareto
probe info --bogus
echo "tried $tried clean $clean bad $bad"
rm -rf "$work"
[[ $bad -eq 0 ]]
