#!/usr/bin/env bash
# Fuzzes hoist's parsers of outside input with libFuzzer (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer): the manifest loader, the Dockerfile and .dockerignore reader,
# the WWW-Authenticate parser and marker decoding.
#   scripts/fuzz.sh [SECONDS_PER_TARGET [TARGET...]]   (default 60, every target)
# Builds into build-fuzz/, starts from fuzz/corpus/<target> (and ../shared/fixtures/manifests
# when present), keeps what it learns in build-fuzz/corpus/<target>, and prints each target's
# executions. A crash leaves its input in build-fuzz/; add it to fuzz/corpus/<target> once
# fixed, so the replay under ctest keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
all=(manifest dockerfile auth_challenge marker)
targets=("${@:2}")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all[@]}")
command -v clang++ >/dev/null || { echo "fuzz.sh: needs clang (apt-get install clang)" >&2; exit 2; }

flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g -O1"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="$flags -Wno-error" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DHOIST_FUZZ=ON -DHOIST_BUILD_TESTS=OFF >/dev/null
ninja -C build-fuzz "${all[@]/%/_fuzz}" >/dev/null

total=0
for target in "${targets[@]}"; do
  work="build-fuzz/corpus/$target"
  mkdir -p "$work"
  seeds=("fuzz/corpus/$target")
  if [[ $target == manifest && -d ../shared/fixtures/manifests ]]; then
    seeds+=(../shared/fixtures/manifests)
  fi
  log="build-fuzz/$target.log"
  (cd build-fuzz && "./fuzz/${target}_fuzz" -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "corpus/$target" \
    "${seeds[@]/#/../}") >"$log" 2>&1 || { tail -40 "$log"; echo "fuzz.sh: $target FAILED" >&2; exit 1; }
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  printf '%-16s %12s execs in %ss, corpus %s files, 0 crashes\n' "$target" "$runs" "$seconds" \
    "$(ls "$work" | wc -l)"
  total=$((total + runs))
done
echo "total            $total execs"
