#!/usr/bin/env bash
# libFuzzer targets for the config loader and the sops, age and .sops.yaml parsers (Fuzz/*/main.swift).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 60 s for each of config, sops, age, creation-rules
#   FUZZ_MODE=ci scripts/fuzz.sh 60           # what CI runs: reproducible (see below)
#   scripts/fuzz.sh --update-corpus           # merge what runs found into the committed corpora
#
# Modes. By hand (the default): fresh seeds made by the real sops and age, the committed corpus
# Fuzz/corpus/<target>, and what earlier runs kept in .build-fuzz/corpus/<target>, with a random
# libFuzzer seed, in fork mode (a crash is saved and fuzzing goes on). CI (FUZZ_MODE=ci): the
# committed corpus only, a fixed libFuzzer seed (FUZZ_SEED, default 1), one process: the run is
# the same sequence of inputs every time, cut at the time bound, so CI fails on a change of the
# code, never on luck. A by-hand run with the same seed for longer covers CI's run.
#
# Each target is compiled with swiftc into one module with the sources of SalonOpsSecrets (so the
# fuzz entry can reach internal API such as SopsYAMLReader and EncryptedValue), with
# -sanitize=fuzzer,address, against Yams built by SwiftPM in its own scratch path (.build-fuzz,
# git-ignored). Package.swift is not involved, so `swift build` is unaffected.
#
# The seed corpus is made fresh on every run with the real age (age, age-keygen) and the real
# sops (.venv/bin/sops, or sops on PATH), encrypted to the fixed fuzzing key in
# Fuzz/Shared/FuzzSupport.swift. Inputs libFuzzer finds interesting are kept across runs in
# .build-fuzz/corpus/<target>; crashes land in .build-fuzz/crashes/<target>/ and make the script
# exit 1 (after every target has run).
#
# Reproduce a crash: SWIFT_BACKTRACE=enable=no .build-fuzz/fuzz/<target> <crash file>
#
# Environment: FUZZ_JOBS (parallel libFuzzer workers per target, default 1), FUZZ_OPT (swiftc
# optimization flag, default -O), SOPS (path to sops).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
MODE="${FUZZ_MODE:-hand}"
FUZZ_SEED="${FUZZ_SEED:-1}"
UPDATE_CORPUS=0
if [ "$SECONDS_PER_TARGET" = "--update-corpus" ]; then UPDATE_CORPUS=1; SECONDS_PER_TARGET=0; fi
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(config sops age creation-rules)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH="$ROOT/.build-fuzz"
BIN="$SCRATCH/fuzz"
SWIFT="${SWIFT:-swift}"
SWIFTC="${SWIFTC:-swiftc}"
FUZZ_OPT="${FUZZ_OPT:--O}"
FUZZ_JOBS="${FUZZ_JOBS:-1}"
if [ -z "${SOPS:-}" ]; then
    if [ -x "$ROOT/.venv/bin/sops" ]; then SOPS="$ROOT/.venv/bin/sops"; else SOPS="$(command -v sops || true)"; fi
fi
RECIPIENT="$(sed -n 's/.*static let recipient = "\(age1[a-z0-9]*\)".*/\1/p' "$ROOT/Fuzz/Shared/FuzzSupport.swift")"
[ -n "$RECIPIENT" ] || { echo "fuzz.sh: no recipient in Fuzz/Shared/FuzzSupport.swift" >&2; exit 2; }

target_dir() {
    case "$1" in
        config) echo ConfigLoaderFuzz ;;
        sops) echo SopsFileFuzz ;;
        age) echo AgeFuzz ;;
        creation-rules) echo CreationRulesFuzz ;;
        *) echo "fuzz.sh: unknown target $1 (config, sops, age, creation-rules)" >&2; exit 2 ;;
    esac
}
for t in "${TARGETS[@]}"; do target_dir "$t" >/dev/null; done

# --- build ---------------------------------------------------------------------------------
echo "== building Yams (SwiftPM, scratch path .build-fuzz)"
(cd "$ROOT" && "$SWIFT" build --scratch-path "$SCRATCH" -c release --target Yams 2>&1 >/dev/null | grep -v -E "swift-distributed-tracing|CMakeLists.txt" || true)
YAMS_OBJECTS=("$SCRATCH"/release/Yams.build/*.o "$SCRATCH"/release/CYaml.build/src/*.o)
[ -e "${YAMS_OBJECTS[0]}" ] || { echo "fuzz.sh: Yams objects not found under $SCRATCH/release" >&2; exit 2; }
mapfile -t SECRETS_SOURCES < <(find "$ROOT/Sources/SalonOpsSecrets" -name '*.swift' | sort)
mapfile -t CORE_SOURCES < <(find "$ROOT/Sources/SalonOpsCore" -name '*.swift' | sort)

mkdir -p "$BIN/modules"
# SalonOpsYAML (the bounds on every YAML read) is a module of its own, as in Package.swift.
echo "== building SalonOpsYAML"
"$SWIFTC" -parse-as-library -sanitize=fuzzer,address "$FUZZ_OPT" -g -swift-version 6 -c \
    -module-name SalonOpsYAML -emit-module -emit-module-path "$BIN/modules/SalonOpsYAML.swiftmodule" \
    -I "$SCRATCH/checkouts/Yams/Sources/CYaml/include" \
    $(find "$ROOT/Sources/SalonOpsYAML" -name '*.swift' | sort) -o "$BIN/SalonOpsYAML.o"
for t in "${TARGETS[@]}"; do
    dir="$(target_dir "$t")"
    echo "== building fuzz target $t (Fuzz/$dir)"
    # Each target is one module with the library it fuzzes (internal API reachable).
    if [ "$t" = config ]; then module=SalonOpsCore; LIB_SOURCES=("${CORE_SOURCES[@]}"); else module=SalonOpsSecrets; LIB_SOURCES=("${SECRETS_SOURCES[@]}"); fi
    # lld: gold warns about every ASan check symbol it cannot export.
    "$SWIFTC" -parse-as-library -sanitize=fuzzer,address "$FUZZ_OPT" -g -use-ld=lld \
        -swift-version 6 -module-name "$module" \
        -I "$SCRATCH/release/Modules" -I "$BIN/modules" \
        -I "$SCRATCH/checkouts/Yams/Sources/CYaml/include" \
        -I "$ROOT/Sources/COpenSSL" \
        "${LIB_SOURCES[@]}" $([ "$t" = config ] || echo "$ROOT/Fuzz/Shared/FuzzSupport.swift") "$ROOT/Fuzz/$dir/main.swift" \
        "$BIN/SalonOpsYAML.o" "${YAMS_OBJECTS[@]}" -lcrypto -lssl \
        -o "$BIN/$t"
done

# --- seed corpus (made with the real age and sops) -------------------------------------------
SEEDS="$(mktemp -d "${TMPDIR:-/tmp}/salonops-fuzz-seeds.XXXXXX")"
trap 'rm -rf "$SEEDS"' EXIT

seed_age() {
    local out="$SEEDS/age" other
    mkdir -p "$out"
    other="$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')"
    printf '' | age -r "$RECIPIENT" >"$out/empty.age"
    printf 'hello, salon\n' | age -r "$RECIPIENT" >"$out/small.age"
    printf 'hello, salon\n' | age -a -r "$RECIPIENT" >"$out/small.armored"
    printf '%032d' 0 | age -a -r "$RECIPIENT" -r "$other" >"$out/two-recipients.armored"
    printf '%032d' 0 | age -r "$other" -r "$RECIPIENT" >"$out/two-recipients-second.age"
    head -c 65536 /dev/zero | age -r "$RECIPIENT" >"$out/one-full-chunk.age"
    head -c 65537 /dev/zero | age -r "$RECIPIENT" >"$out/two-chunks.age"
    printf '%032d' 0 | age -r "$other" >"$out/not-for-us.age"
    age-keygen 2>/dev/null >"$out/keys.txt"
    printf 'AGE-SECRET-KEY-160L0J892WT0LG26VNP4NUPTKYRK38ZRK4VT70FLS94SJKJT84D0SX4F9UF\r\n' >"$out/key-crlf.txt"
    printf '%s' "$RECIPIENT" >"$out/recipient.txt"
}

seed_sops() {
    local out="$SEEDS/sops" plain="$SEEDS/plain"
    mkdir -p "$out" "$plain"
    if [ -z "$SOPS" ]; then echo "fuzz.sh: no sops found; the sops target starts from an empty corpus" >&2; return; fi
    cat >"$plain/basic.yaml" <<'YAML'
stripe:
  secret_key: sk_test_51abc
  webhook_secret: whsec_123 # rotate yearly
port: 8443
ratio: 0.25
enabled: true
empty: ""
nothing: null
YAML
    cat >"$plain/lists.yaml" <<'YAML'
# credentials for the booking providers
providers:
  - name: planity
    token: "tok-1"
  - name: treatwell
    token: 'tok-2'
    # a comment inside a list
    scopes: [read, write]
notes: |
  line one
  line two
folded: >-
  folded
  text
YAML
    cat >"$plain/suffix.yaml" <<'YAML'
db:
  host_unencrypted: db.internal
  password: hunter2
created: 2026-01-02T03:04:05Z
YAML
    printf 'a: 1\n---\nb: two\n' >"$plain/multi.yaml"
    local s=(env SOPS_DISABLE_VERSION_CHECK=1 "$SOPS" encrypt --input-type yaml --output-type yaml)
    "${s[@]}" --age "$RECIPIENT" "$plain/basic.yaml" >"$out/basic.yaml"
    "${s[@]}" --age "$RECIPIENT" "$plain/lists.yaml" >"$out/lists.yaml"
    "${s[@]}" --age "$RECIPIENT" "$plain/suffix.yaml" >"$out/suffix.yaml"
    "${s[@]}" --age "$RECIPIENT" --encrypted-regex '^(password|secret_key|token)$' "$plain/basic.yaml" >"$out/encrypted-regex.yaml"
    # mac_only_encrypted has no command-line flag: a .sops.yaml sets it.
    mkdir -p "$SEEDS/maconly"
    printf 'creation_rules:\n  - age: %s\n    mac_only_encrypted: true\n    encrypted_suffix: _secret\n' "$RECIPIENT" >"$SEEDS/maconly/.sops.yaml"
    printf 'db:\n  host: db.internal\n  password_secret: hunter2\n  port: 5432\n' >"$SEEDS/maconly/db.yaml"
    (cd "$SEEDS/maconly" && "${s[@]}" db.yaml >"$out/mac-only.yaml" 2>/dev/null) || rm -f "$out/mac-only.yaml"
    "${s[@]}" --age "$RECIPIENT" "$plain/multi.yaml" >"$out/multi.yaml" 2>/dev/null || rm -f "$out/multi.yaml"
    # Two key groups with Shamir (threshold 2): needs a .sops.yaml.
    local other rules="$SEEDS/shamir"
    other="$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')"
    mkdir -p "$rules"
    cat >"$rules/.sops.yaml" <<YAML
creation_rules:
  - shamir_threshold: 2
    key_groups:
      - age: [$RECIPIENT]
      - age: [$RECIPIENT, $other]
YAML
    cp "$plain/basic.yaml" "$rules/basic.yaml"
    (cd "$rules" && "${s[@]}" basic.yaml >"$out/shamir.yaml" 2>/dev/null) || rm -f "$out/shamir.yaml"
    cp "$rules/.sops.yaml" "$SEEDS/shamir.sops.yaml"
}

seed_creation_rules() {
    local out="$SEEDS/creation-rules"
    mkdir -p "$out"
    cat >"$out/simple.yaml" <<YAML
creation_rules:
  - path_regex: secrets/.*\\.enc\\.yaml\$
    age: $RECIPIENT
  - age: >-
      $RECIPIENT,
      $RECIPIENT
    encrypted_regex: ^(password|token)\$
YAML
    cat >"$out/flags.yaml" <<YAML
creation_rules:
  - path_regex: credentials/
    unencrypted_suffix: _plain
    mac_only_encrypted: true
    age:
      - $RECIPIENT
  - path_regex: "["
    pgp: ABCDEF
YAML
    [ -f "$SEEDS/shamir.sops.yaml" ] && cp "$SEEDS/shamir.sops.yaml" "$out/shamir.yaml"
    true
}

seed_config() {
    # The examples: a valid chain and one broken repository per error class (no generated input).
    local out="$SEEDS/config" file name
    mkdir -p "$out"
    while IFS= read -r file; do
        name="$(echo "${file#"$ROOT"/examples/}" | tr '/' '_')"
        cp "$file" "$out/$name"
    done < <(find "$ROOT/examples/salon-chain" "$ROOT/examples/invalid" -name '*.yaml' -not -name '*.sops.yaml' | sort)
}

# --update-corpus: each target's committed corpus becomes the minimal set (libFuzzer -merge)
# covering itself, the fresh seeds and what local runs kept.
if [ "$UPDATE_CORPUS" = 1 ]; then
    for t in "${TARGETS[@]}"; do
        case "$t" in age) seed_age ;; sops) seed_sops ;; creation-rules) seed_sops >/dev/null 2>&1 || true; seed_creation_rules ;; config) seed_config ;; esac
        committed="$ROOT/Fuzz/corpus/$t" merged="$SEEDS/merged-$t"
        mkdir -p "$committed" "$merged" "$SCRATCH/corpus/$t"
        SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0" "$BIN/$t" -merge=1 -max_len=140000 "$merged" "$committed" "$SCRATCH/corpus/$t" "$SEEDS/$t" 2>&1 | tail -n 2
        rm -rf "$committed" && mv "$merged" "$committed"
        echo "== $t: $(find "$committed" -type f | wc -l) inputs in Fuzz/corpus/$t"
    done
    exit 0
fi

for t in "${TARGETS[@]}"; do
    [ "$MODE" = ci ] && break  # CI reads the committed corpora only
    case "$t" in
        config) seed_config ;;
        age) seed_age ;;
        sops) seed_sops ;;
        creation-rules) seed_sops >/dev/null 2>&1 || true; seed_creation_rules ;;
    esac
done

# --- run -----------------------------------------------------------------------------------
failed=()
for t in "${TARGETS[@]}"; do
    corpus="$SCRATCH/corpus/$t" crashes="$SCRATCH/crashes/$t" committed="$ROOT/Fuzz/corpus/$t"
    mkdir -p "$corpus" "$crashes"
    marker="$SEEDS/started-$t"; touch "$marker"
    dict="$ROOT/Fuzz/dict/$t.dict"
    if [ "$MODE" = ci ]; then
        # New inputs go to a scratch copy: the run never changes the repository, and every CI
        # run starts from the same files.
        corpus="$SEEDS/ci-$t"; mkdir -p "$corpus"; cp -r "$committed"/. "$corpus"/ 2>/dev/null || true
        inputs=("$corpus")
        flags=(-seed="$FUZZ_SEED")
    else
        inputs=("$corpus" "$SEEDS/$t")
        [ -d "$committed" ] && inputs+=("$committed")
        flags=(-fork="$FUZZ_JOBS" -ignore_crashes=1)
    fi
    echo "== fuzzing $t for ${SECONDS_PER_TARGET}s ($MODE mode; corpus $corpus, crashes in $crashes)"
    # -detect_leaks=0: the Swift runtime keeps metadata caches that LeakSanitizer reports.
    # SWIFT_BACKTRACE=enable=no: the Swift backtracer hangs on a crash under libFuzzer (it keeps
    # the output pipe open); libFuzzer and ASan print the stack themselves.
    # -fork with -ignore_crashes: keep fuzzing after a crash (each one is saved under crashes/).
    set +e
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" "$BIN/$t" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=4096 -max_len=140000 \
        -dict="$dict" -artifact_prefix="$crashes/" -print_final_stats=1 \
        "${flags[@]}" "${inputs[@]}" 2>&1 | grep -v -E "^#[0-9]+.*(NEW|REDUCE|pulse)|# Uses: [0-9]+$" | tail -n 40
    status=${PIPESTATUS[0]}
    set -e
    new_artifacts="$(find "$crashes" -type f -newer "$marker" | sort)"
    if [ "$status" -ne 0 ] || [ -n "$new_artifacts" ]; then
        failed+=("$t")
        [ -z "$new_artifacts" ] || printf 'new artifact: %s\n' $new_artifacts >&2
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: failures in: ${failed[*]} (inputs under $SCRATCH/crashes/; reproduce with $BIN/<target> <file>)" >&2
    exit 1
fi
echo "fuzz.sh: no crashes (${TARGETS[*]}, ${SECONDS_PER_TARGET}s each)"
