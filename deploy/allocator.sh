# Sourced by ./xai and deploy/standalone/local-cluster.sh: preloads tcmalloc for the JVMs they start.
# libtorch allocates and frees activation-sized arrays at a high rate; glibc's malloc hands large
# freed blocks back to the kernel and faults them in again, tcmalloc keeps them for reuse: lower
# peak memory and less time in page faults (docs/sizing.md, "Native memory"). Used when installed
# (Debian/Ubuntu: apt-get install libtcmalloc-minimal4); XAI_TCMALLOC=off keeps glibc's malloc,
# XAI_TCMALLOC=/path/to/lib.so picks a library.
xai_preload_tcmalloc() {
  local lib="${XAI_TCMALLOC:-}"
  if [ -z "$lib" ]; then
    lib="$(ls /usr/lib/*-linux-gnu/libtcmalloc_minimal.so.4 /usr/lib64/libtcmalloc_minimal.so.4 2>/dev/null | head -1 || true)"
  fi
  if [ -n "$lib" ] && [ "$lib" != off ]; then
    if [ ! -f "$lib" ]; then
      echo "[xai] XAI_TCMALLOC=$lib: no such file (give the path of libtcmalloc_minimal.so.4, or 'off')" >&2
      exit 2
    fi
    export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
  fi
}
