#!/usr/bin/env bash
# Only cli/ talks to the terminal: no other folder of src/ includes <iostream> or writes to
# stdout/stderr itself (library code reports lines and events to its caller).
set -euo pipefail
src=${1:-$(dirname "$0")/../src}
found=$(grep -rnE '#include <iostream>|std::(cout|cerr|clog)\b|\b(printf|puts|perror)\(|f(printf|puts|write)\((stdout|stderr)' \
          --include='*.cc' --include='*.h' "$src" |
        grep -v "^$src/cli/" | grep -v '_test\.cc:' || true)
if [ -n "$found" ]; then
  echo "check-layers: only src/cli/ may print; these lines do:" >&2
  echo "$found" >&2
  exit 1
fi
echo "check-layers: only src/cli/ prints"
