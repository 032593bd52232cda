#!/usr/bin/env bash
# Makes HallQ's default voice clips (display/voice.hpp) with espeak-ng's Mandarin voice from
# pinyin (the cmn voice misreads 号 and 口 from characters) and sox: mono 16-bit 16 kHz WAV,
# silence trimmed, peaks normalised to -1 dB. A hall replaces them with recorded clips of the
# same names (DIR/<name>.wav).
#   make-clips.sh OUTDIR [SPEED_WPM]
set -euo pipefail
out=${1:?usage: make-clips.sh OUTDIR [SPEED_WPM]}
speed=${2:-140}
command -v espeak-ng >/dev/null || { echo "make-clips.sh: espeak-ng is missing (apt-get install espeak-ng)" >&2; exit 1; }
command -v sox >/dev/null || { echo "make-clips.sh: sox is missing (apt-get install sox)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() {  # say NAME PINYIN
  espeak-ng -v cmn-latn-pinyin -s "$speed" -w "$tmp/raw.wav" "$2"
  # Trim leading and trailing silence, then resample and normalise.
  sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 "$tmp/$1.wav" \
    silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse norm -1
  mv "$tmp/$1.wav" "$out/$1.wav"
}

say qing qing3
say hao hao4
say dao dao4
say chuangkou "chuang1 kou3"
say banli "ban4 li3"
say shi shi2
say bai bai3
i=0
for p in ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3; do
  say "digit-$i" "$p"
  i=$((i + 1))
done
# Letters as halls say them (A 诶, B 比, C 西, ...), in pinyin.
letters=(
  a:ei1 b:bi4 c:xi1 d:di4 e:yi4 f:"ai2 fu1" g:ji4 h:"ai1 qi1" i:ai4 j:jie4 k:kai4 l:"ai2 le5"
  m:"ai2 mu5" n:en1 o:ou1 p:pi4 q:"ke1 you1" r:"a4 er3" s:"ai2 si1" t:ti4 u:you1 v:wei1
  w:"da2 bu5 liu1" x:"ai2 ke4 si1" y:wai1 z:"zei4 de5"
)
for l in "${letters[@]}"; do
  say "letter-${l%%:*}" "${l#*:}"
done
# The chime: a two-tone ding-dong, softly faded.
sox -n -r 16000 -c 1 -b 16 "$tmp/ding.wav" synth 0.35 sine 988 fade q 0.01 0.35 0.3 vol 0.5
sox -n -r 16000 -c 1 -b 16 "$tmp/dong.wav" synth 0.55 sine 784 fade q 0.01 0.55 0.5 vol 0.5
sox "$tmp/ding.wav" "$tmp/dong.wav" "$out/chime.wav"
echo "make-clips.sh: $(ls "$out"/*.wav | wc -l) clips in $out"
